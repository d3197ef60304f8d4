//! `#[racezoo::test]`: the body runs under the build's checker, with optional bounds and expected
//! verdicts, and a failure prints the whole report.

use racezoo::sync::atomic::{AtomicUsize, Ordering};
use racezoo::sync::{Arc, Mutex, thread};

#[racezoo::test]
fn a_correct_body_passes_under_the_builds_checker() {
    let n = Arc::new(Mutex::new(0));
    let t = {
        let n = n.clone();
        thread::spawn(move || *n.lock() += 1)
    };
    *n.lock() += 1;
    t.join().unwrap();
    assert_eq!(*n.lock(), 2);
}

#[racezoo::test(
    loom = Violation,
    shuttle = Violation,
    stress = Pass | Violation,
    preemptions = 2,
    iterations = 300,
    runs = 50
)]
fn expected_verdicts_per_flavour_with_bounds() {
    // A lost update: loom and shuttle find it; real threads only by luck.
    let n = Arc::new(AtomicUsize::new(0));
    let t = {
        let n = n.clone();
        thread::spawn(move || {
            let seen = n.load(Ordering::SeqCst);
            n.store(seen + 1, Ordering::SeqCst);
        })
    };
    let seen = n.load(Ordering::SeqCst);
    n.store(seen + 1, Ordering::SeqCst);
    t.join().unwrap();
    assert_eq!(n.load(Ordering::SeqCst), 2, "lost update");
}

#[racezoo::test(expect = Deadlock, stress = Hang, watchdog_ms = 300, runs = 1)]
fn one_expectation_for_the_model_checkers_another_for_stress() {
    let m = Mutex::new(());
    let _held = m.lock();
    let _again = m.lock();
}

#[racezoo::test]
#[should_panic(expected = "expected verdict Pass, got")]
fn a_failure_prints_the_report() {
    let t = thread::spawn(|| ());
    t.join().unwrap();
    panic!("violation: the body's own words");
}
