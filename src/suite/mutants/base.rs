//! The one small pool every mutant is: a Mutex-guarded queue, one condition variable for every
//! change (workers wait for jobs, submitters for room) and one for idleness, joined workers,
//! handles, an immediate shutdown and a non-blocking submit — correct as written. Each `// FLAW:`
//! line is where one [`Flaw`] departs from it.

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::{Bug, Flaw};
use crate::misuse;
use crate::suite::{Claims, Handle, Job, JobEnd, Refused, SuitePool};
use crate::sync::atomic::{AtomicBool, Ordering::SeqCst};
use crate::sync::thread::{self, ThreadId};
use crate::sync::{Arc, Condvar, Mutex, MutexGuard};

/// Where a job's end goes when it was submitted with a handle.
type Slot = Arc<(Mutex<Option<JobEnd>>, Condvar)>;

fn complete(slot: &Option<Slot>, end: JobEnd) {
    if let Some(slot) = slot {
        *slot.0.lock() = Some(end);
        slot.1.notify_all();
    }
}

struct Task {
    job: Job,
    slot: Option<Slot>,
}

struct State {
    queue: VecDeque<Task>,
    capacity: usize,
    open: bool,
    /// Jobs accepted so far.
    submitted: u64,
    /// Jobs finished (run, or dropped by a flaw) so far; `join` waits until it reaches `submitted`.
    finished: u64,
    /// Jobs taken off the queue so far (for `HandOff`).
    taken: u64,
    /// Results handed to the unbuffered slot and not collected (`UnbufferedResults`).
    unread_results: usize,
    /// The workers' thread ids (a shutdown from one of them must not wait for itself).
    workers: Vec<ThreadId>,
}

struct Shared {
    flaw: Flaw,
    state: Mutex<State>,
    /// Workers wait for jobs, submitters for room, the result slot for a reader.
    changed: Condvar,
    /// Joiners wait here.
    idle: Condvar,
    /// A copy of `open` read without the lock (only `AcceptedRacingShutdownNeverRuns` trusts it).
    open_hint: AtomicBool,
}

impl Shared {
    /// Wakes the waiters on `changed`: all of them, or (`NotifyOneLostWakeup`) one.
    fn notify(&self) {
        if self.flaw == Flaw::NotifyOneLostWakeup {
            // FLAW: one waiter of either kind; it may be a worker when a submitter needed it.
            self.changed.notify_one();
        } else {
            self.changed.notify_all();
        }
    }

    fn worker(this: Arc<Self>) {
        let this = &this;
        let mut st = this.state.lock();
        st.workers.push(thread::current().id());
        loop {
            let task = if this.flaw == Flaw::RunsTwice {
                // FLAW: peek instead of pop; the job is popped only after it ran.
                st.queue.front().map(|t| Task {
                    job: t.job.clone(),
                    slot: t.slot.clone(),
                })
            } else {
                st.queue.pop_front()
            };
            let Some(task) = task else {
                if !st.open {
                    return;
                }
                st = this.changed.wait(st);
                continue;
            };
            st.taken += 1;
            // Room was made: wake a submitter.
            let wake = if this.flaw == Flaw::LostWakeupAtCapacityOne {
                // FLAW: wake submitters only once the queue is below half full: at capacity 1
                // that is never.
                st.queue.len() < st.capacity / 2
            } else {
                true
            };
            drop(st);
            if wake {
                this.notify();
            }
            let outcome = if this.flaw == Flaw::DiesOnPanic {
                // FLAW: no catch_unwind; a panic unwinds (and ends) this worker.
                task.job.run();
                Ok(())
            } else {
                catch_unwind(AssertUnwindSafe(|| task.job.run()))
            };
            st = this.state.lock();
            if this.flaw == Flaw::RunsTwice {
                st.queue.pop_front();
                this.notify();
            }
            if this.flaw == Flaw::UnbufferedResults {
                // FLAW: hand the result over an unbuffered slot; wait until someone reads it.
                st.unread_results += 1;
                this.changed.notify_all();
                while st.unread_results > 0 {
                    st = this.changed.wait(st);
                }
            }
            match outcome {
                Ok(()) => {
                    complete(&task.slot, JobEnd::Returned);
                    this.finish(&mut st, 1);
                }
                // FLAW: the panic path forgets the handle and the count.
                Err(_) if this.flaw == Flaw::HandleNeverCompletedOnPanic => {}
                Err(_) => {
                    complete(&task.slot, JobEnd::Panicked);
                    // FLAW (CompletionCountedTwiceOnPanic): the panic path counts the job, and
                    // so does the common path after it.
                    let n = if this.flaw == Flaw::CompletionCountedTwiceOnPanic {
                        2
                    } else {
                        1
                    };
                    this.finish(&mut st, n);
                    if this.flaw == Flaw::ReplacementWorkerNeverJoined {
                        // FLAW: retire this worker for a fresh one, and drop the new handle.
                        let shared = this.clone();
                        drop(thread::spawn(move || Shared::worker(shared)));
                        return;
                    }
                }
            }
        }
    }

    fn finish(&self, st: &mut State, n: u64) {
        st.finished += n;
        if st.finished >= st.submitted {
            if self.flaw == Flaw::LostJoinWakeup {
                // FLAW: wake one joiner; the others sleep on.
                self.idle.notify_one();
            } else {
                self.idle.notify_all();
            }
        }
    }

    fn in_flight(st: &State) -> bool {
        st.finished < st.submitted
    }
}

/// A pool with one flaw; see the [module docs](super).
pub struct Mutant<B: Bug> {
    shared: Arc<Shared>,
    handles: Mutex<Vec<thread::JoinHandle<()>>>,
    _bug: PhantomData<B>,
}

impl<B: Bug> Mutant<B> {
    /// Closes the pool; with `cancel`, takes the queued jobs out. Returns how many it took.
    fn close(&self, st: &mut MutexGuard<'_, State>, cancel: bool) -> usize {
        st.open = false;
        self.shared.open_hint.store(false, SeqCst);
        if !cancel {
            return 0;
        }
        let n = st.queue.len();
        if B::FLAW == Flaw::ShutdownNowRunsQueued {
            // FLAW: count the queued jobs as cancelled, and leave them to the workers.
            return n;
        }
        for task in st.queue.drain(..) {
            complete(&task.slot, JobEnd::Cancelled);
        }
        st.finished += n as u64;
        n
    }

    fn close_and_join(&self, cancel: bool) -> usize {
        let flaw = B::FLAW;
        let mut st = self.shared.state.lock();
        let cancelled = self.close(&mut st, cancel);
        if flaw == Flaw::DropsQueuedOnShutdown {
            // FLAW: queued jobs are thrown away.
            let n = st.queue.len();
            st.queue.clear();
            st.finished += n as u64;
        }
        if flaw == Flaw::JoinReturnsEarly {
            // FLAW: wait for an empty queue only, not for the jobs that are running.
            self.shared.changed.notify_all();
            while !st.queue.is_empty() {
                st = self.shared.changed.wait(st);
            }
            return cancelled;
        }
        if flaw == Flaw::ShutdownFromJobWaitsForItself {
            // FLAW: shutdown = close + wait until idle + join, even from inside a job.
            self.shared.changed.notify_all();
            while Shared::in_flight(&st) {
                st = self.shared.idle.wait(st);
            }
        } else if st.workers.contains(&thread::current().id()) {
            // Called from one of our jobs: close, and leave the joining to the outer call.
            drop(st);
            self.shared.changed.notify_all();
            return cancelled;
        }
        drop(st);
        self.shared.changed.notify_all();
        let handles = std::mem::take(&mut *self.handles.lock());
        for h in handles {
            let _ = h.join();
        }
        // The unbuffered result slot is drained only now, after the join: too late.
        self.shared.state.lock().unread_results = 0;
        cancelled
    }

    /// The one submission path; `block` is false for `try_submit`.
    fn enqueue(&self, task: Task, block: bool) -> Result<(), Refused> {
        let flaw = B::FLAW;
        let shared = &self.shared;
        if flaw == Flaw::AcceptedRacingShutdownNeverRuns && shared.open_hint.load(SeqCst) {
            // FLAW: "open" is read without the lock; wait for room while it says open, then
            // push without looking under the lock.
            let mut st = shared.state.lock();
            while st.queue.len() >= st.capacity && shared.open_hint.load(SeqCst) {
                st = shared.changed.wait(st);
            }
            st.queue.push_back(task);
            st.submitted += 1;
            drop(st);
            shared.notify();
            return Ok(());
        }
        let mut st = shared.state.lock();
        if !st.open {
            return match flaw {
                // FLAW: say yes, drop the job.
                Flaw::SilentDropAfterShutdown => Ok(()),
                // FLAW: Go's channel send after close.
                Flaw::PanicsAfterShutdown => {
                    drop(st);
                    misuse::misuse(misuse::SEND_ON_CLOSED_CHANNEL)
                }
                _ => Err(Refused::ShutDown(task.job)),
            };
        }
        if flaw == Flaw::ThreadPerJob {
            // FLAW: a new thread for every job, however many workers were asked for.
            st.submitted += 1;
            drop(st);
            let s = shared.clone();
            let h = thread::spawn(move || {
                let _ = catch_unwind(AssertUnwindSafe(|| task.job.run()));
                let mut st = s.state.lock();
                s.finish(&mut st, 1);
            });
            self.handles.lock().push(h);
            return Ok(());
        }
        // FLAW (TrySubmitBlocksWhenFull): try_submit waits like submit.
        let block = block || flaw == Flaw::TrySubmitBlocksWhenFull;
        // FLAW (NoBackpressure): never wait for room.
        while flaw != Flaw::NoBackpressure && st.queue.len() >= st.capacity && st.open {
            if !block {
                return Err(Refused::Full(task.job));
            }
            st = shared.changed.wait(st);
        }
        if !st.open {
            return Err(Refused::ShutDown(task.job));
        }
        if flaw == Flaw::CheckThenActOnQueueLength {
            // FLAW: room was seen; release the lock to prepare the job, then push without
            // looking again (another submitter may have taken the slot meanwhile).
            drop(st);
            thread::yield_now();
            st = shared.state.lock();
        }
        st.queue.push_back(task);
        st.submitted += 1;
        let ticket = st.submitted;
        drop(st);
        shared.notify();
        if flaw == Flaw::HandOff {
            // FLAW: rendezvous: wait until a worker has taken this job.
            let mut st = shared.state.lock();
            while st.taken < ticket {
                st = shared.changed.wait(st);
            }
        }
        Ok(())
    }
}

impl<B: Bug> SuitePool for Mutant<B> {
    const CLAIMS: Claims = Claims {
        bounded_queue: true,
        handles: true,
        shutdown_now: true,
        try_submit: true,
        facade: true,
    };

    fn create(workers: usize, capacity: usize) -> Self {
        let shared = Arc::new(Shared {
            flaw: B::FLAW,
            state: Mutex::new(State {
                queue: VecDeque::new(),
                capacity,
                open: true,
                submitted: 0,
                finished: 0,
                taken: 0,
                unread_results: 0,
                workers: Vec::new(),
            }),
            changed: Condvar::new(),
            idle: Condvar::new(),
            open_hint: AtomicBool::new(true),
        });
        let handles = if B::FLAW == Flaw::ThreadPerJob {
            Vec::new()
        } else {
            (0..workers)
                .map(|_| {
                    let shared = shared.clone();
                    thread::spawn(move || Shared::worker(shared))
                })
                .collect()
        };
        Mutant {
            shared,
            handles: Mutex::new(handles),
            _bug: PhantomData,
        }
    }

    fn submit(&self, job: Job) -> Result<(), Job> {
        self.enqueue(Task { job, slot: None }, true)
            .map_err(|r| match r {
                Refused::Full(j) | Refused::ShutDown(j) => j,
            })
    }

    fn join(&self) {
        let mut st = self.shared.state.lock();
        while Shared::in_flight(&st) {
            st = self.shared.idle.wait(st);
        }
    }

    fn shutdown(&self) {
        self.close_and_join(false);
    }

    fn submit_handle(&self, job: Job) -> Result<Handle, Job> {
        let slot: Slot = Arc::new((Mutex::new(None), Condvar::new()));
        let task = Task {
            job,
            slot: Some(slot.clone()),
        };
        self.enqueue(task, true).map_err(|r| match r {
            Refused::Full(j) | Refused::ShutDown(j) => j,
        })?;
        Ok(Handle::new(move || {
            let mut end = slot.0.lock();
            loop {
                if let Some(e) = *end {
                    return e;
                }
                end = slot.1.wait(end);
            }
        }))
    }

    fn shutdown_now(&self) -> usize {
        self.close_and_join(true)
    }

    fn try_submit(&self, job: Job) -> Result<(), Refused> {
        self.enqueue(Task { job, slot: None }, false)
    }
}

impl<B: Bug> Drop for Mutant<B> {
    fn drop(&mut self) {
        if thread::panicking() {
            // A failed check (or a model checker abandoning an execution) unwinds through here:
            // close, and join nothing (a panic in a destructor while unwinding aborts).
            self.shared.state.lock().open = false;
            self.shared.changed.notify_all();
            return;
        }
        if B::FLAW == Flaw::DropWithoutJoin {
            // FLAW: close and walk away; the workers are detached.
            self.shared.state.lock().open = false;
            self.shared.changed.notify_all();
            return;
        }
        self.close_and_join(false);
    }
}
