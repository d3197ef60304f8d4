//! What a suite run found: one [`CheckResult`] per check, gathered in a [`SuiteReport`] that prints
//! as a Markdown table.

use std::fmt;
use std::time::Duration;

use super::Check;
use crate::check::Verdict;
use crate::sync::Flavour;

/// The outcome of one check on one pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub enum Outcome {
    /// Every run passed.
    Pass,
    /// A run failed; the reason says how.
    Fail,
    /// The check does not apply (a capability the pool does not declare, see
    /// [`Claims`](super::Claims)); the reason says which, or what was observed instead.
    Skip,
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Outcome::Pass => "pass",
            Outcome::Fail => "FAIL",
            Outcome::Skip => "skip",
        })
    }
}

/// One row of the table: a check's outcome on one pool, with its reason.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct CheckResult {
    /// The check.
    pub check: Check,
    /// Pass, fail or skip.
    pub outcome: Outcome,
    /// The checker's verdict behind a failure (`Hang`, `Deadlock`, `Violation`, `Misuse`, `Panic`…),
    /// or `None` when the failure came from outside a checker (a dead child process).
    pub verdict: Option<Verdict>,
    /// Why: the failure's message, the skip's observation, or how much was explored for a pass.
    pub reason: String,
    /// Wall time of the check.
    pub elapsed: Duration,
}

impl CheckResult {
    /// Returns `true` unless the check failed.
    pub fn ok(&self) -> bool {
        self.outcome != Outcome::Fail
    }
}

/// The suite's findings about one pool.
#[derive(Clone, Debug, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct SuiteReport {
    /// The pool's name as given to the run.
    pub pool: String,
    /// The build flavour the suite ran in.
    pub flavour: Flavour,
    /// One result per check run (none when `note` says why nothing ran).
    pub results: Vec<CheckResult>,
    /// Why no check ran at all (a pool on std threads in a model-checking build), if so.
    pub note: Option<String>,
}

impl SuiteReport {
    /// Returns `true` if no check failed.
    pub fn passed(&self) -> bool {
        self.results.iter().all(CheckResult::ok)
    }

    /// Returns the checks that failed.
    pub fn failed(&self) -> Vec<Check> {
        self.results
            .iter()
            .filter(|r| r.outcome == Outcome::Fail)
            .map(|r| r.check)
            .collect()
    }

    /// Returns the checks that were skipped.
    pub fn skipped(&self) -> Vec<Check> {
        self.results
            .iter()
            .filter(|r| r.outcome == Outcome::Skip)
            .map(|r| r.check)
            .collect()
    }

    /// Panics with the table if any check failed: the one-line assertion for a user's test.
    #[track_caller]
    pub fn assert_passed(&self) {
        assert!(
            self.passed(),
            "the pool failed {:?}:\n{self}",
            self.failed()
        );
    }

    /// Returns the result of `check`, if it ran.
    pub fn get(&self, check: Check) -> Option<&CheckResult> {
        self.results.iter().find(|r| r.check == check)
    }
}

impl fmt::Display for SuiteReport {
    /// Prints the report as a Markdown table, one row per check.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "pool `{}` ({} flavour)", self.pool, self.flavour)?;
        if let Some(note) = &self.note {
            return writeln!(f, "{note}");
        }
        writeln!(f)?;
        writeln!(f, "| check | outcome | verdict | time | reason |")?;
        writeln!(f, "|---|---|---|---|---|")?;
        for r in &self.results {
            let reason: String = r.reason.replace('|', "/").replace('\n', " ");
            let reason = if reason.chars().count() > 140 {
                let cut: String = reason.chars().take(137).collect();
                format!("{cut}...")
            } else {
                reason
            };
            writeln!(
                f,
                "| {} | {} | {} | {:.1?} | {} |",
                r.check,
                r.outcome,
                r.verdict.map(|v| v.to_string()).unwrap_or_default(),
                r.elapsed,
                reason
            )?;
        }
        Ok(())
    }
}
