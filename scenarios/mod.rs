//! The zoo: each Go pattern's correct version caged beside its buggy twins.
//!
//! A [`Scenario`] is a pattern × variant: a small body written against [`crate::sync`] and racezoo's
//! primitives, a lesson (in the docs of its function), and what each checker is expected to conclude
//! *and name*: the stuck operation and its line for a deadlock, a leak or a hang, the assertion for a
//! violation, Go's message for a misuse. A buggy variant is demonstrated only when a checker *finds*
//! it in that run; where a checker cannot see a bug, the expectation says so and why
//! ([`Expectation::Misses`]), and that difference is part of the lesson.
//!
//! | file | pattern |
//! |---|---|
//! | [`rendezvous`] | the unbuffered channel: handoff, close, abandoned senders |
//! | [`select`] | the buffered channel and `select` |
//! | [`waitgroup`] | `sync.WaitGroup` |
//! | [`counter`] | the mutex-guarded counter, atomics, `sync.RWMutex` |
//! | [`pool`] | the seeds' worker pool on racezoo's own `chan` and `WaitGroup` |
//! | [`errgroup`] | `errgroup` and `context` |
//! | [`lessons`] | cross-cutting: sleep as synchronisation, publication, check-then-act |
//!
//! Lines a report must name are tagged in the source with a `// @tag` comment at the end of the line
//! (or alone on the line above it); an expectation refers to the tag, so moving code never silently
//! breaks it.

use std::fmt;
use std::time::Duration;

use crate::check::{Checker, Config, Report, Verdict};

pub mod counter;
pub mod errgroup;
pub mod lessons;
pub mod pool;
pub mod rendezvous;
pub mod select;
pub mod waitgroup;

/// A pattern × variant with its expected verdicts.
#[derive(Clone, Copy, Debug)]
pub struct Scenario {
    /// The Go pattern (`rendezvous`, `select`, `waitgroup`, `counter`, `pool`, `errgroup`, `lesson`).
    pub pattern: &'static str,
    /// `correct` (or another correct form), or the name of the bug (`lost_update`, `abba`, …).
    pub variant: &'static str,
    /// One line: what the body does and what goes wrong.
    pub summary: &'static str,
    /// The body, written against the facade.
    pub body: fn(),
    /// What each checker is expected to conclude; every checker is listed.
    pub expect: [(Checker, Expectation); 4],
    /// The source file of the body, as `file!()` spells it (the trace's locations use the same).
    pub file: &'static str,
    /// The text of that file, to find the `// @tag` lines an expectation names.
    pub source: &'static str,
    /// Checkers whose result is known to differ from the expectation for a reason outside the
    /// scenario (a harness or primitive change under way), with that reason. The expectation stays
    /// the honest one; a pending check that meets it again fails the zoo test until the note is
    /// removed.
    pub pending: &'static [(Checker, &'static str)],
}

/// What a checker is expected to conclude about a scenario.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expectation {
    /// A correct scenario: the checker must pass.
    Passes,
    /// The checker must find the bug: this verdict, naming what [`Names`] says.
    Finds(Verdict, Names),
    /// The checker may find the bug (then with this verdict and naming this) or pass: it cannot be
    /// relied on to hit the window (stress on a narrow interleaving).
    MayFind(Verdict, Names),
    /// The checker cannot see this bug, for the reason given; it must pass.
    Misses(&'static str),
    /// The checker is not run on this scenario, for the reason given.
    Skips(&'static str),
}

/// What a report must name besides its verdict.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Names {
    /// Nothing beyond the verdict.
    Nothing,
    /// The failure's message contains this text (an assertion's message, Go's misuse message).
    Message(&'static str),
    /// Every `(operation, tag)` pair is a stuck thread: blocked in an operation whose name starts
    /// with `operation`, at the line tagged `// @tag` in the scenario's file.
    Stuck(&'static [(&'static str, &'static str)]),
}

impl Expectation {
    /// Returns the verdict class this expectation is about (`Pass` for a correct scenario or a
    /// missed bug; `None` if the checker is skipped).
    pub fn verdict(self) -> Option<Verdict> {
        match self {
            Expectation::Passes | Expectation::Misses(_) => Some(Verdict::Pass),
            Expectation::Finds(v, _) | Expectation::MayFind(v, _) => Some(v),
            Expectation::Skips(_) => None,
        }
    }

    /// Returns `true` for an expectation that a bug is found.
    pub fn must_find(self) -> bool {
        matches!(self, Expectation::Finds(..))
    }
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expectation::Passes => f.write_str("Pass"),
            Expectation::Finds(v, _) => write!(f, "{v}"),
            Expectation::MayFind(v, _) => write!(f, "{v} or Pass"),
            Expectation::Misses(_) => f.write_str("Pass (misses)"),
            Expectation::Skips(_) => f.write_str("not run"),
        }
    }
}

/// A verdict-only expectation, as the model tests in `tests/` state theirs for one body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// The checker must find this verdict.
    Finds(Verdict),
    /// The checker must pass.
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

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Finds(v) => write!(f, "{v}"),
            Expect::Passes => f.write_str("Pass"),
            Expect::MayFind(v) => write!(f, "{v} or Pass"),
        }
    }
}

/// The bounds the zoo runs every scenario with (overridable from the CLI).
#[derive(Clone, Copy, Debug)]
pub struct Bounds {
    /// loom's preemption bound (`LOOM_MAX_PREEMPTIONS`, else 2).
    pub preemptions: usize,
    /// loom: executions after which exploration is cut (a pass is then reported incomplete).
    pub loom_executions: usize,
    /// shuttle: schedules per check (random and PCT).
    pub iterations: usize,
    /// shuttle: the scheduler's seed, fixed so that a run is repeatable.
    pub seed: u64,
    /// stress: runs per check.
    pub runs: usize,
    /// stress: how long one run may take before it is a `Hang`.
    pub watchdog: Duration,
}

/// The zoo's bounds; loom's preemption bound comes from `LOOM_MAX_PREEMPTIONS` when set.
///
/// # Panics
///
/// Panics with [`crate::check::ConfigError`]'s line if a bound in the environment is not a whole
/// number (see [`Config::from_env`]): a silent default would run another check than the one asked.
impl Default for Bounds {
    #[track_caller]
    fn default() -> Self {
        let env = Config::from_env().unwrap_or_else(|e| panic!("{e}"));
        Bounds {
            preemptions: env.preemptions.unwrap_or(2),
            loom_executions: 20_000,
            iterations: 1_000,
            seed: 0x5eed,
            runs: 200,
            watchdog: Duration::from_millis(300),
        }
    }
}

impl Bounds {
    /// Returns the harness configuration for one check.
    pub fn config(&self) -> Config {
        Config {
            preemptions: Some(self.preemptions),
            max_executions: Some(self.loom_executions),
            iterations: self.iterations,
            depth: 3,
            seed: Some(self.seed),
            runs: self.runs,
            watchdog: self.watchdog,
            time_budget: Duration::MAX,
        }
    }
}

impl Scenario {
    /// Returns this scenario's expectation for `checker`.
    pub fn expectation(&self, checker: Checker) -> Expectation {
        self.expect
            .iter()
            .find(|(c, _)| *c == checker)
            .map(|(_, e)| *e)
            .unwrap_or(Expectation::Skips("no expectation given"))
    }

    /// Returns `pattern::variant`.
    pub fn id(&self) -> String {
        format!("{}::{}", self.pattern, self.variant)
    }

    /// Returns why `checker`'s result is known to differ from the expectation, if it is.
    pub fn pending(&self, checker: Checker) -> Option<&'static str> {
        self.pending
            .iter()
            .find(|(c, _)| *c == checker)
            .map(|(_, why)| *why)
    }

    /// Returns `true` if the scenario is a correct version (every checker must pass).
    pub fn is_correct(&self) -> bool {
        self.expect
            .iter()
            .all(|(_, e)| matches!(e, Expectation::Passes | Expectation::Skips(_)))
    }

    /// Returns the line (1-based) the `// @tag` comment names in the scenario's file: its own line, or
    /// the next one if the comment stands alone.
    pub fn line_of(&self, tag: &str) -> Option<u32> {
        let marker = format!("// @{tag}");
        self.source.lines().zip(1..).find_map(|(line, n)| {
            let (code, rest) = line.split_once(&marker)?;
            let whole = rest
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric() && c != '_');
            // A tag alone on its line names the line below it.
            let line = if code.trim().is_empty() { n + 1 } else { n };
            whole.then_some(line)
        })
    }

    /// Returns `Ok` if `report` meets this scenario's expectation for its checker, else why not.
    pub fn judge(&self, report: &Report) -> Result<(), String> {
        let expect = self.expectation(report.checker);
        let found = report.verdict;
        let (verdict, names) = match expect {
            Expectation::Skips(why) => return Err(format!("this checker should not run: {why}")),
            Expectation::Passes | Expectation::Misses(_) => {
                return if found == Verdict::Pass {
                    Ok(())
                } else {
                    Err(format!("expected Pass, got {found}"))
                };
            }
            Expectation::MayFind(_, _) if found == Verdict::Pass => return Ok(()),
            Expectation::Finds(v, n) | Expectation::MayFind(v, n) => (v, n),
        };
        if found != verdict {
            return Err(format!("expected {expect}, got {found}"));
        }
        self.names(names, report)
    }

    /// Checks that `report` names what `names` says.
    fn names(&self, names: Names, report: &Report) -> Result<(), String> {
        match names {
            Names::Nothing => Ok(()),
            Names::Message(text) => {
                if report.message.as_deref().is_some_and(|m| m.contains(text)) {
                    Ok(())
                } else {
                    Err(format!(
                        "the message should contain {text:?}, it is {:?}",
                        report.message
                    ))
                }
            }
            Names::Stuck(stuck) => {
                for (op, tag) in stuck {
                    let line = self
                        .line_of(tag)
                        .ok_or_else(|| format!("no `// @{tag}` line in {}", self.file))?;
                    let at = format!("{}:{line}", crate::check::relative(self.file));
                    let named = report.blocked.iter().any(|b| {
                        b.op.as_deref().is_some_and(|o| o.starts_with(op))
                            && b.location.as_deref() == Some(at.as_str())
                    });
                    if !named {
                        let seen: Vec<String> =
                            report.blocked.iter().map(ToString::to_string).collect();
                        return Err(format!(
                            "no thread reported stuck in {op} at {at} (@{tag}); stuck: {seen:?}"
                        ));
                    }
                }
                Ok(())
            }
        }
    }
}

/// Every scenario in the zoo, pattern by pattern.
pub fn all() -> Vec<Scenario> {
    [
        rendezvous::SCENARIOS,
        select::SCENARIOS,
        waitgroup::SCENARIOS,
        counter::SCENARIOS,
        pool::SCENARIOS,
        errgroup::SCENARIOS,
        lessons::SCENARIOS,
    ]
    .concat()
}

/// The four checkers' expectations of a correct scenario.
pub const ALL_PASS: [(Checker, Expectation); 4] = [
    (Checker::Loom, Expectation::Passes),
    (Checker::ShuttleRandom, Expectation::Passes),
    (Checker::ShuttlePct, Expectation::Passes),
    (Checker::Stress, Expectation::Passes),
];

/// The four checkers' expectations of a bug that every checker finds every time (a deterministic
/// deadlock, misuse or violation): the model checkers prove it and stress shows it too.
pub const fn everyone_finds(
    verdict: Verdict,
    names: Names,
    on_stress: Verdict,
) -> [(Checker, Expectation); 4] {
    [
        (Checker::Loom, Expectation::Finds(verdict, names)),
        (Checker::ShuttleRandom, Expectation::Finds(verdict, names)),
        (Checker::ShuttlePct, Expectation::Finds(verdict, names)),
        (Checker::Stress, Expectation::Finds(on_stress, names)),
    ]
}

/// The four checkers' expectations of a bug that needs an interleaving: the model checkers find it,
/// stress may or may not hit the window.
pub const fn models_find(
    verdict: Verdict,
    names: Names,
    on_stress: Verdict,
) -> [(Checker, Expectation); 4] {
    [
        (Checker::Loom, Expectation::Finds(verdict, names)),
        (Checker::ShuttleRandom, Expectation::Finds(verdict, names)),
        (Checker::ShuttlePct, Expectation::Finds(verdict, names)),
        (Checker::Stress, Expectation::MayFind(on_stress, names)),
    ]
}

/// Why shuttle cannot see a weak-memory bug.
pub const SHUTTLE_IS_SC: &str =
    "shuttle runs every atomic access as SeqCst: the stale value the bug needs is never read";
