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

mod panics;

use std::fmt;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

use crate::misuse;
use crate::sync::runtime::{LoomBounds, ShuttleScheduler};
use crate::sync::{FLAVOUR, Flavour};

pub use crate::sync::runtime::Unavailable;

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
    /// How to run the failing execution again, when the checker offers it.
    pub replay: Option<String>,
}

impl Report {
    /// Returns `true` for a [`Verdict::Pass`].
    pub fn passed(&self) -> bool {
        self.verdict == Verdict::Pass
    }
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
        if let Some(replay) = &self.replay {
            write!(f, "\n  replay: {replay}")?;
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

/// Shared driver for the model checkers: counts executions, catches the failure and classifies it.
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
    let executions = Arc::new(AtomicU64::new(0));
    let counted = {
        let executions = executions.clone();
        Box::new(move || {
            executions.fetch_add(1, Ordering::Relaxed);
            body();
        })
    };
    let start = Instant::now();
    let (outcome, captured) =
        panics::capture(|| catch_unwind(AssertUnwindSafe(|| runner(counted))));
    let elapsed = start.elapsed();
    let executions = executions.load(Ordering::Relaxed);
    let mut report = Report {
        checker,
        config: config.clone(),
        verdict: Verdict::Pass,
        message: None,
        location: None,
        executions,
        elapsed,
        complete: true,
        replay: None,
    };
    match outcome {
        Ok(result) => {
            result?;
            let cut_by_count = checker == Checker::Loom
                && config
                    .max_executions
                    .is_some_and(|max| executions >= max as u64);
            report.complete = !cut_by_count && elapsed < config.time_budget;
        }
        Err(payload) => {
            let first = captured.into_iter().next();
            let message = first
                .as_ref()
                .map(|p| p.message.clone())
                .unwrap_or_else(|| panics::payload_message(payload.as_ref()));
            report.verdict = Verdict::classify(&message);
            report.location = first.and_then(|p| p.location);
            report.message = Some(message);
        }
    }
    Ok(report)
}

/// Runs `body` `config.runs` times on real threads, each run under a watchdog of `config.watchdog`.
///
/// A run that outlives its watchdog is reported as [`Verdict::Hang`]; its thread is left behind
/// (blocked forever, by hypothesis) and the process stays usable.
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
    let body = Arc::new(body);
    let start = Instant::now();
    let mut report = Report {
        checker: Checker::Stress,
        config: config.clone(),
        verdict: Verdict::Pass,
        message: None,
        location: None,
        executions: 0,
        elapsed: Duration::ZERO,
        complete: true,
        replay: None,
    };
    for run in 0..config.runs {
        if start.elapsed() >= config.time_budget {
            report.complete = false;
            break;
        }
        report.executions += 1;
        let (tx, rx) = std::sync::mpsc::channel();
        let body = body.clone();
        std::thread::Builder::new()
            .name(format!("racezoo-stress-{run}"))
            .spawn(move || {
                let (outcome, captured) =
                    panics::capture(|| catch_unwind(AssertUnwindSafe(|| body())));
                let failure = outcome.err().map(|payload| {
                    captured
                        .into_iter()
                        .next()
                        .unwrap_or_else(|| panics::Captured {
                            message: panics::payload_message(payload.as_ref()),
                            location: None,
                        })
                });
                let _ = tx.send(failure);
            })
            .expect("spawning a stress thread");
        match rx.recv_timeout(config.watchdog) {
            Ok(None) => {}
            Ok(Some(failure)) => {
                report.verdict = Verdict::classify(&failure.message);
                report.message = Some(failure.message);
                report.location = failure.location;
                break;
            }
            Err(_) => {
                report.verdict = Verdict::Hang;
                report.message = Some(format!(
                    "run {run} did not finish within the {:?} watchdog; its threads are left behind",
                    config.watchdog
                ));
                break;
            }
        }
    }
    report.elapsed = start.elapsed();
    Ok(report)
}
