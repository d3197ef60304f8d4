//! Go's `sync.WaitGroup`: wait for a collection of tasks to finish.
//!
//! The algorithm is Go's: one 64-bit atomic word holds the counter (high half) and the number of
//! waiters (low half); `add` and `done` are a single `fetch_add` unless they bring the counter to zero
//! while someone waits, and then they release the waiters through a semaphore.
//!
//! Cost under the checkers (`tests/chan/cost.rs`): `add(1)`, `done` and a `wait` that finds the
//! counter at zero take 5 shuttle scheduling points on one thread, and a two-thread loom model
//! (`add`; `done` on a worker ↔ `wait`) has 15 executions at `LOOM_MAX_PREEMPTIONS=2`.
//!
//! ```
//! use racezoo::check::{self, Verdict};
//! use racezoo::counter::Counter;
//! use racezoo::sync::Arc;
//! use racezoo::waitgroup::WaitGroup;
//!
//! let report = check::run_default(|| {
//!     let wg = Arc::new(WaitGroup::new());
//!     let hits = Arc::new(Counter::new());
//!     for _ in 0..2 {
//!         let hits = hits.clone();
//!         WaitGroup::go(&wg, move || hits.inc()); // Go 1.25: wg.Go(func() { ... })
//!     }
//!     wg.wait();
//!     assert_eq!(hits.get(), 2);
//! });
//! assert_eq!(report.verdict, Verdict::Pass, "{report}");
//! ```
//!
//! # Contract
//!
//! The owner calls [`add`](WaitGroup::add) with the number of tasks to wait for; each task calls
//! [`done`](WaitGroup::done) when it finishes; [`wait`](WaitGroup::wait) blocks until the counter is
//! zero. [`go`](WaitGroup::go) (Go 1.25's `WaitGroup.Go`) does all three steps for one task.
//!
//! **Synchronization:** a `done` happens before the return of every `wait` it unblocks. Everything a
//! task did before its `done` is visible after `wait` returns.
//!
//! # Misuse (Go's panics, with Go's messages)
//!
//! * The counter going negative (more `done`s than `add`s): "sync: negative WaitGroup counter".
//! * An `add` with a positive delta that starts a new round (counter from zero) while a `wait` is in
//!   progress: "sync: WaitGroup misuse: Add called concurrently with Wait". As in Go, calls to `add`
//!   that start a round must happen before the `wait`; the check catches the race where Go does (the
//!   `add` lands between the last `done` and the release of the waiters).
//! * A new round starting before every `wait` of the previous round has returned: "sync: WaitGroup
//!   is reused before previous Wait has returned", raised by the late waiter.
//!
//! Both concurrency misuses are detected best-effort, exactly as in Go: a run that does not hit the
//! window does not panic. A model checker hits it (see `tests/gosync/waitgroup_model.rs`).

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};

use crate::misuse;
use crate::sync::atomic::{AtomicU64, Ordering};
use crate::sync::{Arc, Condvar, Mutex, hint, thread};

/// Waits for a collection of tasks to finish; see the [module docs](self) for the contract.
#[derive(Debug, Default)]
pub struct WaitGroup {
    /// High 32 bits: the counter (as `i32`); low 32 bits: the number of waiters.
    state: AtomicU64,
    /// Where waiters sleep until the counter reaches zero.
    sema: Sema,
    /// The first panic of a [`go`](WaitGroup::go) task, resumed by `wait`.
    panic: Mutex<Option<Box<dyn std::any::Any + Send + 'static>>>,
}

impl WaitGroup {
    /// Creates a wait group with a zero counter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `delta` (which may be negative) to the counter; at zero, releases every waiter.
    ///
    /// # Panics
    ///
    /// With Go's messages if the counter goes negative or if a round starts during a `wait`.
    #[track_caller]
    pub fn add(&self, delta: i32) {
        // AcqRel: each `done` releases what its task did, and the `add` that reaches zero acquires
        // every earlier `done` (they form one release sequence of read-modify-writes).
        let state = self
            .state
            .fetch_add((delta as i64 as u64) << 32, Ordering::AcqRel)
            .wrapping_add((delta as i64 as u64) << 32);
        let v = (state >> 32) as i32;
        let w = state as u32;
        if v < 0 {
            misuse::misuse(misuse::NEGATIVE_WAITGROUP_COUNTER);
        }
        if w != 0 && delta > 0 && v == delta {
            misuse::misuse(misuse::WAITGROUP_ADD_DURING_WAIT);
        }
        if v > 0 || w == 0 {
            return;
        }
        // The counter is zero and there are waiters, so no other add/done may run now: the state must
        // be exactly what we produced.
        if self.state.load(Ordering::Acquire) != state {
            misuse::misuse(misuse::WAITGROUP_ADD_DURING_WAIT);
        }
        // Reset the waiter count and release each waiter; the semaphore's lock carries the
        // happens-before edge from every `done` (acquired above) to the woken waiters. Release, not
        // Relaxed: a `wait` that starts now and reads this 0 returns at once, and must still see what
        // the tasks did (Go's atomics are sequentially consistent; loom finds the Relaxed version).
        self.state.store(0, Ordering::Release);
        for _ in 0..w {
            self.sema.release();
        }
    }

    /// Decrements the counter by one.
    ///
    /// # Panics
    ///
    /// With "sync: negative WaitGroup counter" if the counter goes negative.
    #[track_caller]
    pub fn done(&self) {
        self.add(-1);
    }

    /// Blocks until the counter is zero; resumes the first panic of a [`go`](WaitGroup::go) task.
    ///
    /// # Panics
    ///
    /// With Go's reuse message if a new round started before this `wait` woke up, and with the
    /// payload of a panicked `go` task.
    #[track_caller]
    pub fn wait(&self) {
        loop {
            let state = self.state.load(Ordering::Acquire);
            if state >> 32 == 0 {
                break;
            }
            // Register as a waiter; retry if the state moved under us.
            if self
                .state
                .compare_exchange(state, state + 1, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                self.sema.acquire();
                if self.state.load(Ordering::Acquire) != 0 {
                    misuse::misuse(misuse::WAITGROUP_REUSED);
                }
                break;
            }
        }
        if let Some(payload) = self.panic.lock().take() {
            resume_unwind(payload);
        }
    }

    /// Runs `f` on a new thread as a member of the group `wg`: `add(1)`, spawn, `done()` when `f`
    /// returns (Go 1.25's `WaitGroup.Go`). Called as `WaitGroup::go(&wg, f)`, like `Arc::clone`: the
    /// facade's `Arc` is loom-aware under loom and cannot be a method receiver there.
    ///
    /// If `f` panics, the panic is caught, kept, and resumed by the next [`wait`](WaitGroup::wait),
    /// after the counter has reached zero. Go re-panics in the goroutine, which kills the process, and
    /// never calls `Done`; in Rust a thread's panic is recovered at its join, so `wait` is where it
    /// surfaces, and never as if `f` had simply finished.
    #[track_caller]
    pub fn go<F>(wg: &Arc<WaitGroup>, f: F)
    where
        F: FnOnce() + Send + 'static,
    {
        go(wg, f)
    }
}

/// `WaitGroup::go`.
#[track_caller]
fn go<F>(wg: &Arc<WaitGroup>, f: F)
where
    F: FnOnce() + Send + 'static,
{
    wg.add(1);
    let wg = wg.clone();
    thread::spawn(move || {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(f)) {
            let mut slot = wg.panic.lock();
            if slot.is_none() {
                *slot = Some(payload);
            }
        }
        wg.done();
    });
}

/// A counting semaphore on the facade (Go's runtime `semacquire`/`semrelease`), shared by the
/// primitives of this crate that park threads.
///
/// `Default` never spins (a `wait` on a group usually waits long). [`Sema::spinning`] first polls
/// for a permit a few dozen times, for locks whose holders leave quickly: measured on the RwMutex
/// bench, a sleep/wake pair per contended hand-over otherwise dominates. Spinning multiplies the
/// interleavings a model checker explores, so only the lock uses it.
#[derive(Debug, Default)]
pub(crate) struct Sema {
    permits: Mutex<u32>,
    cv: Condvar,
    spins: usize,
}

impl Sema {
    /// Creates a semaphore whose `acquire` polls a few dozen times before it sleeps.
    pub(crate) fn spinning() -> Self {
        Sema {
            spins: 64,
            ..Sema::default()
        }
    }

    /// Blocks until a permit is available and takes it.
    #[track_caller]
    pub(crate) fn acquire(&self) {
        // Spin a little before sleeping: a permit is usually released within a short critical
        // section, and a sleep/wake pair costs two system calls and a reschedule.
        for _ in 0..self.spins {
            if let Some(mut permits) = self.permits.try_lock() {
                if *permits > 0 {
                    *permits -= 1;
                    return;
                }
            }
            hint::spin_loop();
        }
        let permits = self.permits.lock();
        let mut permits = self.cv.wait_while(permits, |p| *p == 0);
        *permits -= 1;
    }

    /// Adds a permit and wakes one thread blocked in `acquire`.
    pub(crate) fn release(&self) {
        *self.permits.lock() += 1;
        self.cv.notify_one();
    }
}
