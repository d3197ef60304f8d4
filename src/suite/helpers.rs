//! The pieces the checks are built from, public so that an adapter's own tests can use them: a
//! [`Tally`] (a counter threads can wait on), a [`Gate`] (jobs wait until it opens), [`Tickets`]
//! (a gate that lets jobs through one at a time), a [`ThreadCount`] (OS threads that ran jobs and
//! are still alive), and [`violation`], the panic every check fails with.
//!
//! All of them are written against [`crate::sync`], so they run on real threads and under loom and
//! shuttle alike. A wait takes a `patience`: `Some(d)` gives up after `d` and returns `false` (so a
//! real-thread failure has a reason instead of a hang); `None` waits for good (under a model checker
//! a stuck wait is a deadlock it reports).

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::{Duration, Instant};

use super::{Job, SuitePool};
use crate::check::VIOLATION_PREFIX;
use crate::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::sync::{Arc, Condvar, Mutex, MutexGuard, thread};

/// The message every deliberately panicking job panics with.
pub const DELIBERATE_PANIC: &str = "racezoo-suite: deliberate job panic";

/// Panics with a `violation:` message, which the checkers classify as a
/// [`Verdict::Violation`](crate::check::Verdict::Violation).
#[track_caller]
pub fn violation(message: String) -> ! {
    panic!("{VIOLATION_PREFIX}{message}")
}

/// Returns a job that panics with [`DELIBERATE_PANIC`].
pub fn panicking_job() -> Job {
    Job::new(|| panic!("{}", DELIBERATE_PANIC))
}

/// A job's work: sleeps `t` on real threads (so that jobs overlap and a join or shutdown that
/// returns early finds them running). A zero `t`, the model size, does nothing at all: a sleep is
/// a scheduling point under the checkers, which explore a job overlapping its neighbours through
/// the pool's own operations anyway.
pub fn work_for(t: Duration) {
    if !t.is_zero() {
        thread::sleep(t);
    }
}

/// Submits `job`, failing with a violation if the pool refuses it while open.
#[track_caller]
pub fn submit_open<P: SuitePool>(pool: &P, job: Job, what: &str) {
    if pool.submit(job).is_err() {
        violation(format!("the pool refused {what} before shutdown"));
    }
}

/// Occupies every worker of `pool` with a job that waits at the returned gate, and waits (up to
/// `patience`) until all `workers` have started. Fails with a violation, after opening the gate,
/// if they do not: the pool then cannot run `workers` jobs at once.
#[track_caller]
pub fn occupy_workers<P: SuitePool>(
    pool: &P,
    workers: usize,
    patience: Option<Duration>,
) -> Arc<Gate> {
    let gate = Gate::new();
    let started = Tally::new();
    for i in 0..workers {
        let (gate, started) = (gate.clone(), started.clone());
        submit_open(
            pool,
            Job::new(move || {
                started.bump();
                gate.wait();
            }),
            &format!("gated job {i}"),
        );
    }
    if !started.wait_for(workers, patience) {
        gate.open();
        violation(format!(
            "only {} of {workers} jobs started on {workers} idle workers",
            started.get()
        ));
    }
    gate
}

/// Calls `f` and turns a panic into `Err` with its message.
pub fn catch<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(|payload| {
        payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_default()
    })
}

/// A value behind a lock with a condition variable that counts its waiters, so that a change
/// nobody waits for wakes nobody: a wake-up is one more scheduling point for the checkers to
/// explore in every execution.
struct Signal<T> {
    state: Mutex<Waited<T>>,
    changed: Condvar,
}

struct Waited<T> {
    value: T,
    /// Threads in [`Signal::wait_until`], counted under the lock before they wait.
    waiters: usize,
}

impl<T> Signal<T> {
    fn new(value: T) -> Self {
        Signal {
            state: Mutex::new(Waited { value, waiters: 0 }),
            changed: Condvar::new(),
        }
    }

    /// Changes the value under the lock and wakes every waiter, if there is one.
    fn update<R>(&self, change: impl FnOnce(&mut T) -> R) -> R {
        let mut st = self.state.lock();
        let out = change(&mut st.value);
        let wake = st.waiters > 0;
        drop(st);
        if wake {
            self.changed.notify_all();
        }
        out
    }

    fn get(&self) -> T
    where
        T: Copy,
    {
        self.state.lock().value
    }

    /// Waits until `done(&value)`, giving up after `patience` (if any); returns the guard (the
    /// value is `.value`) and whether `done` holds.
    fn wait_until(
        &self,
        patience: Option<Duration>,
        done: impl Fn(&T) -> bool,
    ) -> (MutexGuard<'_, Waited<T>>, bool) {
        let mut st = self.state.lock();
        let deadline = patience.map(|p| Instant::now() + p);
        while !done(&st.value) {
            st.waiters += 1;
            st = match deadline {
                None => self.changed.wait(st),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        st.waiters -= 1;
                        return (st, false);
                    }
                    self.changed.wait_timeout(st, left).0
                }
            };
            st.waiters -= 1;
        }
        (st, true)
    }
}

/// A counter that threads can wait on.
pub struct Tally(Signal<usize>);

impl Tally {
    /// Creates a shared tally at zero.
    pub fn new() -> Arc<Self> {
        Arc::new(Tally(Signal::new(0)))
    }

    /// Adds one and wakes every waiter.
    pub fn bump(&self) {
        self.0.update(|n| *n += 1);
    }

    /// Returns the count.
    pub fn get(&self) -> usize {
        self.0.get()
    }

    /// Waits until the count reaches `target`; returns `false` if `patience` ran out first.
    pub fn wait_for(&self, target: usize, patience: Option<Duration>) -> bool {
        self.0.wait_until(patience, |n| *n >= target).1
    }
}

/// A gate that jobs wait at until it is opened (for good).
pub struct Gate(Signal<bool>);

impl Gate {
    /// Creates a shared, closed gate.
    pub fn new() -> Arc<Self> {
        Arc::new(Gate(Signal::new(false)))
    }

    /// Waits until the gate is open.
    pub fn wait(&self) {
        let _open = self.0.wait_until(None, |open| *open);
    }

    /// Opens the gate and wakes every waiter.
    pub fn open(&self) {
        self.0.update(|open| *open = true);
    }
}

/// A gate that lets jobs through one ticket at a time, or all at once once opened.
pub struct Tickets {
    /// Tickets granted and not taken; `usize::MAX` once open.
    left: Signal<usize>,
    granted: AtomicUsize,
}

impl Tickets {
    /// Creates shared tickets, none granted.
    pub fn new() -> Arc<Self> {
        Arc::new(Tickets {
            left: Signal::new(0),
            granted: AtomicUsize::new(0),
        })
    }

    /// Waits for a ticket and takes it.
    pub fn take(&self) {
        let (mut st, _) = self.left.wait_until(None, |n| *n > 0);
        if st.value != usize::MAX {
            st.value -= 1;
        }
    }

    /// Grants one more ticket. [`granted`](Tickets::granted) counts it before the ticket can be
    /// taken, so a job that got through is always counted.
    pub fn grant(&self) {
        self.granted.fetch_add(1, SeqCst);
        self.left.update(|left| *left = left.saturating_add(1));
    }

    /// Returns how many tickets were granted so far (an upper bound of the jobs let through
    /// before [`open`](Tickets::open)).
    pub fn granted(&self) -> usize {
        self.granted.load(SeqCst)
    }

    /// Lets every job through from now on.
    pub fn open(&self) {
        self.granted.store(usize::MAX, SeqCst);
        self.left.update(|left| *left = usize::MAX);
    }
}

thread_local! {
    static ALIVE: std::cell::RefCell<Vec<AliveGuard>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Decrements its counter when the (std) thread holding it in [`ALIVE`] exits.
struct AliveGuard(Arc<AtomicUsize>);

impl Drop for AliveGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, SeqCst);
    }
}

/// Counts the OS threads that called [`register`](ThreadCount::register) and have not exited yet
/// (through a thread-local whose destructor runs at thread exit). Meaningful on real threads only.
#[derive(Clone, Default)]
pub struct ThreadCount(Arc<AtomicUsize>);

impl ThreadCount {
    /// Creates a count at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Counts the current thread as alive until it exits (once per thread and count).
    pub fn register(&self) {
        let _ = ALIVE.try_with(|slot| {
            let mut slot = slot.borrow_mut();
            if !slot.iter().any(|g| Arc::ptr_eq(&g.0, &self.0)) {
                self.0.fetch_add(1, SeqCst);
                // Forget guards of counts nobody else holds any more.
                slot.retain(|g| Arc::strong_count(&g.0) > 1);
                slot.push(AliveGuard(self.0.clone()));
            }
        });
    }

    /// Returns how many registered threads are still alive.
    pub fn alive(&self) -> usize {
        self.0.load(SeqCst)
    }
}
