//! [`Suite`]: runs the checks on a pool at each [`Shape`] under every checker of the build flavour,
//! and turns the checkers' reports into [`CheckResult`]s.

use std::time::{Duration, Instant};

use super::{Check, CheckResult, Outcome, Params, Shape, Skip, SuitePool, SuiteReport, workload};
use crate::check::{self, Checker, Config, Report, Verdict};
use crate::sync::{FLAVOUR, Flavour};

/// Stress runs per check and shape on real threads unless `RACEZOO_STRESS_RUNS` says otherwise:
/// enough for the racing checks to meet their windows on a loaded 2-core machine (shuttle finds
/// the same bugs in its first hundreds of schedules).
pub const DEFAULT_STRESS_RUNS: usize = 20;

/// Loom executions per check and shape unless `LOOM_MAX_PERMUTATIONS` says otherwise. At 2
/// preemptions every check on `WorkerPool` explores completely within it (measured on the 2-core
/// machine: the largest, `join_after_panic`, takes 169,467 executions over its two shapes,
/// `concurrent_joiners` 126,111, `contended_slot` 123,745; the whole suite about two minutes), and
/// each mutant is found within a few thousand. At 3 preemptions the larger checks are cut here,
/// and the report says so.
pub const DEFAULT_LOOM_EXECUTIONS: usize = 200_000;

/// How the suite runs: the workload size, the pool shapes and the checkers' bounds.
#[derive(Clone, Debug)]
pub struct Suite {
    /// The workload each check uses (its `workers` and `capacity` are set from each shape).
    pub params: Params,
    /// The pool shapes every check runs at, in order; the first failing shape decides.
    pub shapes: Vec<Shape>,
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

/// One pool in a list given to [`Suite::run_all`]: its name and its type, as a function.
#[derive(Clone, Copy)]
pub struct Entry {
    /// The pool's name in the report.
    pub name: &'static str,
    run: fn(&Suite, &str) -> SuiteReport,
}

impl Entry {
    /// Names pool type `P`.
    pub fn of<P: SuitePool>(name: &'static str) -> Self {
        Entry {
            name,
            run: |suite, name| suite.run::<P>(name),
        }
    }
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Entry").field("name", &self.name).finish()
    }
}

impl Suite {
    /// Creates the suite with every check, the shapes and sizes of the build flavour
    /// ([`Params::for_flavour`], [`Params::shapes_for_flavour`]) and its bounds:
    /// [`DEFAULT_STRESS_RUNS`] runs per check and shape (unless `RACEZOO_STRESS_RUNS` says
    /// otherwise) under a 10 s watchdog on std (timed waits inside a check give up after 2 s, so a slow machine is not a failure); loom at its preemption bound and at most
    /// [`DEFAULT_LOOM_EXECUTIONS`] executions per check and shape (unless `LOOM_MAX_PERMUTATIONS`
    /// says otherwise; a cut exploration is marked in the report), 1,000 schedules per shuttle
    /// scheduler (unless `RACEZOO_SHUTTLE_ITERATIONS` says otherwise).
    pub fn new() -> Self {
        let from_env = Config::default();
        let runs = if std::env::var_os("RACEZOO_STRESS_RUNS").is_some() {
            from_env.runs
        } else {
            DEFAULT_STRESS_RUNS
        };
        let mut config = Config {
            runs,
            watchdog: Duration::from_secs(10),
            ..from_env
        };
        if FLAVOUR == Flavour::Loom {
            config.max_executions = Some(config.max_executions.unwrap_or(DEFAULT_LOOM_EXECUTIONS));
        }
        Suite {
            params: Params::for_flavour(),
            shapes: Params::shapes_for_flavour(),
            config,
            checks: Check::ALL.to_vec(),
        }
    }

    /// Restricts the suite to `checks`.
    pub fn with_checks(mut self, checks: &[Check]) -> Self {
        self.checks = checks.to_vec();
        self
    }

    /// Restricts the suite to `shapes`.
    pub fn with_shapes(mut self, shapes: &[Shape]) -> Self {
        self.shapes = shapes.to_vec();
        self
    }

    /// Returns why `P` cannot run in this build at all (a pool on std threads under a model
    /// checker), if so.
    pub fn not_runnable<P: SuitePool>() -> Option<String> {
        (FLAVOUR != Flavour::Std && !P::CLAIMS.facade).then(|| {
            format!(
                "not run: this pool uses std threads, which {FLAVOUR} cannot see (no \
                 `Claims::facade`); run it in the std flavour"
            )
        })
    }

    /// Runs every check on `P` in this process, under every checker of the build flavour.
    pub fn run<P: SuitePool>(&self, name: &str) -> SuiteReport {
        let note = Self::not_runnable::<P>();
        let results = if note.is_some() {
            Vec::new()
        } else {
            self.checks
                .iter()
                .map(|&c| self.run_check::<P>(c))
                .collect()
        };
        SuiteReport {
            pool: name.to_string(),
            flavour: FLAVOUR,
            results,
            note,
        }
    }

    /// Runs the suite on every pool of `pools`, in order.
    pub fn run_all(&self, pools: &[Entry]) -> Vec<SuiteReport> {
        pools.iter().map(|e| (e.run)(self, e.name)).collect()
    }

    /// Returns the skip row for `check` if `P` does not declare a capability it needs.
    pub(crate) fn undeclared<P: SuitePool>(&self, check: Check) -> Option<CheckResult> {
        let missing: Vec<_> = check
            .requires()
            .iter()
            .filter(|c| !P::CLAIMS.has(**c))
            .map(|c| format!("`Claims::{c}`"))
            .collect();
        (!missing.is_empty()).then(|| CheckResult {
            check,
            outcome: Outcome::Skip,
            verdict: None,
            reason: format!(
                "needs {} which the pool does not declare",
                missing.join(" and ")
            ),
            elapsed: Duration::ZERO,
        })
    }

    /// Runs one check on `P` in this process, at every shape, under every checker of the build
    /// flavour; the first failure decides. Skipped (with the reason) if `P` lacks a capability
    /// the check needs.
    pub fn run_check<P: SuitePool>(&self, check: Check) -> CheckResult {
        if let Some(skip) = self.undeclared::<P>(check) {
            return skip;
        }
        let start = Instant::now();
        // A skip is decided by the body itself; remember it across the checker's runs. (Harness
        // state outside the model: std's Mutex, not the facade's.)
        let skipped = std::sync::Arc::new(std::sync::Mutex::new(None::<String>));
        let mut passes = Vec::new();
        let mut shapes: Vec<Shape> = Vec::new();
        for &shape in &self.shapes {
            let params = self.params.with_shape(shape);
            let params = params.fit(check.helpers(&params));
            // Fitted to the thread limit, two shapes may be one: run it once.
            let shape = Shape::new(params.workers, params.capacity);
            if shapes.contains(&shape) {
                continue;
            }
            shapes.push(shape);
            for checker in Checker::available() {
                let skipped2 = skipped.clone();
                let run = checker.run(&self.config, move || {
                    if let Err(Skip(why)) = check.body::<P>(&params) {
                        *skipped2.lock().unwrap_or_else(|e| e.into_inner()) = Some(why);
                    }
                });
                // The checker could not run the body at all (a pool that spawns more threads than
                // loom models): a failed check with the checker's reason, never a panic.
                let report = match run {
                    Ok(report) => report,
                    Err(e) => {
                        return CheckResult {
                            check,
                            outcome: Outcome::Fail,
                            verdict: None,
                            reason: format!(
                                "{}: {checker}: could not run the check: {e}",
                                shape_label(shape)
                            ),
                            elapsed: start.elapsed(),
                        };
                    }
                };
                if !report.passed() {
                    return failure(check, shape, &report, start);
                }
                passes.push(report);
            }
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
        let executions: u64 = passes.iter().map(|r| r.executions).sum();
        let mut checkers: Vec<String> = passes.iter().map(|r| r.checker.to_string()).collect();
        checkers.dedup();
        let bounded = passes.iter().filter(|r| !r.complete).count();
        let reason = format!(
            "{}: {executions} executions over {} shape{}{}",
            checkers.join(", "),
            shapes.len(),
            if shapes.len() == 1 { "" } else { "s" },
            if bounded == 0 {
                String::new()
            } else {
                format!(
                    " ({bounded} exploration{} cut)",
                    if bounded == 1 { "" } else { "s" }
                )
            }
        );
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
}

/// How a reason names the pool shape it failed at: `1 worker, queue 1`.
fn shape_label(shape: Shape) -> String {
    let plural = if shape.workers == 1 { "" } else { "s" };
    format!("{} worker{plural}, queue {}", shape.workers, shape.capacity)
}

fn failure(check: Check, shape: Shape, report: &Report, start: Instant) -> CheckResult {
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
            "{}: {}: {} after {} run{}: {}",
            shape_label(shape),
            report.checker,
            report.verdict,
            report.executions,
            if report.executions == 1 { "" } else { "s" },
            message
        ),
        elapsed: start.elapsed(),
    }
}
