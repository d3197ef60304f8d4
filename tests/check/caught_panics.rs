//! A panic the code under test catches is never a verdict, whatever else runs in the process; a panic
//! that escapes a thread of the body always is.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::time::Duration;

use racezoo::check::{self, Checker, Config, Verdict};
use racezoo::sync::{Arc, Mutex, thread};

/// Every thread panics and catches it, as a pool runs a job under `catch_unwind`.
fn catches_its_panics() {
    let m = Arc::new(Mutex::new(0));
    let workers: Vec<_> = (0..2)
        .map(|i| {
            let m = m.clone();
            thread::spawn(move || {
                for j in 0..2 {
                    let caught = catch_unwind(AssertUnwindSafe(|| {
                        if (i + j) % 2 == 0 {
                            panic!("deliberate panic {i}.{j}, caught by the worker");
                        }
                    }));
                    *m.lock() += usize::from(caught.is_err());
                }
            })
        })
        .collect();
    let caught = catch_unwind(|| panic!("deliberate panic in main, caught"));
    assert!(caught.is_err());
    for w in workers {
        w.join().unwrap();
    }
    assert_eq!(*m.lock(), 2);
}

/// A spawned thread really dies of its panic; main joins it and ignores the result.
fn a_worker_dies() {
    let t = thread::spawn(|| panic!("worker died"));
    let _ = t.join();
}

fn config(checker: Checker) -> Config {
    Config {
        iterations: 20,
        runs: 2,
        preemptions: Some(1),
        watchdog: Duration::from_secs(30),
        seed: Some(checker as u64),
        ..Config::default()
    }
}

#[test]
fn caught_panics_are_never_a_verdict_across_many_concurrent_checks() {
    for checker in Checker::available() {
        // Real threads are cheap and the point is concurrency between checks: 1,000 checks. The
        // model checkers run on one OS thread per check: 200 checks each.
        let per_thread = if checker == Checker::Stress { 250 } else { 50 };
        std::thread::scope(|scope| {
            for _ in 0..4 {
                scope.spawn(move || {
                    for _ in 0..per_thread {
                        let report = checker.run(&config(checker), catches_its_panics).unwrap();
                        assert_eq!(report.verdict, Verdict::Pass, "{report}");
                    }
                });
            }
        });
    }
}

#[test]
fn a_spawned_thread_that_dies_of_a_panic_is_reported() {
    for checker in Checker::available() {
        let report = checker.run(&config(checker), a_worker_dies).unwrap();
        assert_eq!(report.verdict, Verdict::Panic, "{report}");
        assert_eq!(report.message.as_deref(), Some("worker died"), "{report}");
        let location = report.location.clone().unwrap_or_default();
        assert!(
            location.contains("tests/check/caught_panics.rs"),
            "{report}"
        );
    }
}

#[test]
fn a_panic_caught_in_every_run_does_not_hide_a_later_escape() {
    // The caught panics come first, then a thread dies of a different one: the report names the
    // one that escaped.
    fn caught_then_dies() {
        let _ = catch_unwind(|| panic!("caught first"));
        let t = thread::spawn(|| {
            let _ = catch_unwind(|| panic!("caught in the worker"));
            panic!("escaped from the worker");
        });
        let _ = t.join();
    }
    for checker in Checker::available() {
        let report = checker.run(&config(checker), caught_then_dies).unwrap();
        assert_eq!(report.verdict, Verdict::Panic, "{report}");
        assert_eq!(
            report.message.as_deref(),
            Some("escaped from the worker"),
            "{report}"
        );
    }
}

#[test]
fn a_leftover_thread_of_an_earlier_check_cannot_fail_a_later_one() {
    if !Checker::available().contains(&Checker::Stress) {
        return;
    }
    // The first check leaves a thread behind that panics after the check has ended.
    let leaves_a_bomb = || {
        thread::spawn(|| {
            std::thread::sleep(Duration::from_millis(300));
            panic!("a leftover thread's panic");
        });
    };
    let first = Config {
        runs: 1,
        watchdog: Duration::from_millis(50),
        ..Config::default()
    };
    let report = check::stress(&first, leaves_a_bomb).unwrap();
    assert_eq!(report.verdict, Verdict::Hang, "{report}");
    // The second check runs while the leftover panics: it is judged on its own threads only.
    let second = Config {
        runs: 40,
        ..Config::default()
    };
    let report = check::stress(&second, || {
        std::thread::sleep(Duration::from_millis(20));
        catches_its_panics();
    })
    .unwrap();
    assert_eq!(report.verdict, Verdict::Pass, "{report}");
}
