//! Cross-cutting lessons: bugs that belong to no single pattern.
//!
//! * **Sleep is not synchronisation.** The seeds' first goroutine example ends with
//!   `time.Sleep(1 * time.Second)` "to give the goroutine time to finish". A sleep makes the race
//!   unlikely on an idle machine; it does not order anything.
//! * **Publication needs an ordering.** A flag set with a `Relaxed` store says nothing about the
//!   data written before it. Go's memory model makes plain racy accesses undefined too; Rust lets you
//!   write the weak version with atomics, and only loom's weak-memory model shows it failing.
//! * **Check-then-act.** "If it is not done yet, do it" is two steps; making each step atomic does
//!   not make the pair atomic.

use std::time::Duration;

use crate::check::{Checker, Verdict};
use crate::scenarios::{ALL_PASS, Expectation, Names, SHUTTLE_IS_SC, Scenario, models_find};
use crate::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use crate::sync::{Arc, Mutex, thread};

/// Bug: main starts a worker, sleeps "long enough" and reads what the worker wrote.
///
/// **What goes wrong.** Nothing orders the worker's write before main's read; the sleep only makes
/// it likely. **What each checker reports.** loom and shuttle: `Violation` at once (neither models
/// time: a sleep is just a point where another thread may or may not run). Stress almost never
/// sees it: 2 ms is plenty on an idle machine, and that is exactly why the bug survives testing.
/// **The fix.** Join the worker (or wait on a channel or a `WaitGroup`) instead of sleeping
/// ([`join_not_sleep`]).
pub fn sleep_as_sync() {
    let written = Arc::new(Mutex::new(false));
    {
        let written = written.clone();
        thread::spawn(move || *written.lock() = true);
    }
    thread::sleep(Duration::from_millis(2)); // "give the worker time to finish"
    assert!(
        *written.lock(),
        "violation: the worker had not run yet: a sleep orders nothing"
    );
}

/// Correct: [`sleep_as_sync`] with a join instead of the sleep.
pub fn join_not_sleep() {
    let written = Arc::new(Mutex::new(false));
    let worker = {
        let written = written.clone();
        thread::spawn(move || *written.lock() = true)
    };
    worker.join().unwrap();
    assert!(
        *written.lock(),
        "violation: the worker had not run yet: a sleep orders nothing"
    );
}

/// Publishes `42` through a flag with the given orderings; the reader checks it if it sees the flag.
fn publish(store: Ordering, load: Ordering) {
    let data = Arc::new(AtomicUsize::new(0));
    let ready = Arc::new(AtomicBool::new(false));
    let writer = {
        let (data, ready) = (data.clone(), ready.clone());
        thread::spawn(move || {
            data.store(42, Ordering::Relaxed);
            ready.store(true, store);
        })
    };
    if ready.load(load) {
        assert_eq!(
            data.load(Ordering::Relaxed),
            42,
            "violation: saw the flag but not the data"
        );
    }
    writer.join().unwrap();
}

/// Bug: a writer stores data, then sets a `ready` flag, both `Relaxed`; the reader reads the data
/// once it sees the flag.
///
/// **What goes wrong.** `Relaxed` does not order the two stores for another thread: the reader can
/// see `ready == true` and the old data. **What each checker reports.** loom: `Violation` (its
/// weak-memory model lets the data load read the old store). shuttle: not detected (every access is
/// sequentially consistent). Stress: not seen on x86 (stores are not reordered with stores), rare
/// on ARM. **The fix.** `Release` on the flag's store, `Acquire` on its load ([`release_acquire`]).
pub fn relaxed_flag() {
    publish(Ordering::Relaxed, Ordering::Relaxed);
}

/// Correct: [`relaxed_flag`] with `Release`/`Acquire` on the flag.
pub fn release_acquire() {
    publish(Ordering::Release, Ordering::Acquire);
}

/// Bug: lazy initialisation behind an atomic flag: "if not initialised, initialise, set the flag".
///
/// **What goes wrong.** Two threads can both read `false` before either sets it: the expensive
/// initialisation runs twice (two connections opened, two files truncated). **What each checker
/// reports.** loom and shuttle: `Violation` (`initialised twice`). Stress may miss the window.
/// **The fix.** Make the check and the act one step: `compare_exchange` on the flag
/// ([`init_once`]), a `Mutex` around both, or `std::sync::Once` / Go's `sync.Once`.
pub fn lazy_init_twice() {
    let initialised = Arc::new(AtomicBool::new(false));
    let inits = Arc::new(AtomicUsize::new(0));
    let init = {
        let (initialised, inits) = (initialised.clone(), inits.clone());
        move || {
            if !initialised.load(Ordering::SeqCst) {
                inits.fetch_add(1, Ordering::SeqCst);
                initialised.store(true, Ordering::SeqCst);
            }
        }
    };
    let other = thread::spawn(init.clone());
    init();
    other.join().unwrap();
    assert_eq!(
        inits.load(Ordering::SeqCst),
        1,
        "violation: initialised twice"
    );
}

/// Correct: [`lazy_init_twice`] with `compare_exchange`: exactly one thread wins the flag.
pub fn init_once() {
    let initialised = Arc::new(AtomicBool::new(false));
    let inits = Arc::new(AtomicUsize::new(0));
    let init = {
        let (initialised, inits) = (initialised.clone(), inits.clone());
        move || {
            if initialised
                .compare_exchange(false, true, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
            {
                inits.fetch_add(1, Ordering::SeqCst);
            }
        }
    };
    let other = thread::spawn(init.clone());
    init();
    other.join().unwrap();
    assert_eq!(
        inits.load(Ordering::SeqCst),
        1,
        "violation: initialised twice"
    );
}

/// The cross-cutting scenarios.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        pattern: "lesson",
        variant: "sleep_as_sync",
        summary: "a sleep instead of a join: the worker may not have run",
        body: sleep_as_sync,
        expect: models_find(
            Verdict::Violation,
            Names::Message("a sleep orders nothing"),
            Verdict::Violation,
        ),
        file: file!(),
        source: include_str!("lessons.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "lesson",
        variant: "join_not_sleep",
        summary: "the fix: join the worker",
        body: join_not_sleep,
        expect: ALL_PASS,
        file: file!(),
        source: include_str!("lessons.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "lesson",
        variant: "relaxed_flag",
        summary: "data published through a Relaxed flag",
        body: relaxed_flag,
        expect: [
            (
                Checker::Loom,
                Expectation::Finds(
                    Verdict::Violation,
                    Names::Message("saw the flag but not the data"),
                ),
            ),
            (Checker::ShuttleRandom, Expectation::Misses(SHUTTLE_IS_SC)),
            (Checker::ShuttlePct, Expectation::Misses(SHUTTLE_IS_SC)),
            (
                Checker::Stress,
                Expectation::MayFind(
                    Verdict::Violation,
                    Names::Message("saw the flag but not the data"),
                ),
            ),
        ],
        file: file!(),
        source: include_str!("lessons.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "lesson",
        variant: "release_acquire",
        summary: "the fix: Release store, Acquire load",
        body: release_acquire,
        expect: ALL_PASS,
        file: file!(),
        source: include_str!("lessons.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "lesson",
        variant: "lazy_init_twice",
        summary: "check-then-act on an atomic flag: initialised twice",
        body: lazy_init_twice,
        expect: models_find(
            Verdict::Violation,
            Names::Message("initialised twice"),
            Verdict::Violation,
        ),
        file: file!(),
        source: include_str!("lessons.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "lesson",
        variant: "init_once",
        summary: "the fix: compare_exchange makes check and act one step",
        body: init_once,
        expect: ALL_PASS,
        file: file!(),
        source: include_str!("lessons.rs"),
        pending: &[],
    },
];
