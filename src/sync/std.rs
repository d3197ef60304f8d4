//! The std backend: real threads, zero-cost forwarding.

use std::time::Duration;

pub use std::sync::atomic;
pub use std::{hint, thread};

pub(super) use std::sync::{
    Condvar as RawCondvar, Mutex as RawMutex, MutexGuard as RawGuard, TryLockError,
};

#[path = "plain_cell.rs"]
mod plain_cell;
pub use plain_cell::UnsafeCell;

pub(super) const FLAVOUR: super::Flavour = super::Flavour::Std;
pub(super) const MAX_THREADS: usize = usize::MAX;

#[inline]
pub(super) fn timed_wait<'a, T>(
    cv: &RawCondvar,
    guard: RawGuard<'a, T>,
    _lock: &'a RawMutex<T>,
    dur: Duration,
) -> (RawGuard<'a, T>, bool) {
    let (guard, res) = cv
        .wait_timeout(guard, dur)
        .unwrap_or_else(|e| e.into_inner());
    (guard, res.timed_out())
}

#[inline]
pub(super) fn sleep(dur: Duration) {
    std::thread::sleep(dur)
}

#[inline]
pub(super) fn park_timeout(dur: Duration) {
    std::thread::park_timeout(dur)
}

pub mod runtime {
    //! No model checker in the std flavour.
    use super::super::runtime::{LoomBounds, ShuttleScheduler, Unavailable};

    /// Always [`Unavailable`]: loom needs `--cfg loom`.
    pub fn loom_explore<F>(_bounds: &LoomBounds, _body: F) -> Result<(), Unavailable>
    where
        F: Fn() + Send + Sync + 'static,
    {
        Err(Unavailable {
            checker: "loom",
            built: super::FLAVOUR,
        })
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

    /// Always `None`: no shuttle in this flavour.
    pub fn last_schedule() -> Option<String> {
        None
    }
}
