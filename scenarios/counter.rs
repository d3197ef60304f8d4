//! The mutex-guarded counter, and the lost update it prevents.
//!
//! The Go original (the seeds' "toilet lock"):
//!
//! ```go
//! var mu sync.Mutex
//! var count int
//! for i := 0; i < 2; i++ {
//!     wg.Add(1)
//!     go func() { defer wg.Done(); mu.Lock(); count++; mu.Unlock() }()
//! }
//! wg.Wait() // count == 2
//! ```
//!
//! **The bug.** `count++` is a read followed by a write. Without the lock, two goroutines can both read
//! 0 and both write 1: one increment is lost. Making the variable atomic does not help if the read and
//! the write stay separate operations (`load` then `store`): each access is atomic, the increment is
//! not.
//!
//! **What the checkers print.** loom explores the interleaving `load(A) load(B) store(A) store(B)` within
//! a handful of executions and reports `Violation: assertion left == right failed: left: 1, right: 2`;
//! shuttle's random and PCT schedulers hit it within a few schedules. Real-thread stress usually
//! misses it: two increments are over before the second thread even starts.
//!
//! **The fix.** Hold the lock across the read and the write ([`correct`]), or make the increment one
//! atomic read-modify-write (`fetch_add`).

use crate::check::{Checker, Verdict};
use crate::scenarios::{Expect, Scenario};
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::{Arc, Mutex, thread};

/// Threads that increment, besides main.
const WORKERS: usize = 2;

/// Correct: every increment holds the lock across its read and its write.
pub fn correct() {
    let count = Arc::new(Mutex::new(0usize));
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let count = count.clone();
            thread::spawn(move || *count.lock() += 1)
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    assert_eq!(*count.lock(), WORKERS, "lost update");
}

/// Bug: an atomic `load` followed by a separate `store`; two threads can both read the old value.
pub fn lost_update() {
    let count = Arc::new(AtomicUsize::new(0));
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let count = count.clone();
            thread::spawn(move || {
                let seen = count.load(Ordering::SeqCst);
                count.store(seen + 1, Ordering::SeqCst);
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    assert_eq!(count.load(Ordering::SeqCst), WORKERS, "lost update");
}

/// The counter scenarios.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        pattern: "counter",
        variant: "correct",
        summary: "two threads increment a mutex-guarded counter",
        body: correct,
        expect: &[
            (Checker::Loom, Expect::Passes),
            (Checker::ShuttleRandom, Expect::Passes),
            (Checker::ShuttlePct, Expect::Passes),
            (Checker::Stress, Expect::Passes),
        ],
    },
    Scenario {
        pattern: "counter",
        variant: "lost_update",
        summary: "two threads increment with atomic load-then-store",
        body: lost_update,
        expect: &[
            (Checker::Loom, Expect::Finds(Verdict::Violation)),
            (Checker::ShuttleRandom, Expect::Finds(Verdict::Violation)),
            (Checker::ShuttlePct, Expect::Finds(Verdict::Violation)),
            (Checker::Stress, Expect::MayFind(Verdict::Violation)),
        ],
    },
];
