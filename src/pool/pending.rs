//! A job on its way into the queue ([`Pending`]): boxed with its sink before the pool's lock is
//! taken, or (an `execute` closure of up to three words) kept inline, and given back whole if
//! refused.

use super::handle::{Call, Job, Sink};
use super::queued::{Queued, Small};

/// A job on its way into the queue: built before the pool's lock is taken, given back whole if it
/// is refused, type-erased only once accepted.
pub(super) trait Pending {
    /// What a refused submission gives back.
    type Back;
    /// Unwraps the refused job.
    fn give_back(self) -> Self::Back;
    /// Erases the accepted job's type for the queue.
    fn into_queued(self) -> Queued;
}

impl<C, T, S> Pending for Box<Job<C, T, S>>
where
    C: Call<T> + 'static,
    T: 'static,
    S: Sink<T> + 'static,
{
    type Back = C;

    fn give_back(self) -> C {
        (*self).into_call()
    }

    fn into_queued(self) -> Queued {
        Queued::Boxed(self)
    }
}

/// An `execute` closure small enough to be queued inline ([`Small::fits`]).
pub(super) struct Inline<F>(pub(super) F);

impl<F: FnOnce() + Send + 'static> Pending for Inline<F> {
    type Back = F;

    fn give_back(self) -> F {
        self.0
    }

    fn into_queued(self) -> Queued {
        Queued::Small(Small::new(self.0))
    }
}
