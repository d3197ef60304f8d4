//! The end-to-end proof that the switch works: the mutex counter passes under every checker of the
//! flavour, and its racy twin (atomic load, then store) is *found* by loom and by both shuttle
//! schedulers, as a `Violation` of the "lost update" assertion.

use racezoo::check::{Checker, Config, Verdict};
use racezoo::scenarios::counter;
use racezoo::sync::{FLAVOUR, Flavour};

#[test]
fn counter_passes_under_every_checker_of_this_flavour() {
    let checkers = Checker::available();
    assert!(!checkers.is_empty());
    for checker in checkers {
        let report = checker.run(&Config::default(), counter::correct).unwrap();
        assert_eq!(report.verdict, Verdict::Pass, "{report}");
        assert!(report.complete, "{report}");
        assert!(report.executions > 1, "{report}");
    }
}

#[test]
fn lost_update_is_found_by_the_model_checkers() {
    if FLAVOUR == Flavour::Std {
        // Real threads cannot be relied on to hit a two-increment race; the zoo says "may find".
        return;
    }
    for checker in Checker::available() {
        let report = checker
            .run(&Config::default(), counter::lost_update)
            .unwrap();
        assert_eq!(report.verdict, Verdict::Violation, "{report}");
        let message = report.message.as_deref().unwrap_or_default();
        assert!(message.contains("lost update"), "{report}");
        assert!(message.contains("left: 1"), "{report}");
    }
}

#[test]
fn checkers_of_other_flavours_say_they_are_unavailable() {
    for checker in Checker::ALL {
        let result = checker.run(&Config::default(), counter::correct);
        if checker.flavour() == FLAVOUR {
            assert!(result.is_ok());
        } else {
            let err = result.unwrap_err();
            assert!(err.to_string().contains("rebuild with RUSTFLAGS"), "{err}");
        }
    }
}
