//! The std backend: real threads, zero-cost forwarding.

use std::time::Duration;

pub use std::sync::atomic;
pub use std::{hint, thread};

pub(super) use std::sync::{
    Condvar as RawCondvar, Mutex as RawMutex, MutexGuard as RawGuard, RwLock as RawRwLock,
    RwLockReadGuard as RawReadGuard, RwLockWriteGuard as RawWriteGuard, TryLockError,
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

/// A uniformly random choice in `0..n` from a per-thread xorshift64* generator, seeded once per
/// thread from the OS's randomness (through `RandomState`).
#[inline]
pub(super) fn choose(n: usize) -> usize {
    use std::cell::Cell;
    use std::hash::{BuildHasher, Hasher};
    thread_local! {
        static STATE: Cell<u64> = const { Cell::new(0) };
    }
    let random = STATE.with(|state| {
        let mut x = state.get();
        if x == 0 {
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_usize(state as *const Cell<u64> as usize);
            x = h.finish() | 1;
        }
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        state.set(x);
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    });
    super::choice::reduce(random, n)
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

    /// Nothing to prepare: this flavour's checker installs no panic hook of its own.
    pub fn prepare_panic_hooks() {}

    /// Always `None`: no shuttle in this flavour.
    pub fn last_schedule() -> Option<String> {
        None
    }
}

/// This flavour's `RwLock` lets a thread hold several read locks of one lock: nothing to track.
#[derive(Debug, Default)]
pub(super) struct ReadHolders;

impl ReadHolders {
    #[inline(always)]
    pub(super) fn new() -> Self {
        ReadHolders
    }
    #[inline(always)]
    pub(super) fn check(&self) {}
    #[inline(always)]
    pub(super) fn add(&self) {}
    #[inline(always)]
    pub(super) fn remove(&self) {}
}
