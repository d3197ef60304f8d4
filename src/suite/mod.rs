//! A regression suite that any thread pool can be run through: ours, a user's, `threadpool`, rayon.
//!
//! A pool takes part by implementing [`SuitePool`] (directly, or through a small adapter): create it
//! with `workers` threads and a queue bound, submit a [`Job`] (which it may refuse), wait for it to
//! go idle, shut it down. The suite drops it afterwards (an adapter need not make `Drop` after
//! `shutdown` do anything special), and calls `shutdown` at most once per pool. The suite then runs
//! one named [`Check`] per bug class that real pools have shipped, at several pool [`Shape`]s (one
//! worker with a queue of one, and larger), and returns a [`SuiteReport`]: a pass, fail or skip
//! per check, each with its reason, printable as a table.
//!
//! ```
//! use racezoo::suite::{Check, Job, Suite, SuitePool};
//!
//! // A fire-and-forget pool: four methods, no capability declared.
//! struct MyPool(threadpool::ThreadPool);
//!
//! impl SuitePool for MyPool {
//!     fn create(workers: usize, _capacity: usize) -> Self {
//!         MyPool(threadpool::ThreadPool::new(workers))
//!     }
//!     fn submit(&self, job: Job) -> Result<(), Job> {
//!         self.0.execute(move || job.run());
//!         Ok(())
//!     }
//!     fn join(&self) {
//!         self.0.join()
//!     }
//!     fn shutdown(&self) {
//!         self.0.join() // threadpool has no shutdown; the suite finds out what that costs
//!     }
//! }
//!
//! let report = Suite::new()
//!     .with_checks(&[Check::ExactlyOnce, Check::PanicIsolation, Check::HandleAfterPanic])
//!     .run::<MyPool>("my pool");
//! println!("{report}"); // one row per check: pass / FAIL / skip, verdict, reason
//! report.assert_passed(); // a failing check fails the test, with the table
//! // `handle_after_panic` needs `Claims::handles`: skipped, and the row says so.
//! # if racezoo::sync::FLAVOUR == racezoo::sync::Flavour::Std {
//! assert_eq!(report.skipped(), [Check::HandleAfterPanic]);
//! # }
//! ```
//!
//! # The contract the checks hold a pool to
//!
//! * `submit` either accepts a job (it then runs exactly once, on one of `workers` threads, before
//!   `join` or `shutdown` returns) or gives it back; it never panics. After `shutdown` has begun,
//!   it gives every job back; a submission racing `shutdown` may go either way, but an accepted one
//!   still runs before `shutdown` returns.
//! * A bounded pool (`Claims::bounded_queue`) holds at most `capacity` accepted jobs that have not
//!   started, however many threads submit at once; a submitter blocks while it is full.
//! * A panicking job is contained: the pool keeps `workers` threads able to run jobs at once,
//!   `join` counts the job once, and its handle (`Claims::handles`) reports the panic.
//! * `shutdown` and `Drop` return after every accepted job has finished and every thread the pool
//!   started (replacements of panicked workers included) has exited.
//! * `shutdown` called from inside one of the pool's own jobs returns (a worker cannot wait for
//!   itself): the pool stops accepting at once, every job accepted before still runs, and a later
//!   `shutdown` or `Drop` from outside waits for them and for the workers.
//! * Optional capabilities, declared in [`Claims`]: handles with the job's end
//!   ([`SuitePool::submit_handle`]), immediate shutdown ([`SuitePool::shutdown_now`]: the jobs
//!   not started when it closes the pool are cancelled, never run, and counted), and a submit that
//!   never blocks ([`SuitePool::try_submit`]). A check that needs an undeclared capability is
//!   skipped, and its row says which capability and why.
//!
//! # Flavours
//!
//! In the std flavour every check runs on real threads under [`check::stress`]'s watchdog, with
//! [`Params::stress`] sizes and `RACEZOO_STRESS_RUNS` runs (default [`DEFAULT_STRESS_RUNS`]): a
//! hang becomes a failed check with verdict [`Verdict::Hang`] and the process carries on. A pool
//! that may *abort* the process (rayon's `spawn` with a panicking job) is run with
//! `Suite::run_isolated` (with the `serde` feature), one child process per check. Under loom and
//! shuttle the same checks run with [`Params::model`] sizes (at most 3 threads besides main, workers
//! fitted under that limit per check ([`Check::helpers`]), at most 3 jobs except `backpressure`'s 4
//! at two workers; at 2 preemptions loom explores every check on `WorkerPool`, and each mutant's
//! killing check, completely within [`DEFAULT_LOOM_EXECUTIONS`]; see that constant for the costs) — on pools written
//! against [`crate::sync`] only: a pool that declares no `Claims::facade` gets one line saying so
//! instead of failures its real threads would invent. The workload generator [`workload`] gives
//! proptest a whole pool life to shrink.
//!
//! [`check::stress`]: crate::check::stress
//! [`Verdict::Hang`]: crate::check::Verdict::Hang

mod after_panic;
mod capabilities;
mod catalog;
pub mod checks;
pub mod helpers;
#[cfg(feature = "serde")]
mod isolated;
pub mod mutants;
mod ours;
mod params;
mod races;
mod report;
mod runner;
pub mod workload;

use std::fmt;

use crate::sync::Arc;

pub use self::catalog::{Check, Skip};
pub use self::helpers::DELIBERATE_PANIC;
#[cfg(feature = "serde")]
pub use self::isolated::{CHILD_ENV, CHILD_RESULT_PREFIX};
pub use self::params::{Params, Shape};
pub use self::report::{CheckResult, Outcome, SuiteReport};
pub use self::runner::{DEFAULT_LOOM_EXECUTIONS, DEFAULT_STRESS_RUNS, Entry, Suite};

/// A job as the suite hands it to a pool: call [`run`](Job::run) exactly once, on a worker.
///
/// It is cheap to clone (a shared closure) so an adapter can keep a copy to give back when its pool
/// refuses the job, and so a deliberately broken pool can run a job twice.
#[derive(Clone)]
pub struct Job(Arc<dyn Fn() + Send + Sync + 'static>);

impl Job {
    /// Wraps a closure as a job.
    pub fn new(f: impl Fn() + Send + Sync + 'static) -> Self {
        // `From<Box<dyn …>>`: the facade's `Arc` cannot coerce to `dyn` (see `sync::Arc`).
        Job(Arc::from(Box::new(f) as Box<dyn Fn() + Send + Sync>))
    }

    /// Runs the job (it may panic: the pool is expected to contain that).
    pub fn run(&self) {
        (self.0)()
    }
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Job")
    }
}

/// How a job ended, as its handle reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum JobEnd {
    /// The job ran and returned.
    Returned,
    /// The job ran and panicked.
    Panicked,
    /// The job was cancelled before it started (immediate shutdown).
    Cancelled,
}

/// A handle to one job's end, as an adapter builds it from its pool's own handle: a closure that
/// waits for the job and says how it ended.
pub struct Handle(Box<dyn FnOnce() -> JobEnd + Send>);

impl Handle {
    /// Wraps `wait`, which blocks until the job has ended and returns how.
    pub fn new(wait: impl FnOnce() -> JobEnd + Send + 'static) -> Self {
        Handle(Box::new(wait))
    }

    /// Waits for the job to end and returns how it ended.
    pub fn wait(self) -> JobEnd {
        (self.0)()
    }
}

impl fmt::Debug for Handle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Handle")
    }
}

/// Why [`SuitePool::try_submit`] gave a job back.
#[derive(Debug)]
pub enum Refused {
    /// The queue held `capacity` jobs.
    Full(Job),
    /// The pool is shut down.
    ShutDown(Job),
}

/// An optional part of the contract, which a pool declares in its [`Claims`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Capability {
    /// `submit` blocks once `capacity` accepted jobs wait to start.
    BoundedQueue,
    /// [`SuitePool::submit_handle`] returns a handle to the job's end.
    Handles,
    /// [`SuitePool::shutdown_now`] cancels the jobs that have not started.
    ShutdownNow,
    /// [`SuitePool::try_submit`] gives the job back instead of blocking.
    TrySubmit,
}

impl Capability {
    /// Returns the name of the [`Claims`] field that declares it.
    pub fn field(self) -> &'static str {
        match self {
            Capability::BoundedQueue => "bounded_queue",
            Capability::Handles => "handles",
            Capability::ShutdownNow => "shutdown_now",
            Capability::TrySubmit => "try_submit",
        }
    }
}

impl fmt::Display for Capability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.field())
    }
}

/// What a pool claims about itself; the suite holds it to those claims only. Every field defaults
/// to `false` ([`Claims::NONE`]): a fire-and-forget pool on std threads declares nothing.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Claims {
    /// `submit` blocks once `capacity` accepted jobs wait to start (backpressure).
    pub bounded_queue: bool,
    /// [`SuitePool::submit_handle`] is implemented.
    pub handles: bool,
    /// [`SuitePool::shutdown_now`] is implemented.
    pub shutdown_now: bool,
    /// [`SuitePool::try_submit`] is implemented.
    pub try_submit: bool,
    /// The pool is written against [`crate::sync`] (so loom and shuttle can run it). A pool on
    /// std threads is only run in the std flavour.
    pub facade: bool,
}

impl Claims {
    /// Claims nothing.
    pub const NONE: Claims = Claims {
        bounded_queue: false,
        handles: false,
        shutdown_now: false,
        try_submit: false,
        facade: false,
    };

    /// Returns whether `capability` is declared.
    pub fn has(&self, capability: Capability) -> bool {
        match capability {
            Capability::BoundedQueue => self.bounded_queue,
            Capability::Handles => self.handles,
            Capability::ShutdownNow => self.shutdown_now,
            Capability::TrySubmit => self.try_submit,
        }
    }
}

/// The interface a pool offers the suite.
///
/// Every method takes `&self`: the suite shares the pool (`Arc<P>`) between threads to call
/// `submit`, `join` and `shutdown` concurrently, and from inside jobs. Only `create`, `submit`,
/// `join` and `shutdown` are required; the rest belong to capabilities declared in
/// [`CLAIMS`](SuitePool::CLAIMS), and are called only when declared.
pub trait SuitePool: Send + Sync + Sized + 'static {
    /// What the pool claims (see [`Claims`]); nothing by default.
    const CLAIMS: Claims = Claims::NONE;

    /// Creates a pool of `workers` threads; `capacity` is the queue bound for a bounded pool (an
    /// unbounded pool may ignore it).
    fn create(workers: usize, capacity: usize) -> Self;

    /// Submits a job; may block (backpressure). Returns the job back if the pool refuses it.
    fn submit(&self, job: Job) -> Result<(), Job>;

    /// Blocks until every job accepted so far has finished; the pool stays usable.
    fn join(&self);

    /// Stops accepting jobs, waits for every accepted job and joins the workers.
    fn shutdown(&self);

    /// Submits a job and returns a handle to its end (capability [`Capability::Handles`]).
    fn submit_handle(&self, job: Job) -> Result<Handle, Job> {
        undeclared(Capability::Handles, job)
    }

    /// Stops accepting jobs, cancels every job that has not started, waits for the running ones
    /// and joins the workers; returns how many jobs it cancelled (capability
    /// [`Capability::ShutdownNow`]).
    fn shutdown_now(&self) -> usize {
        undeclared(Capability::ShutdownNow, ())
    }

    /// Submits a job without blocking: a full queue or a shut-down pool gives it back (capability
    /// [`Capability::TrySubmit`]).
    fn try_submit(&self, job: Job) -> Result<(), Refused> {
        undeclared(Capability::TrySubmit, job)
    }
}

/// What a capability's default method does if the suite calls it: the suite calls it only when
/// the pool declares the capability, so the adapter declared it without implementing it.
#[track_caller]
fn undeclared<T, J>(capability: Capability, _job: J) -> T {
    panic!("the pool declares `Claims::{capability}` but its adapter does not implement the method")
}
