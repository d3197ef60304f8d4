//! The harness's verdicts can be believed: the class comes from who failed, not from what a message
//! says; limits of a checker are errors, not verdicts; budgets are honoured; a body that never ends
//! is a hang; the same config gives the same report; a replay that does not fit is an error and
//! leaves nothing behind.

use std::time::Duration;

use crate::bodies;
use racezoo::check::{self, CheckError, Checker, Config, ReplayError, Verdict};
use racezoo::sync::{MAX_THREADS, thread};

fn config() -> Config {
    Config {
        iterations: 200,
        runs: 10,
        watchdog: Duration::from_millis(500),
        seed: Some(7),
        ..Config::default()
    }
}

fn says_deadlock() {
    let t = thread::spawn(|| {});
    t.join().unwrap();
    panic!("deadlock detector says hi");
}

fn says_causality_violation() {
    let t = thread::spawn(|| {});
    t.join().unwrap();
    panic!("Causality violation: made up by the body");
}

fn says_misuse_by_itself() {
    let t = thread::spawn(|| {});
    t.join().unwrap();
    panic!("{}", racezoo::misuse::CLOSE_OF_CLOSED_CHANNEL);
}

#[test]
fn a_body_that_says_deadlock_is_a_panic_under_every_checker() {
    for checker in Checker::available() {
        let report = checker.run(&config(), says_deadlock).unwrap();
        assert_eq!(report.verdict, Verdict::Panic, "{checker}: {report}");
        assert!(report.blocked.is_empty(), "{report}");
    }
}

#[test]
fn a_body_that_says_causality_violation_is_a_panic_under_every_checker() {
    for checker in Checker::available() {
        let report = checker.run(&config(), says_causality_violation).unwrap();
        assert_eq!(report.verdict, Verdict::Panic, "{checker}: {report}");
    }
}

#[test]
fn only_racezoos_misuse_panics_are_misuse() {
    for checker in Checker::available() {
        let report = checker.run(&config(), says_misuse_by_itself).unwrap();
        assert_eq!(report.verdict, Verdict::Panic, "{checker}: {report}");
        let report = checker.run(&config(), bodies::negative_waitgroup).unwrap();
        assert_eq!(report.verdict, Verdict::Misuse, "{checker}: {report}");
    }
}

/// Spawns one thread more than loom can model.
fn too_many_threads() {
    let handles: Vec<_> = (0..MAX_THREADS).map(|_| thread::spawn(|| {})).collect();
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn exceeding_looms_thread_limit_is_a_harness_error_that_names_the_limit() {
    if !Checker::available().contains(&Checker::Loom) {
        return;
    }
    match check::loom(&config(), too_many_threads) {
        Err(CheckError::Limit(message)) => {
            assert!(message.contains("threads per model"), "{message}");
            assert!(message.contains(&MAX_THREADS.to_string()), "{message}");
        }
        other => panic!("expected a limit error, got {other:?}"),
    }
}

/// Two threads that spin on a flag nobody sets, yielding.
fn spins_forever() {
    use racezoo::sync::Arc;
    use racezoo::sync::atomic::{AtomicBool, Ordering};
    let flag = Arc::new(AtomicBool::new(false));
    let f = flag.clone();
    let t = thread::spawn(move || {
        while !f.load(Ordering::Acquire) {
            thread::yield_now();
        }
    });
    while !flag.load(Ordering::Acquire) {
        thread::yield_now();
    }
    t.join().unwrap();
}

#[test]
fn a_body_that_never_finishes_is_a_hang_with_its_spinning_threads() {
    for checker in Checker::available() {
        let report = checker.run(&config(), spins_forever).unwrap();
        assert_eq!(report.verdict, Verdict::Hang, "{checker}: {report}");
        let stuck: Vec<&str> = report.blocked.iter().map(|b| b.thread.as_str()).collect();
        assert!(stuck.contains(&"main"), "{report}");
        assert!(stuck.contains(&"t1"), "{report}");
    }
}

/// Each execution takes at least 20 ms of real time, and there are many to explore.
fn slow_executions() {
    use racezoo::sync::Mutex;
    std::thread::sleep(Duration::from_millis(20));
    let m = racezoo::sync::Arc::new(Mutex::new(0));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let m = m.clone();
            thread::spawn(move || {
                for _ in 0..3 {
                    *m.lock() += 1;
                }
            })
        })
        .collect();
    for _ in 0..3 {
        *m.lock() += 1;
    }
    for h in handles {
        h.join().unwrap();
    }
}

#[test]
fn a_time_budget_stops_exploration_and_the_report_says_incomplete() {
    // Not a timing assertion: every execution takes at least 20 ms, so a 400 ms budget that is
    // honoured allows at most 20 of them, whatever the machine's load; an ignored budget would go on
    // for thousands.
    let config = Config {
        time_budget: Duration::from_millis(400),
        iterations: 100_000,
        runs: 100_000,
        preemptions: Some(3),
        ..config()
    };
    for checker in Checker::available() {
        let report = checker.run(&config, slow_executions).unwrap();
        assert_eq!(report.verdict, Verdict::Pass, "{report}");
        assert!(!report.complete, "{report}");
        assert!(report.executions <= 21, "{checker}: {report}");
    }
}

#[test]
fn the_same_config_gives_the_same_report() {
    for checker in [Checker::ShuttleRandom, Checker::ShuttlePct] {
        if !Checker::available().contains(&checker) {
            continue;
        }
        for body in [bodies::abba as fn(), bodies::lost_update] {
            let first = checker.run(&config(), body).unwrap();
            let second = checker.run(&config(), body).unwrap();
            assert_ne!(first.verdict, Verdict::Pass, "{first}");
            assert_eq!(first.executions, second.executions, "{checker}");
            assert_eq!(first.verdict, second.verdict, "{checker}");
            assert_eq!(first.message, second.message, "{checker}");
            assert_eq!(first.replay, second.replay, "{checker}");
            assert_eq!(first.trace, second.trace, "{checker}");
        }
    }
}

#[test]
fn a_report_names_the_seed_it_ran_with() {
    for checker in [Checker::ShuttleRandom, Checker::ShuttlePct] {
        if !Checker::available().contains(&checker) {
            continue;
        }
        let unseeded = Config {
            seed: None,
            ..config()
        };
        let first = checker.run(&unseeded, bodies::lost_update).unwrap();
        let seed = first.config.seed.expect("the report says which seed");
        let again = Config {
            seed: Some(seed),
            ..config()
        };
        let second = checker.run(&again, bodies::lost_update).unwrap();
        assert_eq!(first.executions, second.executions, "{checker}");
        assert_eq!(first.replay, second.replay, "{checker}");
    }
}

/// A correct body with no second thread.
fn alone() {
    let m = racezoo::sync::Mutex::new(1);
    *m.lock() += 1;
    assert_eq!(*m.lock(), 2);
}

#[test]
fn a_replay_that_does_not_fit_the_body_is_an_error_and_leaves_nothing_behind() {
    if !Checker::available().contains(&Checker::ShuttleRandom) {
        return;
    }
    let found = check::shuttle_random(&config(), bodies::abba).unwrap();
    let handle = found.replay.expect("a deadlock has a replay handle");
    match check::replay(&handle, alone) {
        Err(ReplayError::DoesNotFit { why, .. }) => assert!(!why.is_empty()),
        other => panic!("expected DoesNotFit, got {other:?}"),
    }
    // The fix-the-code, replay-the-handle workflow goes on: every later check on this thread is
    // judged on its own.
    for _ in 0..30 {
        check::expect_pass(check::shuttle_random(&config(), bodies::mutex_counter));
        check::expect_pass(check::shuttle_pct(&config(), bodies::mutex_counter));
    }
}

#[test]
fn a_loom_replay_of_a_fixed_body_passes_over_the_same_executions() {
    if !Checker::available().contains(&Checker::Loom) {
        return;
    }
    let found = check::loom(&config(), bodies::abba).unwrap();
    assert_eq!(found.verdict, Verdict::Deadlock, "{found}");
    let handle = found.replay.clone().unwrap();
    let replayed = check::replay(&handle, bodies::mutex_counter).unwrap();
    assert_eq!(replayed.verdict, Verdict::Pass, "{replayed}");
    assert!(replayed.executions >= 1, "{replayed}");
}

#[test]
fn a_finding_prints_no_checker_advice_and_no_panic_messages_on_stderr() {
    const INNER: &str = "RACEZOO_CHECK_TRUST_INNER";
    // libtest's name for this test: the module path without the crate, then the function.
    let name = format!(
        "{}::a_finding_prints_no_checker_advice_and_no_panic_messages_on_stderr",
        module_path!().split_once("::").map_or("", |(_, m)| m)
    );
    if std::env::var_os(INNER).is_some() {
        for checker in Checker::available() {
            let bodies = [
                bodies::lost_update as fn(),
                bodies::abba,
                bodies::plain_panic,
            ];
            for (i, body) in bodies.into_iter().enumerate() {
                let report = checker.run(&config(), body).unwrap();
                // Real threads may miss the lost update (body 0); everything else is found.
                if checker != Checker::Stress || i != 0 {
                    assert_ne!(report.verdict, Verdict::Pass, "{report}");
                }
            }
        }
        return;
    }
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", &name, "--nocapture", "--test-threads=1"])
        .env(INNER, "1")
        .output()
        .expect("the test binary runs itself");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    for advice in [
        "failing seed",
        "check_random_with_seed",
        "SHUTTLE_RANDOM_SEED",
        "Task failed, serializing schedule",
        "failing schedule",
        "panicked at",
    ] {
        assert!(
            !stderr.contains(advice),
            "stderr says {advice:?}:\n{stderr}"
        );
    }
}
