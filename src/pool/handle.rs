//! Where a job's outcome goes: a [`JobHandle`] (one job, one waiter), a [`Results`] channel (many
//! jobs, one collector, the seeds' `results <- j * 2`; in `results.rs`), or nowhere
//! ([`WorkerPool::execute`]).
//!
//! Every job reaches exactly one of three ends, and its sink is told which: it returned a value, it
//! panicked (the payload is kept), or it was cancelled before it started. A job box dropped without
//! having run (which the pool never does on purpose) reports itself cancelled from its destructor,
//! so no waiter can block forever on a job that is gone.
//!
//! [`WorkerPool::execute`]: super::WorkerPool::execute
//! [`Results`]: super::Results

use std::any::Any;
use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::context::Context;
use crate::sync::{Arc, Condvar, Mutex};

/// The sequence number the pool gave an accepted job (the first accepted job is 0).
pub type JobId = u64;

/// Why a job produced no value.
pub enum JobError {
    /// The job panicked; the payload is the value it panicked with.
    Panicked(Box<dyn Any + Send + 'static>),
    /// The job was cancelled by [`WorkerPool::shutdown_now`](super::WorkerPool::shutdown_now) before
    /// it started.
    Cancelled,
}

impl JobError {
    /// Returns `true` if the job panicked.
    pub fn is_panic(&self) -> bool {
        matches!(self, JobError::Panicked(_))
    }

    /// Returns `true` if the job was cancelled before it started.
    pub fn is_cancelled(&self) -> bool {
        matches!(self, JobError::Cancelled)
    }

    /// Returns the panic message (for `&str` and `String` payloads), or `None`.
    pub fn panic_message(&self) -> Option<&str> {
        match self {
            JobError::Panicked(p) => p
                .downcast_ref::<&str>()
                .copied()
                .or_else(|| p.downcast_ref::<String>().map(String::as_str)),
            JobError::Cancelled => None,
        }
    }
}

impl fmt::Debug for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobError::Panicked(_) => f
                .debug_tuple("Panicked")
                .field(&self.panic_message().unwrap_or("<non-string payload>"))
                .finish(),
            JobError::Cancelled => f.write_str("Cancelled"),
        }
    }
}

impl fmt::Display for JobError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobError::Panicked(_) => write!(
                f,
                "job panicked: {}",
                self.panic_message().unwrap_or("<non-string payload>")
            ),
            JobError::Cancelled => f.write_str("job cancelled before it started"),
        }
    }
}

impl std::error::Error for JobError {}

/// How a job ended, as the worker counts it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ended {
    /// The job returned.
    Completed,
    /// The job panicked (and the panic was caught).
    Panicked,
}

/// A queued unit of work, type-erased: run it, or cancel it.
pub(crate) trait Task: Send {
    /// Runs the job, catching its panic, and delivers the outcome.
    fn run(self: Box<Self>, ctx: &Context) -> Ended;
    /// Delivers [`JobError::Cancelled`] without running the job.
    fn cancel(self: Box<Self>);
}

/// Receives one job's outcome.
pub(crate) trait Sink<T>: Send {
    /// Delivers the outcome; called exactly once.
    fn deliver(&self, outcome: Result<T, JobError>);
}

/// How a queued job is called: [`Plain`] ignores the pool's context, [`WithCtx`] passes it.
pub(crate) trait Call<T>: Send {
    /// Calls the job.
    fn call(self, ctx: &Context) -> T;
}

/// A job that takes no context (`submit`, `execute`).
pub(crate) struct Plain<F>(pub(crate) F);

impl<F: FnOnce() -> T + Send, T> Call<T> for Plain<F> {
    fn call(self, _ctx: &Context) -> T {
        (self.0)()
    }
}

/// A job that takes the pool's context (`submit_ctx`).
pub(crate) struct WithCtx<F>(pub(crate) F);

impl<F: FnOnce(&Context) -> T + Send, T> Call<T> for WithCtx<F> {
    fn call(self, ctx: &Context) -> T {
        (self.0)(ctx)
    }
}

/// A job with its sink. `f` is `None` once the job has run, been cancelled or been given back.
///
/// The pool boxes a job before it takes its lock (the allocation stays out of the critical
/// section) and keeps the box typed until the job is accepted, so a refused job can be unboxed and
/// given back to its submitter untouched.
pub(crate) struct Job<C, T, S: Sink<T>> {
    f: Option<C>,
    sink: S,
    _out: std::marker::PhantomData<fn() -> T>,
}

impl<C, T, S: Sink<T>> Job<C, T, S> {
    pub(crate) fn new(f: C, sink: S) -> Self {
        Job {
            f: Some(f),
            sink,
            _out: std::marker::PhantomData,
        }
    }

    /// Gives back the job's closure without running it or telling its sink (a refused job).
    pub(crate) fn into_call(mut self) -> C {
        self.f
            .take()
            .expect("a refused job still holds its closure")
    }

    /// Returns the sink, so the pool can stamp the job's id on it once it is accepted.
    pub(crate) fn sink_mut(&mut self) -> &mut S {
        &mut self.sink
    }
}

impl<C, T, S> Task for Job<C, T, S>
where
    C: Call<T>,
    S: Sink<T>,
{
    fn run(mut self: Box<Self>, ctx: &Context) -> Ended {
        let f = self.f.take().expect("a job runs at most once");
        // The panic is caught here, inside the job, so the worker thread never unwinds.
        match catch_unwind(AssertUnwindSafe(move || f.call(ctx))) {
            Ok(value) => {
                self.sink.deliver(Ok(value));
                Ended::Completed
            }
            Err(payload) => {
                self.sink.deliver(Err(JobError::Panicked(payload)));
                Ended::Panicked
            }
        }
    }

    fn cancel(mut self: Box<Self>) {
        self.f = None;
        self.sink.deliver(Err(JobError::Cancelled));
    }
}

impl<C, T, S: Sink<T>> Drop for Job<C, T, S> {
    fn drop(&mut self) {
        // A job dropped unrun still tells its waiter; never a silent loss.
        if self.f.take().is_some() {
            self.sink.deliver(Err(JobError::Cancelled));
        }
    }
}

/// The sink of [`WorkerPool::execute`](super::WorkerPool::execute): the outcome is only counted.
pub(crate) struct Discard;

impl<T> Sink<T> for Discard {
    fn deliver(&self, _outcome: Result<T, JobError>) {}
}

/// One job's outcome, shared by the worker (writer) and the handle (reader).
struct Slot<T> {
    state: Mutex<SlotState<T>>,
    ready: Condvar,
}

struct SlotState<T> {
    outcome: Option<Result<T, JobError>>,
    /// Set while the handle waits, so the worker notifies only when someone listens.
    waiting: bool,
}

/// The handle to one submitted job's outcome, returned by
/// [`WorkerPool::submit`](super::WorkerPool::submit).
///
/// Dropping the handle detaches it: the job still runs, its outcome is discarded.
pub struct JobHandle<T> {
    slot: Arc<Slot<T>>,
    id: JobId,
}

/// The worker's end of a [`JobHandle`].
pub(crate) struct SlotSink<T>(Arc<Slot<T>>);

impl<T: Send> Sink<T> for SlotSink<T> {
    fn deliver(&self, outcome: Result<T, JobError>) {
        let mut st = self.0.state.lock();
        if st.outcome.is_none() {
            st.outcome = Some(outcome);
            // Notify under the lock: the handle checks `outcome` under the same lock before it
            // waits, so the wake-up cannot fall between its check and its wait.
            if st.waiting {
                self.0.ready.notify_all();
            }
        }
    }
}

/// Creates a handle and the sink a job writes its outcome into; the pool stamps the job's id on the
/// handle with [`JobHandle::set_id`] once it accepts the job.
pub(crate) fn handle<T>() -> (JobHandle<T>, SlotSink<T>) {
    let slot = Arc::new(Slot {
        state: Mutex::new(SlotState {
            outcome: None,
            waiting: false,
        }),
        ready: Condvar::new(),
    });
    (
        JobHandle {
            slot: slot.clone(),
            id: 0,
        },
        SlotSink(slot),
    )
}

impl<T> JobHandle<T> {
    /// Stamps the id the pool gave the job once it accepted it.
    pub(crate) fn set_id(&mut self, id: JobId) {
        self.id = id;
    }

    /// Returns the job's id (its sequence number in the pool).
    pub fn id(&self) -> JobId {
        self.id
    }

    /// Returns `true` once the job has an outcome (returned, panicked or was cancelled).
    pub fn is_finished(&self) -> bool {
        self.slot.state.lock().outcome.is_some()
    }

    /// Blocks until the job has an outcome and returns it: the job's value, the panic it raised, or
    /// [`JobError::Cancelled`].
    ///
    /// The job's effects happen before `join` returns (the outcome is handed over under a lock).
    #[track_caller]
    pub fn join(self) -> Result<T, JobError> {
        let mut st = self.slot.state.lock();
        loop {
            if let Some(outcome) = st.outcome.take() {
                return outcome;
            }
            st.waiting = true;
            st = self.slot.ready.wait(st);
        }
    }

    /// Returns the outcome if the job has one, or the handle back if it has not finished yet.
    pub fn try_join(self) -> Result<Result<T, JobError>, Self> {
        let taken = self.slot.state.lock().outcome.take();
        match taken {
            Some(outcome) => Ok(outcome),
            None => Err(self),
        }
    }
}

impl<T> fmt::Debug for JobHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobHandle")
            .field("id", &self.id)
            .field("finished", &self.is_finished())
            .finish()
    }
}
