//! The once-cell under the build's checker, next to its check-then-act twin.

use downstream::once::{Once, RacyOnce};
use racezoo::check::{self, Verdict};
use racezoo::sync::atomic::{AtomicUsize, Ordering};
use racezoo::sync::{Arc, FLAVOUR, Flavour, thread};

#[test]
fn once_initializes_exactly_once() {
    let report = check::run_default(|| {
        let cell = Arc::new(Once::new());
        let inits = Arc::new(AtomicUsize::new(0));
        let t = {
            let (cell, inits) = (cell.clone(), inits.clone());
            thread::spawn(move || {
                *cell.get_or_init(|| {
                    inits.fetch_add(1, Ordering::Relaxed);
                    1
                })
            })
        };
        let here = *cell.get_or_init(|| {
            inits.fetch_add(1, Ordering::Relaxed);
            2
        });
        assert_eq!(here, t.join().unwrap(), "two threads saw different values");
        assert_eq!(inits.load(Ordering::Relaxed), 1, "initialized twice");
    });
    assert_eq!(report.verdict, Verdict::Pass, "{report}");
}

#[test]
fn racy_once_initializes_twice_and_loom_sees_the_race() {
    let report = check::run_default(|| {
        let cell = Arc::new(RacyOnce::new());
        let inits = Arc::new(AtomicUsize::new(0));
        let t = {
            let (cell, inits) = (cell.clone(), inits.clone());
            thread::spawn(move || {
                *cell.get_or_init(|| {
                    inits.fetch_add(1, Ordering::Relaxed);
                    1
                })
            })
        };
        let here = *cell.get_or_init(|| {
            inits.fetch_add(1, Ordering::Relaxed);
            2
        });
        let there = t.join().unwrap();
        assert_eq!(inits.load(Ordering::Relaxed), 1, "initialized twice");
        assert_eq!(here, there, "two threads saw different values");
    });
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
