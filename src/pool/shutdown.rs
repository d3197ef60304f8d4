//! How a [`WorkerPool`] stops: graceful [`shutdown`](WorkerPool::shutdown) (and `Drop`), immediate
//! [`shutdown_now`](WorkerPool::shutdown_now), and the joining of the workers, once, however many
//! threads ask for it.
//!
//! Closing happens under the pool's lock (`open = false`, and for `shutdown_now` the queue and every
//! hand emptied), then every sleeper is woken so it sees the pool closed; workers leave their loop
//! once no job is left anywhere (`worker.rs`). The first caller to take the join handles joins the
//! workers; every other caller waits on `idle` for `joined`. A call from one of the pool's own jobs
//! only closes the pool: a worker cannot join itself.

use std::collections::VecDeque;

use super::WorkerPool;
use crate::sync::thread;

impl WorkerPool {
    /// Graceful shutdown: stops accepting, runs every accepted job, and joins every worker.
    ///
    /// Idempotent and callable from several threads at once: every caller returns only once the
    /// workers are joined. Blocked submitters get their jobs back with
    /// [`RejectReason::ShutDown`](super::RejectReason::ShutDown).
    #[track_caller]
    pub fn shutdown(&self) {
        let closed = self.close(false);
        self.join_workers(closed);
    }

    /// Immediate shutdown: stops accepting, cancels every queued job (each handle reports
    /// [`JobError::Cancelled`](super::JobError::Cancelled), each results channel receives it),
    /// cancels the [`Context`](crate::context::Context) that running jobs see, then waits for the
    /// running jobs and joins every worker. Returns the number of jobs it cancelled.
    #[track_caller]
    pub fn shutdown_now(&self) -> usize {
        let closed = self.close(true);
        self.join_workers(closed);
        closed.cancelled
    }

    /// Closes the pool; with `cancel`, also empties the queue and cancels the context.
    fn close(&self, cancel: bool) -> Closed {
        let shared = &*self.shared;
        let mut st = shared.state.lock();
        st.open = false;
        let from_worker = st.worker_ids.contains(&thread::current().id());
        let drained = if cancel {
            // Every job not started yet: the queue, then the jobs the workers took into their
            // hands (none at a batch of one). A worker pops from its hand under the hand's lock,
            // so each of these jobs is either started by its worker before this drain or
            // cancelled here, never both.
            let mut drained = std::mem::take(&mut st.queue);
            if st.batch > 1 {
                for hand in shared.hands.iter() {
                    drained.extend(hand.jobs.lock().drain(..));
                }
            }
            let n = drained.len();
            st.stats.queued -= n;
            shared.set_hint(&st, false);
            st.stats.in_flight -= n;
            st.stats.cancelled += n as u64;
            if st.stats.in_flight == 0 && st.idle_waiters > 0 {
                shared.idle.notify_all();
            }
            drained
        } else {
            VecDeque::new()
        };
        // Every sleeper must see `open == false`: workers exit once the queue drains, blocked
        // submitters take their jobs back. A sleeper counts itself under the lock before it
        // waits, so a count of zero means nobody to wake.
        if st.idle_workers > 0 {
            shared.work.notify_all();
        }
        if st.blocked_submitters > 0 {
            shared.room.notify_all();
        }
        drop(st);
        if cancel {
            shared.cancel.cancel();
        }
        // Report the cancellations outside the lock: a sink takes its own lock.
        let cancelled = drained.len();
        for task in drained {
            task.cancel();
        }
        Closed {
            cancelled,
            from_worker,
        }
    }

    /// Joins the workers, once; concurrent callers wait for the one that joins.
    fn join_workers(&self, closed: Closed) {
        let shared = &*self.shared;
        if closed.from_worker {
            // Called from one of our own jobs: a worker cannot wait for itself. The pool is closed;
            // the workers exit once the queue drains, and a later shutdown from outside joins them.
            return;
        }
        let handles = std::mem::take(&mut *self.handles.lock());
        if handles.is_empty() {
            let mut st = shared.state.lock();
            while !st.joined {
                st.idle_waiters += 1;
                st = shared.idle.wait(st);
                st.idle_waiters -= 1;
            }
            return;
        }
        for h in handles {
            // Jobs' panics are caught inside the job, so a worker never ends by panicking.
            let _ = h.join();
        }
        // Every job is done: release the context (this also unregisters it from its parent).
        shared.cancel.cancel();
        let mut st = shared.state.lock();
        st.joined = true;
        if st.idle_waiters > 0 {
            shared.idle.notify_all();
        }
    }
}

/// What [`WorkerPool::close`] did, read under the same lock as the closing.
#[derive(Clone, Copy)]
struct Closed {
    /// Jobs cancelled before they started (`shutdown_now` only).
    cancelled: usize,
    /// Whether the caller is one of the pool's own workers (shutdown from inside a job).
    from_worker: bool,
}

impl Drop for WorkerPool {
    /// Graceful shutdown, as [`WorkerPool::shutdown`]: every accepted job runs and every worker is
    /// joined before `drop` returns.
    fn drop(&mut self) {
        // In an execution the checker has abandoned (a deadlock found elsewhere) no worker will ever
        // run again: waiting for them would never end. Leave them to the checker's teardown.
        if crate::sync::abandon::abandoned() {
            return;
        }
        self.shutdown();
    }
}
