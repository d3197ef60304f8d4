//! The code blocks of the README's "Using racezoo from your crate" section, verbatim and in order
//! (racezoo's `tests/facade/readme.rs` fails if they drift apart), run in every flavour. The second
//! and third sit in modules of their own, as each is complete by itself.
#![cfg_attr(rustfmt, rustfmt::skip)]

use racezoo::check::{self, Verdict};
use racezoo::sync::{Arc, Mutex, thread};

#[test]
fn counter_has_no_lost_update() {
    let report = check::run_default(|| {
        let n = Arc::new(Mutex::new(0));
        let t = { let n = n.clone(); thread::spawn(move || *n.lock() += 1) };
        *n.lock() += 1;
        t.join().unwrap();
        assert_eq!(*n.lock(), 2);
    });
    assert_eq!(report.verdict, Verdict::Pass, "{report}");
}

mod attribute {
use racezoo::sync::atomic::{AtomicUsize, Ordering};
use racezoo::sync::{Arc, thread};

// Each flavour's expected verdict, bounds for the checkers; a failure prints the whole report.
#[racezoo::test(loom = Violation, shuttle = Violation, stress = Pass | Violation, preemptions = 2)]
fn load_then_store_loses_an_update() {
    let n = Arc::new(AtomicUsize::new(0));
    let t = {
        let n = n.clone();
        thread::spawn(move || { let v = n.load(Ordering::SeqCst); n.store(v + 1, Ordering::SeqCst) })
    };
    let v = n.load(Ordering::SeqCst);
    n.store(v + 1, Ordering::SeqCst);
    t.join().unwrap();
    assert_eq!(n.load(Ordering::SeqCst), 2, "lost update");
}
}

mod statics {
use racezoo::sync::{Mutex, thread};

racezoo::lazy_static! {
    // Under loom and shuttle: a fresh value in every execution.
    static ref REGISTRY: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
}

#[racezoo::test]
fn a_static_registry_is_fresh_in_every_execution() {
    let t = thread::spawn(|| REGISTRY.lock().push("worker"));
    REGISTRY.lock().push("main");
    t.join().unwrap();
    if racezoo::sync::FLAVOUR != racezoo::sync::Flavour::Std {
        assert_eq!(REGISTRY.lock().len(), 2);
    }
}
}
