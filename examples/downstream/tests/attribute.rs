//! The same checks as `spsc.rs` and `once.rs`, written with `#[racezoo::test]`: the expected verdict
//! of each flavour is an argument, and a failure prints racezoo's whole report.

use downstream::once::RacyOnce;
use downstream::spsc;
use racezoo::sync::atomic::{AtomicUsize, Ordering};
use racezoo::sync::{Arc, thread};

#[racezoo::test]
fn spsc_hands_one_value_over() {
    let (mut tx, mut rx) = spsc::channel(1);
    let producer = thread::spawn(move || tx.push(7).unwrap());
    producer.join().unwrap();
    assert_eq!(rx.pop(), Some(7));
}

#[racezoo::test(loom = DataRace, shuttle = Pass, stress = Pass | Violation)]
fn spsc_relaxed_publication_is_found_by_loom_only() {
    let (mut tx, mut rx) = spsc::broken::channel(1);
    let producer = thread::spawn(move || tx.push(7).unwrap());
    loop {
        if let Some(v) = rx.pop() {
            assert_eq!(v, 7);
            break;
        }
        thread::yield_now();
    }
    producer.join().unwrap();
}

#[racezoo::test(loom = DataRace, shuttle = Violation, stress = Pass | Violation)]
fn racy_once_runs_two_initializers() {
    let cell = Arc::new(RacyOnce::new());
    let inits = Arc::new(AtomicUsize::new(0));
    let t = {
        let (cell, inits) = (cell.clone(), inits.clone());
        thread::spawn(move || {
            cell.get_or_init(|| inits.fetch_add(1, Ordering::Relaxed));
        })
    };
    cell.get_or_init(|| inits.fetch_add(1, Ordering::Relaxed));
    t.join().unwrap();
    assert_eq!(inits.load(Ordering::Relaxed), 1, "initialized twice");
}
