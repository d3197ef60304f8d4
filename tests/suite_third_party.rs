//! The regression suite on third-party pools, through adapters: `threadpool` 1.8 and rayon's
//! `ThreadPool` (with and without a panic handler). What the suite finds is asserted as the expected
//! outcome, check by check, so a change in their behaviour shows up here; README.md documents it.
//!
//! rayon's `spawn` aborts the whole process when a job panics and no panic handler is set, so the
//! rayon suites run each check in a child process (`Suite::run_isolated`): the abort becomes that
//! check's finding.
#![cfg(not(any(loom, shuttle)))]

use std::sync::{Condvar, Mutex};

use racezoo::check::Verdict;
use racezoo::suite::{Check, Job, Outcome, Suite, SuitePool, SuiteReport};

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
        self.join();
        drop(self.pool.lock().unwrap().take());
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
            (
                Check::RejectAfterShutdown,
                Fail,
                Some(Verdict::Violation),
                "never stops accepting",
            ),
            (
                Check::DropJoins,
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
            (Check::ConcurrentJoiners, Pass, Some(Verdict::Pass), ""),
            (Check::NestedSubmit, Pass, Some(Verdict::Pass), ""),
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
            // The adapter refuses once it has dropped the pool: this pass is the adapter's.
            (Check::RejectAfterShutdown, Pass, Some(Verdict::Pass), ""),
            // Dropping a ThreadPool only signals its threads (rayon #688, #959).
            (
                Check::DropJoins,
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
            (Check::RejectAfterShutdown, Pass, Some(Verdict::Pass), ""),
            (
                Check::DropJoins,
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
            (Check::ConcurrentJoiners, Pass, Some(Verdict::Pass), ""),
            (Check::NestedSubmit, Pass, Some(Verdict::Pass), ""),
        ],
    );
}
