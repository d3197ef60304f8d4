//! Running scenarios in this process: one check judged against its expectation, the stress checker
//! counted over many runs, and a replay.

use std::time::Instant;

use racezoo::check::{self, Checker, ReplayHandle, Report, Verdict};
use racezoo::scenarios::{Bounds, Expectation, Scenario};
use racezoo::sync::FLAVOUR;

use crate::Failure;
use crate::matrix::{Row, Status};

/// Runs `scenario` under `checker` (of this flavour) and judges the report.
pub(crate) fn check_one(scenario: &Scenario, checker: Checker, bounds: &Bounds) -> Row {
    let expect = scenario.expectation(checker);
    let mut row = Row::new(scenario, checker, expect);
    if let Expectation::Skips(why) = expect {
        row.status = Status::Skipped;
        row.why = Some(why.to_string());
        return row;
    }
    let result = if checker == Checker::Stress {
        stress_counting(scenario, bounds).map(|(report, hits)| {
            row.hits = Some(hits);
            report
        })
    } else {
        checker.run(&bounds.config(), scenario.body)
    };
    match result {
        Ok(report) => row.judge(scenario, report),
        Err(e) => {
            row.status = Status::Differs;
            row.why = Some(format!("the checker could not judge the body: {e}"));
        }
    }
    row
}

/// Stress, counted: up to `bounds.runs` single runs, counting those that showed a bug. It stops at
/// the first `Hang` (each costs a watchdog and leaves its threads behind). Returns the report of the
/// first failing run (or of the last passing one) and `(runs with a bug, runs)`.
fn stress_counting(
    scenario: &Scenario,
    bounds: &Bounds,
) -> Result<(Report, (u64, u64)), check::CheckError> {
    let config = check::Config {
        runs: 1,
        ..bounds.config()
    };
    let start = Instant::now();
    let (mut hits, mut runs) = (0u64, 0u64);
    let mut first: Option<Report> = None;
    let mut last = None;
    for _ in 0..bounds.runs {
        let report = check::stress(&config, scenario.body)?;
        runs += 1;
        if report.verdict != Verdict::Pass {
            hits += 1;
            // A run that outlived its watchdog left threads behind: counting on would cost a
            // watchdog per run.
            let hang = report.verdict == Verdict::Hang || report.elapsed >= bounds.watchdog;
            if first.is_none() {
                let mut report = report;
                report.executions = runs;
                first = Some(report);
            }
            if hang {
                break;
            }
        } else {
            last = Some(report);
        }
    }
    let mut report = first
        .or(last)
        .expect("at least one stress run (--runs must be at least 1)");
    if report.verdict == Verdict::Pass {
        report.executions = runs;
    }
    report.elapsed = start.elapsed();
    Ok((report, (hits, runs)))
}

/// Runs every selected scenario under this flavour's checkers; each row goes to `sink` as it is
/// done, with a progress line (the row's cell) on stderr.
pub(crate) fn run_here(scenarios: &[Scenario], bounds: &Bounds, mut sink: impl FnMut(Row)) {
    let checkers = Checker::available();
    let total = scenarios.len() * checkers.len();
    let mut done = 0;
    for scenario in scenarios {
        for &checker in &checkers {
            done += 1;
            let row = check_one(scenario, checker, bounds);
            // Each result as it comes, so that the first one shows within seconds of the build.
            eprintln!(
                "racezoo [{FLAVOUR} {done}/{total}, {} left] {} under {checker}: {}",
                total - done,
                scenario.id(),
                row.cell()
            );
            sink(row);
        }
    }
}

/// Replays `handle` on `scenario` in this process and judges the report like a check.
pub(crate) fn replay_one(scenario: &Scenario, handle: &ReplayHandle) -> Result<Row, Failure> {
    let checker = handle.checker();
    let report =
        check::replay(handle.clone(), scenario.body).map_err(|e| Failure::Usage(e.to_string()))?;
    let mut row = Row::new(scenario, checker, scenario.expectation(checker));
    let passed = report.verdict == Verdict::Pass;
    row.judge(scenario, report);
    if passed {
        // A handle names a failing execution: one that passes reproduces nothing.
        row.status = Status::Differs;
        row.why = Some(format!(
            "the replay passed: {handle} does not reproduce a failure of {} (was it printed for \
             another scenario, or has the code changed?)",
            scenario.id()
        ));
    }
    Ok(row)
}
