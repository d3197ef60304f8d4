//! Adapters of third-party pools to the suite's contract: `threadpool` 1.8, `rusty_pool` 0.7 and
//! rayon's `ThreadPool` (with and without a panic handler). Shared by `tests/suite_third_party.rs`
//! (which asserts what the suite finds in each) and the `racezoo suite` command (which prints it).

use std::sync::{Condvar, Mutex};
use std::time::Duration;

use racezoo::suite::{Claims, Handle, Job, JobEnd, SuitePool};

/// `threadpool::ThreadPool` as the suite sees it. threadpool has no shutdown: the closest operation
/// is `join` (wait for the queue to drain); its threads stop only when the last handle is dropped.
pub struct ThreadPoolAdapter(threadpool::ThreadPool);

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
pub struct RayonAdapter<const PANIC_HANDLER: bool> {
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
pub struct RustyPoolAdapter(Mutex<Option<rusty_pool::ThreadPool>>);

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
