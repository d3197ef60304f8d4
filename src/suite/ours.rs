//! `racezoo`'s own pool as the suite sees it: every capability declared.

use super::{Claims, Handle, Job, JobEnd, Refused, SuitePool};
use crate::pool::{JobError, RejectReason, WorkerPool};

impl SuitePool for WorkerPool {
    const CLAIMS: Claims = Claims {
        bounded_queue: true,
        handles: true,
        shutdown_now: true,
        try_submit: true,
        facade: true,
    };

    fn create(workers: usize, capacity: usize) -> Self {
        WorkerPool::builder()
            .workers(workers)
            .queue_capacity(capacity)
            .name("suite-pool")
            .build()
    }

    // The job moves into the pool's closure and a refused one comes back inside it: no clone of
    // the job's `Arc` on the way (each clone and drop is a scheduling point under loom).
    fn submit(&self, job: Job) -> Result<(), Job> {
        self.execute(runs(job)).map_err(|r| Job::new(r.into_job()))
    }

    fn join(&self) {
        self.wait_idle()
    }

    fn shutdown(&self) {
        WorkerPool::shutdown(self)
    }

    fn submit_handle(&self, job: Job) -> Result<Handle, Job> {
        let handle = WorkerPool::submit(self, runs(job)).map_err(|r| Job::new(r.into_job()))?;
        Ok(Handle::new(move || match handle.join() {
            Ok(()) => JobEnd::Returned,
            Err(JobError::Panicked(_)) => JobEnd::Panicked,
            Err(JobError::Cancelled) => JobEnd::Cancelled,
        }))
    }

    fn shutdown_now(&self) -> usize {
        WorkerPool::shutdown_now(self)
    }

    fn try_submit(&self, job: Job) -> Result<(), Refused> {
        match WorkerPool::try_submit(self, runs(job)) {
            Ok(_) => Ok(()),
            Err(r) if r.reason == RejectReason::Full => Err(Refused::Full(Job::new(r.job))),
            Err(r) => Err(Refused::ShutDown(Job::new(r.job))),
        }
    }
}

/// The closure the pool runs for `job`: `Fn` (not only `FnOnce`), so a refused one can become a
/// [`Job`] again.
fn runs(job: Job) -> impl Fn() + Send + Sync + 'static {
    move || job.run()
}
