//! Shared driver of the `*_model.rs` tests: run one body under every checker this build offers and
//! assert the verdict each must reach.

use std::time::Duration;

use racezoo::check::{Checker, Config, Report};
use racezoo::scenarios::Expect;

/// The bounds the model tests run with: loom's preemption bound from `LOOM_MAX_PREEMPTIONS` (2
/// unless set), no time budget, shuttle's schedules from `RACEZOO_SHUTTLE_ITERATIONS` (1,000), a few dozen
/// stress runs.
pub fn config() -> Config {
    Config {
        runs: 30,
        watchdog: Duration::from_secs(2),
        ..Config::default()
    }
}

/// Runs `body` under every available checker with [`config`]: the model checkers (loom, shuttle) must
/// meet `models`, real-thread stress must meet `stress`. Returns the reports.
pub fn check(body: fn(), models: Expect, stress: Expect) -> Vec<Report> {
    check_each(body, |checker| {
        if checker == Checker::Stress {
            stress
        } else {
            models
        }
    })
}

/// Runs `body` under every available checker with [`config`]; each must meet `expect(checker)`.
pub fn check_each(body: fn(), expect: impl Fn(Checker) -> Expect) -> Vec<Report> {
    let config = config();
    Checker::available()
        .into_iter()
        .map(|checker| {
            let expect = expect(checker);
            let report = checker.run(&config, body).expect("an available checker");
            eprintln!("{report}");
            assert!(
                expect.accepts(&report),
                "{checker}: expected {expect}, got {report}"
            );
            if expect == Expect::Passes {
                assert!(
                    report.complete,
                    "{checker}: a bound cut exploration: {report}"
                );
            }
            report
        })
        .collect()
}
