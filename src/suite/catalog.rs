//! The named checks: what each one catches, which capability it needs, and which body runs it.

use std::fmt;

use super::{Capability, Params, SuitePool, after_panic, capabilities, checks, races};

/// A check that does not apply to a pool (it claims nothing the check could hold it to), with what
/// the suite observed instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip(pub String);

/// One named check of the suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Check {
    /// Every accepted job runs exactly once; a refused job never runs.
    ExactlyOnce,
    /// Never more than `workers` jobs run at once.
    Bounded,
    /// Shutdown returns only after every accepted job has finished, and it does return.
    ShutdownWaits,
    /// A panicking job loses no other job, kills no capacity and hangs nothing.
    PanicIsolation,
    /// After a panicking job, `join` returns, and waits for the jobs after it (the panic is
    /// counted once, not never and not twice).
    JoinAfterPanic,
    /// A panicking job's handle reports the panic, the next job's handle its return, and the pool
    /// keeps its workers (capability `handles`).
    HandleAfterPanic,
    /// Submit after shutdown gives the job back: no panic, no silent drop.
    RejectAfterShutdown,
    /// Submissions racing shutdown: every accepted job runs exactly once, every refused one is
    /// given back and never runs.
    SubmitRacesShutdown,
    /// `shutdown` called from inside a job returns, closes the pool, and lets the accepted jobs
    /// run; the outer shutdown then waits for them.
    ShutdownFromJob,
    /// Drop returns, after every accepted job has finished, with no worker thread left alive.
    DropJoins,
    /// The same after jobs panicked: replacement workers are joined too.
    DropJoinsAfterPanic,
    /// With every worker busy, `submit` blocks once `capacity` jobs are queued (if claimed).
    Backpressure,
    /// Several submitters contending for the last free slot never overfill the queue (capability
    /// `bounded_queue`).
    ContendedSlot,
    /// Several concurrent `join` callers plus new submissions all finish.
    ConcurrentJoiners,
    /// A job that submits another job does not deadlock while the queue has room.
    NestedSubmit,
    /// Immediate shutdown cancels the jobs that had not started, runs none of them, counts them,
    /// and waits for the running ones (capability `shutdown_now`).
    ShutdownNowCancels,
    /// `try_submit` on a full queue gives the job back at once, and after shutdown too
    /// (capabilities `try_submit` and `bounded_queue`).
    TrySubmitFull,
}

impl Check {
    /// Every check, in table order.
    pub const ALL: [Check; 17] = [
        Check::ExactlyOnce,
        Check::Bounded,
        Check::ShutdownWaits,
        Check::PanicIsolation,
        Check::JoinAfterPanic,
        Check::HandleAfterPanic,
        Check::RejectAfterShutdown,
        Check::SubmitRacesShutdown,
        Check::ShutdownFromJob,
        Check::DropJoins,
        Check::DropJoinsAfterPanic,
        Check::Backpressure,
        Check::ContendedSlot,
        Check::ConcurrentJoiners,
        Check::NestedSubmit,
        Check::ShutdownNowCancels,
        Check::TrySubmitFull,
    ];

    /// Returns the check's snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Check::ExactlyOnce => "exactly_once",
            Check::Bounded => "bounded",
            Check::ShutdownWaits => "shutdown_waits",
            Check::PanicIsolation => "panic_isolation",
            Check::JoinAfterPanic => "join_after_panic",
            Check::HandleAfterPanic => "handle_after_panic",
            Check::RejectAfterShutdown => "reject_after_shutdown",
            Check::SubmitRacesShutdown => "submit_races_shutdown",
            Check::ShutdownFromJob => "shutdown_from_job",
            Check::DropJoins => "drop_joins",
            Check::DropJoinsAfterPanic => "drop_joins_after_panic",
            Check::Backpressure => "backpressure",
            Check::ContendedSlot => "contended_slot",
            Check::ConcurrentJoiners => "concurrent_joiners",
            Check::NestedSubmit => "nested_submit",
            Check::ShutdownNowCancels => "shutdown_now_cancels",
            Check::TrySubmitFull => "try_submit_full",
        }
    }

    /// Returns the check named `name`.
    pub fn from_name(name: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Returns the capabilities the check needs; it is skipped on a pool that does not declare
    /// them all.
    pub fn requires(self) -> &'static [Capability] {
        match self {
            Check::HandleAfterPanic => &[Capability::Handles],
            Check::ContendedSlot => &[Capability::BoundedQueue],
            // The busy jobs' submissions block on the full queue until the close: without a
            // bound they return at once, a worker frees up and may start a queued job before
            // `shutdown_now` runs, which an unbounded pool is allowed to do.
            Check::ShutdownNowCancels => &[Capability::ShutdownNow, Capability::BoundedQueue],
            Check::TrySubmitFull => &[Capability::TrySubmit, Capability::BoundedQueue],
            _ => &[],
        }
    }

    /// Returns how many threads the check spawns besides the pool's workers (submitters, joiners,
    /// waiters) with `params`: the runner fits the pool's workers under
    /// [`Params::max_threads`] with them.
    pub fn helpers(self, params: &Params) -> usize {
        match self {
            Check::ContendedSlot | Check::SubmitRacesShutdown => params.racers,
            Check::ConcurrentJoiners => params.joiners,
            Check::PanicIsolation
            | Check::JoinAfterPanic
            | Check::HandleAfterPanic
            | Check::Backpressure
            | Check::TrySubmitFull => 1,
            _ => 0,
        }
    }

    /// Runs this check's body once against a fresh `P` (the body panics with a `violation:` message
    /// on failure). This is what the checkers explore.
    pub fn body<P: SuitePool>(self, params: &Params) -> Result<(), Skip> {
        match self {
            Check::ExactlyOnce => checks::exactly_once::<P>(params),
            Check::Bounded => checks::bounded::<P>(params),
            Check::ShutdownWaits => checks::shutdown_waits::<P>(params),
            Check::PanicIsolation => checks::panic_isolation::<P>(params),
            Check::JoinAfterPanic => after_panic::join_after_panic::<P>(params),
            Check::HandleAfterPanic => after_panic::handle_after_panic::<P>(params),
            Check::RejectAfterShutdown => checks::reject_after_shutdown::<P>(params),
            Check::SubmitRacesShutdown => races::submit_races_shutdown::<P>(params),
            Check::ShutdownFromJob => races::shutdown_from_job::<P>(params),
            Check::DropJoins => checks::drop_joins::<P>(params, false),
            Check::DropJoinsAfterPanic => checks::drop_joins::<P>(params, true),
            Check::Backpressure => return checks::backpressure::<P>(params),
            Check::ContendedSlot => races::contended_slot::<P>(params),
            Check::ConcurrentJoiners => checks::concurrent_joiners::<P>(params),
            Check::NestedSubmit => checks::nested_submit::<P>(params),
            Check::ShutdownNowCancels => capabilities::shutdown_now_cancels::<P>(params),
            Check::TrySubmitFull => capabilities::try_submit_full::<P>(params),
        }
        Ok(())
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
