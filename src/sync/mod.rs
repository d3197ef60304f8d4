//! The sync facade: the one place that knows whether racezoo runs on real threads, under loom or under
//! shuttle.
//!
//! Every pattern, scenario and test in racezoo imports its synchronization from here (`crate::sync::…`)
//! and never reads `cfg(loom)` or `cfg(shuttle)` itself. The switch mirrors tokio's `src/loom/`: the
//! backend is chosen once, below, and the differences between std, loom and shuttle are smoothed inside
//! this module rather than at call sites.
//!
//! | flavour | build | backend |
//! |---|---|---|
//! | std | `cargo test` | `std::sync`, `std::thread`: re-exports and `#[inline]` newtypes, zero cost |
//! | loom | `RUSTFLAGS="--cfg loom"` | `loom::sync`, `loom::thread`: exhaustive, weak-memory aware |
//! | shuttle | `RUSTFLAGS="--cfg shuttle"` | `shuttle::sync`, `shuttle::thread`: randomized / PCT schedules |
//!
//! # What it offers
//!
//! std's names and shapes for what real code uses: [`Mutex`], [`Condvar`], [`RwLock`], [`Barrier`],
//! [`OnceLock`], [`LazyLock`], [`Arc`], every atomic width and `AtomicPtr` ([`atomic`]),
//! [`thread::spawn`], [`thread::scope`], [`thread::park`], a loom-style [`cell::UnsafeCell`], and
//! [`mpsc`] (`channel`, `sync_channel`, std's disconnect rules and error types).
//! Where loom has no such type (scoped threads, `OnceLock`, `LazyLock`, a working `Barrier`,
//! `mpsc`), the facade builds it from the primitives every checker models, so it is checked in
//! every flavour.
//! For a `static` synchronization object use [`lazy_static!`](crate::lazy_static) and for
//! thread-locals [`thread_local!`](crate::thread_local): under loom and shuttle they give each
//! execution (and each model thread) fresh values. A plain `static A: AtomicUsize =
//! AtomicUsize::new(0)` compiles on std but not under loom (E0015: loom's types have no `const fn
//! new`), and the facade's own types have no `const fn new` in any flavour, so that such a static
//! fails in the std build too instead of only in CI's loom job.
//!
//! # Decisions the facade makes for everyone
//!
//! * **`Arc` keeps std's memory; under loom its drops are modelled.** With `loom::sync::Arc`, a
//!   deadlock or leak found while another model thread still holds an `Arc` aborts the whole process
//!   (loom panics inside a destructor while unwinding, loom issue #291), so no harness could turn it
//!   into a verdict. So memory is always `std::sync::Arc`'s. On std and shuttle [`Arc`] *is*
//!   `std::sync::Arc` (zero cost; shuttle checks no data races). Under loom it is a newtype
//!   (`arc.rs`) whose every drop inside a live execution is one RMW on a loom atomic shared by the
//!   handles (`Release`, plus `Acquire` for the last one): the destructor of the value then
//!   happens after every other handle's drop in loom's model, as it does on real hardware, and a
//!   destructor touching a cell another thread wrote is no false `DataRace`. The price: loom's check
//!   that every `Arc` is dropped at the end of an execution is lost (racezoo detects leaked
//!   *threads* through its own accounting instead, see [`crate::check`]), and a newtype cannot
//!   coerce to `Arc<dyn Trait>`: write `Arc::from(Box::new(x) as Box<dyn Trait>)`, which compiles in
//!   every flavour. `tests/facade/facts_loom.rs` keeps both halves of this fact under test.
//! * **A checker that abandons an execution is never called again.** When loom or shuttle declares
//!   a failure of its own (a deadlock, a causality violation, a limit) it panics and refuses every
//!   further operation of that execution; the destructors the panic unwinds through would call into
//!   it, panic inside a destructor, and abort the process. The harness marks such an execution
//!   abandoned ([`abandon`]), and from then on every facade operation stays out of the checker:
//!   atomics act on a plain shadow of their latest value (kept after every modelled store and RMW;
//!   one model thread runs at a time, so it is the latest in modification order), so CAS loops in
//!   destructors terminate; [`Mutex::lock`] and `try_lock` succeed at once (nothing observes
//!   exclusion in a dead execution); condition-variable waits return as a spurious wake-up would,
//!   timed waits as a timeout, notifies and sleeps do nothing; [`cell::UnsafeCell`] is accessed
//!   directly; [`Arc`] drops make no loom operation. A panic that escapes a thread of the body ends
//!   the execution the same way (the checker tears the rest down, loom partly outside the
//!   execution), so the harness marks it abandoned as it escapes. A panic the body *catches* (a job
//!   panic a pool catches) abandons nothing: during its unwinding every operation is modelled as
//!   usual, since skipping an unlock there would make a false deadlock later.
//! * **Locks never poison** on std and under shuttle. [`Mutex::lock`] returns the guard even if a
//!   previous holder panicked, as a Go mutex does: a panicking job must not wedge a pool. loom's own
//!   `Mutex` does poison (see below).
//! * **Time passes arbitrarily under the checkers.** Neither loom nor shuttle models time. Under them
//!   [`thread::sleep`], [`thread::park_timeout`] and [`Condvar::wait_timeout`] are a *scheduling point*:
//!   the duration "elapses" after the scheduler has had the chance to run any other thread first, so a
//!   checker explores both "the event came first" and "the timeout came first", and a timed wait that
//!   nobody signals is a timeout, not a false deadlock. On std they are the real thing.
//! * **Checks can see inside.** While a check runs, the facade records what each thread does (lock,
//!   unlock, wait, notify, spawn, join, park, and under loom and shuttle every atomic access) with the
//!   `#[track_caller]` line of the call, which thread is blocked where, and which spawned threads
//!   finished ([`trace`]). When no check runs, each of these hooks is one relaxed load of a
//!   process-wide counter.
//! * **Spin loops yield.** [`hint::spin_loop`] is a yield under the checkers, so a busy-wait cannot
//!   starve the thread it waits for.
//!
//! # What the checkers cannot see (read before trusting a verdict)
//!
//! * loom explores at most [`MAX_THREADS`] threads, main included.
//! * loom treats `SeqCst` accesses as `AcqRel`, so it can report outcomes that `SeqCst` forbids.
//! * shuttle runs every atomic access as `SeqCst`: it cannot find bugs that need a weaker ordering, and
//!   it has no data-race detection on [`cell::UnsafeCell`].
//! * loom checks its permutation and duration limits only at checkpoints; racezoo's driver sets the
//!   checkpoint interval to one execution so a bounded run is always reported as incomplete, never as a
//!   plain pass.
//! * loom cannot vary a value: a `select` with several ready cases always takes the first one listed
//!   under loom (shuttle and real threads choose among them; see [`choice`]). A bug that needs another
//!   choice is found by shuttle, not loom.
//! * loom's `Mutex` poisons: a panic that the body catches while it holds a racezoo [`Mutex`] guard
//!   makes loom report a `Panic` (`PoisonError`) at the next lock. shuttle and real threads do not
//!   poison (`tests/facade/abandon.rs` pins this down).
//! * Neither checker models one thread holding two read guards of the same [`RwLock`] (loom
//!   corrupts its state, shuttle calls it a deadlock): under them the second `read` panics with a
//!   message naming `racezoo::sync::RwLock` (a `Panic` verdict), never a wrong deadlock
//!   (`tests/facade/locks.rs`).
//! * [`thread::scope`] waits for its threads before it returns, so they may borrow. In an execution
//!   the checker has abandoned, nothing waits any more: the scope returns or unwinds at once, and
//!   the checker never resumes its threads (loom drops their stacks unrun while it unwinds; shuttle's
//!   teardown decides whether to unwind them, and in which order).

#[cfg(all(loom, shuttle))]
compile_error!(
    "racezoo: `--cfg loom` and `--cfg shuttle` are mutually exclusive; build one flavour at a time \
     (each in its own target dir, see CONTRIBUTING.md)"
);

#[cfg(loom)]
#[path = "loom.rs"]
mod backend;

#[cfg(all(shuttle, not(loom)))]
#[path = "shuttle.rs"]
mod backend;

#[cfg(not(any(loom, shuttle)))]
#[path = "std.rs"]
mod backend;

pub mod abandon;
#[cfg(loom)]
mod arc;
#[cfg(any(loom, shuttle))]
mod atomics;
mod barrier;
pub mod choice;
mod facade;
pub mod mpsc;
mod once;
mod rwlock;
mod scope;
mod statics;
mod threads;
pub mod trace;

#[cfg(loom)]
pub use self::arc::{Arc, Weak};
#[cfg(not(loom))]
pub use std::sync::{Arc, Weak};

pub use self::barrier::{Barrier, BarrierWaitResult};
pub use self::facade::{Condvar, Mutex, MutexGuard, WaitTimeoutResult};
pub use self::once::{LazyLock, OnceLock};
pub use self::rwlock::{RwLock, RwLockReadGuard, RwLockWriteGuard};
#[doc(hidden)]
pub use self::statics::__private;
pub use crate::{lazy_static, thread_local};

/// Atomic types and fences of the current flavour (`std::sync::atomic`, `loom::sync::atomic` or
/// `shuttle::sync::atomic`).
///
/// Under loom and shuttle each type wraps the checker's own and records its operations in the trace
/// of a failing execution (see [`trace`]); everything else the checker's type offers is reached
/// through `Deref`. Under std they are `std::sync::atomic`'s types, unchanged.
pub mod atomic {
    #[cfg(any(loom, shuttle))]
    pub use super::atomics::{
        AtomicBool, AtomicI8, AtomicI16, AtomicI32, AtomicI64, AtomicIsize, AtomicPtr, AtomicU8,
        AtomicU16, AtomicU32, AtomicU64, AtomicUsize,
    };
    #[cfg(not(any(loom, shuttle)))]
    pub use super::backend::atomic::{
        AtomicBool, AtomicI8, AtomicI16, AtomicI32, AtomicI64, AtomicIsize, AtomicPtr, AtomicU8,
        AtomicU16, AtomicU32, AtomicU64, AtomicUsize,
    };
    pub use super::backend::atomic::{Ordering, fence};
}

/// Threads of the current flavour, with one meaning of time across flavours.
pub mod thread {
    pub use super::backend::thread::{Thread, ThreadId, current, panicking, yield_now};
    pub use super::facade::{park_timeout, sleep};
    pub use super::scope::{Scope, ScopedJoinHandle, scope};
    pub use super::threads::{Builder, JoinHandle, park, spawn};
}

/// Interior mutability that loom checks for data races.
pub mod cell {
    pub use super::backend::UnsafeCell;
}

/// Spin-loop hints of the current flavour.
pub mod hint {
    pub use super::backend::hint::spin_loop;

    /// Returns how many times a spin-then-block loop should spin when it would spin `n` times on
    /// real threads: `n` on std, 0 under the checkers, where every spin is a scheduling point that
    /// explores nothing a blocking wait does not and only multiplies the interleavings.
    #[inline]
    pub const fn spins(n: usize) -> usize {
        if matches!(super::FLAVOUR, super::Flavour::Std) {
            n
        } else {
            0
        }
    }
}

/// Time as each flavour sees it: the clock on std; under the checkers no clock at all, only timed
/// waits (`sleep`, `park_timeout`, `Condvar::wait_timeout`) after which "time has passed".
pub mod time {
    use std::time::Instant;

    /// Returns `true` if `deadline` has passed by the clock. Under the checkers time passes only
    /// inside a timed wait, so polling never finds a deadline passed.
    #[inline]
    pub fn has_passed(deadline: Instant) -> bool {
        matches!(super::FLAVOUR, super::Flavour::Std) && Instant::now() >= deadline
    }

    /// Returns `true` if a timed wait toward `deadline` that reported a timeout has really reached
    /// it: by the clock on std (a wait may return a little early), always under the checkers, where
    /// the timeout *is* the passing of time.
    #[inline]
    pub fn timeout_reached(deadline: Instant) -> bool {
        !matches!(super::FLAVOUR, super::Flavour::Std) || Instant::now() >= deadline
    }
}

/// The largest number of threads, main included, that one model may run under loom. Under std and
/// shuttle there is no such limit and the constant is `usize::MAX`.
pub const MAX_THREADS: usize = backend::MAX_THREADS;

/// The build flavour this crate was compiled in.
pub const FLAVOUR: Flavour = backend::FLAVOUR;

/// A build flavour: which backend the facade forwards to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum Flavour {
    /// Real threads from `std` (plain `cargo test`).
    Std,
    /// The loom model checker (`RUSTFLAGS="--cfg loom"`).
    Loom,
    /// The shuttle randomized scheduler (`RUSTFLAGS="--cfg shuttle"`).
    Shuttle,
}

impl Flavour {
    /// Returns the `RUSTFLAGS` value that builds this flavour (empty for std).
    pub fn rustflags(self) -> &'static str {
        match self {
            Flavour::Std => "",
            Flavour::Loom => "--cfg loom",
            Flavour::Shuttle => "--cfg shuttle",
        }
    }

    /// Returns the flavour's lowercase name, as used in target dirs and reports.
    pub fn name(self) -> &'static str {
        match self {
            Flavour::Std => "std",
            Flavour::Loom => "loom",
            Flavour::Shuttle => "shuttle",
        }
    }
}

impl std::fmt::Display for Flavour {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Entry points of the model checkers, for [`crate::check`]'s drivers. Each function exists in every
/// flavour and returns [`Unavailable`](runtime::Unavailable) in flavours without that checker.
pub mod runtime {
    pub use super::backend::runtime::*;

    /// The error returned when a checker is asked for in a flavour that does not have it.
    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    pub struct Unavailable {
        /// The checker that was asked for (`"loom"`, `"shuttle"`).
        pub checker: &'static str,
        /// The flavour this crate was built in.
        pub built: super::Flavour,
    }

    impl std::fmt::Display for Unavailable {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            let flag = match self.checker {
                "loom" => "--cfg loom",
                _ => "--cfg shuttle",
            };
            write!(
                f,
                "the {} checker is not available in the {} flavour; rebuild with RUSTFLAGS=\"{}\"",
                self.checker, self.built, flag
            )
        }
    }

    impl std::error::Error for Unavailable {}

    /// Bounds for one loom exploration. `None` leaves loom's own default (or its environment
    /// variable) in force.
    #[derive(Clone, Debug, Default)]
    pub struct LoomBounds {
        /// Maximum preemptions per execution (`LOOM_MAX_PREEMPTIONS`).
        pub preemptions: Option<usize>,
        /// Maximum executions to explore (`LOOM_MAX_PERMUTATIONS`).
        pub max_executions: Option<usize>,
        /// Maximum wall time for the exploration (`LOOM_MAX_DURATION`).
        pub max_duration: Option<std::time::Duration>,
        /// Whether loom records source locations of its operations (`LOOM_LOCATION`).
        pub location: bool,
    }

    /// The shuttle scheduler to run a body under.
    #[derive(Clone, Debug)]
    pub enum ShuttleScheduler {
        /// Uniformly random scheduling decisions, `iterations` executions.
        Random {
            /// Executions to run.
            iterations: usize,
            /// Seed of the random scheduler: the same seed makes the same decisions.
            seed: u64,
        },
        /// Probabilistic concurrency testing with bug depth `depth`.
        Pct {
            /// Executions to run.
            iterations: usize,
            /// PCT bug depth (number of priority change points plus one).
            depth: usize,
            /// Seed of the scheduler: the same seed makes the same decisions.
            seed: u64,
        },
        /// Replays one encoded schedule, as printed by shuttle for a failure.
        Replay {
            /// The encoded schedule.
            schedule: String,
        },
    }
}
