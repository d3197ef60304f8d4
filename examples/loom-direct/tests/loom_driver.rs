//! The loom-direct crate's structure, run by racezoo's loom driver: loom explores it, racezoo
//! reports (verdict, message, replay handle) instead of a panic. In the std flavour the same bodies
//! run under racezoo's stress checker; this crate has no shuttle flavour (its switch knows loom
//! only), so there the tests check nothing.

use loom_direct::Slot;
use racezoo::check::{self, Config, Verdict};
use racezoo::sync::{FLAVOUR, Flavour};

/// The body a tokio-style loom test would pass to `loom::model`: threads and `Arc` from loom under
/// `--cfg loom`, from std otherwise.
fn handoff(slot: fn() -> Slot) {
    #[cfg(loom)]
    use loom::{sync::Arc, thread};
    #[cfg(not(loom))]
    use std::{sync::Arc, thread};

    let slot = Arc::new(slot());
    let writer = {
        let slot = slot.clone();
        thread::spawn(move || slot.put(7))
    };
    if let Some(v) = slot.take() {
        assert_eq!(v, 7, "read a value that was never written");
    }
    writer.join().unwrap();
    assert_eq!(slot.take(), Some(7));
}

fn run(slot: fn() -> Slot) -> Option<check::Report> {
    let config = Config::default();
    match FLAVOUR {
        Flavour::Loom => Some(check::loom(&config, move || handoff(slot)).unwrap()),
        Flavour::Std => Some(check::stress(&config, move || handoff(slot)).unwrap()),
        Flavour::Shuttle => None,
    }
}

#[test]
fn a_correct_loom_direct_structure_passes() {
    if let Some(report) = run(Slot::new) {
        check::expect_pass(report);
    }
}

#[test]
fn loom_finds_the_relaxed_publication_and_racezoo_reports_it() {
    let Some(report) = run(Slot::relaxed) else {
        return;
    };
    match FLAVOUR {
        Flavour::Loom => {
            // loom's own causality report, classified and kept as racezoo's report.
            check::expect_verdict(report.clone(), Verdict::DataRace);
            assert!(report.replay.is_some(), "{report}");
            println!("{report}");
        }
        // Real threads on x86 practically never show it.
        _ => assert!(
            matches!(report.verdict, Verdict::Pass | Verdict::Violation),
            "{report}"
        ),
    }
}
