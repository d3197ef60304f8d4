//! Go's `sync.RWMutex`: many readers or one writer, and a waiting writer blocks new readers.
//!
//! The algorithm is Go's (`rwmutex.go`): an atomic count of readers that a pending writer drives
//! negative, a count of departing readers the writer waits for, a mutex that orders writers, and two
//! semaphores to park readers and the writer.
//!
//! # Contract
//!
//! * Any number of [`read`](RwMutex::read) guards, or exactly one [`write`](RwMutex::write) guard, exist
//!   at a time.
//! * **Writer preference (Go's rule):** once a writer is waiting, new readers block until it has had
//!   its turn, so a stream of readers cannot starve a writer. When the writer unlocks, the readers that
//!   arrived meanwhile are let in before the next writer.
//! * **Synchronization:** the release of a write guard happens before every later read or write
//!   guard is acquired; the release of a read guard happens before the next write guard is acquired.
//!
//! # Misuse
//!
//! Taking a read guard while already holding one on the same thread (recursive read locking) deadlocks
//! as soon as a writer arrives between the two: the writer waits for the first guard, the second read
//! waits for the writer. Go documents the same prohibition; it is the class of real Go deadlocks this
//! rule creates, and `tests/gosync/rwmutex_model.rs` shows loom finding it. (std's `RwLock` leaves the policy
//! to the platform, so code that "works" with it may deadlock here and in Go.) Taking the write guard
//! while holding a read guard deadlocks always.

use std::fmt;
use std::ops::{Deref, DerefMut};

use crate::sync::atomic::{AtomicI32, Ordering};
use crate::sync::cell::UnsafeCell;
use crate::sync::{Mutex, MutexGuard};
use crate::waitgroup::Sema;

/// Readers beyond which the count would overflow into the writer's bias (Go's `rwmutexMaxReaders`).
const MAX_READERS: i32 = 1 << 30;

/// A reader-writer lock with Go's writer preference; see the [module docs](self).
pub struct RwMutex<T> {
    /// Held by the writer for its whole critical section: orders writers among themselves.
    w: Mutex<()>,
    /// Readers inside or parked; minus [`MAX_READERS`] while a writer is pending or inside.
    reader_count: AtomicI32,
    /// Readers that were inside when the pending writer arrived and have not left yet.
    reader_wait: AtomicI32,
    /// Parks the pending writer until `reader_wait` reaches zero.
    writer_sem: Sema,
    /// Parks readers that arrived while a writer was pending or inside.
    reader_sem: Sema,
    data: UnsafeCell<T>,
}

// SAFETY: the lock hands out `&T` to readers on several threads at once (hence `T: Sync`) and `&mut T`
// to one writer at a time, possibly on another thread than the one that created it (hence `T: Send`);
// exclusion is what `tests/gosync/rwmutex_model.rs` checks under loom through the facade's `UnsafeCell`.
unsafe impl<T: Send + Sync> Sync for RwMutex<T> {}
// SAFETY: moving the lock moves the `T` it owns.
unsafe impl<T: Send> Send for RwMutex<T> {}

/// Shared access to the data of a [`RwMutex`]; releases the read lock when dropped.
#[must_use = "if unused the RwMutex will immediately unlock"]
pub struct ReadGuard<'a, T> {
    rw: &'a RwMutex<T>,
}

/// Exclusive access to the data of a [`RwMutex`]; releases the write lock when dropped.
#[must_use = "if unused the RwMutex will immediately unlock"]
pub struct WriteGuard<'a, T> {
    rw: &'a RwMutex<T>,
    /// Released after the readers are let in (field drops run after `Drop::drop`), as in Go.
    _w: MutexGuard<'a, ()>,
}

impl<T> RwMutex<T> {
    /// Creates an unlocked lock holding `value`.
    pub fn new(value: T) -> Self {
        RwMutex {
            w: Mutex::new(()),
            reader_count: AtomicI32::new(0),
            reader_wait: AtomicI32::new(0),
            writer_sem: Sema::spinning(),
            reader_sem: Sema::spinning(),
            data: UnsafeCell::new(value),
        }
    }

    /// Acquires shared access, blocking while a writer is inside or waiting (Go's `RLock`).
    #[track_caller]
    pub fn read(&self) -> ReadGuard<'_, T> {
        // AcqRel: acquires the last writer's unlock; negative means a writer is pending, so park
        // until its unlock releases us (it counts us in and hands over a permit).
        if self.reader_count.fetch_add(1, Ordering::AcqRel) + 1 < 0 {
            self.reader_sem.acquire();
        }
        ReadGuard::new(self)
    }

    /// Acquires shared access if no writer is inside or waiting; never blocks (Go's `TryRLock`).
    pub fn try_read(&self) -> Option<ReadGuard<'_, T>> {
        let mut c = self.reader_count.load(Ordering::Relaxed);
        loop {
            if c < 0 {
                return None;
            }
            match self.reader_count.compare_exchange_weak(
                c,
                c + 1,
                Ordering::AcqRel,
                Ordering::Relaxed,
            ) {
                Ok(_) => return Some(ReadGuard::new(self)),
                Err(now) => c = now,
            }
        }
    }

    /// Acquires exclusive access, blocking until every reader and writer has left (Go's `Lock`).
    #[track_caller]
    pub fn write(&self) -> WriteGuard<'_, T> {
        // First, resolve competition with other writers.
        let w = self.w.lock();
        // Announce the writer to readers: from now on new readers park.
        let r = self.reader_count.fetch_add(-MAX_READERS, Ordering::AcqRel);
        // Wait for the `r` readers already inside. Some may have left between the two atomics and
        // driven `reader_wait` negative; the one that brings it to zero releases us.
        if r != 0 && self.reader_wait.fetch_add(r, Ordering::AcqRel) + r != 0 {
            self.writer_sem.acquire();
        }
        WriteGuard::new(self, w)
    }

    /// Acquires exclusive access if nobody holds the lock; never blocks (Go's `TryLock`).
    pub fn try_write(&self) -> Option<WriteGuard<'_, T>> {
        let w = self.w.try_lock()?;
        self.reader_count
            .compare_exchange(0, -MAX_READERS, Ordering::AcqRel, Ordering::Relaxed)
            .ok()?;
        Some(WriteGuard::new(self, w))
    }

    /// Returns a mutable reference to the data; no locking is needed since `self` is borrowed
    /// exclusively.
    pub fn get_mut(&mut self) -> &mut T {
        // SAFETY: `&mut self` excludes every guard.
        self.data.with_mut(|p| unsafe { &mut *p })
    }

    /// Consumes the lock and returns the data.
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }

    fn read_unlock(&self) {
        let r = self.reader_count.fetch_sub(1, Ordering::AcqRel) - 1;
        if r < 0 {
            // A writer is pending: if we are the last reader it waits for, wake it.
            if self.reader_wait.fetch_sub(1, Ordering::AcqRel) - 1 == 0 {
                self.writer_sem.release();
            }
        }
    }

    fn write_unlock(&self) {
        // Announce to readers that there is no active writer, and let in those that parked.
        let r = self.reader_count.fetch_add(MAX_READERS, Ordering::AcqRel) + MAX_READERS;
        for _ in 0..r {
            self.reader_sem.release();
        }
        // The writer mutex is released by the guard's field drop, after this.
    }
}

impl<T: Default> Default for RwMutex<T> {
    fn default() -> Self {
        Self::new(T::default())
    }
}

impl<T: fmt::Debug> fmt::Debug for RwMutex<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("RwMutex");
        match self.try_read() {
            Some(g) => d.field("data", &&*g),
            None => d.field("data", &format_args!("<locked>")),
        };
        d.finish()
    }
}

impl<'a, T> ReadGuard<'a, T> {
    fn new(rw: &'a RwMutex<T>) -> Self {
        // A read access at acquisition, so loom checks it against the last writer even if the guard
        // is never dereferenced.
        rw.data.with(|_| ());
        ReadGuard { rw }
    }
}

impl<T> Deref for ReadGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: a read guard exists, so no write guard does (the lock's contract); shared access
        // for the guard's lifetime is sound.
        self.rw.data.with(|p| unsafe { &*p })
    }
}

impl<T> Drop for ReadGuard<'_, T> {
    fn drop(&mut self) {
        // A read access at release, ordered before the next writer's accesses if the lock is right.
        // (Safe while a checker unwinds an execution it abandoned: the facade then calls into it no
        // more, see `sync::abandon`.)
        self.rw.data.with(|_| ());
        self.rw.read_unlock();
    }
}

impl<'a, T> WriteGuard<'a, T> {
    fn new(rw: &'a RwMutex<T>, w: MutexGuard<'a, ()>) -> Self {
        rw.data.with_mut(|_| ());
        WriteGuard { rw, _w: w }
    }
}

impl<T> Deref for WriteGuard<'_, T> {
    type Target = T;
    fn deref(&self) -> &T {
        // SAFETY: the write guard is the only guard; shared access through it is sound.
        self.rw.data.with(|p| unsafe { &*p })
    }
}

impl<T> DerefMut for WriteGuard<'_, T> {
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: the write guard is the only guard and is borrowed mutably: exclusive access.
        self.rw.data.with_mut(|p| unsafe { &mut *p })
    }
}

impl<T> Drop for WriteGuard<'_, T> {
    fn drop(&mut self) {
        // A write access at release, as for the read guard.
        self.rw.data.with_mut(|_| ());
        self.rw.write_unlock();
    }
}

impl<T: fmt::Debug> fmt::Debug for ReadGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}

impl<T: fmt::Debug> fmt::Debug for WriteGuard<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&**self, f)
    }
}
