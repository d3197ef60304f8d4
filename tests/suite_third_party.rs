//! The regression suite on third-party pools, through adapters: `threadpool` 1.8, `rusty_pool` 0.7 and rayon's
//! `ThreadPool` (with and without a panic handler). What the suite finds is asserted as the expected
//! outcome, check by check, so a change in their behaviour shows up here; README.md documents it.
//!
//! rayon's `spawn` aborts the whole process when a job panics and no panic handler is set, so the
//! rayon suites run each check in a child process (`Suite::run_isolated`): the abort becomes that
//! check's finding.
#![cfg(not(any(loom, shuttle)))]

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use racezoo::check::Verdict;
use racezoo::suite::{
    Check, Claims, Entry, Handle, Job, JobEnd, Outcome, Suite, SuitePool, SuiteReport,
};

/// `threadpool::ThreadPool` as the suite sees it. threadpool has no shutdown: the closest operation
/// is `join` (wait for the queue to drain); its threads stop only when the last handle is dropped.
struct ThreadPoolAdapter(threadpool::ThreadPool);

impl SuitePool for ThreadPoolAdapter {
    fn create(workers: usize, _capacity: usize) -> Self {
        ThreadPoolAdapter(threadpool::ThreadPool::new(workers))
    }
    fn submit(&self, job: Job) -> Result<(), Job> {
        self.0.execute(move || job.run());
        Ok(())
    }
    fn join(&self) {
        self.0.join()
    }
    fn shutdown(&self) {
        self.0.join()
    }
}

/// rayon's `ThreadPool`, fire-and-forget `spawn`. rayon has no "wait for spawned jobs", so the
/// adapter counts them itself (that join is the adapter's, not rayon's); shutdown waits for that
/// count, then drops the pool, after which the adapter refuses jobs.
struct RayonAdapter<const PANIC_HANDLER: bool> {
    pool: Mutex<Option<rayon::ThreadPool>>,
    pending: std::sync::Arc<(Mutex<usize>, Condvar)>,
}

/// Decrements the adapter's pending count when a job ends, panicking or not.
struct Done(std::sync::Arc<(Mutex<usize>, Condvar)>);

impl Drop for Done {
    fn drop(&mut self) {
        let (count, cv) = &*self.0;
        *count.lock().unwrap() -= 1;
        cv.notify_all();
    }
}

impl<const PANIC_HANDLER: bool> SuitePool for RayonAdapter<PANIC_HANDLER> {
    fn create(workers: usize, _capacity: usize) -> Self {
        let mut builder = rayon::ThreadPoolBuilder::new().num_threads(workers);
        if PANIC_HANDLER {
            builder = builder.panic_handler(|_| {});
        }
        RayonAdapter {
            pool: Mutex::new(Some(builder.build().unwrap())),
            pending: Default::default(),
        }
    }
    fn submit(&self, job: Job) -> Result<(), Job> {
        let pool = self.pool.lock().unwrap();
        let Some(pool) = pool.as_ref() else {
            return Err(job);
        };
        *self.pending.0.lock().unwrap() += 1;
        let done = Done(self.pending.clone());
        pool.spawn(move || {
            let _done = done;
            job.run();
        });
        Ok(())
    }
    fn join(&self) {
        let (count, cv) = &*self.pending;
        let _idle = cv.wait_while(count.lock().unwrap(), |n| *n > 0).unwrap();
    }
    fn shutdown(&self) {
        // Close first, then wait: joining first and closing after lets a submission slip in
        // between, accepted and then dropped with the pool (submit_races_shutdown found that).
        let pool = self.pool.lock().unwrap().take();
        self.join();
        drop(pool);
    }
}

/// `rusty_pool::ThreadPool` 0.7 (fixed size: core = max = `workers`). Its `shutdown_join` consumes
/// the pool, so the adapter keeps it in an `Option` and refuses jobs once it is gone; `evaluate`
/// gives handles (a panicking job's handle reports `Canceled`: its sender was dropped).
struct RustyPoolAdapter(Mutex<Option<rusty_pool::ThreadPool>>);

impl RustyPoolAdapter {
    fn pool(&self) -> Option<rusty_pool::ThreadPool> {
        self.0.lock().unwrap().clone()
    }
}

impl SuitePool for RustyPoolAdapter {
    const CLAIMS: Claims = Claims {
        handles: true,
        ..Claims::NONE
    };
    fn create(workers: usize, _capacity: usize) -> Self {
        let pool = rusty_pool::ThreadPool::new(workers, workers, Duration::from_secs(60));
        RustyPoolAdapter(Mutex::new(Some(pool)))
    }
    fn submit(&self, job: Job) -> Result<(), Job> {
        let Some(pool) = self.pool() else {
            return Err(job);
        };
        pool.execute(move || job.run());
        Ok(())
    }
    fn join(&self) {
        if let Some(pool) = self.pool() {
            pool.join();
        }
    }
    fn shutdown(&self) {
        let pool = self.0.lock().unwrap().take();
        if let Some(pool) = pool {
            pool.shutdown_join();
        }
    }
    fn submit_handle(&self, job: Job) -> Result<Handle, Job> {
        let Some(pool) = self.pool() else {
            return Err(job);
        };
        let handle = pool.evaluate(move || job.run());
        Ok(Handle::new(move || match handle.try_await_complete() {
            Ok(()) => JobEnd::Returned,
            Err(_) => JobEnd::Panicked,
        }))
    }
}

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
            (Check::JoinAfterPanic, Pass, Some(Verdict::Pass), ""),
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
