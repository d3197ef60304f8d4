//! The end-to-end proof that the switch works: the mutex counter passes under every checker of the
//! flavour (its racy twins live in the zoo, `scenarios/counter.rs`, checked by `tests/zoo.rs`).

use racezoo::check::{Checker, Config, Verdict};
use racezoo::scenarios::counter;
use racezoo::sync::FLAVOUR;

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
