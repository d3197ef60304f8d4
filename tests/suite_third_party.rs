//! The regression suite on third-party pools, through adapters: `threadpool` 1.8, `rusty_pool` 0.7 and rayon's
//! `ThreadPool` (with and without a panic handler). What the suite finds is asserted as the expected
//! outcome, check by check, so a change in their behaviour shows up here; README.md documents it.
//!
//! rayon's `spawn` aborts the whole process when a job panics and no panic handler is set, so the
//! rayon suites run each check in a child process (`Suite::run_isolated`): the abort becomes that
//! check's finding.
#![cfg(not(any(loom, shuttle)))]

#[path = "support/pools.rs"]
mod pools;

use racezoo::check::Verdict;
use racezoo::suite::{Check, Entry, Outcome, Suite, SuiteReport};

use self::pools::{RayonAdapter, RustyPoolAdapter, ThreadPoolAdapter};

/// What the suite is expected to find for one check: the outcome, the verdict, and a fragment of
/// the reason.
type Expected = (Check, Outcome, Option<Verdict>, &'static str);

fn assert_findings(report: &SuiteReport, expected: &[Expected]) {
    println!("{report}");
    for &(check, outcome, verdict, fragment) in expected {
        let r = report.get(check).unwrap();
        assert_eq!(r.outcome, outcome, "{check}: {}\n{report}", r.reason);
        assert_eq!(r.verdict, verdict, "{check}: {}\n{report}", r.reason);
        assert!(
            r.reason.contains(fragment),
            "{check}: reason {:?} lacks {fragment:?}",
            r.reason
        );
    }
}

use Outcome::{Fail, Pass, Skip};

#[test]
fn threadpool_findings() {
    let report = Suite::new().run::<ThreadPoolAdapter>("threadpool::ThreadPool 1.8");
    assert_findings(
        &report,
        &[
            (Check::ExactlyOnce, Pass, Some(Verdict::Pass), ""),
            (Check::Bounded, Pass, Some(Verdict::Pass), ""),
            (Check::ShutdownWaits, Pass, Some(Verdict::Pass), ""),
            (Check::PanicIsolation, Pass, Some(Verdict::Pass), ""),
            (Check::JoinAfterPanic, Pass, Some(Verdict::Pass), ""),
            (Check::HandleAfterPanic, Skip, None, "`Claims::handles`"),
            (
                Check::RejectAfterShutdown,
                Fail,
                Some(Verdict::Violation),
                "never stops accepting",
            ),
            // No shutdown: a job submitted while the adapter's "shutdown" (join) runs may be
            // accepted and not yet run when it returns. Whether 60 real-thread runs meet that
            // window depends on the machine's load, so `submit_races_shutdown` is not asserted.
            // `join` from inside a job waits for that job.
            (
                Check::ShutdownFromJob,
                Fail,
                Some(Verdict::Violation),
                "did not return",
            ),
            (
                Check::DropJoins,
                Fail,
                Some(Verdict::Violation),
                "still alive",
            ),
            (
                Check::DropJoinsAfterPanic,
                Fail,
                Some(Verdict::Violation),
                "still alive",
            ),
            (
                Check::Backpressure,
                Skip,
                None,
                "64 of 64 submissions returned",
            ),
            (Check::ContendedSlot, Skip, None, "`Claims::bounded_queue`"),
            (Check::ConcurrentJoiners, Pass, Some(Verdict::Pass), ""),
            (Check::NestedSubmit, Pass, Some(Verdict::Pass), ""),
            (
                Check::ShutdownNowCancels,
                Skip,
                None,
                "`Claims::shutdown_now`",
            ),
            (Check::TrySubmitFull, Skip, None, "`Claims::try_submit`"),
        ],
    );
}

#[test]
fn rayon_findings() {
    let suite = Suite::new();
    if suite.child::<RayonAdapter<false>>() {
        return;
    }
    let report =
        suite.run_isolated::<RayonAdapter<false>>("rayon::ThreadPool::spawn", "rayon_findings");
    assert_findings(
        &report,
        &[
            (Check::ExactlyOnce, Pass, Some(Verdict::Pass), ""),
            (Check::Bounded, Pass, Some(Verdict::Pass), ""),
            (Check::ShutdownWaits, Pass, Some(Verdict::Pass), ""),
            // The default: a panicking spawned job aborts the process (rayon #10's descendant).
            (Check::PanicIsolation, Fail, None, "SIGABRT"),
            (
                Check::PanicIsolation,
                Fail,
                None,
                "Rayon: detected unexpected panic; aborting",
            ),
            (Check::JoinAfterPanic, Fail, None, "SIGABRT"),
            // The adapter refuses once it has dropped the pool: these passes are the adapter's.
            (Check::RejectAfterShutdown, Pass, Some(Verdict::Pass), ""),
            (Check::SubmitRacesShutdown, Pass, Some(Verdict::Pass), ""),
            // The adapter's join (its own counter) waits for the calling job.
            (
                Check::ShutdownFromJob,
                Fail,
                Some(Verdict::Violation),
                "did not return",
            ),
            // Dropping a ThreadPool only signals its threads (rayon #688, #959).
            (
                Check::DropJoins,
                Fail,
                Some(Verdict::Violation),
                "still alive",
            ),
            (Check::DropJoinsAfterPanic, Fail, None, "SIGABRT"),
            (
                Check::Backpressure,
                Skip,
                None,
                "64 of 64 submissions returned",
            ),
            // join is the adapter's own counter: rayon has no "wait for spawned jobs".
            (Check::ConcurrentJoiners, Pass, Some(Verdict::Pass), ""),
            (Check::NestedSubmit, Pass, Some(Verdict::Pass), ""),
        ],
    );
}

#[test]
fn rayon_with_panic_handler_findings() {
    let suite = Suite::new();
    if suite.child::<RayonAdapter<true>>() {
        return;
    }
    let report = suite.run_isolated::<RayonAdapter<true>>(
        "rayon::ThreadPool::spawn + panic_handler",
        "rayon_with_panic_handler_findings",
    );
    assert_findings(
        &report,
        &[
            (Check::ExactlyOnce, Pass, Some(Verdict::Pass), ""),
            (Check::Bounded, Pass, Some(Verdict::Pass), ""),
            (Check::ShutdownWaits, Pass, Some(Verdict::Pass), ""),
            // With a panic handler the pool survives panics with full capacity.
            (Check::PanicIsolation, Pass, Some(Verdict::Pass), ""),
            (Check::JoinAfterPanic, Pass, Some(Verdict::Pass), ""),
            (Check::RejectAfterShutdown, Pass, Some(Verdict::Pass), ""),
            (Check::SubmitRacesShutdown, Pass, Some(Verdict::Pass), ""),
            (
                Check::ShutdownFromJob,
                Fail,
                Some(Verdict::Violation),
                "did not return",
            ),
            (
                Check::DropJoins,
                Fail,
                Some(Verdict::Violation),
                "still alive",
            ),
            (
                Check::DropJoinsAfterPanic,
                Fail,
                Some(Verdict::Violation),
                "still alive",
            ),
            (
                Check::Backpressure,
                Skip,
                None,
                "64 of 64 submissions returned",
            ),
            (Check::ContendedSlot, Skip, None, "`Claims::bounded_queue`"),
            (Check::ConcurrentJoiners, Pass, Some(Verdict::Pass), ""),
            (Check::NestedSubmit, Pass, Some(Verdict::Pass), ""),
            (
                Check::ShutdownNowCancels,
                Skip,
                None,
                "`Claims::shutdown_now`",
            ),
            (Check::TrySubmitFull, Skip, None, "`Claims::try_submit`"),
        ],
    );
}

#[test]
fn rusty_pool_findings() {
    let report = Suite::new().run::<RustyPoolAdapter>("rusty_pool::ThreadPool 0.7");
    assert_findings(
        &report,
        &[
            (Check::ExactlyOnce, Pass, Some(Verdict::Pass), ""),
            (Check::Bounded, Pass, Some(Verdict::Pass), ""),
            (Check::ShutdownWaits, Pass, Some(Verdict::Pass), ""),
            (Check::PanicIsolation, Pass, Some(Verdict::Pass), ""),
            // join_after_panic: see below (its finding depends on a window).
            // `evaluate`'s handle of a panicking job reports `Canceled`, its workers survive.
            (Check::HandleAfterPanic, Pass, Some(Verdict::Pass), ""),
            // The adapter refuses once `shutdown_join` took the pool: these passes are the
            // adapter's.
            (Check::RejectAfterShutdown, Pass, Some(Verdict::Pass), ""),
            (Check::SubmitRacesShutdown, Pass, Some(Verdict::Pass), ""),
            // `shutdown_join` from inside a job joins the worker running it.
            (
                Check::ShutdownFromJob,
                Fail,
                Some(Verdict::Violation),
                "did not return",
            ),
            // Dropping the pool (without `shutdown_join`) detaches its workers.
            (
                Check::DropJoins,
                Fail,
                Some(Verdict::Violation),
                "still alive",
            ),
            (
                Check::DropJoinsAfterPanic,
                Fail,
                Some(Verdict::Violation),
                "still alive",
            ),
            (
                Check::Backpressure,
                Skip,
                None,
                "64 of 64 submissions returned",
            ),
            (Check::ContendedSlot, Skip, None, "`Claims::bounded_queue`"),
            (Check::ConcurrentJoiners, Pass, Some(Verdict::Pass), ""),
            (Check::NestedSubmit, Pass, Some(Verdict::Pass), ""),
            (
                Check::ShutdownNowCancels,
                Skip,
                None,
                "`Claims::shutdown_now`",
            ),
            (Check::TrySubmitFull, Skip, None, "`Claims::try_submit`"),
        ],
    );
    // rusty_pool counts a panicked job as finished twice now and then (its join can return while
    // the next job runs): real-thread runs find it in some runs only. Either it passes, or it fails
    // for that reason.
    let r = report.get(Check::JoinAfterPanic).unwrap();
    assert!(
        r.outcome == Pass
            || (r.outcome == Fail
                && r.verdict == Some(Verdict::Violation)
                && r.reason.contains("counted as finished twice")),
        "join_after_panic: {r:?}"
    );
}

/// A list of pools runs by name, without a macro: one report per pool, in order.
#[test]
fn a_list_of_pools_runs_by_name() {
    let suite = Suite::new().with_checks(&[Check::ExactlyOnce, Check::ShutdownFromJob]);
    let reports = suite.run_all(&[
        Entry::of::<racezoo::pool::WorkerPool>("racezoo WorkerPool"),
        Entry::of::<ThreadPoolAdapter>("threadpool"),
    ]);
    let names: Vec<_> = reports.iter().map(|r| r.pool.as_str()).collect();
    assert_eq!(names, ["racezoo WorkerPool", "threadpool"]);
    assert!(reports[0].passed(), "{}", reports[0]);
    assert_eq!(
        reports[1].failed(),
        [Check::ShutdownFromJob],
        "{}",
        reports[1]
    );
}
