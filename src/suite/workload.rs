//! Whole pool lives as data, for proptest to generate and shrink: how many workers, how big the
//! queue, which jobs panic, and after how many submissions shutdown comes.
//!
//! [`run`] drives one [`Workload`] against a pool and panics with a `violation:` message when an
//! accepted job did not run exactly once, a refused job ran, a job was refused while the pool was
//! open or accepted after shutdown, or more than `workers` jobs ran at once. A hang is left to the
//! checker's watchdog (std) or deadlock detection (loom, shuttle). proptest itself is a
//! dev-dependency: the strategies live in the tests (`tests/suite_std.rs`).

use super::checks::DELIBERATE_PANIC;
use super::{Job, SuitePool};
use crate::check::VIOLATION_PREFIX;
use crate::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::sync::{Arc, thread};

/// One pool life.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Workload {
    /// Worker threads (at least 1).
    pub workers: usize,
    /// Queue capacity (at least 1).
    pub capacity: usize,
    /// One entry per job, in submission order: `true` if the job panics.
    pub panics: Vec<bool>,
    /// Shutdown is called after this many submissions (`>= panics.len()`: after all of them);
    /// every later submission must be refused.
    pub shutdown_after: usize,
}

/// Drives `w` against a fresh `P`; panics with a `violation:` message on the first broken rule.
pub fn run<P: SuitePool>(w: &Workload) {
    let pool = P::create(w.workers, w.capacity);
    let n = w.panics.len();
    let runs: Arc<Vec<AtomicUsize>> = Arc::new((0..n).map(|_| AtomicUsize::new(0)).collect());
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let mut closed = false;
    let mut accepted = vec![false; n];
    for (i, &panics) in w.panics.iter().enumerate() {
        if i == w.shutdown_after {
            pool.shutdown();
            closed = true;
        }
        let (runs, running, peak) = (runs.clone(), running.clone(), peak.clone());
        let job = Job::new(move || {
            runs[i].fetch_add(1, SeqCst);
            let now = running.fetch_add(1, SeqCst) + 1;
            peak.fetch_max(now, SeqCst);
            thread::yield_now();
            running.fetch_sub(1, SeqCst);
            if panics {
                panic!("{}", DELIBERATE_PANIC);
            }
        });
        accepted[i] = pool.submit(job).is_ok();
        if closed && accepted[i] {
            panic!("{VIOLATION_PREFIX}job {i} was accepted after shutdown");
        }
        if !closed && !accepted[i] {
            panic!("{VIOLATION_PREFIX}job {i} was refused while the pool was open");
        }
    }
    if !closed {
        pool.shutdown();
    }
    for (i, &acc) in accepted.iter().enumerate() {
        let ran = runs[i].load(SeqCst);
        let expected = usize::from(acc);
        if ran != expected {
            panic!(
                "{VIOLATION_PREFIX}job {i} ({}) ran {ran} times, expected {expected}",
                if acc { "accepted" } else { "refused" }
            );
        }
    }
    let peak = peak.load(SeqCst);
    if peak > w.workers {
        panic!(
            "{VIOLATION_PREFIX}{peak} jobs ran at once with {} workers",
            w.workers
        );
    }
    drop(pool);
}
