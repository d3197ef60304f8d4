//! Deliberately broken pools: the suite must kill every one of them.
//!
//! All mutants share one small pool written against [`crate::sync`] (`base.rs`: a Mutex-guarded
//! queue, two condition variables, joined workers, handles, immediate shutdown, a non-blocking
//! submit) — correct as written — and each switches on exactly one [`Flaw`], a bug real pools have
//! shipped or people write. The marked lines (`// FLAW:`) are the only places where a mutant
//! departs from the base; read them side by side with [`crate::pool`].
//!
//! | mutant | flaw | killed by |
//! |---|---|---|
//! | [`DropsQueuedOnShutdown`] | shutdown clears the queue (tokio #7499) | `shutdown_waits` |
//! | [`DiesOnPanic`] | a job's panic unwinds the worker (rayon #10, threadpool #13) | `panic_isolation` |
//! | [`JoinReturnsEarly`] | shutdown waits for an empty queue, not for running jobs | `shutdown_waits` |
//! | [`ThreadPerJob`] | a thread per job, ignoring the worker count | `bounded` |
//! | [`RunsTwice`] | peeks the queue head and pops after running: two workers run one job | `exactly_once` |
//! | [`SilentDropAfterShutdown`] | submit after shutdown says `Ok` and drops the job | `reject_after_shutdown` |
//! | [`PanicsAfterShutdown`] | submit after shutdown panics "send on closed channel" (knative #3068) | `reject_after_shutdown` |
//! | [`UnbufferedResults`] | results go to an unbuffered slot read only after the workers are joined | `shutdown_waits` |
//! | [`DropWithoutJoin`] | drop closes the queue and detaches the workers (threadpool #110) | `drop_joins` |
//! | [`NoBackpressure`] | claims a bounded queue, never blocks (threadpool #54) | `backpressure` |
//! | [`HandOff`] | submit waits until a worker takes the job: a job's own submit deadlocks | `nested_submit` |
//! | [`LostJoinWakeup`] | the "idle" signal wakes one joiner, not all (threadpool PR #89) | `concurrent_joiners` |
//! | [`CheckThenActOnQueueLength`] | sees room, unlocks, relocks and pushes: two submitters take the last slot | `contended_slot` |
//! | [`LostWakeupAtCapacityOne`] | wakes submitters once the queue is below half full: never at capacity 1 | `exactly_once` |
//! | [`NotifyOneLostWakeup`] | one condvar for workers and submitters, `notify_one`: wakes the wrong kind | `shutdown_waits` |
//! | [`HandleNeverCompletedOnPanic`] | the panic path forgets the handle and the count | `join_after_panic` |
//! | [`CompletionCountedTwiceOnPanic`] | the panic path counts the job, and so does the common path | `join_after_panic` |
//! | [`AcceptedRacingShutdownNeverRuns`] | submit checks "open" without the lock: accepted after the workers left | `submit_races_shutdown` |
//! | [`ReplacementWorkerNeverJoined`] | a panicked worker is replaced by a thread nobody joins | `drop_joins_after_panic` |
//! | [`ShutdownFromJobWaitsForItself`] | shutdown waits for idleness, even from inside a job | `shutdown_from_job` |
//! | [`ShutdownNowRunsQueued`] | immediate shutdown counts the queued jobs as cancelled and runs them | `shutdown_now_cancels` |
//! | [`TrySubmitBlocksWhenFull`] | `try_submit` waits for room like `submit` | `try_submit_full` |

mod base;

pub use self::base::Mutant;
use super::{Check, CheckResult, Suite, SuiteReport};

/// A type-level name for a [`Flaw`], so that each mutant is its own [`SuitePool`](super::SuitePool)
/// type.
pub trait Bug: Send + Sync + 'static {
    /// The flaw.
    const FLAW: Flaw;
}

/// Declares every flaw once: its variant of [`Flaw`], its marker type in [`bugs`], the check that
/// must kill it, and the dispatch from a `Flaw` value to its mutant type.
macro_rules! flaws {
    ($($(#[$doc:meta])* $name:ident => $check:ident;)*) => {
        /// One bug a mutant carries.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Flaw {
            $($(#[$doc])* $name,)*
        }

        impl Flaw {
            /// Every flaw.
            pub const ALL: &'static [Flaw] = &[$(Flaw::$name,)*];

            /// Returns the check tied to this flaw's bug class: the one that must kill it.
            pub fn killed_by(self) -> Check {
                match self {
                    $(Flaw::$name => Check::$check,)*
                }
            }
        }

        /// The mutant pool for each flaw.
        pub mod bugs {
            use super::{Bug, Flaw};
            $(
                $(#[$doc])*
                pub struct $name;
                impl Bug for $name {
                    const FLAW: Flaw = Flaw::$name;
                }
            )*
        }

        /// Runs the suite's check `check` on the mutant for `flaw` (dispatching to its type).
        pub fn run_check_on(suite: &Suite, flaw: Flaw, check: Check) -> CheckResult {
            match flaw {
                $(Flaw::$name => suite.run_check::<Mutant<bugs::$name>>(check),)*
            }
        }
    };
}

flaws! {
    /// Shutdown clears the queue before joining.
    DropsQueuedOnShutdown => ShutdownWaits;
    /// No `catch_unwind`: a panicking job kills its worker.
    DiesOnPanic => PanicIsolation;
    /// Shutdown returns once the queue is empty, while jobs still run.
    JoinReturnsEarly => ShutdownWaits;
    /// Every job gets its own thread.
    ThreadPerJob => Bounded;
    /// Workers peek at the head, run it, then pop: a job can be run by two workers.
    RunsTwice => ExactlyOnce;
    /// Submit after shutdown returns `Ok` and drops the job.
    SilentDropAfterShutdown => RejectAfterShutdown;
    /// Submit after shutdown panics with Go's "send on closed channel".
    PanicsAfterShutdown => RejectAfterShutdown;
    /// Each worker hands a result to an unbuffered slot that is read only after joining.
    UnbufferedResults => ShutdownWaits;
    /// Drop closes the queue and returns without joining.
    DropWithoutJoin => DropJoins;
    /// Claims a bounded queue, never blocks.
    NoBackpressure => Backpressure;
    /// Submit blocks until a worker has taken the job.
    HandOff => NestedSubmit;
    /// Becoming idle wakes one joiner instead of all.
    LostJoinWakeup => ConcurrentJoiners;
    /// Submit sees room under the lock, releases it, and pushes under a second lock without
    /// looking again.
    CheckThenActOnQueueLength => ContendedSlot;
    /// Workers wake blocked submitters only once the queue is below half full, which a queue of
    /// one never is.
    LostWakeupAtCapacityOne => ExactlyOnce;
    /// Workers and submitters share one condition variable, and every wake-up is `notify_one`.
    NotifyOneLostWakeup => ShutdownWaits;
    /// A panicking job's handle is never completed, and the job is never counted as finished.
    HandleNeverCompletedOnPanic => JoinAfterPanic;
    /// A panicking job is counted as finished twice.
    CompletionCountedTwiceOnPanic => JoinAfterPanic;
    /// Submit checks `open` without the lock, then waits for room and pushes: a job accepted as
    /// shutdown runs is never run.
    AcceptedRacingShutdownNeverRuns => SubmitRacesShutdown;
    /// A worker whose job panicked retires and spawns a replacement whose handle it drops.
    ReplacementWorkerNeverJoined => DropJoinsAfterPanic;
    /// Shutdown waits until no job is in flight before joining, even when a job calls it.
    ShutdownFromJobWaitsForItself => ShutdownFromJob;
    /// Immediate shutdown reports the queued jobs as cancelled and leaves them to the workers.
    ShutdownNowRunsQueued => ShutdownNowCancels;
    /// `try_submit` blocks on a full queue like `submit`.
    TrySubmitBlocksWhenFull => TrySubmitFull;
}

pub use bugs::*;

/// Runs the whole suite on the mutant for `flaw`.
pub fn run_suite_on(suite: &Suite, flaw: Flaw) -> SuiteReport {
    SuiteReport {
        pool: format!("mutant {flaw:?}"),
        flavour: crate::sync::FLAVOUR,
        results: suite
            .checks
            .iter()
            .map(|&c| run_check_on(suite, flaw, c))
            .collect(),
        note: None,
    }
}
