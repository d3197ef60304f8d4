//! The size and pace of the suite's workloads, in one value per build flavour: every difference
//! between a real-thread run and a model-checked run lives here, so the check bodies never ask
//! which flavour they run in.

use std::time::Duration;

use crate::sync::{FLAVOUR, Flavour};

/// A pool's size: worker threads and queue capacity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Shape {
    /// Worker threads (at least 1).
    pub workers: usize,
    /// Queue capacity (at least 1).
    pub capacity: usize,
}

impl Shape {
    /// Creates a shape of `workers` threads and a queue of `capacity`.
    pub const fn new(workers: usize, capacity: usize) -> Self {
        Shape { workers, capacity }
    }
}

/// The size and pace of the workloads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Params {
    /// Worker threads per pool (the suite sets it from each [`Shape`] it runs).
    pub workers: usize,
    /// Queue capacity per pool (the suite sets it from each [`Shape`] it runs).
    pub capacity: usize,
    /// Ordinary jobs per workload.
    pub jobs: usize,
    /// Threads that call `join` concurrently in `concurrent_joiners` (main is one more).
    pub joiners: usize,
    /// Threads that submit at once in the racing checks.
    pub racers: usize,
    /// The most threads a check may spawn besides main, workers included (loom's limit); a check
    /// that needs more helpers uses fewer workers.
    pub max_threads: usize,
    /// How long one job works. Zero, the model size, is no work at all, not even a scheduling
    /// point (see [`work_for`](super::helpers::work_for)).
    pub job_time: Duration,
    /// How long the suite lets a submitter run before it concludes it is blocked (a scheduling
    /// point under the checkers).
    pub settle: Duration,
    /// How long a wait may take before it is a failure with a reason; `None`: waits are untimed,
    /// and a stuck wait is a deadlock the model checker reports.
    pub patience: Option<Duration>,
    /// Whether to count the OS threads that ran jobs and are still alive (std: thread-locals see
    /// a thread's exit; under the checkers the facade's leak accounting does this).
    pub count_threads: bool,
    /// Submissions `backpressure` tries on a pool that claims no bound (to report what it saw).
    pub probe_submissions: usize,
    /// How many times each joiner joins in `concurrent_joiners`.
    pub join_rounds: usize,
    /// Jobs submitted in `concurrent_joiners` (main joins once after the first half): its other
    /// threads are joiners, so the model size keeps it to two jobs to fit loom's budget.
    pub joined_jobs: usize,
    /// Jobs that panic first in `panic_isolation` and `drop_joins_after_panic` (at most one per
    /// worker, see [`panicking`](Params::panicking)).
    pub panics: usize,
    /// Ordinary jobs submitted after the panicking ones in `panic_isolation` (besides the one job
    /// per worker that checks the pool kept its capacity).
    pub follow_up_jobs: usize,
    /// Slots freed one by one while racers contend in `contended_slot`.
    pub contended_rounds: usize,
}

impl Params {
    /// Returns the real-thread (stress) workload: two dozen jobs, one panicking job per worker,
    /// timed waits, thread counting.
    pub fn stress() -> Self {
        Params {
            workers: 3,
            capacity: 4,
            jobs: 24,
            joiners: 3,
            racers: 3,
            max_threads: usize::MAX,
            job_time: Duration::from_millis(1),
            settle: Duration::from_millis(20),
            patience: Some(Duration::from_millis(2000)),
            count_threads: true,
            probe_submissions: 64,
            join_rounds: 20,
            joined_jobs: 24,
            panics: usize::MAX,
            follow_up_jobs: 24,
            contended_rounds: 4,
        }
    }

    /// Returns the model-checking workload: at most 3 threads besides main and at most 3 jobs per
    /// check (`backpressure` at two workers needs 4: one per busy worker, the queue's one and the
    /// one that must block), one panicking job where a panic is checked (enough to lose a worker),
    /// so that loom explores the checks on small pools completely at 2 preemptions.
    pub fn model() -> Self {
        Params {
            workers: 2,
            capacity: 2,
            jobs: 3,
            joiners: 1,
            racers: 2,
            max_threads: 3,
            job_time: Duration::ZERO,
            settle: Duration::ZERO,
            patience: None,
            count_threads: false,
            probe_submissions: 3,
            join_rounds: 1,
            joined_jobs: 2,
            panics: 1,
            follow_up_jobs: 0,
            contended_rounds: 0,
        }
    }

    /// Returns the workload for the build flavour: [`stress`](Params::stress) on std,
    /// [`model`](Params::model) under loom and shuttle.
    pub fn for_flavour() -> Self {
        match FLAVOUR {
            Flavour::Std => Params::stress(),
            _ => Params::model(),
        }
    }

    /// Returns these params with the pool size of `shape`.
    pub fn with_shape(mut self, shape: Shape) -> Self {
        self.workers = shape.workers;
        self.capacity = shape.capacity;
        self
    }

    /// Returns the shapes the suite runs every check at in the build flavour: one worker with a
    /// queue of one (where wake-up thresholds and lost wake-ups show), and a larger pool.
    pub fn shapes_for_flavour() -> Vec<Shape> {
        match FLAVOUR {
            Flavour::Std => vec![Shape::new(1, 1), Shape::new(2, 1), Shape::new(3, 4)],
            _ => vec![Shape::new(1, 1), Shape::new(2, 1)],
        }
    }

    /// Returns how many jobs panic in the after-panic checks: [`panics`](Params::panics), at most one
    /// per worker, at least one.
    pub fn panicking(&self) -> usize {
        self.panics.min(self.workers).max(1)
    }

    /// Returns these params with `workers` reduced (to at least 1) so that `helpers` more threads
    /// fit under `max_threads`.
    pub fn fit(mut self, helpers: usize) -> Self {
        self.workers = self
            .workers
            .min(self.max_threads.saturating_sub(helpers))
            .max(1);
        self
    }
}
