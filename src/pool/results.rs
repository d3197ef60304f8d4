//! [`Results`]: the channel that [`WorkerPool::submit_into`](super::WorkerPool::submit_into) delivers
//! outcomes into (the seeds' `results <- j * 2`).
//!
//! # Why not racezoo's own channel
//!
//! `Results` is a Mutex, a Condvar and a `VecDeque` rather than a [`crate::chan`] channel, because
//! what it promises is not what a Go channel offers:
//!
//! * **Unbounded.** A worker never blocks delivering an outcome, so collecting after
//!   [`shutdown`](super::WorkerPool::shutdown) returns, or while the pool's own jobs still run, is
//!   fine (`tests/pool/behaviour.rs`, `results_channel_collects_every_outcome_after_shutdown`: 20
//!   outcomes from a pool with a queue of 2, collected after shutdown). racezoo's channels are Go's:
//!   rendezvous or buffered with a capacity fixed (and allocated) at creation, with no unbounded
//!   flavour. Any capacity smaller than the number of jobs brings back the seeds' deadlock: the
//!   workers block on a full results channel, so `shutdown` never returns and nothing collects.
//!   The number of jobs is not known when the channel is made (a stage may submit into it over
//!   time, [`Results::hold`]).
//! * **Closed by counting, not by a sender.** [`Results::recv`] returns `None` once every job
//!   accepted into the channel has delivered and no [`Hold`] is alive. A Go channel is closed
//!   explicitly, by one party, once; here the last of many jobs (on any worker, in any order)
//!   would have to know it is the last, which is exactly the count `Results` keeps. Built on a
//!   channel, `Results` would keep that count beside it under a lock of its own and close the
//!   channel when it reaches zero: two synchronizations where one does.
//!
//! So it stays a small purpose-built queue: one lock over the items, the outstanding count and the
//! number of blocked collectors; a delivery notifies only when a collector waits.

use std::collections::VecDeque;
use std::fmt;

use super::handle::{JobError, JobId, Sink};
use crate::sync::{Arc, Condvar, Mutex};

/// A results channel: jobs submitted with
/// [`WorkerPool::submit_into`](super::WorkerPool::submit_into) deliver `(id, outcome)` here in
/// completion order, and one or more collectors receive them.
///
/// It mirrors the seeds' `results <- j * 2` with the classic deadlock removed: the buffer is
/// unbounded, so a worker never blocks delivering a result, and collecting after
/// [`shutdown`](super::WorkerPool::shutdown) or while jobs still run are both fine. [`recv`]
/// returns `None` once every job submitted into this channel has been received, which plays the
/// role of Go's `close(results)`.
///
/// [`recv`]: Results::recv
pub struct Results<T> {
    inner: Arc<ResultsInner<T>>,
}

struct ResultsInner<T> {
    state: Mutex<ResultsState<T>>,
    ready: Condvar,
}

struct ResultsState<T> {
    items: VecDeque<(JobId, Result<T, JobError>)>,
    /// Jobs accepted into this channel whose outcome has not been delivered yet, plus live holds.
    pending: usize,
    /// Collectors blocked in `recv`.
    waiting: usize,
}

impl<T> Clone for Results<T> {
    fn clone(&self) -> Self {
        Results {
            inner: self.inner.clone(),
        }
    }
}

impl<T> Default for Results<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T> Results<T> {
    /// Creates an empty results channel.
    pub fn new() -> Self {
        Results {
            inner: Arc::new(ResultsInner {
                state: Mutex::new(ResultsState {
                    items: VecDeque::new(),
                    pending: 0,
                    waiting: 0,
                }),
                ready: Condvar::new(),
            }),
        }
    }

    /// Blocks until an outcome is available and returns it, or returns `None` when no job
    /// submitted into this channel is still outstanding and every outcome has been received.
    #[track_caller]
    pub fn recv(&self) -> Option<(JobId, Result<T, JobError>)> {
        let mut st = self.inner.state.lock();
        loop {
            if let Some(item) = st.items.pop_front() {
                return Some(item);
            }
            if st.pending == 0 {
                return None;
            }
            st.waiting += 1;
            st = self.inner.ready.wait(st);
            st.waiting -= 1;
        }
    }

    /// Returns an outcome if one is available right now.
    pub fn try_recv(&self) -> Option<(JobId, Result<T, JobError>)> {
        self.inner.state.lock().items.pop_front()
    }

    /// Returns the number of jobs submitted into this channel whose outcome has not arrived yet
    /// (each live [`Hold`] counts as one).
    pub fn pending(&self) -> usize {
        self.inner.state.lock().pending
    }

    /// Returns a hold that keeps the channel open: while any hold is alive, [`recv`](Results::recv)
    /// waits instead of returning `None`, even with no job outstanding. A stage that submits into
    /// this channel over time holds it until it has submitted its last job (Go: the sender closes
    /// the channel when done).
    pub fn hold(&self) -> Hold<T> {
        self.inner.state.lock().pending += 1;
        Hold {
            inner: self.inner.clone(),
        }
    }

    /// Returns an iterator that calls [`recv`](Results::recv) until it returns `None`.
    pub fn iter(&self) -> impl Iterator<Item = (JobId, Result<T, JobError>)> + '_ {
        std::iter::from_fn(move || self.recv())
    }

    /// Registers one more outstanding job; the pool calls this when it accepts the job.
    pub(crate) fn expect_one(&self) {
        self.inner.state.lock().pending += 1;
    }

    /// Returns the sink for one job; the pool stamps the job's id on it with
    /// [`ResultsSink::set_id`] once it accepts the job.
    pub(crate) fn sink(&self) -> ResultsSink<T> {
        ResultsSink {
            inner: self.inner.clone(),
            id: 0,
        }
    }
}

impl<T> fmt::Debug for Results<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let st = self.inner.state.lock();
        f.debug_struct("Results")
            .field("ready", &st.items.len())
            .field("pending", &st.pending)
            .finish()
    }
}

/// Keeps a [`Results`] channel open until dropped; see [`Results::hold`].
pub struct Hold<T> {
    inner: Arc<ResultsInner<T>>,
}

impl<T> Drop for Hold<T> {
    fn drop(&mut self) {
        let mut st = self.inner.state.lock();
        st.pending -= 1;
        if st.waiting > 0 {
            self.inner.ready.notify_all();
        }
    }
}

impl<T> fmt::Debug for Hold<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Hold")
    }
}

/// The worker's end of a [`Results`] channel, for one job.
pub(crate) struct ResultsSink<T> {
    inner: Arc<ResultsInner<T>>,
    id: JobId,
}

impl<T> ResultsSink<T> {
    /// Stamps the id the pool gave the job once it accepted it.
    pub(crate) fn set_id(&mut self, id: JobId) {
        self.id = id;
    }
}

impl<T: Send> Sink<T> for ResultsSink<T> {
    fn deliver(&self, outcome: Result<T, JobError>) {
        let mut st = self.inner.state.lock();
        st.items.push_back((self.id, outcome));
        st.pending -= 1;
        // A collector may be waiting for an item, or for `pending` to reach zero.
        if st.waiting > 0 {
            self.inner.ready.notify_all();
        }
    }
}
