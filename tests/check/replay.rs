//! Every failure a model checker finds can be run again from its report's replay handle, and gives the
//! same verdict (issue 5, points 5 and 10).

use crate::bodies;
use racezoo::check::{self, Checker, Config, ReplayError, Verdict};

fn config(seed: u64) -> Config {
    Config {
        iterations: 300,
        seed: Some(seed),
        ..Config::default()
    }
}

/// Finds a failure with `checker`, replays it from the handle, and checks the replay agrees.
fn found_then_replayed(checker: Checker, body: fn(), expected: Verdict) {
    let found = checker.run(&config(11), body).unwrap();
    assert_eq!(found.verdict, expected, "{found}");
    let handle = found.replay.clone().expect("a failure has a replay handle");
    assert_eq!(handle.checker(), checker, "{handle}");
    let printed = handle.to_string();
    assert!(printed.starts_with(checker.name()), "{printed}");
    assert_eq!(printed.parse::<check::ReplayHandle>(), Ok(handle.clone()));
    for _ in 0..3 {
        let replayed = check::replay(&handle, body).unwrap();
        assert_eq!(replayed.checker, checker, "{replayed}");
        assert_eq!(replayed.verdict, found.verdict, "{replayed}");
        assert_eq!(replayed.message, found.message, "{replayed}");
        assert_eq!(replayed.blocked, found.blocked, "{replayed}");
        assert_eq!(replayed.trace, found.trace, "{replayed}");
        assert_eq!(replayed.replay.as_ref(), Some(&handle));
        if checker == Checker::Loom {
            // loom's exploration is deterministic: the failure is found at the same index again.
            assert_eq!(replayed.executions, found.executions, "{replayed}");
        } else {
            // A shuttle schedule is replayed as one execution.
            assert_eq!(replayed.executions, 1, "{replayed}");
        }
    }
}

#[test]
fn every_model_checker_failure_replays_to_the_same_verdict_and_trace() {
    for checker in Checker::available() {
        if checker == Checker::Stress {
            continue; // real threads have no replayable schedule
        }
        found_then_replayed(checker, bodies::abba, Verdict::Deadlock);
        found_then_replayed(checker, bodies::lost_update, Verdict::Violation);
        found_then_replayed(checker, bodies::leak, Verdict::Leak);
    }
}

#[test]
fn a_malformed_or_foreign_handle_is_an_error_not_a_panic() {
    assert!(matches!(
        check::replay("nonsense", bodies::abba),
        Err(ReplayError::Malformed { .. })
    ));
    assert!(matches!(
        check::replay("loom:preemptions=x:execution=1", bodies::abba),
        Err(ReplayError::Malformed { .. })
    ));
    // Executions are counted from 1: a handle for execution 0 must not replay as a pass after
    // exploring nothing.
    assert!(matches!(
        check::replay("loom:preemptions=3:execution=0", bodies::abba),
        Err(ReplayError::Malformed { .. })
    ));
    assert!(matches!(
        check::replay("shuttle-random:", bodies::abba),
        Err(ReplayError::Malformed { .. })
    ));
    let foreign = if Checker::available().contains(&Checker::Loom) {
        "shuttle-random:rz1:5:0.1"
    } else {
        "loom:preemptions=2:execution=3"
    };
    assert!(matches!(
        check::replay(foreign, bodies::abba),
        Err(ReplayError::Unavailable(_))
    ));
}

#[test]
fn stress_failures_have_no_replay_handle() {
    if !Checker::available().contains(&Checker::Stress) {
        return;
    }
    let report = check::stress(&Config::default(), bodies::negative_waitgroup).unwrap();
    assert_eq!(report.verdict, Verdict::Misuse, "{report}");
    assert_eq!(report.replay, None);
}
