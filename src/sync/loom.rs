//! The loom backend: exhaustive exploration of interleavings and weak-memory behaviours.

use std::time::Duration;

#[path = "loom_cell.rs"]
mod loom_cell;
pub use loom::sync::atomic;
pub use loom::{hint, thread};
pub use loom_cell::UnsafeCell;

pub(super) use loom::sync::{Condvar as RawCondvar, Mutex as RawMutex, MutexGuard as RawGuard};
pub(super) use loom::sync::{
    RwLock as RawRwLock, RwLockReadGuard as RawReadGuard, RwLockWriteGuard as RawWriteGuard,
};
pub(super) use std::sync::TryLockError;

pub(super) const FLAVOUR: super::Flavour = super::Flavour::Loom;
pub(super) const MAX_THREADS: usize = loom::MAX_THREADS;

/// loom does not model time: release the lock, let any other thread run, and report a timeout.
#[track_caller]
pub(super) fn timed_wait<'a, T>(
    _cv: &RawCondvar,
    guard: RawGuard<'a, T>,
    lock: &'a RawMutex<T>,
    _dur: Duration,
) -> (RawGuard<'a, T>, bool) {
    drop(guard);
    loom::thread::yield_now();
    (lock.lock().unwrap_or_else(|e| e.into_inner()), true)
}

/// loom has no `sleep`: time passing is a scheduling point.
#[track_caller]
pub(super) fn sleep(_dur: Duration) {
    loom::thread::yield_now()
}

/// loom has no `park_timeout`: the timeout fires after a scheduling point.
#[track_caller]
pub(super) fn park_timeout(_dur: Duration) {
    loom::thread::yield_now()
}

/// loom cannot branch on a value: the choice is always the first candidate (see `choice`).
#[inline]
pub(super) fn choose(_n: usize) -> usize {
    0
}

pub mod runtime {
    //! loom's model runner, and no shuttle.
    use super::super::runtime::{LoomBounds, ShuttleScheduler, Unavailable};

    /// Explores every interleaving of `body` within `bounds`; failures surface as panics.
    ///
    /// The checkpoint interval is set to one execution so that loom checks the execution and time
    /// limits after every execution (its default, 20,000, lets a bounded run overshoot silently).
    /// `max_executions` runs exactly that many executions at most.
    pub fn loom_explore<F>(bounds: &LoomBounds, body: F) -> Result<(), Unavailable>
    where
        F: Fn() + Send + Sync + 'static,
    {
        let mut builder = loom::model::Builder::new();
        if bounds.preemptions.is_some() {
            builder.preemption_bound = bounds.preemptions;
        }
        if let Some(max) = bounds.max_executions {
            // loom returns when its iteration counter (starting at 1) reaches the bound.
            builder.max_permutations = Some(max.saturating_add(1));
        }
        if bounds.max_duration.is_some() {
            builder.max_duration = bounds.max_duration;
        }
        builder.checkpoint_interval = 1;
        builder.location |= bounds.location;
        builder.check(body);
        Ok(())
    }

    /// Always [`Unavailable`]: shuttle needs `--cfg shuttle`.
    pub fn shuttle_run<F>(_scheduler: &ShuttleScheduler, _body: F) -> Result<(), Unavailable>
    where
        F: Fn() + Send + Sync + 'static,
    {
        Err(Unavailable {
            checker: "shuttle",
            built: super::FLAVOUR,
        })
    }

    /// Nothing to prepare: this flavour's checker installs no panic hook of its own.
    pub fn prepare_panic_hooks() {}

    /// Always `None`: no shuttle in this flavour.
    pub fn last_schedule() -> Option<String> {
        None
    }
}

#[path = "read_holders.rs"]
mod read_holders;
pub(super) use read_holders::ReadHolders;
