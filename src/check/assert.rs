//! One-line test helpers: [`expect_pass`], [`expect_verdict`] and the [`assert_verdict!`] macro,
//! which print the whole report (message, stuck threads, replay handle, trace) when they fail.
//!
//! [`assert_verdict!`]: crate::assert_verdict

use super::{CheckError, Report, Verdict};

/// What the helpers accept: a [`Report`], or a driver's `Result` (a [`CheckError`] fails the test
/// with its explanation).
pub trait IntoReport {
    /// Returns the report, panicking if there is none.
    fn into_report(self) -> Report;
}

impl IntoReport for Report {
    fn into_report(self) -> Report {
        self
    }
}

impl IntoReport for Result<Report, CheckError> {
    #[track_caller]
    fn into_report(self) -> Report {
        self.unwrap_or_else(|e| panic!("{e}"))
    }
}

impl IntoReport for Result<Report, super::ReplayError> {
    #[track_caller]
    fn into_report(self) -> Report {
        self.unwrap_or_else(|e| panic!("{e}"))
    }
}

/// Panics, printing the whole report, unless the check passed. Returns the report.
#[track_caller]
pub fn expect_pass(report: impl IntoReport) -> Report {
    expect_verdict(report, Verdict::Pass)
}

/// Panics, printing the whole report, unless the check reached `verdict`. Returns the report.
#[track_caller]
pub fn expect_verdict(report: impl IntoReport, verdict: Verdict) -> Report {
    let report = report.into_report();
    if report.verdict != verdict {
        panic!("expected verdict {verdict}, got {report}");
    }
    report
}

/// Asserts that a check reached a verdict, printing the whole report (with its trace) otherwise, and
/// evaluates to the [`Report`](crate::check::Report).
///
/// ```
/// use racezoo::assert_verdict;
/// use racezoo::check::{self, Checker, Config};
///
/// for checker in Checker::available() {
///     let config = Config { runs: 5, iterations: 50, ..Config::default() };
///     assert_verdict!(checker.run(&config, || {}), Pass);
/// }
/// ```
#[macro_export]
macro_rules! assert_verdict {
    ($report:expr, $verdict:ident $(,)?) => {
        $crate::check::expect_verdict($report, $crate::check::Verdict::$verdict)
    };
}
