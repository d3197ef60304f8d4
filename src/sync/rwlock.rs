//! A reader-writer lock with `std::sync::RwLock`'s shape and the facade [`Mutex`](super::Mutex)'s
//! manners: it never poisons, and under the checkers its read and write locks are the checker's own.
//!
//! It forwards to the backend's `RwLock` (std's, loom's or shuttle's) as the facade's `Mutex` does:
//! the backend guards a `()`, the value lives beside it, so that once a checker has abandoned the
//! execution the value is reachable without calling into it again (see `sync::abandon`). The
//! fairness policy is the backend's (std leaves it to the OS); racezoo's Go-style, writer-preferring
//! `RwMutex` is [`crate::rwmutex`].

use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};

use super::abandon::{abandoned, unwind_if_running};
use super::backend;
use super::trace;

/// A reader-writer lock that never poisons: any number of readers, or one writer, at a time.
///
/// Like `std::sync::RwLock`, except that [`read`](RwLock::read) and [`write`](RwLock::write) return
/// the guard itself (a previous holder's panic is ignored, as by the facade's
/// [`Mutex`](super::Mutex)), and the `try_` forms return an `Option`.
#[derive(Debug, Default)]
pub struct RwLock<T: ?Sized> {
    raw: backend::RawRwLock<()>,
    /// Under loom, which model threads hold a read lock (loom cannot model two at once by one
    /// thread); nothing elsewhere.
    readers: backend::ReadHolders,
    data: UnsafeCell<T>,
}

// SAFETY: as `std::sync::RwLock`: the lock hands `&mut T` to one thread at a time.
unsafe impl<T: ?Sized + Send> Send for RwLock<T> {}
// SAFETY: as `std::sync::RwLock`: readers share `&T` across threads (`T: Sync`), a writer gets
// `&mut T` on one thread at a time (`T: Send`).
unsafe impl<T: ?Sized + Send + Sync> Sync for RwLock<T> {}

/// The RAII guard of a read lock; the lock is released when it is dropped.
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockReadGuard<'a, T: ?Sized> {
    /// The backend's guard; `None` for a guard taken after the checker abandoned the execution.
    raw: Option<backend::RawReadGuard<'a, ()>>,
    lock: &'a RwLock<T>,
}

/// The RAII guard of a write lock; the lock is released when it is dropped.
#[must_use = "if unused the RwLock will immediately unlock"]
pub struct RwLockWriteGuard<'a, T: ?Sized> {
    /// The backend's guard; `None` for a guard taken after the checker abandoned the execution.
    raw: Option<backend::RawWriteGuard<'a, ()>>,
    lock: &'a RwLock<T>,
}

// SAFETY: as std's guards: sharing a guard shares `&T`.
unsafe impl<T: ?Sized + Sync> Sync for RwLockReadGuard<'_, T> {}
// SAFETY: as above.
unsafe impl<T: ?Sized + Sync> Sync for RwLockWriteGuard<'_, T> {}

impl<T> RwLock<T> {
    /// Creates an unlocked reader-writer lock holding `value`.
    #[inline]
    pub fn new(value: T) -> Self {
        RwLock {
            raw: backend::RawRwLock::new(()),
            readers: backend::ReadHolders::new(),
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the lock and returns the value.
    #[inline]
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> RwLock<T> {
    #[inline]
    fn addr(&self) -> *const () {
        self as *const Self as *const ()
    }

    /// Acquires a shared read lock, blocking while a writer holds the lock.
    #[inline]
    #[track_caller]
    pub fn read(&self) -> RwLockReadGuard<'_, T> {
        if abandoned() {
            unwind_if_running();
            return RwLockReadGuard {
                raw: None,
                lock: self,
            };
        }
        self.readers.check();
        let raw = trace::blocking("read", self.addr(), || {
            self.raw.read().unwrap_or_else(|e| e.into_inner())
        });
        self.readers.add();
        RwLockReadGuard {
            raw: Some(raw),
            lock: self,
        }
    }

    /// Acquires the exclusive write lock, blocking while any reader or writer holds the lock.
    #[inline]
    #[track_caller]
    pub fn write(&self) -> RwLockWriteGuard<'_, T> {
        if abandoned() {
            unwind_if_running();
            return RwLockWriteGuard {
                raw: None,
                lock: self,
            };
        }
        let raw = trace::blocking("write", self.addr(), || {
            self.raw.write().unwrap_or_else(|e| e.into_inner())
        });
        RwLockWriteGuard {
            raw: Some(raw),
            lock: self,
        }
    }

    /// Acquires a read lock if no writer holds the lock right now; `None` otherwise.
    #[inline]
    #[track_caller]
    pub fn try_read(&self) -> Option<RwLockReadGuard<'_, T>> {
        if abandoned() {
            return Some(RwLockReadGuard {
                raw: None,
                lock: self,
            });
        }
        self.readers.check();
        let raw = match self.raw.try_read() {
            Ok(raw) => raw,
            Err(backend::TryLockError::Poisoned(e)) => e.into_inner(),
            Err(backend::TryLockError::WouldBlock) => {
                trace::event("try_read failed", self.addr());
                return None;
            }
        };
        self.readers.add();
        trace::event("try_read", self.addr());
        Some(RwLockReadGuard {
            raw: Some(raw),
            lock: self,
        })
    }

    /// Acquires the write lock if nobody holds the lock right now; `None` otherwise.
    #[inline]
    #[track_caller]
    pub fn try_write(&self) -> Option<RwLockWriteGuard<'_, T>> {
        if abandoned() {
            return Some(RwLockWriteGuard {
                raw: None,
                lock: self,
            });
        }
        let raw = match self.raw.try_write() {
            Ok(raw) => raw,
            Err(backend::TryLockError::Poisoned(e)) => e.into_inner(),
            Err(backend::TryLockError::WouldBlock) => {
                trace::event("try_write failed", self.addr());
                return None;
            }
        };
        trace::event("try_write", self.addr());
        Some(RwLockWriteGuard {
            raw: Some(raw),
            lock: self,
        })
    }

    /// Returns a mutable reference to the value; no locking is needed since `self` is borrowed
    /// exclusively.
    #[inline]
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T: ?Sized> Drop for RwLockReadGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        // Recorded before the backend's guard (a field) releases the lock.
        if self.raw.is_some() && !abandoned() {
            self.lock.readers.remove();
            trace::event("read_unlock", self.lock.addr());
        }
    }
}

impl<T: ?Sized> Drop for RwLockWriteGuard<'_, T> {
    #[inline]
    fn drop(&mut self) {
        if self.raw.is_some() {
            trace::event("write_unlock", self.lock.addr());
        }
    }
}

impl<T: ?Sized> Deref for RwLockReadGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: the guard holds a read lock (or the execution is abandoned and single-threaded
        // from here on): no write guard exists meanwhile, so shared access is sound.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> Deref for RwLockWriteGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the write lock: no other guard exists meanwhile.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for RwLockWriteGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` makes the access unique.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized + std::fmt::Debug> std::fmt::Debug for RwLockReadGuard<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

impl<T: ?Sized + std::fmt::Debug> std::fmt::Debug for RwLockWriteGuard<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}
