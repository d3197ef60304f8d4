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

    fn submit(&self, job: Job) -> Result<(), Job> {
        let run = job.clone();
        self.execute(move || run.run()).map_err(|_| job)
    }

    fn join(&self) {
        self.wait_idle()
    }

    fn shutdown(&self) {
        WorkerPool::shutdown(self)
    }

    fn submit_handle(&self, job: Job) -> Result<Handle, Job> {
        let run = job.clone();
        let handle = WorkerPool::submit(self, move || run.run()).map_err(|_| job)?;
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
        let run = job.clone();
        match WorkerPool::try_submit(self, move || run.run()) {
            Ok(_) => Ok(()),
            Err(r) if r.reason == RejectReason::Full => Err(Refused::Full(job)),
            Err(_) => Err(Refused::ShutDown(job)),
        }
    }
}
