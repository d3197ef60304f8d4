//! The shuttle backend: randomized and PCT scheduling of larger configurations.

use std::time::Duration;

pub use shuttle::sync::atomic;
pub use shuttle::{hint, thread};

pub(super) use shuttle::sync::{Condvar as RawCondvar, Mutex as RawMutex, MutexGuard as RawGuard};
pub(super) use std::sync::TryLockError;

#[path = "plain_cell.rs"]
mod plain_cell;
pub use plain_cell::UnsafeCell;

pub(super) const FLAVOUR: super::Flavour = super::Flavour::Shuttle;
pub(super) const MAX_THREADS: usize = usize::MAX;

/// shuttle's own `wait_timeout` never times out; racezoo's meaning is "time passes after a
/// scheduling point".
pub(super) fn timed_wait<'a, T>(
    _cv: &RawCondvar,
    guard: RawGuard<'a, T>,
    lock: &'a RawMutex<T>,
    _dur: Duration,
) -> (RawGuard<'a, T>, bool) {
    drop(guard);
    shuttle::thread::yield_now();
    (lock.lock().unwrap_or_else(|e| e.into_inner()), true)
}

/// shuttle's `sleep` is a plain context switch; racezoo makes it an explicit yield so every flavour
/// gives time the same meaning.
pub(super) fn sleep(_dur: Duration) {
    shuttle::thread::yield_now()
}

/// shuttle's `park_timeout` never times out; racezoo's does, after a scheduling point.
pub(super) fn park_timeout(_dur: Duration) {
    shuttle::thread::yield_now()
}

pub mod runtime {
    //! shuttle's runners, and no loom.
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

    /// Runs `body` under the given shuttle scheduler; failures surface as panics.
    pub fn shuttle_run<F>(scheduler: &ShuttleScheduler, body: F) -> Result<(), Unavailable>
    where
        F: Fn() + Send + Sync + 'static,
    {
        use shuttle::scheduler::{PctScheduler, RandomScheduler, ReplayScheduler};
        let config = shuttle::Config::default();
        match scheduler {
            ShuttleScheduler::Random {
                iterations,
                seed: Some(seed),
            } => {
                let s = RandomScheduler::new_from_seed(*seed, *iterations);
                shuttle::Runner::new(s, config).run(body);
            }
            ShuttleScheduler::Random {
                iterations,
                seed: None,
            } => {
                let s = RandomScheduler::new(*iterations);
                shuttle::Runner::new(s, config).run(body);
            }
            ShuttleScheduler::Pct { iterations, depth } => {
                let s = PctScheduler::new(*depth, *iterations);
                shuttle::Runner::new(s, config).run(body);
            }
            ShuttleScheduler::Replay { schedule } => {
                let s = ReplayScheduler::new_from_encoded(schedule);
                shuttle::Runner::new(s, config).run(body);
            }
        }
        Ok(())
    }
}
