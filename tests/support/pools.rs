//! Adapters of third-party pools to the suite's contract: `threadpool` 1.8, `rusty_pool` 0.7,
//! rayon's `ThreadPool` (with and without a panic handler), `workerpool` 1.2 and `scoped_threadpool`
//! 0.1.9 (through a dispatcher thread that holds its scope). Shared by `tests/suite_third_party.rs`
//! (which asserts what the suite finds in each) and the `racezoo suite` command (which prints it).

use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::mpsc;
use std::sync::{Condvar, Mutex};
use std::thread::JoinHandle;
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

/// `workerpool::Pool` 1.2 with its stateless `ThunkWorker`. A fork of `threadpool`'s design: no
/// shutdown (the closest operation is `join`), a panicked worker is replaced by a new thread.
/// `execute_to` sends a job's output on a channel, which gives handles: a panicking job's sender
/// is dropped unsent, so its handle sees the channel disconnected.
pub struct WorkerPoolAdapter(workerpool::Pool<workerpool::thunk::ThunkWorker<()>>);

impl SuitePool for WorkerPoolAdapter {
    const CLAIMS: Claims = Claims {
        handles: true,
        ..Claims::NONE
    };
    fn create(workers: usize, _capacity: usize) -> Self {
        WorkerPoolAdapter(workerpool::Pool::new(workers))
    }
    fn submit(&self, job: Job) -> Result<(), Job> {
        self.0
            .execute(workerpool::thunk::Thunk::of(move || job.run()));
        Ok(())
    }
    fn join(&self) {
        self.0.join()
    }
    fn shutdown(&self) {
        self.0.join()
    }
    fn submit_handle(&self, job: Job) -> Result<Handle, Job> {
        let (tx, rx) = mpsc::channel();
        self.0
            .execute_to(tx, workerpool::thunk::Thunk::of(move || job.run()));
        Ok(Handle::new(move || match rx.recv() {
            Ok(()) => JobEnd::Returned,
            Err(_) => JobEnd::Panicked,
        }))
    }
}

/// A request to the thread that holds a `scoped_threadpool` scope.
enum ScopeMsg {
    Run(Job),
    /// `Scope::join_all`; the reply carries its panic, if it panicked.
    JoinAll(mpsc::Sender<Result<(), String>>),
}

/// `scoped_threadpool::Pool` 0.1.9. Its jobs run only inside `Pool::scoped`, which borrows the
/// pool mutably for the scope and joins every job when the scope ends, and its `Scope` cannot be
/// shared between threads. The suite's jobs are `'static` and come from many threads, so one
/// *dispatcher* thread owns the pool and stays inside one scope for the adapter's lifetime,
/// serving requests from a channel: `submit` is `Scope::execute`, `join` is `Scope::join_all`.
/// `shutdown` closes the channel (later submissions are refused), waits for the dispatcher to
/// leave the scope (which joins every job) and drops the pool; dropping a `scoped_threadpool::Pool`
/// disconnects its workers without joining them, as the adapter's `Drop` does with the dispatcher.
///
/// The crate does not isolate panics, by design (its docs): a panicking job ends its worker thread
/// and the next `join_all` panics with "Thread pool worker panicked". The adapter hands that panic
/// to the caller of `join` or `shutdown` as it is.
pub struct ScopedThreadPoolAdapter {
    requests: Mutex<Option<mpsc::Sender<ScopeMsg>>>,
    dispatcher: Mutex<Option<JoinHandle<Result<(), String>>>>,
}

impl ScopedThreadPoolAdapter {
    fn request(&self, msg: ScopeMsg) -> Result<(), ScopeMsg> {
        match self.requests.lock().unwrap().as_ref() {
            Some(tx) => tx.send(msg).map_err(|e| e.0),
            None => Err(msg),
        }
    }
}

/// Runs `join_all`, catching its panic so that the scope is not unwound (a second `join_all`
/// during unwinding, in `Scope::drop`, would abort the process).
fn join_all(scope: &scoped_threadpool::Scope<'_, '_>) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| scope.join_all())).map_err(|p| {
        p.downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| p.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    })
}

impl SuitePool for ScopedThreadPoolAdapter {
    fn create(workers: usize, _capacity: usize) -> Self {
        let (tx, rx) = mpsc::channel::<ScopeMsg>();
        let mut pool = scoped_threadpool::Pool::new(workers as u32);
        let dispatcher = std::thread::spawn(move || {
            pool.scoped(|scope| {
                for msg in rx {
                    match msg {
                        ScopeMsg::Run(job) => scope.execute(move || job.run()),
                        ScopeMsg::JoinAll(reply) => {
                            let _ = reply.send(join_all(scope));
                        }
                    }
                }
                // The channel is closed: join every job before the scope ends, catching the
                // panic here too (the scope's own `join_all` then runs with nothing queued).
                join_all(scope)
            })
        });
        ScopedThreadPoolAdapter {
            requests: Mutex::new(Some(tx)),
            dispatcher: Mutex::new(Some(dispatcher)),
        }
    }
    fn submit(&self, job: Job) -> Result<(), Job> {
        self.request(ScopeMsg::Run(job)).map_err(|msg| match msg {
            ScopeMsg::Run(job) => job,
            ScopeMsg::JoinAll(_) => unreachable!("a refused Run gives back a Run"),
        })
    }
    fn join(&self) {
        let (tx, rx) = mpsc::channel();
        if self.request(ScopeMsg::JoinAll(tx)).is_err() {
            return; // shut down: nothing is left to join
        }
        match rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(message)) => resume_unwind(Box::new(message)),
            // The dispatcher died inside the scope (the scope's own join panicked).
            Err(_) => resume_unwind(Box::new("the scoped_threadpool scope ended by panicking")),
        }
    }
    fn shutdown(&self) {
        // Close first (a submission after this is refused), then wait for the scope to end.
        drop(self.requests.lock().unwrap().take());
        let dispatcher = self.dispatcher.lock().unwrap().take();
        if let Some(dispatcher) = dispatcher {
            match dispatcher.join() {
                Ok(Ok(())) => {}
                Ok(Err(message)) => resume_unwind(Box::new(message)),
                Err(payload) => resume_unwind(payload),
            }
        }
    }
}
