//! The flavour-independent face of the facade: a non-poisoning [`Mutex`], a [`Condvar`] with one
//! meaning of timeouts, and time itself ([`sleep`], [`park_timeout`]). Everything here forwards to
//! the backend chosen in `mod.rs`; the loom-style `UnsafeCell` comes straight from the backend.

use std::cell::UnsafeCell;
use std::ops::{Deref, DerefMut};
use std::panic::Location;
use std::time::Duration;

use super::abandon::abandoned;
use super::backend;
use super::trace::{self, Op};

/// A mutual exclusion lock that never poisons, like Go's `sync.Mutex`.
///
/// If a thread panics while holding the lock, the next [`lock`](Mutex::lock) still succeeds and sees
/// whatever the panicking thread left behind. A panicking job therefore cannot wedge every other user of
/// the lock; restoring the protected invariant is the caller's business, as in Go.
#[derive(Debug, Default)]
pub struct Mutex<T: ?Sized> {
    /// The backend's lock, which guards `data`. The value lives beside it rather than inside, so that
    /// once a checker has abandoned the execution the value is reachable without the checker (see
    /// `sync::abandon`); on std this is exactly how `std::sync::Mutex<T>` is laid out anyway.
    raw: backend::RawMutex<()>,
    data: UnsafeCell<T>,
}

// SAFETY: as `std::sync::Mutex`: the lock hands the value to one thread at a time.
unsafe impl<T: ?Sized + Send> Send for Mutex<T> {}
// SAFETY: as `std::sync::Mutex`: `&Mutex` gives `&mut T` to one thread at a time, so `T: Send`
// suffices.
unsafe impl<T: ?Sized + Send> Sync for Mutex<T> {}

/// The RAII guard of a locked [`Mutex`]; the lock is released when it is dropped.
#[must_use = "if unused the Mutex will immediately unlock"]
pub struct MutexGuard<'a, T: ?Sized> {
    // Declared first so that it drops first: the unlock is recorded before the lock is released.
    note: UnlockNote,
    /// The backend's guard; `None` for a guard taken after the checker abandoned the execution,
    /// which nothing models any more.
    raw: Option<backend::RawGuard<'a, ()>>,
    lock: &'a Mutex<T>,
}

// SAFETY: as `std::sync::MutexGuard`: sharing the guard shares `&T`.
unsafe impl<T: ?Sized + Sync> Sync for MutexGuard<'_, T> {}

/// Records the unlock of a traced mutex when its guard drops: `Some(address)` for a guard taken
/// while a check was recording, `None` otherwise. Deciding at lock time, where `trace::active()` has
/// just been read anyway, keeps the unlock of an untraced guard free of any load.
struct UnlockNote(Option<usize>);

impl Drop for UnlockNote {
    #[inline]
    fn drop(&mut self) {
        if let Some(addr) = self.0 {
            trace::record_unlocated(Op::Unlock, addr);
        }
    }
}

impl<T: ?Sized> Mutex<T> {
    #[inline]
    fn addr(&self) -> usize {
        self as *const Self as *const () as usize
    }

    /// Wraps the backend's guard; `traced` says whether a check was recording when it was taken
    /// (then its unlock is recorded).
    #[inline]
    fn guard<'a>(
        &'a self,
        raw: Option<backend::RawGuard<'a, ()>>,
        traced: bool,
    ) -> MutexGuard<'a, T> {
        MutexGuard {
            note: UnlockNote(traced.then(|| self.addr())),
            raw,
            lock: self,
        }
    }

    #[cold]
    #[track_caller]
    fn lock_traced(&self) -> MutexGuard<'_, T> {
        let location = Location::caller();
        trace::block(Op::Lock, self.addr(), location);
        let raw = self.raw.lock().unwrap_or_else(|e| e.into_inner());
        trace::unblock(Op::Lock, self.addr(), location);
        self.guard(Some(raw), true)
    }
}

impl<T> Mutex<T> {
    /// Creates an unlocked mutex holding `value`.
    #[inline]
    pub fn new(value: T) -> Self {
        Mutex {
            raw: backend::RawMutex::new(()),
            data: UnsafeCell::new(value),
        }
    }

    /// Consumes the mutex and returns the value.
    #[inline]
    pub fn into_inner(self) -> T {
        self.data.into_inner()
    }
}

impl<T: ?Sized> Mutex<T> {
    /// Acquires the lock, blocking until it is free. Never fails: poisoning is ignored.
    ///
    /// After a checker has abandoned the execution it succeeds at once without the checker: nothing
    /// observes exclusion in a dead execution, and the checker would refuse the call.
    #[inline]
    #[track_caller]
    pub fn lock(&self) -> MutexGuard<'_, T> {
        if abandoned() {
            super::abandon::unwind_if_running();
            return self.guard(None, trace::active());
        }
        if trace::active() {
            return self.lock_traced();
        }
        let raw = self.raw.lock().unwrap_or_else(|e| e.into_inner());
        self.guard(Some(raw), false)
    }

    /// Acquires the lock if it is free right now; returns `None` if another thread holds it.
    #[inline]
    #[track_caller]
    pub fn try_lock(&self) -> Option<MutexGuard<'_, T>> {
        let traced = trace::active();
        if abandoned() {
            return Some(self.guard(None, traced));
        }
        let raw = match self.raw.try_lock() {
            Ok(raw) => raw,
            Err(backend::TryLockError::Poisoned(e)) => e.into_inner(),
            Err(backend::TryLockError::WouldBlock) => {
                if traced {
                    trace::record(Op::TryLock(false), self.addr(), Location::caller());
                }
                return None;
            }
        };
        if traced {
            trace::record(Op::TryLock(true), self.addr(), Location::caller());
        }
        Some(self.guard(Some(raw), traced))
    }

    /// Returns a mutable reference to the value; no locking is needed since `self` is borrowed
    /// exclusively.
    #[inline]
    pub fn get_mut(&mut self) -> &mut T {
        self.data.get_mut()
    }
}

impl<T: ?Sized> Deref for MutexGuard<'_, T> {
    type Target = T;
    #[inline]
    fn deref(&self) -> &T {
        // SAFETY: the guard holds the lock (or the execution is abandoned and single-threaded from
        // here on): no other guard gives access to the value meanwhile.
        unsafe { &*self.lock.data.get() }
    }
}

impl<T: ?Sized> DerefMut for MutexGuard<'_, T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut T {
        // SAFETY: as in `deref`, and `&mut self` makes the access unique.
        unsafe { &mut *self.lock.data.get() }
    }
}

impl<T: ?Sized + std::fmt::Debug> std::fmt::Debug for MutexGuard<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

/// A condition variable paired with a facade [`Mutex`].
///
/// Waits may wake spuriously; callers re-check their condition (or use [`Condvar::wait_while`]).
#[derive(Debug, Default)]
pub struct Condvar {
    raw: backend::RawCondvar,
}

/// Tells whether a [`Condvar::wait_timeout`] returned because its duration elapsed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WaitTimeoutResult(bool);

impl WaitTimeoutResult {
    /// Returns `true` if the wait ended because the duration elapsed. Under the checkers this means
    /// "time has passed", and callers must not re-derive the deadline from a clock.
    #[inline]
    pub fn timed_out(&self) -> bool {
        self.0
    }
}

impl Condvar {
    #[inline]
    fn addr(&self) -> usize {
        self as *const Self as usize
    }

    /// Creates a condition variable with no waiters.
    #[inline]
    pub fn new() -> Self {
        Condvar {
            raw: backend::RawCondvar::new(),
        }
    }

    /// Releases the guard's lock, blocks until notified (or spuriously woken), and re-acquires it.
    #[inline]
    #[track_caller]
    pub fn wait<'a, T: ?Sized>(&self, guard: MutexGuard<'a, T>) -> MutexGuard<'a, T> {
        let MutexGuard { note, raw, lock } = guard;
        // The wait releases the lock itself; it is recorded as a wait, not as an unlock.
        std::mem::forget(note);
        // Abandoned: nobody will ever notify. A running thread is unwound; a destructor gets a
        // spurious wake-up.
        let Some(raw) = raw.filter(|_| !abandoned()) else {
            super::abandon::unwind_if_running();
            return lock.guard(None, trace::active());
        };
        if trace::active() {
            let location = Location::caller();
            trace::record(Op::Wait, self.addr(), location);
            trace::block(Op::Wait, self.addr(), location);
            let raw = self.raw.wait(raw).unwrap_or_else(|e| e.into_inner());
            trace::unblock(Op::Woken, self.addr(), location);
            return lock.guard(Some(raw), true);
        }
        let raw = self.raw.wait(raw).unwrap_or_else(|e| e.into_inner());
        lock.guard(Some(raw), false)
    }

    /// Blocks while `condition` returns `true`, re-checking it after every wake-up.
    #[inline]
    #[track_caller]
    pub fn wait_while<'a, T: ?Sized, F>(
        &self,
        mut guard: MutexGuard<'a, T>,
        mut condition: F,
    ) -> MutexGuard<'a, T>
    where
        F: FnMut(&mut T) -> bool,
    {
        while condition(&mut *guard) {
            guard = self.wait(guard);
        }
        guard
    }

    /// Like [`wait`](Condvar::wait), but gives up once `dur` has elapsed.
    ///
    /// On std this is a real timed wait. Under loom and shuttle, which do not model time, it releases
    /// the lock, lets the scheduler run any other thread (a scheduling point), re-acquires the lock and
    /// reports a timeout: the checker thereby explores a notification arriving before the deadline as
    /// well as the deadline passing first, and an unsignalled timed wait is never a false deadlock.
    #[inline]
    #[track_caller]
    pub fn wait_timeout<'a, T: ?Sized>(
        &self,
        guard: MutexGuard<'a, T>,
        dur: Duration,
    ) -> (MutexGuard<'a, T>, WaitTimeoutResult) {
        let MutexGuard { note, raw, lock } = guard;
        std::mem::forget(note);
        // Abandoned: a running thread is unwound; for a destructor, time has passed.
        let Some(raw) = raw.filter(|_| !abandoned()) else {
            super::abandon::unwind_if_running();
            return (lock.guard(None, trace::active()), WaitTimeoutResult(true));
        };
        if trace::active() {
            let location = Location::caller();
            trace::record(Op::Wait, self.addr(), location);
            trace::block(Op::Wait, self.addr(), location);
            let (raw, timed_out) = backend::timed_wait(&self.raw, raw, &lock.raw, dur);
            let done = if timed_out { Op::TimedOut } else { Op::Woken };
            trace::unblock(done, self.addr(), location);
            return (lock.guard(Some(raw), true), WaitTimeoutResult(timed_out));
        }
        let (raw, timed_out) = backend::timed_wait(&self.raw, raw, &lock.raw, dur);
        (lock.guard(Some(raw), false), WaitTimeoutResult(timed_out))
    }

    /// Wakes one thread blocked on this condition variable, if any.
    #[inline]
    #[track_caller]
    pub fn notify_one(&self) {
        if abandoned() {
            return;
        }
        if trace::active() {
            trace::record(Op::NotifyOne, self.addr(), Location::caller());
        }
        self.raw.notify_one();
    }

    /// Wakes every thread blocked on this condition variable.
    #[inline]
    #[track_caller]
    pub fn notify_all(&self) {
        if abandoned() {
            return;
        }
        if trace::active() {
            trace::record(Op::NotifyAll, self.addr(), Location::caller());
        }
        self.raw.notify_all();
    }
}

/// Blocks the current thread for `dur`. Under the checkers this is a scheduling point: time passes
/// arbitrarily, nothing actually sleeps.
#[inline]
#[track_caller]
pub fn sleep(dur: Duration) {
    if abandoned() {
        return;
    }
    if trace::active() {
        trace::record(Op::Sleep, 0, Location::caller());
    }
    backend::sleep(dur)
}

/// Blocks until unparked or until `dur` elapses (may wake spuriously). Under the checkers the timeout
/// fires after one scheduling point.
#[inline]
#[track_caller]
pub fn park_timeout(dur: Duration) {
    if abandoned() {
        return;
    }
    if trace::active() {
        trace::record(Op::Sleep, 0, Location::caller());
    }
    backend::park_timeout(dur)
}
