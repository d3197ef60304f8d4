//! `WorkerPool`: Go's bounded worker pool (a fixed set of goroutines ranging over a buffered `jobs`
//! channel) done right.
//!
//! ```
//! use racezoo::check::{self, Verdict};
//! use racezoo::pool::WorkerPool;
//!
//! // Written against the facade: real threads here, explored by loom or shuttle in their builds.
//! let report = check::run_default(|| {
//!     let pool = WorkerPool::new(2, 4); // 2 workers, room for 4 queued jobs
//!     let handles: Vec<_> = (1..=3).map(|j| pool.submit(move || j * 2).unwrap()).collect();
//!     let doubled: Vec<i32> = handles.into_iter().map(|h| h.join().unwrap()).collect();
//!     assert_eq!(doubled, [2, 4, 6]);
//!     pool.shutdown(); // or just drop it: Drop is a graceful shutdown
//! });
//! assert_eq!(report.verdict, Verdict::Pass, "{report}");
//! ```
//!
//! # Algorithm
//!
//! One facade [`Mutex`] guards a bounded `VecDeque` of type-erased jobs and the pool's counters; two
//! condition variables carry the two waits (`work`: a worker for a job, `room`: a submitter for a
//! free slot) and a third (`idle`) carries "the pool went idle" and "the workers are joined". A
//! waiter count sits next to each condition variable, so the common path (a job arrives while no
//! worker sleeps, a slot frees while no submitter is blocked) makes no wake-up call at all; on the
//! submit and take paths the wake-ups that are needed are decided under the lock and made after
//! releasing it.
//!
//! A worker takes up to a *batch* of jobs per trip to the lock (128, or `capacity / (2 × workers)`
//! for a small queue, at least 1): it starts the first and keeps the rest in its *hand*, a small
//! queue of its own behind its own lock, from which it pops them one by one. It records how its
//! jobs ended in the counters once its hand is empty, on the same trip to the lock as taking the
//! next batch. So one lock acquisition serves many jobs, and the submitter and the workers rarely
//! meet on the pool's lock. Jobs in a hand are never stranded: a worker that finds the queue
//! empty steals the front half of another worker's hand before it sleeps or exits, and a worker
//! that leaves jobs in its hand while another worker sleeps and none watches the queue wakes one
//! (the job it starts may wait for one behind it). Jobs are added to a hand only under the pool's lock, so "queue and hands
//! empty", seen under it, holds until the next submission. [`shutdown_now`] empties the hands
//! too; a worker pops from its hand under the hand's lock, so each such job is either started
//! before or cancelled by it, never both.
//!
//! A job is boxed before the submitter takes the lock, so the allocation stays out of the
//! critical section; an [`execute`](WorkerPool::execute) closure of up to three words is not
//! boxed at all but queued inline (the pool's one `unsafe`, in `queued.rs`: with a box per job,
//! the submitter spent more time in the allocator than in the rest of `execute`). On real threads an idle worker first watches an atomic copy of the queue
//! length for a few yields before it sleeps, so a steady stream of jobs rarely pays for a sleep
//! and a wake-up.
//!
//! [`shutdown_now`]: WorkerPool::shutdown_now
//!
//! One file per idea: this file holds the shared state and the submission paths; `shutdown.rs`
//! closing and joining; `worker.rs` the worker's loop in named steps with its invariants; `handle.rs` a job's outcome
//! and its [`JobHandle`]; `results.rs` the [`Results`] channel (and why it is not a
//! [`crate::chan`] channel); `queued.rs` and `pending.rs` what the queue holds and how a job gets
//! there; `builder.rs`, `reject.rs` and `stats.rs` the rest of the surface.
//!
//! # The contract, Go style
//!
//! * [`submit`](WorkerPool::submit) blocks while `capacity` accepted jobs wait to start
//!   (backpressure); [`try_submit`](WorkerPool::try_submit) gives the job back instead. The jobs
//!   workers hold in their hands count against the bound, and so do the jobs a worker has run
//!   from its hand but not recorded yet (at most a batch per worker): a submitter may be held back
//!   a little early, never late, so no more than `capacity` accepted jobs ever wait. A blocked
//!   submitter is woken once the waiting jobs are down to half the capacity, not at every free
//!   slot: under a saturated queue that saves a wake-up per job, at the price of a submitter
//!   waiting a little longer than strictly needed. Either gives the job back, never panics and
//!   never drops it, once the pool is shut down ([`RejectReason::ShutDown`]).
//! * An accepted job runs exactly once, on one of the `workers` threads, or — only under
//!   [`shutdown_now`](WorkerPool::shutdown_now) — is reported as [`JobError::Cancelled`] through its
//!   handle. The job's effects happen before its handle's `join` returns.
//! * A panic inside a job is caught on the worker; the worker keeps serving, and the job's handle
//!   reports [`JobError::Panicked`] with the payload.
//! * [`shutdown`](WorkerPool::shutdown) stops accepting, lets the workers drain every accepted job,
//!   and joins them; `Drop` does the same. When either returns, no worker thread is alive (unless it
//!   was called from one of the pool's own jobs: a worker cannot wait for itself, so the call then
//!   closes the pool and returns at once).
//! * Running jobs are never interrupted: `shutdown_now` cancels the pool's [`Context`] (Go's
//!   `context.Context`, from [`crate::context`]) that jobs submitted with
//!   [`submit_ctx`](WorkerPool::submit_ctx) can poll or wait on, and waits for them to return.
//!
//! Go's `close(jobs)` followed by `wg.Wait()` is [`shutdown`](WorkerPool::shutdown); Go's "send on
//! closed channel" panic becomes an ordinary [`Rejected`] error.

mod builder;
mod handle;
mod pending;
mod queued;
mod reject;
mod results;
mod shutdown;
mod stats;
mod worker;

use std::collections::VecDeque;
use std::fmt;

pub use self::builder::Builder;
use self::handle::{Call, Discard, Job, Plain, WithCtx};
pub use self::handle::{JobError, JobHandle, JobId};
use self::pending::{Inline, Pending};
use self::queued::{Queued, Small};
use self::reject::reject;
pub use self::reject::{RejectReason, Rejected};
pub use self::results::{Hold, Results};
pub use self::stats::Stats;
use crate::context::{CancelFn, Context};
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::thread::{self, JoinHandle, ThreadId};
use crate::sync::{Arc, Condvar, Mutex};

/// The most jobs a worker takes from the queue at once. The pool's batch is smaller for a small
/// queue: `capacity / (2 × workers)`, at least 1 (see [`State::batch`]). Measured on the no-op
/// overhead bench (2 cores, queue of 1,024): 32 gave 0.44–0.52× rayon's time, 128 gave 0.36–0.49×;
/// idle workers steal from a hand, so a larger batch does not hold jobs back from them.
const MAX_BATCH: usize = 128;

/// Everything behind the one lock.
struct State {
    queue: VecDeque<Queued>,
    capacity: usize,
    /// How many jobs a worker takes from the queue at once.
    batch: usize,
    /// `false` once shutdown has begun: no more submissions are accepted.
    open: bool,
    /// Workers blocked on `work`.
    idle_workers: usize,
    /// Workers watching the queue without the lock before they sleep (real threads only).
    spinning: usize,
    /// Submitters blocked on `room`.
    blocked_submitters: usize,
    /// Threads blocked on `idle` (`wait_idle` callers and secondary joiners).
    idle_waiters: usize,
    /// Worker threads that have not exited their loop yet.
    live: usize,
    /// Set once the shutdown that took the join handles has joined them all.
    joined: bool,
    /// The pool's worker threads, so a call from inside a job can tell it runs on one.
    worker_ids: Vec<ThreadId>,
    stats: Stats,
}

/// Jobs a worker took from the queue (or from another worker's hand) and has not started yet.
///
/// Its owner pops them one at a time under this lock alone; jobs are only ever *added* under the
/// pool's lock (which is also held by a worker that steals from another's hand and by
/// `shutdown_now` when it cancels them), so "the queue and every hand are empty", seen under the
/// pool's lock, stays true until the next submission. Aligned so that two workers' hands never
/// share a cache line.
#[repr(align(128))]
struct Hand {
    jobs: Mutex<VecDeque<Queued>>,
}

/// Whether the queue holds a job, for idle workers watching it without the lock, on a cache line
/// of its own.
#[repr(align(128))]
struct Hint(AtomicBool);

struct Shared {
    state: Mutex<State>,
    /// One per worker, indexed by the worker's number.
    hands: Box<[Hand]>,
    /// A worker waits here for a job (or for shutdown).
    work: Condvar,
    /// A blocked submitter waits here for a free queue slot (or for shutdown).
    room: Condvar,
    /// `wait_idle` waits here for an empty, idle pool; secondary joiners for `joined`.
    idle: Condvar,
    /// The context jobs see; a child of the builder's parent context.
    ctx: Context,
    /// Cancels `ctx`: by `shutdown_now` at once, by a graceful shutdown once every job is done.
    cancel: CancelFn,
    /// `!queue.is_empty()`, written under the lock, read without it by idle workers deciding
    /// whether to sleep. Only a hint: the decision is re-made under the lock.
    queued_hint: Hint,
}

impl Shared {
    /// Tells watching workers whether the queue holds a job. Called under the pool's lock at every
    /// change between empty and non-empty; stores only while somebody watches (`spinning > 0`),
    /// and a worker that starts watching stores the current value first (`Worker::watch`), so the
    /// hint is current whenever it is read. Nobody watches under the checkers (no spins there), so
    /// the hint costs them nothing.
    fn set_hint(&self, st: &State, queued: bool) {
        if st.spinning > 0 {
            self.queued_hint.0.store(queued, Ordering::Relaxed);
        }
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        // Only reachable with jobs still queued if a worker could not be spawned; each job's
        // destructor then reports it cancelled.
        let queue = std::mem::take(&mut self.state.get_mut().queue);
        for task in queue {
            task.cancel();
        }
        for hand in self.hands.iter_mut() {
            for task in std::mem::take(hand.jobs.get_mut()) {
                task.cancel();
            }
        }
    }
}

/// A pool of a fixed number of worker threads fed by a bounded queue. See the [module
/// docs](self) for the contract.
pub struct WorkerPool {
    shared: Arc<Shared>,
    /// Taken (emptied) by the first shutdown, which joins them.
    handles: Mutex<Vec<JoinHandle<()>>>,
}

impl WorkerPool {
    /// Starts a pool of `workers` threads with room for `capacity` queued jobs.
    ///
    /// # Panics
    ///
    /// Panics if `workers` or `capacity` is 0.
    #[track_caller]
    pub fn new(workers: usize, capacity: usize) -> Self {
        Builder::new()
            .workers(workers)
            .queue_capacity(capacity)
            .build()
    }

    /// Returns a [`Builder`] to configure a pool.
    pub fn builder() -> Builder {
        Builder::new()
    }

    /// Returns the number of worker threads.
    pub fn workers(&self) -> usize {
        self.shared.state.lock().stats.workers
    }

    /// Returns the queue capacity.
    pub fn capacity(&self) -> usize {
        self.shared.state.lock().capacity
    }

    /// Returns a snapshot of the pool's counters.
    ///
    /// A worker records how its jobs ended once it has run the whole batch it took (up to 128
    /// jobs, see the [module docs](self)), so right after a handle's `join` the counters may lag
    /// by that worker's batch: its jobs that already ran still count as queued (one as running).
    /// Each snapshot is consistent (`in_flight == queued + running`, `running <= workers`); after
    /// [`wait_idle`](WorkerPool::wait_idle) or a shutdown the counters are exact.
    pub fn stats(&self) -> Stats {
        self.shared.state.lock().stats
    }

    /// Returns the context the pool's jobs see. It is cancelled by
    /// [`shutdown_now`](WorkerPool::shutdown_now) at once, by a graceful shutdown once every job has
    /// finished, and by the builder's parent context.
    pub fn context(&self) -> Context {
        self.shared.ctx.clone()
    }

    /// Returns `true` until shutdown has begun.
    pub fn is_open(&self) -> bool {
        self.shared.state.lock().open
    }

    /// Submits `f`, blocking while the queue is full, and returns a handle to its outcome.
    ///
    /// Returns the job back in [`Rejected`] if the pool is (or, while this call waits for room,
    /// gets) shut down. Called from inside one of the pool's own jobs while the queue is full, it
    /// waits like any other submitter; if every worker does that, nothing drains the queue.
    #[track_caller]
    pub fn submit<F, T>(&self, f: F) -> Result<JobHandle<T>, Rejected<F>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.submit_with(Plain(f), true).map_err(|r| r.map(|c| c.0))
    }

    /// Like [`submit`](WorkerPool::submit), but never blocks: a full queue gives the job back with
    /// [`RejectReason::Full`].
    pub fn try_submit<F, T>(&self, f: F) -> Result<JobHandle<T>, Rejected<F>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        self.submit_with(Plain(f), false)
            .map_err(|r| r.map(|c| c.0))
    }

    /// Like [`submit`](WorkerPool::submit), for a job that takes the pool's [`Context`] and can
    /// return early once it is cancelled by [`shutdown_now`](WorkerPool::shutdown_now).
    #[track_caller]
    pub fn submit_ctx<F, T>(&self, f: F) -> Result<JobHandle<T>, Rejected<F>>
    where
        F: FnOnce(&Context) -> T + Send + 'static,
        T: Send + 'static,
    {
        self.submit_with(WithCtx(f), true)
            .map_err(|r| r.map(|c| c.0))
    }

    /// The handle-returning submissions: box the job with its handle's sink, queue it, stamp the id.
    #[track_caller]
    fn submit_with<C, T>(&self, call: C, block: bool) -> Result<JobHandle<T>, Rejected<C>>
    where
        C: Call<T> + 'static,
        T: Send + 'static,
    {
        let (mut handle, sink) = handle::handle();
        let id = self.enqueue(Box::new(Job::new(call, sink)), block, |_, _| ())?;
        handle.set_id(id);
        Ok(handle)
    }

    /// Submits `f` without a handle (blocking while the queue is full): the outcome is only
    /// counted in [`stats`](WorkerPool::stats). The cheapest way to run a job: a closure of at
    /// most three words is queued without a heap allocation.
    #[track_caller]
    pub fn execute<F>(&self, f: F) -> Result<(), Rejected<F>>
    where
        F: FnOnce() + Send + 'static,
    {
        if Small::fits::<F>() {
            self.enqueue(Inline(f), true, |_, _| ()).map(|_| ())
        } else {
            let job = Box::new(Job::new(Plain(f), Discard));
            match self.enqueue(job, true, |_, _| ()) {
                Ok(_) => Ok(()),
                Err(r) => Err(r.map(|c| c.0)),
            }
        }
    }

    /// Submits `f` (blocking while the queue is full); its outcome will arrive on `results` as
    /// `(id, outcome)`. Returns the job's id.
    #[track_caller]
    pub fn submit_into<F, T>(&self, results: &Results<T>, f: F) -> Result<JobId, Rejected<F>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let job = Box::new(Job::new(Plain(f), results.sink()));
        self.enqueue(job, true, |job, id| {
            results.expect_one();
            job.sink_mut().set_id(id);
        })
        .map_err(|r| r.map(|c| c.0))
    }

    /// The one submission path: wait for room (or refuse), then queue the job, boxed by the
    /// caller before the lock (the allocation stays outside the critical section). `accept` runs
    /// under the lock once the job is accepted, with its id. A refused job is unboxed and given
    /// back.
    #[track_caller]
    fn enqueue<P: Pending>(
        &self,
        mut job: P,
        block: bool,
        accept: impl FnOnce(&mut P, JobId),
    ) -> Result<JobId, Rejected<P::Back>> {
        let shared = &*self.shared;
        let mut st = shared.state.lock();
        loop {
            if !st.open {
                return Err(reject(st, job.give_back(), RejectReason::ShutDown));
            }
            // `queued` counts the jobs in the queue and in the workers' hands: the bound covers
            // every accepted job that has not started.
            if st.stats.queued < st.capacity {
                break;
            }
            if !block {
                return Err(reject(st, job.give_back(), RejectReason::Full));
            }
            // Full: wait for the workers to drain it (or for shutdown).
            st.blocked_submitters += 1;
            st = shared.room.wait(st);
            st.blocked_submitters -= 1;
        }
        let id = st.stats.submitted;
        accept(&mut job, id);
        if st.queue.is_empty() {
            // Only the empty → non-empty change is news to the watching workers; storing at every
            // job would pull the hint's cache line away from them each time.
            shared.set_hint(&st, true);
        }
        st.queue.push_back(job.into_queued());
        st.stats.submitted += 1;
        st.stats.queued += 1;
        st.stats.in_flight += 1;
        st.stats.peak_in_flight = st.stats.peak_in_flight.max(st.stats.in_flight);
        // Wake a sleeping worker only if there is one; a busy worker re-checks the queue before it
        // sleeps, so the job cannot be stranded. (Not skipped when another worker is watching the
        // queue: on a loaded machine a yielding worker may not run again for a whole time slice,
        // while a woken one is scheduled at once.)
        let wake = st.idle_workers > 0;
        drop(st);
        if wake {
            shared.work.notify_one();
        }
        Ok(id)
    }

    /// Blocks until the queue is empty and no job is running. The pool stays open; jobs submitted
    /// meanwhile are waited for too.
    ///
    /// # Panics
    ///
    /// Panics if called from one of the pool's own jobs (it would wait for itself).
    #[track_caller]
    pub fn wait_idle(&self) {
        let shared = &*self.shared;
        let mut st = shared.state.lock();
        assert!(
            !st.worker_ids.contains(&thread::current().id()),
            "WorkerPool::wait_idle called from one of the pool's own jobs would wait for itself"
        );
        while st.stats.in_flight > 0 {
            st.idle_waiters += 1;
            st = shared.idle.wait(st);
            st.idle_waiters -= 1;
        }
    }
}

impl fmt::Debug for WorkerPool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WorkerPool")
            .field("stats", &self.stats())
            .finish()
    }
}
