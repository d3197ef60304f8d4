//! The once-cell under the build's checker, next to its check-then-act twin.

use downstream::once::{Once, RacyOnce};
use racezoo::check::{self, Verdict};
use racezoo::sync::atomic::{AtomicUsize, Ordering};
use racezoo::sync::{Arc, FLAVOUR, Flavour, thread};

/// The two cells under test, seen the same way.
trait Cell: Send + Sync + 'static {
    fn new() -> Self;
    fn init(&self, f: impl FnOnce() -> usize) -> usize;
}

impl Cell for Once<usize> {
    fn new() -> Self {
        Once::new()
    }
    fn init(&self, f: impl FnOnce() -> usize) -> usize {
        *self.get_or_init(f)
    }
}

impl Cell for RacyOnce<usize> {
    fn new() -> Self {
        RacyOnce::new()
    }
    fn init(&self, f: impl FnOnce() -> usize) -> usize {
        *self.get_or_init(f)
    }
}

/// Two threads initialize one cell at once: both see one value, and only one initializer ran.
fn two_threads_initialize<C: Cell>() {
    let cell = Arc::new(C::new());
    let inits = Arc::new(AtomicUsize::new(0));
    let t = {
        let (cell, inits) = (cell.clone(), inits.clone());
        thread::spawn(move || {
            cell.init(|| {
                inits.fetch_add(1, Ordering::Relaxed);
                1
            })
        })
    };
    let here = cell.init(|| {
        inits.fetch_add(1, Ordering::Relaxed);
        2
    });
    let there = t.join().unwrap();
    assert_eq!(inits.load(Ordering::Relaxed), 1, "initialized twice");
    assert_eq!(here, there, "two threads saw different values");
}

#[test]
fn once_initializes_exactly_once() {
    let report = check::run_default(two_threads_initialize::<Once<usize>>);
    assert_eq!(report.verdict, Verdict::Pass, "{report}");
}

#[test]
fn racy_once_initializes_twice_and_loom_sees_the_race() {
    let report = check::run_default(two_threads_initialize::<RacyOnce<usize>>);
    match FLAVOUR {
        // Two unsynchronized writes of the cell: loom reports them as they happen.
        Flavour::Loom => assert_eq!(report.verdict, Verdict::DataRace, "{report}"),
        // shuttle has no race detector, but finds the schedule where both initialize.
        Flavour::Shuttle => assert_eq!(report.verdict, Verdict::Violation, "{report}"),
        // Real threads need the two to meet inside a few instructions.
        Flavour::Std => assert!(
            matches!(report.verdict, Verdict::Pass | Verdict::Violation),
            "{report}"
        ),
    }
}
