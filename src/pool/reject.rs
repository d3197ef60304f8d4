//! A refused submission: [`Rejected`] gives the job back with its [`RejectReason`] (Go's "send on
//! closed channel" panic becomes this ordinary error).

use std::fmt;

use super::State;
use crate::sync::MutexGuard;

/// Why a submission was refused; see [`Rejected`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RejectReason {
    /// The queue held `capacity` jobs ([`WorkerPool::try_submit`](super::WorkerPool::try_submit) only).
    Full,
    /// The pool was shut down before the job could be accepted.
    ShutDown,
}

/// A refused submission: the job, given back untouched, and the reason.
pub struct Rejected<F> {
    /// The job that was not accepted.
    pub job: F,
    /// Why it was not accepted.
    pub reason: RejectReason,
}

impl<F> Rejected<F> {
    /// Returns the job that was not accepted.
    pub fn into_job(self) -> F {
        self.job
    }

    /// Maps the refused job, keeping the reason.
    pub(super) fn map<G>(self, f: impl FnOnce(F) -> G) -> Rejected<G> {
        Rejected {
            job: f(self.job),
            reason: self.reason,
        }
    }
}

impl<F> fmt::Debug for Rejected<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Rejected")
            .field("reason", &self.reason)
            .finish_non_exhaustive()
    }
}

impl<F> fmt::Display for Rejected<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.reason {
            RejectReason::Full => f.write_str("job rejected: the pool's queue is full"),
            RejectReason::ShutDown => f.write_str("job rejected: the pool is shut down"),
        }
    }
}

impl<F> std::error::Error for Rejected<F> {}

/// Counts a refused submission and gives the job back.
pub(super) fn reject<F>(
    mut st: MutexGuard<'_, State>,
    job: F,
    reason: RejectReason,
) -> Rejected<F> {
    st.stats.rejected += 1;
    Rejected { job, reason }
}
