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
//! does. With the `serde` feature, reports serialize (`Report::to_json`). For tests, [`expect_pass`],
//! [`expect_verdict`] and [`assert_verdict!`](crate::assert_verdict) print the whole report, trace
//! included, when the verdict is not the expected one.

mod assert;
mod classify;
mod panics;
mod render;
mod replay;
mod view;

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use self::classify::Meaning;
use crate::sync::runtime::{LoomBounds, ShuttleScheduler};
use crate::sync::trace::{self, Escape, Recorder};
use crate::sync::{FLAVOUR, Flavour};

pub use self::assert::{IntoReport, expect_pass, expect_verdict};
pub use self::render::Ending;
pub use self::replay::{IntoHandle, ReplayError, ReplayHandle};
pub(crate) use self::view::relative;
pub use self::view::{ThreadState, Trace, TraceEvent, TraceThread};
pub use crate::sync::runtime::Unavailable;

/// A way of running a body: which checker, and with it which flavour is required.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "kebab-case"))]
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
    pub fn run<F>(self, config: &Config, body: F) -> Result<Report, CheckError>
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
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self, f)
    }
}

/// The prefix of a body's panic message that the harness reads as a [`Verdict::Violation`], besides
/// the standard `assert!` family.
pub const VIOLATION_PREFIX: &str = "violation: ";

/// Bounds and knobs for the drivers; each driver reads the fields that concern it.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Config {
    /// loom: maximum preemptions per execution. Default: `LOOM_MAX_PREEMPTIONS`, else 2 (most
    /// concurrency bugs need at most two, and each more multiplies the executions).
    pub preemptions: Option<usize>,
    /// loom: maximum executions before the run is cut (and reported incomplete).
    /// Default: `LOOM_MAX_PERMUTATIONS`, else unbounded.
    pub max_executions: Option<usize>,
    /// shuttle: schedules to run. Default: `RACEZOO_SHUTTLE_ITERATIONS`, else 1,000.
    pub iterations: usize,
    /// shuttle PCT: bug depth. Default 3.
    pub depth: usize,
    /// shuttle (random and PCT): the scheduler's seed. `None` picks one from the OS, and the report's
    /// config says which, so that the same config runs the same schedules again.
    pub seed: Option<u64>,
    /// stress: runs of the body on real threads. Default: `RACEZOO_STRESS_RUNS`, else 200.
    pub runs: usize,
    /// stress: how long one run may take before it is declared a [`Verdict::Hang`]. Default 5 s.
    pub watchdog: Duration,
    /// Every driver: wall-time budget after which exploration stops and the report says
    /// `complete: false` (checked before each execution or run). Default: none
    /// (`Duration::MAX`): exploration is bounded by preemptions, executions, iterations and runs, so
    /// that no verdict depends on how fast the machine is. Set one for interactive use.
    pub time_budget: Duration,
}

/// The environment variables [`Config::from_env`] reads, each a whole number.
pub const CONFIG_ENV: [&str; 4] = [
    "LOOM_MAX_PREEMPTIONS",
    "LOOM_MAX_PERMUTATIONS",
    "RACEZOO_SHUTTLE_ITERATIONS",
    "RACEZOO_STRESS_RUNS",
];

/// An environment variable that [`Config::from_env`] cannot use.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    /// The variable.
    pub name: &'static str,
    /// Its value.
    pub value: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}={:?} is not a whole number; set it to one (or unset it for the default)",
            self.name, self.value
        )
    }
}

impl std::error::Error for ConfigError {}

impl Config {
    /// The defaults, with the bounds that the environment sets ([`CONFIG_ENV`]); a variable that is
    /// set but is not a whole number is an error, never silently the default.
    pub fn from_env() -> Result<Config, ConfigError> {
        Config::from_lookup(|name| std::env::var(name).ok())
    }

    /// [`Config::from_env`] with the variables looked up by `lookup`.
    fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Config, ConfigError> {
        let env = |name: &'static str| -> Result<Option<usize>, ConfigError> {
            match lookup(name) {
                None => Ok(None),
                Some(value) => value
                    .trim()
                    .parse()
                    .map(Some)
                    .map_err(|_| ConfigError { name, value }),
            }
        };
        Ok(Config {
            preemptions: Some(env("LOOM_MAX_PREEMPTIONS")?.unwrap_or(2)),
            max_executions: env("LOOM_MAX_PERMUTATIONS")?,
            iterations: env("RACEZOO_SHUTTLE_ITERATIONS")?.unwrap_or(1_000),
            depth: 3,
            seed: None,
            runs: env("RACEZOO_STRESS_RUNS")?.unwrap_or(200),
            watchdog: Duration::from_secs(5),
            time_budget: Duration::MAX,
        })
    }
}

#[cfg(test)]
mod config_tests {
    use super::*;

    #[test]
    fn a_bound_that_is_not_a_number_is_an_error_naming_it() {
        let err = Config::from_lookup(|n| (n == "RACEZOO_STRESS_RUNS").then(|| "lots".into()))
            .unwrap_err();
        assert_eq!(err.name, "RACEZOO_STRESS_RUNS");
        assert!(
            err.to_string().contains("\"lots\" is not a whole number"),
            "{err}"
        );
    }

    #[test]
    fn bounds_come_from_the_environment_or_the_defaults() {
        let c =
            Config::from_lookup(|n| (n == "LOOM_MAX_PREEMPTIONS").then(|| " 3 ".into())).unwrap();
        assert_eq!(c.preemptions, Some(3));
        assert_eq!(c.runs, 200);
        assert_eq!(c.time_budget, Duration::MAX);
    }
}

/// [`Config::from_env`].
///
/// # Panics
///
/// Panics with [`ConfigError`]'s one line if a bound in the environment is not a whole number (a
/// silent default would run a different check than the one asked for).
impl Default for Config {
    #[track_caller]
    fn default() -> Self {
        Config::from_env().unwrap_or_else(|e| panic!("{e}"))
    }
}

/// The outcome of one check.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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
    pub replay: Option<ReplayHandle>,
    /// The threads that could not finish (Deadlock, Leak, Hang), each with the operation it was blocked
    /// in and where.
    #[cfg_attr(feature = "serde", serde(default))]
    pub blocked: Vec<Blocked>,
    /// The failing execution's events, per thread (`None` for a pass).
    #[cfg_attr(feature = "serde", serde(default))]
    pub trace: Option<Trace>,
}

/// A thread that could not finish, and where it was stuck.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
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

    /// Returns the report as one line of JSON (with the `serde` feature).
    #[cfg(feature = "serde")]
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
    fn fail(
        &mut self,
        verdict: Verdict,
        message: String,
        location: Option<String>,
        recorder: &Recorder,
    ) {
        let trace = Trace::from(recorder.snapshot());
        let mut verdict = verdict;
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
            location
                .filter(|l| !classify::in_checker(l))
                .map(|l| view::relative(&l))
        };
        self.verdict = verdict;
        self.message = Some(message.trim_end().to_string());
        self.location = location;
        self.trace = Some(trace);
    }
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
///
/// # Panics
///
/// Panics with the checker's explanation if the checker cannot judge the body at all (a limit of
/// its own, such as loom's thread limit, see [`CheckError`]).
#[track_caller]
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
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Why a driver returned no report: the checker is not in this build, or it could not judge the
/// body (a limit of its own). Neither is a verdict on the body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckError {
    /// The checker is not compiled into this flavour.
    Unavailable(Unavailable),
    /// The body exceeds a limit of the checker; the message names the limit.
    Limit(String),
}

impl fmt::Display for CheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CheckError::Unavailable(u) => u.fmt(f),
            CheckError::Limit(m) => write!(f, "the checker cannot judge this body: {m}"),
        }
    }
}

impl std::error::Error for CheckError {}

impl From<Unavailable> for CheckError {
    fn from(u: Unavailable) -> Self {
        CheckError::Unavailable(u)
    }
}

/// Explores `body` exhaustively under loom within `config.preemptions`.
pub fn loom<F>(config: &Config, body: F) -> Result<Report, CheckError>
where
    F: Fn() + Send + Sync + 'static,
{
    let bounds = LoomBounds {
        preemptions: config.preemptions,
        max_executions: config.max_executions,
        max_duration: (config.time_budget != Duration::MAX).then_some(config.time_budget),
        location: false,
    };
    let report = model_run(Checker::Loom, config, body, move |body| {
        crate::sync::runtime::loom_explore(&bounds, body)
    })?;
    report.map_err(|e| e.into_check_error())
}

/// Runs `body` under `config.iterations` schedules of shuttle's random scheduler.
pub fn shuttle_random<F>(config: &Config, body: F) -> Result<Report, CheckError>
where
    F: Fn() + Send + Sync + 'static,
{
    let config = &with_seed(config);
    let scheduler = ShuttleScheduler::Random {
        iterations: config.iterations,
        seed: config.seed.unwrap_or_default(),
    };
    let report = model_run(Checker::ShuttleRandom, config, body, move |body| {
        crate::sync::runtime::shuttle_run(&scheduler, body)
    })?;
    report.map_err(|e| e.into_check_error())
}

/// Runs `body` under `config.iterations` schedules of shuttle's PCT scheduler at `config.depth`.
pub fn shuttle_pct<F>(config: &Config, body: F) -> Result<Report, CheckError>
where
    F: Fn() + Send + Sync + 'static,
{
    let config = &with_seed(config);
    let scheduler = ShuttleScheduler::Pct {
        iterations: config.iterations,
        depth: config.depth,
        seed: config.seed.unwrap_or_default(),
    };
    let report = model_run(Checker::ShuttlePct, config, body, move |body| {
        crate::sync::runtime::shuttle_run(&scheduler, body)
    })?;
    report.map_err(|e| e.into_check_error())
}

/// Returns `config` with a seed: its own, or a fresh one from the OS.
fn with_seed(config: &Config) -> Config {
    use std::hash::{BuildHasher, Hasher};
    let mut config = config.clone();
    config.seed = Some(config.seed.unwrap_or_else(|| {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(0x5EED);
        h.finish()
    }));
    config
}

/// What a model run found besides a report: the checker could not judge the body, or a replayed
/// schedule did not fit it.
enum ModelError {
    Limit(String),
    DoesNotFit(String),
}

impl ModelError {
    fn into_check_error(self) -> CheckError {
        match self {
            ModelError::Limit(m) => CheckError::Limit(m),
            // Only a replay runs a given schedule; anything else that does not fit is a limit.
            ModelError::DoesNotFit(m) => CheckError::Limit(m),
        }
    }
}

/// The payload with which the driver stops loom once the time budget is spent (checked at the start
/// of each execution).
struct BudgetSpent;

/// What the checking thread sends back.
struct Outcome {
    /// The runner's result, or the payload of the panic that ended it.
    result: std::thread::Result<Result<(), Unavailable>>,
    /// The runner-level panic, described on the checking thread (where the hook noted it).
    described: Option<Escape>,
    /// The last schedule shuttle ran on the checking thread.
    schedule: Option<String>,
}

/// Shared driver for the model checkers: counts executions, records each one's events, catches the
/// failure and classifies it by who raised it.
///
/// The checker runs on a fresh OS thread of its own, so that nothing a run leaves in thread-local
/// state (a checker's, or a half-finished unwind) can change a later check on the caller's thread.
fn model_run<F, R>(
    checker: Checker,
    config: &Config,
    body: F,
    runner: R,
) -> Result<Result<Report, ModelError>, Unavailable>
where
    F: Fn() + Send + Sync + 'static,
    R: FnOnce(Box<dyn Fn() + Send + Sync>) -> Result<(), Unavailable> + Send + 'static,
{
    if checker.flavour() != FLAVOUR {
        return Err(Unavailable {
            checker: checker.name(),
            built: FLAVOUR,
        });
    }
    panics::install_hook();
    let recorder = Recorder::new();
    let executions = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let budget = config.time_budget;
    let out_of_time = Arc::new(AtomicBool::new(false));
    let counted = {
        let executions = executions.clone();
        let recorder = recorder.clone();
        let out_of_time = out_of_time.clone();
        Box::new(move || {
            if start.elapsed() >= budget {
                out_of_time.store(true, Ordering::Relaxed);
                if checker == Checker::Loom {
                    // loom checks its own time limit only between executions it has already
                    // planned; stop it here, before this execution touches anything.
                    std::panic::panic_any(BudgetSpent);
                }
                // shuttle: the remaining executions return at once.
                return;
            }
            executions.fetch_add(1, Ordering::Relaxed);
            crate::sync::abandon::reset();
            recorder.begin_execution();
            match catch_unwind(AssertUnwindSafe(&body)) {
                Ok(()) => recorder.main_returned(false),
                Err(payload) => {
                    trace::escaping(&recorder, payload.as_ref());
                    recorder.main_returned(true);
                    // The checker ends the execution on this panic and tears the rest down, some of
                    // it outside the execution: nothing may call into it any more.
                    crate::sync::abandon::mark();
                    resume_unwind(payload);
                }
            }
        }) as Box<dyn Fn() + Send + Sync>
    };
    let checking = {
        let recorder = recorder.clone();
        std::thread::Builder::new()
            .name(format!("racezoo-{}", checker.name()))
            .spawn(move || {
                let installed = trace::install(recorder);
                let result = catch_unwind(AssertUnwindSafe(|| runner(counted)));
                let described = result
                    .as_ref()
                    .err()
                    .map(|payload| trace::describe(payload.as_ref()));
                let schedule = crate::sync::runtime::last_schedule();
                drop(installed);
                crate::sync::abandon::reset();
                Outcome {
                    result,
                    described,
                    schedule,
                }
            })
    };
    let mut report = Report::new(checker, config);
    let outcome = match checking.map(|t| t.join()) {
        Ok(Ok(outcome)) => outcome,
        // The checking thread could not start, or died outside the runner: say so, as a panic.
        Ok(Err(payload)) => Outcome {
            described: Some(trace::describe(payload.as_ref())),
            result: Err(payload),
            schedule: None,
        },
        Err(e) => {
            report.verdict = Verdict::Panic;
            report.message = Some(format!("cannot start the checking thread: {e}"));
            return Ok(Ok(report));
        }
    };
    report.elapsed = start.elapsed();
    report.executions = executions.load(Ordering::Relaxed);
    let cut_by_time = out_of_time.load(Ordering::Relaxed) || report.elapsed >= config.time_budget;
    match outcome.result {
        Ok(result) => {
            result?;
            let cut_by_count = checker == Checker::Loom
                && config
                    .max_executions
                    .is_some_and(|max| report.executions >= max as u64);
            report.complete = !cut_by_count && !cut_by_time;
        }
        Err(payload) if payload.is::<BudgetSpent>() => report.complete = false,
        Err(_) => {
            // The first panic that escaped a thread of the failing execution; else the one that
            // ended the runner (shuttle raises its deadlock report outside every thread).
            let failure = recorder
                .escapes()
                .into_iter()
                .next()
                .or(outcome.described)
                .expect("a failed run has a panic");
            match classify::classify(&failure) {
                Meaning::Verdict(verdict) => {
                    report.fail(verdict, failure.message, failure.location, &recorder);
                    report.replay = match checker {
                        Checker::Loom => Some(ReplayHandle::Loom {
                            preemptions: config.preemptions,
                            execution: report.executions,
                        }),
                        _ => outcome
                            .schedule
                            .map(|schedule| ReplayHandle::Shuttle { checker, schedule }),
                    };
                }
                // shuttle's PCT refuses a body whose first execution had no scheduling choice to
                // make; that execution passed, and it was the only one there is.
                Meaning::NoConcurrency => report.complete = !cut_by_time,
                Meaning::Limit(m) => return Ok(Err(ModelError::Limit(m))),
                Meaning::ScheduleMismatch(m) => return Ok(Err(ModelError::DoesNotFit(m))),
            }
        }
    }
    Ok(Ok(report))
}

/// Runs the failing execution named by `handle` (a [`Report::replay`], or its printed form) again,
/// and reports what it finds; with the same body that is the same verdict and trace.
///
/// A shuttle handle is the failing schedule itself: one execution replays it. A schedule recorded on
/// another body is a [`ReplayError::DoesNotFit`], and leaves nothing behind that changes a later
/// check. loom has no replayable schedule (its checkpoint file does not load back, loom #425), but
/// its exploration is deterministic: a loom handle names the preemption bound and the index of the
/// failing execution, and replaying explores exactly up to that execution. With a fixed body a
/// replay is a [`Verdict::Pass`] over those executions.
pub fn replay<H, F>(handle: H, body: F) -> Result<Report, ReplayError>
where
    H: IntoHandle,
    F: Fn() + Send + Sync + 'static,
{
    let handle = handle.into_handle()?;
    match &handle {
        ReplayHandle::Loom {
            preemptions,
            execution,
        } => {
            let config = Config {
                preemptions: *preemptions,
                max_executions: Some(usize::try_from(*execution).unwrap_or(usize::MAX)),
                time_budget: Duration::MAX,
                ..Config::default()
            };
            Ok(loom(&config, body)?)
        }
        ReplayHandle::Shuttle { checker, schedule } => {
            let scheduler = ShuttleScheduler::Replay {
                schedule: schedule.clone(),
            };
            let config = Config {
                iterations: 1,
                time_budget: Duration::MAX,
                ..Config::default()
            };
            match model_run(*checker, &config, body, move |body| {
                crate::sync::runtime::shuttle_run(&scheduler, body)
            })? {
                Ok(report) => Ok(report),
                Err(ModelError::DoesNotFit(why)) => Err(ReplayError::DoesNotFit {
                    handle: handle.to_string(),
                    why,
                }),
                Err(ModelError::Limit(m)) => Err(ReplayError::Check(CheckError::Limit(m))),
            }
        }
    }
}

/// Runs `body` `config.runs` times on real threads, each run under a watchdog of `config.watchdog`.
///
/// A run ends when its main has returned and every thread it spawned through the facade has finished.
/// A run that does not end within its watchdog is reported as [`Verdict::Hang`], with the threads
/// still blocked and where; they are left behind (blocked forever, by hypothesis) and the process
/// stays usable. A panic that escapes any thread of a run (main or spawned) is the run's failure;
/// one that the code under test catches is not, and neither is a panic of a thread left behind by an
/// earlier run or check.
pub fn stress<F>(config: &Config, body: F) -> Result<Report, CheckError>
where
    F: Fn() + Send + Sync + 'static,
{
    if FLAVOUR != Flavour::Std {
        return Err(Unavailable {
            checker: Checker::Stress.name(),
            built: FLAVOUR,
        }
        .into());
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
                    let outcome = catch_unwind(AssertUnwindSafe(|| body()));
                    if let Err(payload) = &outcome {
                        trace::escaping(&recorder, payload.as_ref());
                    }
                    recorder.main_returned(outcome.is_err());
                })
        };
        if let Err(e) = spawned {
            report.verdict = Verdict::Panic;
            report.message = Some(format!("cannot spawn a stress thread: {e}"));
            break;
        }
        let finished = recorder.wait_finished(deadline);
        if let Some(failure) = recorder.escapes().into_iter().next() {
            let verdict = match classify::classify(&failure) {
                Meaning::Verdict(v) => v,
                _ => Verdict::Panic,
            };
            report.fail(verdict, failure.message, failure.location, &recorder);
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
            report.fail(Verdict::Hang, message, None, &recorder);
            report.blocked = report.trace.as_ref().map(stuck).unwrap_or_default();
            break;
        }
    }
    report.elapsed = start.elapsed();
    Ok(report)
}
