//! The zoo: each Go pattern's correct version caged beside its buggy twins.
//!
//! A [`Scenario`] is a pattern × variant: a small body written against [`crate::sync`], a lesson, and
//! what each checker is expected to conclude. A buggy variant is demonstrated only when a checker
//! *finds* it in that run; where a checker cannot see a bug, the expectation says so, and that
//! difference is part of the lesson.

use crate::check::{Checker, Report, Verdict};

pub mod counter;

/// A pattern × variant with its expected verdicts.
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
    /// The Go pattern (`counter`, `chan`, `waitgroup`, …).
    pub pattern: &'static str,
    /// `correct`, or the name of the bug (`lost_update`, `deadlock`, `leak`, …).
    pub variant: &'static str,
    /// One line: what the body does and what goes wrong.
    pub summary: &'static str,
    /// The body, written against the facade.
    pub body: fn(),
    /// What each checker is expected to conclude. A checker not listed is not run on this scenario.
    pub expect: &'static [(Checker, Expect)],
}

/// What a checker is expected to conclude about a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// The checker must find this verdict.
    Finds(Verdict),
    /// The checker must pass, having explored everything within its bounds.
    Passes,
    /// The checker may find this verdict or pass: it cannot be relied on to see the bug (stress on a
    /// rare interleaving, for instance).
    MayFind(Verdict),
}

impl Expect {
    /// Returns `true` if `report` meets this expectation.
    pub fn accepts(self, report: &Report) -> bool {
        match self {
            Expect::Finds(v) => report.verdict == v,
            Expect::Passes => report.verdict == Verdict::Pass,
            Expect::MayFind(v) => report.verdict == v || report.verdict == Verdict::Pass,
        }
    }
}

impl std::fmt::Display for Expect {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Expect::Finds(v) => write!(f, "{v}"),
            Expect::Passes => f.write_str("Pass"),
            Expect::MayFind(v) => write!(f, "{v} or Pass"),
        }
    }
}

impl Scenario {
    /// Returns this scenario's expectation for `checker`, if it is run by that checker.
    pub fn expectation(&self, checker: Checker) -> Option<Expect> {
        self.expect
            .iter()
            .find(|(c, _)| *c == checker)
            .map(|(_, e)| *e)
    }

    /// Returns `pattern::variant`.
    pub fn id(&self) -> String {
        format!("{}::{}", self.pattern, self.variant)
    }
}

/// Every scenario in the zoo.
pub fn all() -> Vec<Scenario> {
    counter::SCENARIOS.to_vec()
}
