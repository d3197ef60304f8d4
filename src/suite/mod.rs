//! A regression suite that any thread pool can be run through: ours, a user's, `threadpool`, rayon.
//!
//! A pool takes part by implementing [`SuitePool`] (directly, or through a small adapter): create it
//! with `workers` threads and a queue bound, submit a [`Job`] (which it may refuse), wait for it to
//! go idle, shut it down, drop it. The suite then runs one named [`Check`] per bug class that real
//! pools have shipped, and returns a [`SuiteReport`]: a pass, fail or skip per check, each with its
//! reason, printable as a table.
//!
//! | check | bug class it catches |
//! |---|---|
//! | `exactly_once` | a job run twice, or accepted and never run |
//! | `bounded` | more than `workers` jobs running at once (a thread per job) |
//! | `shutdown_waits` | shutdown/join returning before accepted jobs finish; jobs dropped at shutdown (tokio #7499); join hanging |
//! | `panic_isolation` | a panicking job killing its worker, losing other jobs or hanging join (rayon #10, threadpool #13) |
//! | `reject_after_shutdown` | submit after shutdown panicking ("send on closed channel", knative #3068) or silently dropping the job |
//! | `drop_joins` | drop not waiting: threads outliving the pool (threadpool #110, rayon #688/#959), or drop hanging |
//! | `backpressure` | an unbounded queue where a bound is claimed (threadpool #54) |
//! | `concurrent_joiners` | several joiners plus new submissions stuck (threadpool PR #89) |
//! | `nested_submit` | a job that submits a job deadlocking while the queue has room |
//!
//! # Flavours
//!
//! In the std flavour every check runs on real threads under [`check::stress`]'s watchdog: a hang
//! becomes a failed check with verdict [`Verdict::Hang`] (its threads are left behind) and the process
//! carries on. A pool that may *abort* the process (rayon's `spawn` with a panicking job) is run with
//! `Suite::run_isolated` (with the `serde` feature), one child process per check; a dead child is that check's finding. The
//! workload generator [`workload`] gives proptest a whole pool life (workers, jobs, capacity, which
//! jobs panic, when shutdown comes) to shrink. Under loom and shuttle the same checks run on pools
//! written against [`crate::sync`], with workloads sized for loom's five threads.

pub mod checks;
pub mod mutants;
pub mod workload;

use std::fmt;
use std::time::{Duration, Instant};

use crate::check::{self, Checker, Config, Report, Verdict};
use crate::pool::WorkerPool;
use crate::sync::{Arc, FLAVOUR, Flavour};

pub use self::checks::Params;

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

    /// Runs the job (it may panic: that is the job's business, the pool must survive it).
    pub fn run(&self) {
        (self.0)()
    }
}

impl fmt::Debug for Job {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Job")
    }
}

/// What a pool claims about itself; the suite holds it to those claims only.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Claims {
    /// `submit` blocks once `capacity` jobs wait in the queue (backpressure).
    pub bounded_queue: bool,
}

/// The interface a pool offers the suite.
///
/// Every method takes `&self`: the suite shares the pool (`Arc<P>`) between threads to call
/// `submit`, `join` and `shutdown` concurrently, and from inside jobs.
pub trait SuitePool: Send + Sync + Sized + 'static {
    /// Creates a pool of `workers` threads; `capacity` is the queue bound for a bounded pool (an
    /// unbounded pool may ignore it).
    fn create(workers: usize, capacity: usize) -> Self;

    /// Submits a job; may block (backpressure). Returns the job back if the pool refuses it.
    fn submit(&self, job: Job) -> Result<(), Job>;

    /// Blocks until every job accepted so far has finished; the pool stays usable.
    fn join(&self);

    /// Stops accepting jobs, waits for every accepted job and joins the workers.
    fn shutdown(&self);

    /// What the pool claims (see [`Claims`]).
    fn claims(&self) -> Claims {
        Claims::default()
    }
}

/// `racezoo`'s own pool, as the suite sees it.
impl SuitePool for WorkerPool {
    fn create(workers: usize, capacity: usize) -> Self {
        WorkerPool::builder()
            .workers(workers)
            .queue_capacity(capacity)
            .name("suite-pool")
            .build()
    }

    fn submit(&self, job: Job) -> Result<(), Job> {
        let run = job.clone();
        self.execute(move || run.run()).map_err(|_| job)
    }

    fn join(&self) {
        self.wait_idle()
    }

    fn shutdown(&self) {
        WorkerPool::shutdown(self)
    }

    fn claims(&self) -> Claims {
        Claims {
            bounded_queue: true,
        }
    }
}

/// One named check of the suite.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "snake_case"))]
pub enum Check {
    /// Every accepted job runs exactly once; a refused job never runs.
    ExactlyOnce,
    /// Never more than `workers` jobs run at once.
    Bounded,
    /// Shutdown returns only after every accepted job has finished, and it does return.
    ShutdownWaits,
    /// A panicking job loses no other job, kills no capacity and hangs nothing.
    PanicIsolation,
    /// Submit after shutdown gives the job back: no panic, no silent drop.
    RejectAfterShutdown,
    /// Drop returns, after every accepted job has finished, with no worker thread left alive.
    DropJoins,
    /// With every worker busy, `submit` blocks once `capacity` jobs are queued (if claimed).
    Backpressure,
    /// Several concurrent `join` callers plus new submissions all finish.
    ConcurrentJoiners,
    /// A job that submits another job does not deadlock while the queue has room.
    NestedSubmit,
}

impl Check {
    /// Every check, in table order.
    pub const ALL: [Check; 9] = [
        Check::ExactlyOnce,
        Check::Bounded,
        Check::ShutdownWaits,
        Check::PanicIsolation,
        Check::RejectAfterShutdown,
        Check::DropJoins,
        Check::Backpressure,
        Check::ConcurrentJoiners,
        Check::NestedSubmit,
    ];

    /// Returns the check's snake_case name.
    pub fn name(self) -> &'static str {
        match self {
            Check::ExactlyOnce => "exactly_once",
            Check::Bounded => "bounded",
            Check::ShutdownWaits => "shutdown_waits",
            Check::PanicIsolation => "panic_isolation",
            Check::RejectAfterShutdown => "reject_after_shutdown",
            Check::DropJoins => "drop_joins",
            Check::Backpressure => "backpressure",
            Check::ConcurrentJoiners => "concurrent_joiners",
            Check::NestedSubmit => "nested_submit",
        }
    }

    /// Returns the check named `name`.
    pub fn from_name(name: &str) -> Option<Check> {
        Check::ALL.into_iter().find(|c| c.name() == name)
    }

    /// Runs this check's body once against a fresh `P` (the body panics with a `violation:` message
    /// on failure). This is what the checkers explore.
    pub fn body<P: SuitePool>(self, params: &Params) -> Result<(), Skip> {
        match self {
            Check::ExactlyOnce => checks::exactly_once::<P>(params),
            Check::Bounded => checks::bounded::<P>(params),
            Check::ShutdownWaits => checks::shutdown_waits::<P>(params),
            Check::PanicIsolation => checks::panic_isolation::<P>(params),
            Check::RejectAfterShutdown => checks::reject_after_shutdown::<P>(params),
            Check::DropJoins => checks::drop_joins::<P>(params),
            Check::Backpressure => return checks::backpressure::<P>(params),
            Check::ConcurrentJoiners => checks::concurrent_joiners::<P>(params),
            Check::NestedSubmit => checks::nested_submit::<P>(params),
        }
        Ok(())
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A check that does not apply to a pool (it claims nothing the check could hold it to), with what
/// the suite observed instead.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skip(pub String);

/// The outcome of one check on one pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Outcome {
    /// Every run passed.
    Pass,
    /// A run failed; the reason says how.
    Fail,
    /// The check does not apply (see [`Claims`]); the reason says what was observed.
    Skip,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "FAIL",
            Outcome::Skip => "skip",
        })
    }
}

/// One row of the table: a check's outcome on one pool, with its reason.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CheckResult {
    /// The check.
    pub check: Check,
    /// Pass, fail or skip.
    pub outcome: Outcome,
    /// The checker's verdict behind a failure (`Hang`, `Deadlock`, `Violation`, `Misuse`, `Panic`…),
    /// or `None` when the failure came from outside a checker (a dead child process).
    pub verdict: Option<Verdict>,
    /// Why: the failure's message, the skip's observation, or how much was explored for a pass.
    pub reason: String,
    /// Wall time of the check.
    pub elapsed: Duration,
}

impl CheckResult {
    /// Returns `true` unless the check failed.
    pub fn ok(&self) -> bool {
        self.outcome != Outcome::Fail
    }
}

/// The suite's findings about one pool.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SuiteReport {
    /// The pool's name as given to the run.
    pub pool: String,
    /// The build flavour the suite ran in.
    pub flavour: Flavour,
    /// One result per check run.
    pub results: Vec<CheckResult>,
}

impl SuiteReport {
    /// Returns `true` if no check failed.
    pub fn passed(&self) -> bool {
        self.results.iter().all(CheckResult::ok)
    }

    /// Returns the checks that failed.
    pub fn failed(&self) -> Vec<Check> {
        self.results
            .iter()
            .filter(|r| r.outcome == Outcome::Fail)
            .map(|r| r.check)
            .collect()
    }

    /// Returns the result of `check`, if it ran.
    pub fn get(&self, check: Check) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.check == check)
    }
}

impl fmt::Display for SuiteReport {
    /// Prints the report as a Markdown table, one row per check.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "pool `{}` ({} flavour)", self.pool, self.flavour)?;
        writeln!(f)?;
        writeln!(f, "| check | outcome | verdict | time | reason |")?;
        writeln!(f, "|---|---|---|---|---|")?;
        for r in &self.results {
            let reason: String = r.reason.replace('|', "/").replace('\n', " ");
            let reason = if reason.chars().count() > 140 {
                let cut: String = reason.chars().take(137).collect();
                format!("{cut}...")
            } else {
                reason
            };
            writeln!(
                f,
                "| {} | {} | {} | {:.1?} | {} |",
                r.check,
                r.outcome,
                r.verdict.map(|v| v.to_string()).unwrap_or_default(),
                r.elapsed,
                reason
            )?;
        }
        Ok(())
    }
}

/// How the suite runs: the workload size and the checkers' bounds.
#[derive(Clone, Debug)]
pub struct Suite {
    /// The workload each check uses.
    pub params: Params,
    /// Bounds for the checkers (stress runs and watchdog on std; loom and shuttle bounds otherwise).
    pub config: Config,
    /// The checks to run, in order.
    pub checks: Vec<Check>,
}

impl Default for Suite {
    fn default() -> Self {
        Self::new()
    }
}

/// The environment variable that tells a re-executed test binary which check to run (see
/// `Suite::run_isolated`).
pub const CHILD_ENV: &str = "RACEZOO_SUITE_CHILD";
/// The prefix of the line a child prints its [`CheckResult`] on (as JSON).
pub const CHILD_RESULT_PREFIX: &str = "RACEZOO-SUITE-RESULT ";

impl Suite {
    /// Creates the suite with every check and bounds suited to the build flavour: 3 runs per check
    /// (unless `RACEZOO_STRESS_RUNS` says otherwise) under a 3 s watchdog on std; loom bounded at
    /// 50,000 executions per check (unless `LOOM_MAX_PERMUTATIONS` says otherwise), 3,000 schedules
    /// per shuttle scheduler.
    pub fn new() -> Self {
        let runs = std::env::var("RACEZOO_STRESS_RUNS")
            .ok()
            .map_or(3, |_| Config::default().runs);
        let mut config = Config {
            runs,
            watchdog: Duration::from_secs(3),
            iterations: 3_000,
            time_budget: Duration::from_secs(20),
            ..Config::default()
        };
        if FLAVOUR == Flavour::Loom {
            config.max_executions = Some(config.max_executions.unwrap_or(50_000));
        }
        Suite {
            params: Params::for_flavour(),
            config,
            checks: Check::ALL.to_vec(),
        }
    }

    /// Restricts the suite to `checks`.
    pub fn with_checks(mut self, checks: &[Check]) -> Self {
        self.checks = checks.to_vec();
        self
    }

    /// Runs every check on `P` in this process, under every checker of the build flavour.
    pub fn run<P: SuitePool>(&self, name: &str) -> SuiteReport {
        SuiteReport {
            pool: name.to_string(),
            flavour: FLAVOUR,
            results: self
                .checks
                .iter()
                .map(|&c| self.run_check::<P>(c))
                .collect(),
        }
    }

    /// Runs one check on `P` in this process, under every checker of the build flavour; the first
    /// failure decides.
    pub fn run_check<P: SuitePool>(&self, check: Check) -> CheckResult {
        let start = Instant::now();
        let params = self.params;
        // A skip is decided by the body itself; remember it across the checker's runs. (Harness
        // state outside the model: std's Mutex, not the facade's.)
        let skipped = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
        let mut passes = Vec::new();
        for checker in Checker::available() {
            let skipped2 = skipped.clone();
            let report = checker
                .run(&self.config, move || {
                    if let Err(Skip(why)) = check.body::<P>(&params) {
                        *skipped2.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
                    }
                })
                .expect("checkers of the build's flavour are available");
            if !report.passed() {
                return failure(check, &report, start);
            }
            passes.push(report);
        }
        let elapsed = start.elapsed();
        if let Some(why) = skipped.lock().unwrap_or_else(|e| e.into_inner()).take() {
            return CheckResult {
                check,
                outcome: Outcome::Skip,
                verdict: None,
                reason: why,
                elapsed,
            };
        }
        let reason = passes
            .iter()
            .map(|r| {
                format!(
                    "{}: {} execution{}{}",
                    r.checker,
                    r.executions,
                    if r.executions == 1 { "" } else { "s" },
                    if r.complete { "" } else { " (bounded)" }
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        CheckResult {
            check,
            outcome: Outcome::Pass,
            verdict: Some(Verdict::Pass),
            reason,
            elapsed,
        }
    }

    /// Runs one [`Workload`](workload::Workload) on `P` under every checker of the build flavour;
    /// returns the first failure as `Err` with its verdict and reason.
    pub fn run_workload<P: SuitePool>(&self, w: &workload::Workload) -> Result<(), String> {
        for checker in Checker::available() {
            let w = w.clone();
            let report = checker
                .run(&self.config, move || workload::run::<P>(&w))
                .expect("checkers of the build's flavour are available");
            if !report.passed() {
                let message = report.message.unwrap_or_default();
                let message = message
                    .strip_prefix(check::VIOLATION_PREFIX)
                    .unwrap_or(&message);
                return Err(format!("{}: {message}", report.verdict));
            }
        }
        Ok(())
    }

    /// Runs every check on `P`, each in a child process: the current test binary re-executed with
    /// `test_name` as its filter and [`CHILD_ENV`] naming the check. The test `test_name` must start
    /// with `if suite.child::<P>() { return; }`. A child that dies (abort, signal) or hangs past its
    /// deadline fails that check with the exit status as the reason; the parent carries on.
    ///
    /// Std flavour only: under loom and shuttle it runs in process, like [`run`](Suite::run). Needs
    /// the `serde` feature (the child reports its result as JSON).
    #[cfg(feature = "serde")]
    pub fn run_isolated<P: SuitePool>(&self, name: &str, test_name: &str) -> SuiteReport {
        if FLAVOUR != Flavour::Std {
            return self.run::<P>(name);
        }
        SuiteReport {
            pool: name.to_string(),
            flavour: FLAVOUR,
            results: self
                .checks
                .iter()
                .map(|&c| self.run_in_child(c, test_name))
                .collect(),
        }
    }

    /// If this process is a child started by [`run_isolated`](Suite::run_isolated), runs the check
    /// it names on `P`, prints the result and returns `true`; otherwise returns `false` at once.
    #[cfg(feature = "serde")]
    pub fn child<P: SuitePool>(&self) -> bool {
        let Ok(name) = std::env::var(CHILD_ENV) else {
            return false;
        };
        let check = Check::from_name(&name).expect("a check name from the parent");
        let result = self.run_check::<P>(check);
        println!(
            "\n{CHILD_RESULT_PREFIX}{}",
            serde_json::to_string(&result).expect("a CheckResult serializes")
        );
        true
    }

    #[cfg(feature = "serde")]
    fn run_in_child(&self, check: Check, test_name: &str) -> CheckResult {
        use std::io::Read;
        use std::process::{Command, Stdio};
        let start = Instant::now();
        let dead = |reason: String| CheckResult {
            check,
            outcome: Outcome::Fail,
            verdict: None,
            reason,
            elapsed: start.elapsed(),
        };
        let exe = std::env::current_exe().expect("the test binary's path");
        let mut child = match Command::new(exe)
            .args([test_name, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, check.name())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(child) => child,
            Err(e) => return dead(format!("could not start the child process: {e}")),
        };
        // Drain both pipes while the child runs: a child whose pool's threads print panics (with
        // backtraces) fills a pipe nobody reads, and then blocks in its panic hook for good.
        let drain = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut text = String::new();
                if let Some(mut pipe) = pipe {
                    let mut bytes = Vec::new();
                    let _ = pipe.read_to_end(&mut bytes);
                    text = String::from_utf8_lossy(&bytes).into_owned();
                }
                text
            })
        };
        let stdout = drain(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let stderr = drain(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        // The child's own watchdog reports hangs; this deadline only catches a child that cannot.
        let deadline =
            self.config.watchdog * (self.config.runs as u32 + 2) + Duration::from_secs(10);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if start.elapsed() > deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => return dead(format!("waiting for the child process: {e}")),
            }
        };
        // The child is gone (exited or killed): its pipes close and the readers finish.
        let stdout = stdout.join().unwrap_or_default();
        let stderr = stderr.join().unwrap_or_default();
        if let Some(line) = stdout
            .lines()
            // libtest may print `test name ... ` on the same line first.
            .find_map(|l| {
                l.find(CHILD_RESULT_PREFIX)
                    .map(|i| &l[i + CHILD_RESULT_PREFIX.len()..])
            })
        {
            if let Ok(mut result) = serde_json::from_str::<CheckResult>(line) {
                result.elapsed = start.elapsed();
                return result;
            }
        }
        // The last line that says something: not blank, not a note, not a backtrace frame (a
        // panicking thread's backtrace may be printed after the line that explains the abort).
        let backtrace_frame = |l: &str| {
            let l = l.trim_start();
            l.starts_with("at ")
                || l.starts_with("stack backtrace:")
                || l.split_once(": ")
                    .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        };
        let last_words = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty() && !l.starts_with("note:") && !backtrace_frame(l))
            .unwrap_or("")
            .trim()
            .to_string();
        match status {
            None => dead(format!(
                "the child process hung past {deadline:?} and was killed"
            )),
            Some(status) => dead(format!(
                "the child process died ({status}) before reporting; last stderr line: {last_words}"
            )),
        }
    }
}

fn failure(check: Check, report: &Report, start: Instant) -> CheckResult {
    let message = report.message.clone().unwrap_or_default();
    let message = message
        .strip_prefix(check::VIOLATION_PREFIX)
        .unwrap_or(&message)
        .to_string();
    CheckResult {
        check,
        outcome: Outcome::Fail,
        verdict: Some(report.verdict),
        reason: format!(
            "{}: {} after {} run{}: {}",
            report.checker,
            report.verdict,
            report.executions,
            if report.executions == 1 { "" } else { "s" },
            message
        ),
        elapsed: start.elapsed(),
    }
}
