//! Failures never kill the process and leave it usable: 100 failing checks in a row, then a passing
//! one, in one process (issue 5, point 4).

use std::time::Duration;

use crate::bodies;
use racezoo::check::{Checker, Config, Verdict};

/// A deterministic assertion failure, for checkers that cannot be relied on to find a race.
fn always_violated() {
    let n = racezoo::sync::Arc::new(racezoo::sync::Mutex::new(1));
    let t = {
        let n = n.clone();
        racezoo::sync::thread::spawn(move || *n.lock() += 1)
    };
    t.join().unwrap();
    assert_eq!(*n.lock(), 3, "never 3");
}

#[test]
fn a_hundred_failing_checks_in_a_row_leave_the_process_usable() {
    // The facade's "is anything recording" switch is process-wide, and the other tests of this
    // binary run checks at the same time: run the sequence alone, in a child process.
    const INNER: &str = "RACEZOO_SURVIVAL_INNER";
    if std::env::var_os(INNER).is_none() {
        let name = format!(
            "{}::a_hundred_failing_checks_in_a_row_leave_the_process_usable",
            module_path!().split_once("::").map_or("", |(_, m)| m)
        );
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .args(["--exact", &name, "--nocapture", "--test-threads=1"])
            .env(INNER, "1")
            .output()
            .expect("the test binary runs itself");
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("1 passed"),
            "{stdout}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        return;
    }
    let config = Config {
        iterations: 200,
        runs: 5,
        watchdog: Duration::from_secs(5),
        seed: Some(1),
        ..Config::default()
    };
    for checker in Checker::available() {
        let cases: &[(fn(), Verdict)] = if checker == Checker::Stress {
            &[
                (always_violated, Verdict::Violation),
                (bodies::negative_waitgroup, Verdict::Misuse),
                (bodies::plain_panic, Verdict::Panic),
            ]
        } else {
            &[
                (bodies::abba, Verdict::Deadlock),
                (bodies::leak, Verdict::Leak),
                (bodies::lost_update, Verdict::Violation),
                (bodies::negative_waitgroup, Verdict::Misuse),
                (bodies::plain_panic, Verdict::Panic),
            ]
        };
        for i in 0..100 {
            let (body, verdict) = cases[i % cases.len()];
            let report = checker.run(&config, body).unwrap();
            assert_eq!(report.verdict, verdict, "check {i}: {report}");
            assert!(report.trace.is_some(), "check {i}: {report}");
        }
        let report = checker.run(&config, bodies::mutex_counter).unwrap();
        assert_eq!(report.verdict, Verdict::Pass, "{report}");
        assert!(report.complete, "{report}");
        if checker != Checker::Stress {
            // Nothing of the failed checks is left recording: the facade is back on its fast path.
            assert!(!racezoo::sync::trace::active());
        }
    }
}

#[test]
fn stress_hangs_leave_their_threads_behind_and_the_next_check_runs() {
    if !Checker::available().contains(&Checker::Stress) {
        return;
    }
    let config = Config {
        runs: 3,
        watchdog: Duration::from_millis(100),
        ..Config::default()
    };
    for _ in 0..3 {
        let report = racezoo::check::stress(&config, bodies::leak).unwrap();
        assert_eq!(report.verdict, Verdict::Hang, "{report}");
    }
    let report = racezoo::check::stress(&config, bodies::handoff).unwrap();
    assert_eq!(report.verdict, Verdict::Pass, "{report}");
    assert_eq!(report.executions, 3, "{report}");
}
