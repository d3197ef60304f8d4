//! The mutex-guarded counter (the seeds' "toilet lock"), its atomic cousins, and `sync.RWMutex`.
//!
//! The Go original:
//!
//! ```go
//! mu.Lock()
//! count++ // safe zone
//! mu.Unlock()
//! ```
//!
//! `count++` is a read followed by a write. The lock makes the pair one step; every bug below splits
//! a step that must be one (a plain cell, an atomic load then store, a check and an act in two lock
//! scopes), orders two locks badly, or publishes with an ordering too weak to carry the data along.

use std::mem::ManuallyDrop;

use crate::check::{Checker, Verdict};
use crate::rwmutex::RwMutex;
use crate::scenarios::{ALL_PASS, Expectation, Names, SHUTTLE_IS_SC, Scenario, models_find};
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::cell::UnsafeCell;
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

/// A cell that claims to be shareable without a lock, as racy code does.
struct Unsync(UnsafeCell<usize>);

// SAFETY: it is not; this is the bug under test. Only loom and shuttle run [`unsync_cell`]: loom
// reports the conflicting accesses, shuttle runs one model thread at a time, and the zoo never runs it
// on real threads.
unsafe impl Sync for Unsync {}

impl Unsync {
    fn increment(&self) {
        // SAFETY: none: two threads get here at once (the bug).
        self.0.with_mut(|p| unsafe { *p += 1 });
    }
}

/// Bug: the counter is a plain cell shared without a lock (Go: `count++` with no mutex, what
/// `go test -race` reports).
///
/// **What goes wrong.** Two unsynchronised writes: a data race, undefined behaviour in Rust.
/// **What each checker reports.** loom: `DataRace` (its causality check on the facade's
/// `UnsafeCell`). shuttle: not detected: it has no race detector and runs each cell access without a
/// scheduling point inside. Stress: not run, since running a data race on real threads is undefined
/// behaviour. **The fix.** A `Mutex` ([`correct`]) or an atomic `fetch_add`.
pub fn unsync_cell() {
    let count = Arc::new(Unsync(UnsafeCell::new(0)));
    let worker = {
        let count = count.clone();
        thread::spawn(move || count.increment())
    };
    count.increment();
    worker.join().unwrap();
}

/// Bug: an atomic `load` followed by a separate `store`; two threads can both read the old value.
///
/// **What goes wrong.** Each access is atomic, the increment is not: `load(A) load(B) store(A)
/// store(B)` loses one. **What each checker reports.** loom, shuttle random and PCT: `Violation`
/// (`lost update`) within a few executions. Stress usually misses it: two increments are over
/// before the second thread starts. **The fix.** Hold a lock across both, or `fetch_add`.
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

/// Withdraws `amount` if the balance covers it, checking and acting in two lock scopes (the bug).
fn withdraw_split(balance: &Mutex<i64>, amount: i64) {
    let enough = *balance.lock() >= amount;
    if enough {
        *balance.lock() -= amount;
    }
}

/// Bug: check-then-act across two lock scopes: "if the balance covers it, withdraw", each half
/// under the lock, the lock released in between.
///
/// **What goes wrong.** Both withdrawals can pass the check before either acts: the balance goes
/// negative, although every access was locked. **What each checker reports.** loom and shuttle:
/// `Violation` (`balance went negative`). Stress may miss the window. **The fix.** One guard across
/// the check and the act ([`check_then_act_fixed`]).
pub fn check_then_act() {
    let balance = Arc::new(Mutex::new(10i64));
    let other = {
        let balance = balance.clone();
        thread::spawn(move || withdraw_split(&balance, 10))
    };
    withdraw_split(&balance, 10);
    other.join().unwrap();
    assert!(*balance.lock() >= 0, "violation: balance went negative");
}

/// Correct: [`check_then_act`] with one guard across the check and the act.
pub fn check_then_act_fixed() {
    fn withdraw(balance: &Mutex<i64>, amount: i64) {
        let mut b = balance.lock();
        if *b >= amount {
            *b -= amount;
        }
    }
    let balance = Arc::new(Mutex::new(10i64));
    let other = {
        let balance = balance.clone();
        thread::spawn(move || withdraw(&balance, 10))
    };
    withdraw(&balance, 10);
    other.join().unwrap();
    assert!(*balance.lock() >= 0, "violation: balance went negative");
}

/// Bug: ABBA. Main locks `a` then `b`, the worker `b` then `a` (a transfer in both directions).
///
/// **What goes wrong.** Each holds the lock the other needs next. **What each checker reports.**
/// loom and shuttle: `Deadlock`, main stuck in `lock` of `b` and the worker in `lock` of `a`, at
/// the tagged lines. Stress rarely sees it: the window is between two lock calls. **The fix.** One
/// global lock order (always `a` before `b`).
pub fn abba() {
    let a = Arc::new(Mutex::new(0u32));
    let b = Arc::new(Mutex::new(0u32));
    let worker = {
        let (a, b) = (a.clone(), b.clone());
        thread::spawn(move || {
            let mut b = b.lock();
            let mut a = a.lock(); // @worker_lock_a
            *a += 1;
            *b += 1;
        })
    };
    {
        let mut a = a.lock();
        let mut b = b.lock(); // @main_lock_b
        *a += 1;
        *b += 1;
    }
    worker.join().unwrap();
}

/// Adds one to `count`, taking its lock (a helper that does not know its caller holds it).
fn bump(count: &Mutex<u32>) {
    *count.lock() += 1; // @relock
}

/// Bug: a function that holds the lock calls a helper that takes the same lock (Go's mutexes, like
/// Rust's, are not re-entrant).
///
/// **What goes wrong.** The second `lock` waits for the first, held by the same thread: a
/// self-deadlock. **What each checker reports.** loom: `Deadlock`, main stuck in `lock` at the
/// helper's line. shuttle notices the re-entrant lock itself ("deadlock! task … tried to acquire a
/// Mutex it already holds"), which the harness reads as its deadlock signal: `Deadlock`, main stuck
/// at the same line. Stress: `Hang`, main stuck at the same line. **The fix.**
/// Split the helper into a locked and an unlocked version, and call the unlocked one under the lock.
pub fn lock_twice() {
    let count = Mutex::new(0u32);
    let guard = count.lock();
    if *guard == 0 {
        bump(&count);
    }
}

/// Bug: a worker writes its result and then bumps a "finished" counter, both `Relaxed`; main reads
/// the result once the counter says the worker finished.
///
/// **What goes wrong.** `Relaxed` orders nothing but the counter itself: seeing `finished == 1` does
/// not make the result's store visible, and main can read the stale 0. **What each checker
/// reports.** loom: `Violation` (its weak-memory model lets the load read the old value). shuttle:
/// not detected (every access is sequentially consistent there). Stress: not seen on x86, whose
/// stores are never reordered with each other, and only rarely on ARM. **The fix.** `Release` on the
/// counter's increment and `Acquire` on its load.
pub fn relaxed_finished_count() {
    let result = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let worker = {
        let (result, finished) = (result.clone(), finished.clone());
        thread::spawn(move || {
            result.store(42, Ordering::Relaxed);
            finished.fetch_add(1, Ordering::Relaxed);
        })
    };
    if finished.load(Ordering::Relaxed) == 1 {
        assert_eq!(
            result.load(Ordering::Relaxed),
            42,
            "violation: the counter said finished but the result was not visible"
        );
    }
    worker.join().unwrap();
}

/// Correct: [`relaxed_finished_count`] with `Release` on the increment and `Acquire` on the load.
pub fn release_acquire_count() {
    let result = Arc::new(AtomicUsize::new(0));
    let finished = Arc::new(AtomicUsize::new(0));
    let worker = {
        let (result, finished) = (result.clone(), finished.clone());
        thread::spawn(move || {
            result.store(42, Ordering::Relaxed);
            finished.fetch_add(1, Ordering::Release);
        })
    };
    if finished.load(Ordering::Acquire) == 1 {
        assert_eq!(
            result.load(Ordering::Relaxed),
            42,
            "violation: the counter said finished but the result was not visible"
        );
    }
    worker.join().unwrap();
}

/// Correct: two readers and a writer on an [`RwMutex`]; readers see the value before or after the
/// write, never anything else.
pub fn rw_correct() {
    let rw = Arc::new(RwMutex::new(0u32));
    let writer = {
        let rw = rw.clone();
        thread::spawn(move || *rw.write() += 1)
    };
    let reader = {
        let rw = rw.clone();
        thread::spawn(move || *rw.read())
    };
    let seen = *rw.read();
    assert!(seen <= 1);
    assert!(reader.join().unwrap() <= 1);
    writer.join().unwrap();
    assert_eq!(*rw.read(), 1);
}

/// Bug: a reader takes the read lock again while holding it (a recursive read), and a writer
/// arrives in between. Go-specific: a waiting writer blocks new readers.
///
/// **What goes wrong.** Go's `RWMutex` (and racezoo's [`RwMutex`]) lets no new reader in once a
/// writer waits, so writers are not starved. The writer waits for main's first read guard; main's
/// second `read` waits for the writer. **What each checker reports.** loom and shuttle: `Deadlock`,
/// main stuck in `read` at the tagged line and the writer in `write`. Stress rarely sees the writer
/// arrive between the two reads. **The fix.** Never take a read lock you already hold; pass the
/// guard (or the value) down instead.
pub fn rw_recursive_read() {
    let rw = Arc::new(RwMutex::new(0u32));
    // Kept out of the unwinding path: the guard is released only on the success path.
    let first = ManuallyDrop::new(rw.read());
    let writer = {
        let rw = rw.clone();
        thread::spawn(move || *rw.write() += 1) // @writer_write
    };
    let second = rw.read(); // @second_read
    assert_eq!(*second, **first);
    drop(second);
    drop(ManuallyDrop::into_inner(first));
    writer.join().unwrap();
}

/// The counter and RwMutex scenarios.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        pattern: "counter",
        variant: "correct",
        summary: "two threads increment a mutex-guarded counter",
        body: correct,
        expect: ALL_PASS,
        file: file!(),
        source: include_str!("counter.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "counter",
        variant: "unsync_cell",
        summary: "two threads increment a plain cell with no lock: a data race",
        body: unsync_cell,
        expect: [
            (
                Checker::Loom,
                Expectation::Finds(Verdict::DataRace, Names::Nothing),
            ),
            (
                Checker::ShuttleRandom,
                Expectation::Misses("shuttle has no data-race detector"),
            ),
            (
                Checker::ShuttlePct,
                Expectation::Misses("shuttle has no data-race detector"),
            ),
            (
                Checker::Stress,
                Expectation::Skips("a data race on real threads is undefined behaviour"),
            ),
        ],
        file: file!(),
        source: include_str!("counter.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "counter",
        variant: "lost_update",
        summary: "two threads increment with atomic load-then-store",
        body: lost_update,
        expect: models_find(
            Verdict::Violation,
            Names::Message("lost update"),
            Verdict::Violation,
        ),
        file: file!(),
        source: include_str!("counter.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "counter",
        variant: "check_then_act",
        summary: "check the balance and withdraw in two lock scopes: it goes negative",
        body: check_then_act,
        expect: models_find(
            Verdict::Violation,
            Names::Message("balance went negative"),
            Verdict::Violation,
        ),
        file: file!(),
        source: include_str!("counter.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "counter",
        variant: "check_then_act_fixed",
        summary: "the fix: one guard across the check and the act",
        body: check_then_act_fixed,
        expect: ALL_PASS,
        file: file!(),
        source: include_str!("counter.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "counter",
        variant: "abba",
        summary: "two locks taken in opposite orders by two threads",
        body: abba,
        expect: models_find(
            Verdict::Deadlock,
            Names::Stuck(&[("lock", "main_lock_b"), ("lock", "worker_lock_a")]),
            Verdict::Hang,
        ),
        file: file!(),
        source: include_str!("counter.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "counter",
        variant: "lock_twice",
        summary: "a helper locks the mutex its caller already holds: self-deadlock",
        body: lock_twice,
        expect: [
            (
                Checker::Loom,
                Expectation::Finds(Verdict::Deadlock, Names::Stuck(&[("lock", "relock")])),
            ),
            (
                Checker::ShuttleRandom,
                Expectation::Finds(Verdict::Deadlock, Names::Stuck(&[("lock", "relock")])),
            ),
            (
                Checker::ShuttlePct,
                Expectation::Finds(Verdict::Deadlock, Names::Stuck(&[("lock", "relock")])),
            ),
            (
                Checker::Stress,
                Expectation::Finds(Verdict::Hang, Names::Stuck(&[("lock", "relock")])),
            ),
        ],
        file: file!(),
        source: include_str!("counter.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "counter",
        variant: "relaxed_finished_count",
        summary: "a Relaxed completion counter does not publish the result",
        body: relaxed_finished_count,
        expect: [
            (
                Checker::Loom,
                Expectation::Finds(
                    Verdict::Violation,
                    Names::Message("the result was not visible"),
                ),
            ),
            (Checker::ShuttleRandom, Expectation::Misses(SHUTTLE_IS_SC)),
            (Checker::ShuttlePct, Expectation::Misses(SHUTTLE_IS_SC)),
            (
                Checker::Stress,
                Expectation::MayFind(
                    Verdict::Violation,
                    Names::Message("the result was not visible"),
                ),
            ),
        ],
        file: file!(),
        source: include_str!("counter.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "counter",
        variant: "release_acquire_count",
        summary: "the fix: Release on the increment, Acquire on the load",
        body: release_acquire_count,
        expect: ALL_PASS,
        file: file!(),
        source: include_str!("counter.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "counter",
        variant: "rw_correct",
        summary: "two readers and a writer on an RwMutex",
        body: rw_correct,
        expect: ALL_PASS,
        file: file!(),
        source: include_str!("counter.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "counter",
        variant: "rw_recursive_read",
        summary: "a recursive read lock with a writer waiting in between (Go's RWMutex)",
        body: rw_recursive_read,
        expect: models_find(
            Verdict::Deadlock,
            Names::Stuck(&[("wait", "second_read"), ("wait", "writer_write")]),
            Verdict::Hang,
        ),
        file: file!(),
        source: include_str!("counter.rs"),
        pending: &[],
    },
];
