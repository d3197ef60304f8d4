//! proptest-generated pool lives (workers, capacity, which jobs panic, when shutdown comes) through
//! the suite's workload driver on real threads: `WorkerPool` survives every one, and a mutant's
//! failure shrinks to the smallest workload that shows its bug.
#![cfg(not(any(loom, shuttle)))]

use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config as PropConfig, TestCaseError, TestError, TestRunner};
use racezoo::pool::WorkerPool;
use racezoo::suite::mutants::{DiesOnPanic, DropsQueuedOnShutdown, Mutant};
use racezoo::suite::workload::Workload;
use racezoo::suite::{Suite, SuitePool};

fn workloads() -> impl Strategy<Value = Workload> {
    (
        1usize..4,
        1usize..5,
        prop::collection::vec(prop::bool::weighted(0.2), 0..12),
        0usize..14,
    )
        .prop_map(|(workers, capacity, panics, shutdown_after)| Workload {
            workers,
            capacity,
            panics,
            shutdown_after,
        })
}

/// One run per workload under a short watchdog: a hang is a failure, not a stuck test. (A workload
/// takes well under a millisecond; a mutant that hangs costs one watchdog per shrinking step.)
fn suite(watchdog: Duration) -> Suite {
    let mut suite = Suite::new();
    suite.config.runs = 1;
    suite.config.watchdog = watchdog;
    suite
}

/// Runs proptest on pool `P` and returns the shrunk failing workload, if any.
fn minimal_failure<P: SuitePool>(cases: u32, watchdog: Duration) -> Option<(Workload, String)> {
    let suite = suite(watchdog);
    let mut runner = TestRunner::new(PropConfig {
        cases,
        failure_persistence: None,
        ..PropConfig::default()
    });
    match runner.run(&workloads(), |w| {
        suite.run_workload::<P>(&w).map_err(TestCaseError::fail)
    }) {
        Ok(()) => None,
        Err(TestError::Fail(reason, w)) => Some((w, reason.to_string())),
        Err(e) => panic!("proptest aborted: {e}"),
    }
}

#[test]
fn worker_pool_survives_generated_workloads() {
    if let Some((w, reason)) = minimal_failure::<WorkerPool>(64, Duration::from_secs(2)) {
        panic!("WorkerPool failed {w:?}: {reason}");
    }
}

#[test]
fn a_worker_that_dies_on_panic_shrinks_to_one_worker_one_panic() {
    let (w, reason) = minimal_failure::<Mutant<DiesOnPanic>>(256, Duration::from_millis(250))
        .expect("the mutant is found");
    // The smallest pool life that shows the bug: one worker and one panicking job. The job's panic
    // escapes the worker thread, which dies of it: that is a failure by itself, before any later
    // job goes missing.
    assert_eq!(w.workers, 1, "{w:?}");
    assert_eq!(w.panics, [true], "{w:?}");
    assert!(reason.starts_with("Panic"), "{reason}");
    assert!(
        reason.contains(racezoo::suite::checks::DELIBERATE_PANIC),
        "{reason}"
    );
}

#[test]
fn dropping_queued_jobs_on_shutdown_shrinks_to_the_smallest_queue_that_loses_one() {
    let (w, reason) =
        minimal_failure::<Mutant<DropsQueuedOnShutdown>>(256, Duration::from_millis(250))
            .expect("the mutant is found");
    assert!(reason.starts_with("Violation"), "{reason}");
    assert!(!w.panics.iter().any(|&p| p), "panics are irrelevant: {w:?}");
    println!("minimal workload: {w:?}: {reason}");
}
