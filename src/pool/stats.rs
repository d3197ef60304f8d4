//! [`Stats`]: a snapshot of a pool's counters.

/// A snapshot of a pool's counters.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Worker threads the pool was created with.
    pub workers: usize,
    /// Jobs accepted (by any submit method).
    pub submitted: u64,
    /// Jobs that ran and returned.
    pub completed: u64,
    /// Jobs that ran and panicked.
    pub panicked: u64,
    /// Jobs cancelled by `shutdown_now` before they started.
    pub cancelled: u64,
    /// Submissions refused (queue full in `try_submit`, or pool shut down).
    pub rejected: u64,
    /// Jobs accepted and not finished yet: queued plus running.
    ///
    /// Like `queued`, `running`, `completed` and `panicked`, it is updated for a worker's batch
    /// when the worker has run it (see [`WorkerPool::stats`](super::WorkerPool::stats)).
    pub in_flight: usize,
    /// The largest `in_flight` seen so far.
    pub peak_in_flight: usize,
    /// Jobs running right now: one per worker busy with a batch, from taking it until recording
    /// it.
    pub running: usize,
    /// The largest number of jobs seen running at once; never more than `workers`.
    pub peak_running: usize,
    /// Jobs accepted and not started: in the queue or in a worker's hand (a batch it took and
    /// has not recorded as run yet).
    pub queued: usize,
}
