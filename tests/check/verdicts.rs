//! Every verdict class is produced by a minimal body and classified correctly by every checker of this
//! build's flavour that can see it (issue 5, point 9).

use std::time::Duration;

use crate::bodies;
use racezoo::assert_verdict;
use racezoo::check::{Checker, Config, Report, Verdict, expect_pass};

/// Small bounds: loom explores these bodies completely within seconds; shuttle finds each bug within
/// a few dozen schedules; stress gives a run 300 ms before calling it a hang.
fn config() -> Config {
    Config {
        iterations: 300,
        runs: 20,
        watchdog: Duration::from_millis(300),
        seed: Some(5),
        ..Config::default()
    }
}

fn run(checker: Checker, body: fn()) -> Report {
    checker
        .run(&config(), body)
        .expect("checker of this flavour")
}

#[test]
fn abba_is_a_deadlock_with_both_threads_stuck_at_their_second_lock() {
    for checker in Checker::available() {
        let report = run(checker, bodies::abba);
        let expected = if checker == Checker::Stress {
            Verdict::Hang
        } else {
            Verdict::Deadlock
        };
        assert_eq!(report.verdict, expected, "{report}");
        let main = report.blocked.iter().find(|b| b.thread == "main");
        let worker = report.blocked.iter().find(|b| b.thread == "t1");
        let (main, worker) = (main.expect("main stuck"), worker.expect("t1 stuck"));
        assert_eq!(main.op.as_deref(), Some("lock"), "{report}");
        assert_eq!(main.location, Some(bodies::line_of("main_b")), "{report}");
        assert_eq!(worker.op.as_deref(), Some("lock"), "{report}");
        assert_eq!(
            worker.location,
            Some(bodies::line_of("worker_a")),
            "{report}"
        );
    }
}

#[test]
fn worker_waiting_for_a_send_that_never_comes_after_main_returned_is_a_leak() {
    for checker in Checker::available() {
        let report = run(checker, bodies::leak);
        let expected = if checker == Checker::Stress {
            Verdict::Hang
        } else {
            Verdict::Leak
        };
        assert_eq!(report.verdict, expected, "{report}");
        assert!(report.trace.as_ref().unwrap().main_returned, "{report}");
        assert_eq!(report.blocked.len(), 1, "{report}");
        let worker = &report.blocked[0];
        assert_eq!(worker.thread, "t1", "{report}");
        assert_eq!(worker.op.as_deref(), Some("wait"), "{report}");
        assert_eq!(
            worker.location,
            Some(bodies::line_of("worker_recv")),
            "{report}"
        );
        if checker == Checker::Stress {
            assert!(report.message.as_ref().unwrap().contains("main returned"));
        }
    }
}

#[test]
fn unsynchronized_unsafe_cell_writes_are_a_data_race_under_loom() {
    for checker in Checker::available() {
        match checker {
            Checker::Loom => {
                assert_verdict!(run(checker, bodies::data_race), DataRace);
            }
            // shuttle has no data-race detection: the lesson is that only loom finds this one.
            Checker::ShuttleRandom | Checker::ShuttlePct => {
                assert_verdict!(run(checker, bodies::data_race), Pass);
            }
            // On real threads the body would be undefined behaviour, not a finding.
            Checker::Stress => {}
        }
    }
}

#[test]
fn atomic_load_then_store_counter_is_a_violation() {
    for checker in Checker::available() {
        let report = run(checker, bodies::lost_update);
        if checker == Checker::Stress {
            // Real threads rarely interleave two increments; stress may or may not see it.
            assert!(
                matches!(report.verdict, Verdict::Violation | Verdict::Pass),
                "{report}"
            );
        } else {
            assert_eq!(report.verdict, Verdict::Violation, "{report}");
            assert!(report.message.as_ref().unwrap().contains("lost update"));
            assert!(
                report
                    .location
                    .as_ref()
                    .unwrap()
                    .contains("tests/check/bodies.rs")
            );
        }
    }
}

#[test]
fn relaxed_message_passing_is_a_violation_under_loom_and_passes_under_shuttle() {
    for checker in Checker::available() {
        let report = run(checker, bodies::relaxed_message_passing);
        match checker {
            Checker::Loom => assert_verdict!(report, Violation),
            // shuttle runs every atomic access as SeqCst: the weak-memory outcome does not exist
            // there. That difference is the lesson.
            Checker::ShuttleRandom | Checker::ShuttlePct => {
                let report = assert_verdict!(report, Pass);
                assert!(report.complete, "{report}");
                report
            }
            // On x86 real threads cannot show it either; on weaker hardware they might.
            Checker::Stress => report,
        };
    }
}

#[test]
fn negative_waitgroup_counter_is_a_misuse() {
    for checker in Checker::available() {
        let report = assert_verdict!(run(checker, bodies::negative_waitgroup), Misuse);
        assert_eq!(
            report.message.as_deref(),
            Some(racezoo::misuse::NEGATIVE_WAITGROUP_COUNTER)
        );
    }
}

#[test]
fn any_other_panic_is_a_panic() {
    for checker in Checker::available() {
        let report = assert_verdict!(run(checker, bodies::plain_panic), Panic);
        assert_eq!(report.message.as_deref(), Some("boom"));
        assert!(report.location.unwrap().contains("tests/check/bodies.rs"));
    }
}

#[test]
fn correct_bodies_pass_completely_in_every_checker() {
    for checker in Checker::available() {
        for body in [
            bodies::mutex_counter as fn(),
            bodies::handoff,
            bodies::release_acquire_message_passing,
        ] {
            let report = expect_pass(run(checker, body));
            assert!(report.complete, "{report}");
            assert!(report.trace.is_none() && report.blocked.is_empty());
            assert!(report.executions >= 1, "{report}");
        }
    }
}

#[test]
fn a_loom_run_cut_by_its_execution_bound_is_not_a_complete_pass() {
    let config = Config {
        max_executions: Some(2),
        ..config()
    };
    let Ok(report) = racezoo::check::loom(&config, bodies::mutex_counter) else {
        return; // not the loom flavour: covered by `drivers_say_when_their_flavour_is_missing`
    };
    assert_eq!(report.verdict, Verdict::Pass, "{report}");
    assert_eq!(report.executions, 2, "{report}");
    assert!(!report.complete, "{report}");
}

#[test]
fn drivers_say_when_their_flavour_is_missing() {
    for checker in Checker::ALL {
        let result = checker.run(&config(), bodies::mutex_counter);
        if Checker::available().contains(&checker) {
            assert!(result.is_ok());
        } else {
            let err = result.unwrap_err();
            assert!(err.to_string().contains("rebuild with RUSTFLAGS"), "{err}");
        }
    }
}

#[test]
fn a_failing_report_round_trips_through_json() {
    let checker = Checker::available()[0];
    let report = run(checker, bodies::negative_waitgroup);
    let json = report.to_json();
    let back: Report = serde_json::from_str(&json).unwrap();
    assert_eq!(back, report);
    let value: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(value["verdict"], "Misuse");
    assert!(value["trace"]["threads"].is_array(), "{json}");
}

#[test]
fn a_caught_panic_is_not_a_failure() {
    for checker in Checker::available() {
        let report = expect_pass(run(checker, bodies::caught_panic));
        assert!(report.complete, "{report}");
    }
}

#[test]
fn a_caught_panic_does_not_hide_a_later_deadlock_or_its_trace() {
    for checker in Checker::available() {
        let report = run(checker, bodies::caught_panic_then_abba);
        let expected = if checker == Checker::Stress {
            Verdict::Hang
        } else {
            Verdict::Deadlock
        };
        assert_eq!(report.verdict, expected, "{report}");
        assert!(
            !report.message.as_ref().unwrap().contains("handled"),
            "{report}"
        );
        assert_eq!(report.blocked.len(), 2, "{report}");
        assert!(
            report
                .trace
                .as_ref()
                .unwrap()
                .events
                .iter()
                .any(|e| e.op == "spawn t1"),
            "{report}"
        );
    }
}

#[test]
fn a_spent_time_budget_is_not_a_complete_pass() {
    let config = Config {
        time_budget: Duration::ZERO,
        ..config()
    };
    for checker in Checker::available() {
        let report = checker.run(&config, bodies::mutex_counter).unwrap();
        assert_eq!(report.verdict, Verdict::Pass, "{report}");
        assert!(!report.complete, "{report}");
        assert!(report.to_string().contains("incomplete"), "{report}");
    }
}
