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
use crate::sync::{Arc, Condvar, Mutex, MutexGuard};

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

/// Submits `job`, failing with a violation if the pool refuses it while open.
#[track_caller]
pub fn submit_open<P: SuitePool>(pool: &P, job: Job, what: &str) {
    if pool.submit(job).is_err() {
        violation(format!("the pool refused {what} before shutdown"));
    }
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

/// Waits on `cv` until `done(&state)`, giving up after `patience` (if any); returns the guard and
/// whether `done` holds.
fn wait_until<'a, T>(
    cv: &Condvar,
    mut guard: MutexGuard<'a, T>,
    patience: Option<Duration>,
    done: impl Fn(&T) -> bool,
) -> (MutexGuard<'a, T>, bool) {
    let Some(patience) = patience else {
        while !done(&guard) {
            guard = cv.wait(guard);
        }
        return (guard, true);
    };
    let deadline = Instant::now() + patience;
    while !done(&guard) {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return (guard, false);
        }
        guard = cv.wait_timeout(guard, left).0;
    }
    (guard, true)
}

/// A counter that threads can wait on.
pub struct Tally {
    n: Mutex<usize>,
    changed: Condvar,
}

impl Tally {
    /// Creates a shared tally at zero.
    pub fn new() -> Arc<Self> {
        Arc::new(Tally {
            n: Mutex::new(0),
            changed: Condvar::new(),
        })
    }

    /// Adds one and wakes every waiter.
    pub fn bump(&self) {
        *self.n.lock() += 1;
        self.changed.notify_all();
    }

    /// Returns the count.
    pub fn get(&self) -> usize {
        *self.n.lock()
    }

    /// Waits until the count reaches `target`; returns `false` if `patience` ran out first.
    pub fn wait_for(&self, target: usize, patience: Option<Duration>) -> bool {
        wait_until(&self.changed, self.n.lock(), patience, |n| *n >= target).1
    }
}

/// A gate that jobs wait at until it is opened (for good).
pub struct Gate {
    open: Mutex<bool>,
    opened: Condvar,
}

impl Gate {
    /// Creates a shared, closed gate.
    pub fn new() -> Arc<Self> {
        Arc::new(Gate {
            open: Mutex::new(false),
            opened: Condvar::new(),
        })
    }

    /// Waits until the gate is open.
    pub fn wait(&self) {
        let _open = wait_until(&self.opened, self.open.lock(), None, |open| *open);
    }

    /// Opens the gate and wakes every waiter.
    pub fn open(&self) {
        *self.open.lock() = true;
        self.opened.notify_all();
    }
}

/// A gate that lets jobs through one ticket at a time, or all at once once opened.
pub struct Tickets {
    /// Tickets granted and not taken; `usize::MAX` once open.
    left: Mutex<usize>,
    changed: Condvar,
    granted: AtomicUsize,
}

impl Tickets {
    /// Creates shared tickets, none granted.
    pub fn new() -> Arc<Self> {
        Arc::new(Tickets {
            left: Mutex::new(0),
            changed: Condvar::new(),
            granted: AtomicUsize::new(0),
        })
    }

    /// Waits for a ticket and takes it.
    pub fn take(&self) {
        let (mut left, _) = wait_until(&self.changed, self.left.lock(), None, |n| *n > 0);
        if *left != usize::MAX {
            *left -= 1;
        }
    }

    /// Grants one more ticket. [`granted`](Tickets::granted) counts it before the ticket can be
    /// taken, so a job that got through is always counted.
    pub fn grant(&self) {
        self.granted.fetch_add(1, SeqCst);
        let mut left = self.left.lock();
        *left = left.saturating_add(1);
        drop(left);
        self.changed.notify_all();
    }

    /// Returns how many tickets were granted so far (an upper bound of the jobs let through
    /// before [`open`](Tickets::open)).
    pub fn granted(&self) -> usize {
        self.granted.load(SeqCst)
    }

    /// Lets every job through from now on.
    pub fn open(&self) {
        self.granted.store(usize::MAX, SeqCst);
        *self.left.lock() = usize::MAX;
        self.changed.notify_all();
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
