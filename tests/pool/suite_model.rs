//! The regression suite under the model checkers (loom, or shuttle's random and PCT schedulers):
//! `WorkerPool` passes every check and every mutant is killed by the check for its bug class, with
//! the verdict named. Workloads are sized for loom's five threads (`Params::for_flavour`).
#![cfg(any(loom, shuttle))]

use racezoo::check::Verdict;
use racezoo::pool::WorkerPool;
use racezoo::suite::mutants::{self, Flaw};
use racezoo::suite::{Outcome, Suite};

#[test]
fn worker_pool_passes_every_check_under_the_model_checkers() {
    let report = Suite::new().run::<WorkerPool>("racezoo::pool::WorkerPool");
    println!("{report}");
    for r in &report.results {
        assert_eq!(r.outcome, Outcome::Pass, "{report}");
    }
}

/// The verdict with which the killing check must fail each mutant under loom and shuttle: a hang on
/// real threads is a proved deadlock here, and a job panic that escapes its worker ends the model.
fn expected_verdict(flaw: Flaw) -> Verdict {
    match flaw {
        Flaw::PanicsAfterShutdown => Verdict::Misuse,
        Flaw::DiesOnPanic => Verdict::Panic,
        Flaw::UnbufferedResults
        | Flaw::HandOff
        | Flaw::LostJoinWakeup
        | Flaw::LostWakeupAtCapacityOne
        | Flaw::NotifyOneLostWakeup
        | Flaw::HandleNeverCompletedOnPanic
        | Flaw::ShutdownFromJobWaitsForItself
        | Flaw::TrySubmitBlocksWhenFull => Verdict::Deadlock,
        _ => Verdict::Violation,
    }
}

#[test]
fn the_model_checkers_kill_every_mutant_with_the_check_for_its_bug_class() {
    let suite = Suite::new();
    let mut survivors = Vec::new();
    for &flaw in Flaw::ALL {
        let start = std::time::Instant::now();
        let r = mutants::run_check_on(&suite, flaw, flaw.killed_by());
        println!(
            "{flaw:?}: {} {:?} {} [{:.1?}]",
            r.check,
            r.verdict,
            r.reason,
            start.elapsed()
        );
        if r.outcome != Outcome::Fail || r.verdict != Some(expected_verdict(flaw)) {
            survivors.push(format!(
                "{flaw:?}: {:?} {:?} {}",
                r.outcome, r.verdict, r.reason
            ));
        }
    }
    assert!(
        survivors.is_empty(),
        "not killed as expected:\n{}",
        survivors.join("\n")
    );
}

/// A pool on std threads (it declares no `Claims::facade`): the model checkers cannot see its
/// threads, so the suite runs nothing and says so in one line.
struct StdThreadsPool;

impl racezoo::suite::SuitePool for StdThreadsPool {
    fn create(_workers: usize, _capacity: usize) -> Self {
        StdThreadsPool
    }
    fn submit(&self, job: racezoo::suite::Job) -> Result<(), racezoo::suite::Job> {
        std::thread::spawn(move || job.run());
        Ok(())
    }
    fn join(&self) {}
    fn shutdown(&self) {}
}

#[test]
fn a_pool_on_std_threads_gets_one_line_instead_of_failures() {
    let report = Suite::new().run::<StdThreadsPool>("std threads");
    let shown = report.to_string();
    println!("{shown}");
    assert!(report.results.is_empty(), "{shown}");
    assert!(report.passed());
    assert_eq!(shown.lines().count(), 2, "{shown}");
    assert!(
        shown.contains("this pool uses std threads") && shown.contains("run it in the std flavour"),
        "{shown}"
    );
}

/// Prints each check's exploration on `WorkerPool` as it finishes (run with `--ignored --nocapture`
/// to see which check costs what under the build's checkers; `RACEZOO_CHECKS=a,b` runs only the
/// checks named).
#[test]
#[ignore]
fn worker_pool_check_by_check() {
    let suite = Suite::new();
    let only = std::env::var("RACEZOO_CHECKS").unwrap_or_default();
    let wanted = |name: &str| only.is_empty() || only.split(',').any(|n| n.trim() == name);
    for check in racezoo::suite::Check::ALL {
        if !wanted(check.name()) {
            continue;
        }
        let start = std::time::Instant::now();
        let r = suite.run_check::<WorkerPool>(check);
        println!(
            "{check}: {} {} [{:.1?}]",
            r.outcome,
            r.reason,
            start.elapsed()
        );
    }
}
