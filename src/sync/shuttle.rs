//! The shuttle backend: randomized and PCT scheduling of larger configurations.

use std::time::Duration;

pub use shuttle::sync::atomic;
pub use shuttle::{hint, thread};

pub(super) use shuttle::sync::{Condvar as RawCondvar, Mutex as RawMutex, MutexGuard as RawGuard};
pub(super) use shuttle::sync::{
    RwLock as RawRwLock, RwLockReadGuard as RawReadGuard, RwLockWriteGuard as RawWriteGuard,
};
pub(super) use std::sync::TryLockError;

#[path = "plain_cell.rs"]
mod plain_cell;
#[path = "quiet.rs"]
mod quiet;
pub use plain_cell::UnsafeCell;

pub(super) const FLAVOUR: super::Flavour = super::Flavour::Shuttle;
pub(super) const MAX_THREADS: usize = usize::MAX;

/// shuttle's own `wait_timeout` never times out; racezoo's meaning is "time passes after a
/// scheduling point".
pub(super) fn timed_wait<'a, T>(
    _cv: &RawCondvar,
    guard: RawGuard<'a, T>,
    lock: &'a RawMutex<T>,
    _dur: Duration,
) -> (RawGuard<'a, T>, bool) {
    drop(guard);
    shuttle::thread::yield_now();
    (lock.lock().unwrap_or_else(|e| e.into_inner()), true)
}

/// shuttle's `sleep` is a plain context switch; racezoo makes it an explicit yield so every flavour
/// gives time the same meaning.
pub(super) fn sleep(_dur: Duration) {
    shuttle::thread::yield_now()
}

/// shuttle's `park_timeout` never times out; racezoo's does, after a scheduling point.
pub(super) fn park_timeout(_dur: Duration) {
    shuttle::thread::yield_now()
}

/// A choice drawn from shuttle's random source: a decision of the schedule, recorded in it and
/// replayed with it.
#[inline]
pub(super) fn choose(n: usize) -> usize {
    use shuttle::rand::RngCore;
    super::choice::reduce(shuttle::rand::thread_rng().next_u64(), n)
}

pub mod runtime {
    //! shuttle's runners, and no loom.
    use super::super::runtime::{LoomBounds, ShuttleScheduler, Unavailable};

    /// Always [`Unavailable`]: loom needs `--cfg loom`.
    pub fn loom_explore<F>(_bounds: &LoomBounds, _body: F) -> Result<(), Unavailable>
    where
        F: Fn() + Send + Sync + 'static,
    {
        Err(Unavailable {
            checker: "loom",
            built: super::FLAVOUR,
        })
    }

    /// Runs `body` under the given shuttle scheduler; failures surface as panics.
    ///
    /// The schedule of every execution is recorded as it is made, so that after a failure
    /// [`last_schedule`] returns the failing one, encoded as shuttle's `replay` expects (shuttle itself
    /// only prints it to stderr).
    pub fn shuttle_run<F>(scheduler: &ShuttleScheduler, body: F) -> Result<(), Unavailable>
    where
        F: Fn() + Send + Sync + 'static,
    {
        use shuttle::scheduler::{PctScheduler, RandomScheduler, ReplayScheduler};
        let mut config = shuttle::Config::default();
        // racezoo captures the failing schedule itself (see `last_schedule`) and reports it.
        config.failure_persistence = shuttle::FailurePersistence::None;
        // shuttle's one-time warning that it treats every ordering as SeqCst: racezoo states it in
        // its docs and in each scenario's expectation ("shuttle is sequentially consistent").
        config.silence_warnings = true;
        LAST.with(|l| l.borrow_mut().take());
        let _quiet = super::quiet::quiet();
        match scheduler {
            ShuttleScheduler::Random { iterations, seed } => {
                let s = RandomScheduler::new_from_seed(*seed, *iterations);
                shuttle::Runner::new(Recording::new(s), config).run(body);
            }
            ShuttleScheduler::Pct {
                iterations,
                depth,
                seed,
            } => {
                let s = PctScheduler::new_from_seed(*seed, *depth, *iterations);
                shuttle::Runner::new(Recording::new(s), config).run(body);
            }
            ShuttleScheduler::Replay { schedule } => {
                let s = match decode(schedule) {
                    Some(decoded) => ReplayScheduler::new_from_schedule(decoded),
                    // Anything else is taken to be shuttle's own encoding, as it prints it.
                    None => ReplayScheduler::new_from_encoded(schedule),
                };
                shuttle::Runner::new(Recording::new(s), config).run(body);
            }
        }
        Ok(())
    }

    /// Makes shuttle install its panic hook now (it does so at its first execution), so that a hook
    /// installed after this call wraps shuttle's and decides whether shuttle's banners are printed.
    pub fn prepare_panic_hooks() {
        use shuttle::scheduler::RandomScheduler;
        shuttle::Runner::new(
            RandomScheduler::new_from_seed(0, 1),
            shuttle::Config::default(),
        )
        .run(|| {});
    }

    /// Returns the encoded schedule of the last execution that [`shuttle_run`] ran on this OS
    /// thread (the failing one, after a failure).
    pub fn last_schedule() -> Option<String> {
        LAST.with(|l| {
            l.borrow()
                .as_ref()
                .map(|(seed, steps)| encode(*seed, steps))
        })
    }

    /// One scheduling decision.
    #[derive(Clone, Copy, PartialEq, Eq)]
    enum Step {
        /// The task with this id ran next.
        Task(usize),
        /// A random value was drawn.
        Random,
    }

    std::thread_local! {
        static LAST: std::cell::RefCell<Option<(u64, Vec<Step>)>> =
            const { std::cell::RefCell::new(None) };
    }

    /// Wraps a scheduler and writes down every decision it makes, into [`LAST`].
    ///
    /// When a failure unwinds the runner, the inner scheduler is not dropped but leaked (a few
    /// words): shuttle's random scheduler prints a "failing seed … pass the seed to
    /// `check_random_with_seed`" banner from its destructor, advice that racezoo's replay handle
    /// replaces.
    struct Recording<S>(Option<S>);

    impl<S> Recording<S> {
        fn new(inner: S) -> Self {
            Recording(Some(inner))
        }

        fn inner(&mut self) -> &mut S {
            self.0
                .as_mut()
                .expect("the scheduler is only taken by drop")
        }
    }

    impl<S> Drop for Recording<S> {
        fn drop(&mut self) {
            if std::thread::panicking() {
                std::mem::forget(self.0.take());
            }
        }
    }

    fn push(step: Step) {
        LAST.with(|l| {
            if let Some((_, steps)) = l.borrow_mut().as_mut() {
                steps.push(step);
            }
        });
    }

    impl<S: shuttle::scheduler::Scheduler> shuttle::scheduler::Scheduler for Recording<S> {
        fn new_execution(&mut self) -> Option<shuttle::scheduler::Schedule> {
            let schedule = self.inner().new_execution()?;
            LAST.with(|l| *l.borrow_mut() = Some((schedule.seed, Vec::new())));
            Some(schedule)
        }

        fn next_task(
            &mut self,
            runnable_tasks: &[&shuttle::scheduler::Task],
            current_task: Option<shuttle::scheduler::TaskId>,
            is_yielding: bool,
        ) -> Option<shuttle::scheduler::TaskId> {
            let next = self
                .inner()
                .next_task(runnable_tasks, current_task, is_yielding)?;
            push(Step::Task(usize::from(next)));
            Some(next)
        }

        fn next_u64(&mut self) -> u64 {
            push(Step::Random);
            self.inner().next_u64()
        }
    }

    /// The prefix of racezoo's schedule encoding.
    const PREFIX: &str = "rz1:";

    /// Encodes a schedule as `rz1:<seed>:<steps>`, steps separated by `.`: a task id, or `r` for a
    /// random value, each optionally followed by `*<count>` for a run of the same step. shuttle does
    /// not export its own encoder, and this one stays readable.
    fn encode(seed: u64, schedule: &[Step]) -> String {
        let mut out = format!("{PREFIX}{seed:x}:");
        let mut steps = schedule.iter().peekable();
        let mut first = true;
        while let Some(step) = steps.next() {
            let mut run = 1;
            while steps.peek() == Some(&step) {
                steps.next();
                run += 1;
            }
            if !first {
                out.push('.');
            }
            first = false;
            match step {
                Step::Task(id) => out.push_str(&id.to_string()),
                Step::Random => out.push('r'),
            }
            if run > 1 {
                out.push_str(&format!("*{run}"));
            }
        }
        out
    }

    /// Decodes what [`encode`] wrote; `None` if `text` is not in that encoding.
    fn decode(text: &str) -> Option<shuttle::scheduler::Schedule> {
        use shuttle::scheduler::{Schedule, TaskId};
        let rest = text.trim().strip_prefix(PREFIX)?;
        let (seed, steps) = rest.split_once(':')?;
        let mut schedule = Schedule::new(u64::from_str_radix(seed, 16).ok()?);
        for token in steps.split('.').filter(|t| !t.is_empty()) {
            let (step, run) = match token.split_once('*') {
                Some((step, run)) => (step, run.parse::<usize>().ok()?),
                None => (token, 1),
            };
            let id = match step {
                "r" => None,
                id => Some(id.parse::<usize>().ok()?),
            };
            for _ in 0..run {
                match id {
                    Some(id) => schedule.push_task(TaskId::from(id)),
                    None => schedule.push_random(),
                }
            }
        }
        Some(schedule)
    }
}

#[path = "read_holders.rs"]
mod read_holders;
pub(super) use read_holders::ReadHolders;
