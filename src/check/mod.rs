//! The checker harness: run a closure under loom, shuttle or real-thread stress and get a [`Report`].
//!
//! A loom or shuttle failure is normally a panic that ends the test. Here it is a value: the drivers
//! catch it, classify it into a [`Verdict`] and say how many executions it took, how long, and whether
//! exploration was complete. Each driver exists in every build flavour and returns
//! [`Unavailable`] where its checker is not compiled in.
//!
//! | driver | flavour | explores |
//! |---|---|---|
//! | [`loom`] | `--cfg loom` | every interleaving within a preemption bound, weak memory, data races |
//! | [`shuttle_random`] | `--cfg shuttle` | `iterations` random schedules |
//! | [`shuttle_pct`] | `--cfg shuttle` | `iterations` PCT schedules of bug depth `depth` |
//! | [`stress`] | std | `runs` runs on real threads, each under a watchdog |
//!
//! # What a report holds
//!
//! * **A verdict** classified from the failure: an `assert!` or a `violation: ` panic is a
//!   [`Verdict::Violation`], loom's causality panic a [`Verdict::DataRace`], one of Go's messages in
//!   [`crate::misuse`] a [`Verdict::Misuse`]. Both checkers call a thread that can never finish a
//!   "deadlock"; the facade counts the threads a body spawns and sees main return, so a deadlock after
//!   main returned is a [`Verdict::Leak`]. A stress run that outlives its watchdog is a
//!   [`Verdict::Hang`]; its threads are left behind, blocked.
//! * **The stuck threads** ([`Report::blocked`]) of a deadlock, leak or hang, each with the facade
//!   operation it blocks in and the `#[track_caller]` line of that call.
//! * **A trace** ([`Report::trace`]): the failing execution's operations, recorded by the facade, shown
//!   by `Display` as a table with one column per thread (see [`Trace::render`]).
//! * **A replay handle** ([`Report::replay`]) for the model checkers: [`replay`] runs that failing
//!   execution again.
//!
//! A failure never ends the process: loom and shuttle run on the calling thread and their panics are
//! caught; the facade's `Arc` is std's, so a deadlock cannot abort the process as loom's own `Arc`
//! does. Reports serialize with serde ([`Report::to_json`]). For tests, [`expect_pass`],
//! [`expect_verdict`] and [`assert_verdict!`](crate::assert_verdict) print the whole report, trace
//! included, when the verdict is not the expected one.

mod assert;
mod panics;
mod render;

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::misuse;
use crate::sync::runtime::{LoomBounds, ShuttleScheduler};
use crate::sync::trace::{self, Recorder};
use crate::sync::{FLAVOUR, Flavour};

pub use self::assert::{IntoReport, expect_pass, expect_verdict};
pub use crate::sync::runtime::Unavailable;
pub use crate::sync::trace::{ThreadState, Trace, TraceEvent, TraceThread};

/// A way of running a body: which checker, and with it which flavour is required.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Checker {
    /// loom: exhaustive within a preemption bound (`--cfg loom`).
    Loom,
    /// shuttle with its random scheduler (`--cfg shuttle`).
    ShuttleRandom,
    /// shuttle with its PCT scheduler (`--cfg shuttle`).
    ShuttlePct,
    /// Real threads, many runs, a watchdog per run (std flavour).
    Stress,
}

impl Checker {
    /// Every checker, in report order.
    pub const ALL: [Checker; 4] = [
        Checker::Loom,
        Checker::ShuttleRandom,
        Checker::ShuttlePct,
        Checker::Stress,
    ];

    /// Returns the build flavour this checker runs in.
    pub fn flavour(self) -> Flavour {
        match self {
            Checker::Loom => Flavour::Loom,
            Checker::ShuttleRandom | Checker::ShuttlePct => Flavour::Shuttle,
            Checker::Stress => Flavour::Std,
        }
    }

    /// Returns the checkers available in the flavour this crate was built in.
    pub fn available() -> Vec<Checker> {
        Checker::ALL
            .into_iter()
            .filter(|c| c.flavour() == FLAVOUR)
            .collect()
    }

    /// Returns the checker's kebab-case name (`loom`, `shuttle-random`, `shuttle-pct`, `stress`).
    pub fn name(self) -> &'static str {
        match self {
            Checker::Loom => "loom",
            Checker::ShuttleRandom => "shuttle-random",
            Checker::ShuttlePct => "shuttle-pct",
            Checker::Stress => "stress",
        }
    }

    /// Runs `body` under this checker.
    pub fn run<F>(self, config: &Config, body: F) -> Result<Report, Unavailable>
    where
        F: Fn() + Send + Sync + 'static,
    {
        match self {
            Checker::Loom => loom(config, body),
            Checker::ShuttleRandom => shuttle_random(config, body),
            Checker::ShuttlePct => shuttle_pct(config, body),
            Checker::Stress => stress(config, body),
        }
    }
}

impl fmt::Display for Checker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// What a checker concluded about a body.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Verdict {
    /// No failure in any execution explored (see [`Report::complete`] for whether that was all).
    Pass,
    /// loom saw two unsynchronized accesses to a facade `UnsafeCell`, at least one a write.
    DataRace,
    /// An assertion or invariant in the body failed: a lost update, an order violation.
    Violation,
    /// Every thread, main included, was blocked.
    Deadlock,
    /// The body's main returned while a thread it spawned could never finish.
    Leak,
    /// One of Go's misuse panics (see [`crate::misuse`]).
    Misuse,
    /// Any other panic.
    Panic,
    /// Stress only: the watchdog fired; a deadlock or leak is suspected, not proved.
    Hang,
}

impl Verdict {
    /// Classifies a failure from its panic message.
    pub fn classify(message: &str) -> Verdict {
        if message.starts_with("deadlock") {
            Verdict::Deadlock
        } else if message.contains("Causality violation") {
            Verdict::DataRace
        } else if misuse::is_misuse(message) {
            Verdict::Misuse
        } else if message.starts_with("assertion") || message.starts_with(VIOLATION_PREFIX) {
            Verdict::Violation
        } else {
            Verdict::Panic
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// The prefix of a panic message that [`Verdict::classify`] reads as a [`Verdict::Violation`], besides
/// the standard `assert!` family.
pub const VIOLATION_PREFIX: &str = "violation: ";

/// Bounds and knobs for the drivers; each driver reads the fields that concern it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Config {
    /// loom: maximum preemptions per execution. Default: `LOOM_MAX_PREEMPTIONS`, else 3.
    pub preemptions: Option<usize>,
    /// loom: maximum executions before the run is cut (and reported incomplete).
    /// Default: `LOOM_MAX_PERMUTATIONS`, else unbounded.
    pub max_executions: Option<usize>,
    /// shuttle: schedules to run. Default: `RACEZOO_SHUTTLE_ITERATIONS`, else 1,000.
    pub iterations: usize,
    /// shuttle PCT: bug depth. Default 3.
    pub depth: usize,
    /// shuttle random: the scheduler's seed; `None` picks one.
    pub seed: Option<u64>,
    /// stress: runs of the body on real threads. Default: `RACEZOO_STRESS_RUNS`, else 200.
    pub runs: usize,
    /// stress: how long one run may take before it is declared a [`Verdict::Hang`]. Default 5 s.
    pub watchdog: Duration,
    /// Every driver: wall-time budget after which exploration stops and the report says
    /// `complete: false`. Default 120 s.
    pub time_budget: Duration,
}

impl Default for Config {
    fn default() -> Self {
        fn env<T: std::str::FromStr>(name: &str) -> Option<T> {
            std::env::var(name).ok().and_then(|v| v.parse().ok())
        }
        Config {
            preemptions: Some(env("LOOM_MAX_PREEMPTIONS").unwrap_or(3)),
            max_executions: env("LOOM_MAX_PERMUTATIONS"),
            iterations: env("RACEZOO_SHUTTLE_ITERATIONS").unwrap_or(1_000),
            depth: 3,
            seed: None,
            runs: env("RACEZOO_STRESS_RUNS").unwrap_or(200),
            watchdog: Duration::from_secs(5),
            time_budget: Duration::from_secs(120),
        }
    }
}

/// The outcome of one check.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The checker that ran.
    pub checker: Checker,
    /// The configuration it ran with.
    pub config: Config,
    /// What it concluded.
    pub verdict: Verdict,
    /// The failure's panic message (`None` for a pass).
    pub message: Option<String>,
    /// Where the failure panicked, as `file:line:col`, when known.
    pub location: Option<String>,
    /// Executions (loom), schedules (shuttle) or runs (stress) performed until the verdict.
    pub executions: u64,
    /// Wall time of the check.
    pub elapsed: Duration,
    /// `false` if exploration stopped at a bound (executions, time) rather than finishing or failing.
    pub complete: bool,
    /// How to run the failing execution again, when the checker offers it: pass it to [`replay`].
    pub replay: Option<String>,
    /// The threads that could not finish (Deadlock, Leak, Hang), each with the operation it was blocked
    /// in and where.
    #[serde(default)]
    pub blocked: Vec<Blocked>,
    /// The failing execution's events, per thread (`None` for a pass).
    #[serde(default)]
    pub trace: Option<Trace>,
}

/// A thread that could not finish, and where it was stuck.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Blocked {
    /// The thread's name in the trace (`main`, `t1`, …).
    pub thread: String,
    /// The operation it was blocked in (`lock`, `wait`, `join t1`, …), or `None` if it was not
    /// blocked in a facade operation (running, or blocked elsewhere).
    pub op: Option<String>,
    /// The object it was blocked on (`Mutex#2`).
    pub object: Option<String>,
    /// The source location of the blocking call, as `file:line`.
    pub location: Option<String>,
}

impl fmt::Display for Blocked {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.thread)?;
        match &self.op {
            Some(op) => write!(f, " blocked in {op}")?,
            None => write!(f, " not finished")?,
        }
        if let Some(object) = &self.object {
            write!(f, " {object}")?;
        }
        if let Some(location) = &self.location {
            write!(f, " at {location}")?;
        }
        Ok(())
    }
}

impl Report {
    /// Returns `true` for a [`Verdict::Pass`].
    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Pass
    }

    /// Returns the report as one line of JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).expect("a report always serializes")
    }

    fn new(checker: Checker, config: &Config) -> Report {
        Report {
            checker,
            config: config.clone(),
            verdict: Verdict::Pass,
            message: None,
            location: None,
            executions: 0,
            elapsed: Duration::ZERO,
            complete: true,
            replay: None,
            blocked: Vec::new(),
            trace: None,
        }
    }

    /// Fills in a failure seen by `recorder`: verdict, message, stuck threads and trace.
    fn fail(&mut self, message: String, location: Option<String>, recorder: &Recorder) {
        let trace = recorder.snapshot();
        let mut verdict = Verdict::classify(&message);
        // Both checkers call a leaked thread a deadlock. It is a leak if main had returned: the
        // facade saw it return, or loom lists it as terminated.
        if verdict == Verdict::Deadlock
            && (trace.main_returned || message.contains("(Id(0), Terminated)"))
        {
            verdict = Verdict::Leak;
        }
        let location = if matches!(verdict, Verdict::Deadlock | Verdict::Leak | Verdict::Hang) {
            self.blocked = stuck(&trace);
            // The checker's own assertion, not a line of the body: the stuck threads say where.
            None
        } else {
            // A line inside loom or shuttle (a causality violation, say) says nothing about the body;
            // the trace's last accesses do.
            location.filter(|l| !in_checker(l))
        };
        self.verdict = verdict;
        self.message = Some(message.trim_end().to_string());
        self.location = location;
        self.trace = Some(trace);
    }
}

/// Returns `true` if `location` is a line of the model checkers' own sources.
fn in_checker(location: &str) -> bool {
    ["/loom-", "/shuttle-", "/generator-", "/corosensei-"]
        .iter()
        .any(|c| location.contains(c) && location.contains("/registry/"))
}

/// Lists the threads of `trace` that did not finish, with where each one blocks.
fn stuck(trace: &Trace) -> Vec<Blocked> {
    trace
        .threads
        .iter()
        .filter(|t| t.state == ThreadState::Running)
        .map(|t| Blocked {
            thread: t.name.clone(),
            op: t.blocked.as_ref().map(|b| b.op.clone()),
            object: t.blocked.as_ref().and_then(|b| b.object.clone()),
            location: t.blocked.as_ref().and_then(|b| b.location.clone()),
        })
        .collect()
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} after {} execution{} in {:.2?}{}",
            self.checker,
            self.verdict,
            self.executions,
            if self.executions == 1 { "" } else { "s" },
            self.elapsed,
            if self.complete {
                ""
            } else {
                " (incomplete: a bound cut exploration)"
            },
        )?;
        if let Some(message) = &self.message {
            write!(f, "\n  message: {message}")?;
        }
        if let Some(location) = &self.location {
            write!(f, "\n  at: {location}")?;
        }
        for b in &self.blocked {
            write!(f, "\n  stuck: {b}")?;
        }
        if let Some(replay) = &self.replay {
            write!(f, "\n  replay: {replay}")?;
        }
        if let Some(trace) = &self.trace {
            write!(f, "\n{}", trace.render())?;
        }
        Ok(())
    }
}

/// Runs `body` under the flavour's native checker with the default [`Config`]: stress on std, loom
/// under loom, shuttle's random scheduler under shuttle.
pub fn run_default<F>(body: F) -> Report
where
    F: Fn() + Send + Sync + 'static,
{
    let checker = match FLAVOUR {
        Flavour::Std => Checker::Stress,
        Flavour::Loom => Checker::Loom,
        Flavour::Shuttle => Checker::ShuttleRandom,
    };
    checker
        .run(&Config::default(), body)
        .expect("the native checker of a flavour is always available")
}

/// Explores `body` exhaustively under loom within `config.preemptions`.
pub fn loom<F>(config: &Config, body: F) -> Result<Report, Unavailable>
where
    F: Fn() + Send + Sync + 'static,
{
    let bounds = LoomBounds {
        preemptions: config.preemptions,
        max_executions: config.max_executions,
        max_duration: Some(config.time_budget),
        location: false,
    };
    model_run(Checker::Loom, config, body, |body| {
        crate::sync::runtime::loom_explore(&bounds, body)
    })
}

/// Runs `body` under `config.iterations` schedules of shuttle's random scheduler.
pub fn shuttle_random<F>(config: &Config, body: F) -> Result<Report, Unavailable>
where
    F: Fn() + Send + Sync + 'static,
{
    let scheduler = ShuttleScheduler::Random {
        iterations: config.iterations,
        seed: config.seed,
    };
    model_run(Checker::ShuttleRandom, config, body, |body| {
        crate::sync::runtime::shuttle_run(&scheduler, body)
    })
}

/// Runs `body` under `config.iterations` schedules of shuttle's PCT scheduler at `config.depth`.
pub fn shuttle_pct<F>(config: &Config, body: F) -> Result<Report, Unavailable>
where
    F: Fn() + Send + Sync + 'static,
{
    let scheduler = ShuttleScheduler::Pct {
        iterations: config.iterations,
        depth: config.depth,
    };
    model_run(Checker::ShuttlePct, config, body, |body| {
        crate::sync::runtime::shuttle_run(&scheduler, body)
    })
}

/// Shared driver for the model checkers: counts executions, records each one's events, catches the
/// failure and classifies it.
fn model_run<F, R>(
    checker: Checker,
    config: &Config,
    body: F,
    runner: R,
) -> Result<Report, Unavailable>
where
    F: Fn() + Send + Sync + 'static,
    R: FnOnce(Box<dyn Fn() + Send + Sync>) -> Result<(), Unavailable>,
{
    if checker.flavour() != FLAVOUR {
        return Err(Unavailable {
            checker: checker.name(),
            built: FLAVOUR,
        });
    }
    let recorder = Recorder::new();
    let executions = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let budget = config.time_budget;
    let out_of_time = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let counted = {
        let executions = executions.clone();
        let recorder = recorder.clone();
        let out_of_time = out_of_time.clone();
        Box::new(move || {
            // shuttle has no time bound of its own: once the budget is spent, the remaining
            // executions return at once and the report says incomplete.
            if start.elapsed() >= budget {
                out_of_time.store(true, Ordering::Relaxed);
                return;
            }
            executions.fetch_add(1, Ordering::Relaxed);
            crate::sync::abandon::reset();
            recorder.begin_execution();
            let main = MainThread(&recorder);
            body();
            drop(main);
        })
    };
    let installed = trace::install(recorder.clone());
    let (outcome, captured) =
        panics::capture(|| catch_unwind(AssertUnwindSafe(|| runner(counted))));
    drop(installed);
    crate::sync::abandon::reset();
    let mut report = Report::new(checker, config);
    report.elapsed = start.elapsed();
    report.executions = executions.load(Ordering::Relaxed);
    match outcome {
        Ok(result) => {
            result?;
            let cut_by_count = checker == Checker::Loom
                && config
                    .max_executions
                    .is_some_and(|max| report.executions >= max as u64);
            report.complete = !cut_by_count
                && !out_of_time.load(Ordering::Relaxed)
                && report.elapsed < config.time_budget;
        }
        Err(payload) if checker == Checker::ShuttlePct && is_pct_without_choice(&recorder) => {
            // shuttle's PCT refuses a body whose first execution had no scheduling choice to make;
            // that execution passed, and it was the only one there is.
            drop(payload);
            report.complete = !out_of_time.load(Ordering::Relaxed);
        }
        Err(payload) => {
            let first = recorder
                .panics()
                .into_iter()
                .next()
                .map(|p| (p.message, p.location))
                .or_else(|| captured.into_iter().next().map(|p| (p.message, p.location)))
                .unwrap_or_else(|| (panics::payload_message(payload.as_ref()), None));
            report.fail(first.0, first.1, &recorder);
            report.replay = match checker {
                Checker::Loom => Some(format!(
                    "loom:preemptions={}:execution={}",
                    config
                        .preemptions
                        .map_or_else(|| "default".to_string(), |p| p.to_string()),
                    report.executions
                )),
                _ => crate::sync::runtime::last_schedule().map(|s| format!("{checker}:{s}")),
            };
        }
    }
    Ok(report)
}

/// Returns `true` if the check's only panic is shuttle PCT's refusal of a body without concurrency.
fn is_pct_without_choice(recorder: &Recorder) -> bool {
    let panics = recorder.panics();
    panics.len() == 1 && panics[0].message == "test closure did not exercise any concurrency"
}

/// Marks the execution's main thread as returned (or panicked) when the body ends.
struct MainThread<'a>(&'a Recorder);

impl Drop for MainThread<'_> {
    fn drop(&mut self) {
        self.0.main_returned(std::thread::panicking());
    }
}

/// Why [`replay`] could not run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplayError {
    /// The handle's checker is not in this build's flavour.
    Unavailable(Unavailable),
    /// The handle is not one that a report gives.
    Malformed(String),
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayError::Unavailable(u) => u.fmt(f),
            ReplayError::Malformed(h) => write!(f, "not a replay handle: {h:?}"),
        }
    }
}

impl std::error::Error for ReplayError {}

impl From<Unavailable> for ReplayError {
    fn from(u: Unavailable) -> Self {
        ReplayError::Unavailable(u)
    }
}

/// Runs the failing execution named by `handle` (a [`Report::replay`]) again, and reports what it
/// finds; with the same body that is the same verdict.
///
/// A shuttle handle (`shuttle-random:…`, `shuttle-pct:…`) is the failing schedule itself: one
/// execution replays it. loom has no replayable schedule (its checkpoint file does not load back,
/// loom #425), but its exploration is deterministic: a loom handle names the preemption bound and the
/// index of the failing execution, and replaying explores exactly up to that execution.
pub fn replay<F>(handle: &str, body: F) -> Result<Report, ReplayError>
where
    F: Fn() + Send + Sync + 'static,
{
    let malformed = || ReplayError::Malformed(handle.to_string());
    let (checker, rest) = handle.split_once(':').ok_or_else(malformed)?;
    match checker {
        "loom" => {
            let rest = rest.strip_prefix("preemptions=").ok_or_else(malformed)?;
            let (preemptions, execution) = rest.split_once(":execution=").ok_or_else(malformed)?;
            let preemptions = match preemptions {
                "default" => None,
                p => Some(p.parse().map_err(|_| malformed())?),
            };
            let execution: usize = execution.parse().map_err(|_| malformed())?;
            let config = Config {
                preemptions,
                max_executions: Some(execution),
                ..Config::default()
            };
            Ok(loom(&config, body)?)
        }
        "shuttle-random" | "shuttle-pct" => {
            let checker = if checker == "shuttle-random" {
                Checker::ShuttleRandom
            } else {
                Checker::ShuttlePct
            };
            let scheduler = ShuttleScheduler::Replay {
                schedule: rest.to_string(),
            };
            let config = Config {
                iterations: 1,
                ..Config::default()
            };
            Ok(model_run(checker, &config, body, |body| {
                crate::sync::runtime::shuttle_run(&scheduler, body)
            })?)
        }
        _ => Err(malformed()),
    }
}

/// Runs `body` `config.runs` times on real threads, each run under a watchdog of `config.watchdog`.
///
/// A run ends when its main has returned and every thread it spawned through the facade has finished.
/// A run that does not end within its watchdog is reported as [`Verdict::Hang`], with the threads
/// still blocked and where; they are left behind (blocked forever, by hypothesis) and the process
/// stays usable. A panic that escapes any thread of a run (main or spawned) is the run's failure (one
/// that the body catches is not), classified like the model checkers' panics.
pub fn stress<F>(config: &Config, body: F) -> Result<Report, Unavailable>
where
    F: Fn() + Send + Sync + 'static,
{
    if FLAVOUR != Flavour::Std {
        return Err(Unavailable {
            checker: Checker::Stress.name(),
            built: FLAVOUR,
        });
    }
    panics::install_hook();
    let body = Arc::new(body);
    let start = Instant::now();
    let mut report = Report::new(Checker::Stress, config);
    for run in 0..config.runs {
        if start.elapsed() >= config.time_budget {
            report.complete = false;
            break;
        }
        report.executions += 1;
        let recorder = Recorder::new();
        let deadline = Instant::now() + config.watchdog;
        let spawned = {
            let body = body.clone();
            let recorder = recorder.clone();
            std::thread::Builder::new()
                .name(format!("racezoo-stress-{run}"))
                .spawn(move || {
                    let _installed = trace::install(recorder.clone());
                    recorder.begin_execution();
                    // A panic is recorded by the hook (it is the run's failure) and not printed.
                    let outcome = catch_unwind(AssertUnwindSafe(|| body()));
                    recorder.main_returned(outcome.is_err());
                })
        };
        if let Err(e) = spawned {
            report.verdict = Verdict::Panic;
            report.message = Some(format!("cannot spawn a stress thread: {e}"));
            break;
        }
        let finished = recorder.wait_finished(deadline);
        if let Some(first) = recorder.panics().into_iter().next() {
            report.fail(first.message, first.location, &recorder);
            report.replay = None;
            break;
        }
        if !finished {
            recorder.freeze();
            let message = if recorder.main_has_returned() {
                format!(
                    "run {run}: main returned but {} spawned thread(s) did not finish within the {:?} \
                     watchdog (a leak is suspected); they are left behind",
                    recorder.unfinished(),
                    config.watchdog
                )
            } else {
                format!(
                    "run {run} did not finish within the {:?} watchdog (a deadlock is suspected); its \
                     threads are left behind",
                    config.watchdog
                )
            };
            report.fail(message, None, &recorder);
            report.verdict = Verdict::Hang;
            report.blocked = report.trace.as_ref().map(stuck).unwrap_or_default();
            break;
        }
    }
    report.elapsed = start.elapsed();
    Ok(report)
}
