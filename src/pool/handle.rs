//! Where a job's outcome goes: a [`JobHandle`] (one job, one waiter), a [`Results`] channel (many
//! jobs, one collector, the seeds' `results <- j * 2`), or nowhere ([`WorkerPool::execute`]).
//!
//! Every job reaches exactly one of three ends, and its sink is told which: it returned a value, it
//! panicked (the payload is kept), or it was cancelled before it started. A job box dropped without
//! having run (which the pool never does on purpose) reports itself cancelled from its destructor,
//! so no waiter can block forever on a job that is gone.
//!
//! [`WorkerPool::execute`]: super::WorkerPool::execute

use std::any::Any;
use std::collections::VecDeque;
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
