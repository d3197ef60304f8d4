//! Deliberately broken pools: the suite must kill every one of them.
//!
//! All mutants share one small pool written against [`crate::sync`] (a Mutex-guarded queue, two
//! condition variables, joined workers) — correct as written — and each switches on exactly one
//! [`Flaw`], a bug real pools have shipped. The marked lines (`// FLAW:`) are the only places where a
//! mutant departs from the base; read them side by side with [`crate::pool`].
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
//! | [`UnbufferedResults`] | results go to an unbuffered channel read only after the workers are joined | `shutdown_waits` |
//! | [`DropWithoutJoin`] | drop closes the queue and detaches the workers (threadpool #110) | `drop_joins` |
//! | [`NoBackpressure`] | claims a bounded queue, never blocks (threadpool #54) | `backpressure` |
//! | [`HandOff`] | submit waits until a worker takes the job: a job's own submit deadlocks | `nested_submit` |
//! | [`LostJoinWakeup`] | the "idle" signal wakes one joiner, not all (threadpool PR #89) | `concurrent_joiners` |

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::{Check, Claims, Job, SuitePool};
use crate::misuse;
use crate::sync::{Arc, Condvar, Mutex, thread};

/// One bug a mutant carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Flaw {
    /// Shutdown clears the queue before joining.
    DropsQueuedOnShutdown,
    /// No `catch_unwind`: a panicking job kills its worker.
    DiesOnPanic,
    /// Shutdown returns once the queue is empty, while jobs still run.
    JoinReturnsEarly,
    /// Every job gets its own thread.
    ThreadPerJob,
    /// Workers peek at the head, run it, then pop: a job can be run by two workers.
    RunsTwice,
    /// Submit after shutdown returns `Ok` and drops the job.
    SilentDropAfterShutdown,
    /// Submit after shutdown panics with Go's "send on closed channel".
    PanicsAfterShutdown,
    /// Each worker hands a result to an unbuffered slot that is read only after joining.
    UnbufferedResults,
    /// Drop closes the queue and returns without joining.
    DropWithoutJoin,
    /// Claims a bounded queue, never blocks.
    NoBackpressure,
    /// Submit blocks until a worker has taken the job.
    HandOff,
    /// Becoming idle wakes one joiner instead of all.
    LostJoinWakeup,
}

impl Flaw {
    /// Every flaw.
    pub const ALL: [Flaw; 12] = [
        Flaw::DropsQueuedOnShutdown,
        Flaw::DiesOnPanic,
        Flaw::JoinReturnsEarly,
        Flaw::ThreadPerJob,
        Flaw::RunsTwice,
        Flaw::SilentDropAfterShutdown,
        Flaw::PanicsAfterShutdown,
        Flaw::UnbufferedResults,
        Flaw::DropWithoutJoin,
        Flaw::NoBackpressure,
        Flaw::HandOff,
        Flaw::LostJoinWakeup,
    ];

    /// Returns the check tied to this flaw's bug class: the one that must kill it.
    pub fn killed_by(self) -> Check {
        match self {
            Flaw::DropsQueuedOnShutdown | Flaw::JoinReturnsEarly | Flaw::UnbufferedResults => {
                Check::ShutdownWaits
            }
            Flaw::DiesOnPanic => Check::PanicIsolation,
            Flaw::ThreadPerJob => Check::Bounded,
            Flaw::RunsTwice => Check::ExactlyOnce,
            Flaw::SilentDropAfterShutdown | Flaw::PanicsAfterShutdown => Check::RejectAfterShutdown,
            Flaw::DropWithoutJoin => Check::DropJoins,
            Flaw::NoBackpressure => Check::Backpressure,
            Flaw::HandOff => Check::NestedSubmit,
            Flaw::LostJoinWakeup => Check::ConcurrentJoiners,
        }
    }
}

/// A type-level name for a [`Flaw`], so that each mutant is its own [`SuitePool`] type.
pub trait Bug: Send + Sync + 'static {
    /// The flaw.
    const FLAW: Flaw;
}

/// A pool with one flaw; see the [module docs](self).
pub struct Mutant<B: Bug> {
    shared: Arc<Shared>,
    handles: Mutex<Vec<thread::JoinHandle<()>>>,
    _bug: PhantomData<B>,
}

macro_rules! mutants {
    ($($(#[$doc:meta])* $name:ident;)*) => {$(
        $(#[$doc])*
        pub struct $name;
        impl Bug for $name {
            const FLAW: Flaw = Flaw::$name;
        }
    )*};
}

/// The mutant pool for each flaw.
pub mod bugs {
    use super::{Bug, Flaw};
    mutants! {
        /// Shutdown clears the queue.
        DropsQueuedOnShutdown;
        /// A panicking job kills its worker.
        DiesOnPanic;
        /// Shutdown does not wait for running jobs.
        JoinReturnsEarly;
        /// A thread per job.
        ThreadPerJob;
        /// Peek, run, pop.
        RunsTwice;
        /// Submit after shutdown drops the job.
        SilentDropAfterShutdown;
        /// Submit after shutdown panics.
        PanicsAfterShutdown;
        /// Results on an unbuffered slot drained after join.
        UnbufferedResults;
        /// Drop without join.
        DropWithoutJoin;
        /// Claims a bound, never blocks.
        NoBackpressure;
        /// Submit waits for a worker to take the job.
        HandOff;
        /// Idle wakes one joiner.
        LostJoinWakeup;
    }
}

pub use bugs::*;

struct State {
    queue: VecDeque<Job>,
    capacity: usize,
    open: bool,
    /// Accepted and not finished.
    in_flight: usize,
    /// Jobs taken off the queue so far (for `HandOff`).
    taken: u64,
    /// Jobs pushed so far (for `HandOff`).
    pushed: u64,
    /// Results handed to the unbuffered slot and not collected (`UnbufferedResults`).
    unread_results: usize,
}

struct Shared {
    flaw: Flaw,
    state: Mutex<State>,
    /// Workers wait for jobs; submitters for room; joiners for idleness; the result slot for a
    /// reader. One condition variable keeps the mutant small (every change notifies all), except
    /// where a flaw says otherwise.
    changed: Condvar,
    /// Joiners wait here.
    idle: Condvar,
}

impl Shared {
    fn worker(&self) {
        let mut st = self.state.lock();
        loop {
            let job = if self.flaw == Flaw::RunsTwice {
                // FLAW: peek instead of pop; the job is popped only after it ran.
                st.queue.front().cloned()
            } else {
                st.queue.pop_front()
            };
            let Some(job) = job else {
                if !st.open {
                    return;
                }
                st = self.changed.wait(st);
                continue;
            };
            st.taken += 1;
            drop(st);
            self.changed.notify_all();
            if self.flaw == Flaw::DiesOnPanic {
                // FLAW: no catch_unwind; a panic unwinds (and ends) this worker.
                job.run();
            } else {
                let _ = catch_unwind(AssertUnwindSafe(|| job.run()));
            }
            st = self.state.lock();
            if self.flaw == Flaw::RunsTwice {
                st.queue.pop_front();
            }
            if self.flaw == Flaw::UnbufferedResults {
                // FLAW: hand the result over an unbuffered slot; wait until someone reads it.
                st.unread_results += 1;
                self.changed.notify_all();
                while st.unread_results > 0 {
                    st = self.changed.wait(st);
                }
            }
            self.finish(&mut st);
        }
    }

    fn finish(&self, st: &mut State) {
        // Saturating: `RunsTwice` finishes more jobs than it accepted.
        st.in_flight = st.in_flight.saturating_sub(1);
        if st.in_flight == 0 {
            if self.flaw == Flaw::LostJoinWakeup {
                // FLAW: wake one joiner; the others sleep on.
                self.idle.notify_one();
            } else {
                self.idle.notify_all();
            }
        }
    }
}

impl<B: Bug> Mutant<B> {
    fn close_and_join(&self) {
        let flaw = B::FLAW;
        let mut st = self.shared.state.lock();
        st.open = false;
        if flaw == Flaw::DropsQueuedOnShutdown {
            // FLAW: queued jobs are thrown away.
            let n = st.queue.len();
            st.queue.clear();
            st.in_flight = st.in_flight.saturating_sub(n);
        }
        if flaw == Flaw::JoinReturnsEarly {
            // FLAW: wait for an empty queue only, not for the jobs that are running.
            self.shared.changed.notify_all();
            while !st.queue.is_empty() {
                st = self.shared.changed.wait(st);
            }
            return;
        }
        drop(st);
        self.shared.changed.notify_all();
        let handles = std::mem::take(&mut *self.handles.lock());
        for h in handles {
            let _ = h.join();
        }
        // The unbuffered result slot is drained only now, after the join: too late.
        self.shared.state.lock().unread_results = 0;
    }
}

impl<B: Bug> SuitePool for Mutant<B> {
    fn create(workers: usize, capacity: usize) -> Self {
        let shared = Arc::new(Shared {
            flaw: B::FLAW,
            state: Mutex::new(State {
                queue: VecDeque::new(),
                capacity,
                open: true,
                in_flight: 0,
                taken: 0,
                pushed: 0,
                unread_results: 0,
            }),
            changed: Condvar::new(),
            idle: Condvar::new(),
        });
        let handles = if B::FLAW == Flaw::ThreadPerJob {
            Vec::new()
        } else {
            (0..workers)
                .map(|_| {
                    let shared = shared.clone();
                    thread::spawn(move || shared.worker())
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
        let flaw = B::FLAW;
        let shared = &self.shared;
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
                _ => Err(job),
            };
        }
        if flaw == Flaw::ThreadPerJob {
            // FLAW: a new thread for every job, however many workers were asked for.
            st.in_flight += 1;
            drop(st);
            let s = shared.clone();
            let h = thread::spawn(move || {
                let _ = catch_unwind(AssertUnwindSafe(|| job.run()));
                let mut st = s.state.lock();
                s.finish(&mut st);
            });
            self.handles.lock().push(h);
            return Ok(());
        }
        // FLAW (NoBackpressure): never wait for room.
        while flaw != Flaw::NoBackpressure && st.queue.len() >= st.capacity && st.open {
            st = shared.changed.wait(st);
        }
        if !st.open {
            return Err(job);
        }
        st.queue.push_back(job);
        st.in_flight += 1;
        st.pushed += 1;
        let ticket = st.pushed;
        shared.changed.notify_all();
        if flaw == Flaw::HandOff {
            // FLAW: rendezvous: wait until a worker has taken this job.
            while st.taken < ticket {
                st = shared.changed.wait(st);
            }
        }
        Ok(())
    }

    fn join(&self) {
        let mut st = self.shared.state.lock();
        while st.in_flight > 0 {
            st = self.shared.idle.wait(st);
        }
    }

    fn shutdown(&self) {
        self.close_and_join();
    }

    fn claims(&self) -> Claims {
        Claims {
            bounded_queue: true,
        }
    }
}

impl<B: Bug> Drop for Mutant<B> {
    fn drop(&mut self) {
        if B::FLAW == Flaw::DropWithoutJoin {
            // FLAW: close and walk away; the workers are detached.
            self.shared.state.lock().open = false;
            self.shared.changed.notify_all();
            return;
        }
        self.close_and_join();
    }
}

/// Runs the suite's check `check` on the mutant for `flaw` (dispatching to its type).
pub fn run_check_on(suite: &super::Suite, flaw: Flaw, check: Check) -> super::CheckResult {
    macro_rules! dispatch {
        ($($f:ident),*) => {
            match flaw { $(Flaw::$f => suite.run_check::<Mutant<$f>>(check),)* }
        };
    }
    dispatch!(
        DropsQueuedOnShutdown,
        DiesOnPanic,
        JoinReturnsEarly,
        ThreadPerJob,
        RunsTwice,
        SilentDropAfterShutdown,
        PanicsAfterShutdown,
        UnbufferedResults,
        DropWithoutJoin,
        NoBackpressure,
        HandOff,
        LostJoinWakeup
    )
}

/// Runs the whole suite on the mutant for `flaw`.
pub fn run_suite_on(suite: &super::Suite, flaw: Flaw) -> super::SuiteReport {
    super::SuiteReport {
        pool: format!("mutant {flaw:?}"),
        flavour: crate::sync::FLAVOUR,
        results: suite
            .checks
            .iter()
            .map(|&c| run_check_on(suite, flaw, c))
            .collect(),
    }
}
