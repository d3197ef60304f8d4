//! The detection matrix: rows (one check each), their status, and the matrix as text, Markdown and
//! JSON.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::Duration;

use racezoo::check::{Checker, Report, Verdict};
use racezoo::scenarios::{Expectation, Scenario};
use serde::{Deserialize, Serialize};

use crate::short;
use crate::show::{self, Paint};

/// How one check came out against its expectation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// A correct scenario passed.
    Passed,
    /// A bug was found, with the expected verdict, naming what it should.
    Found,
    /// A bug was not seen, as expected (the checker cannot see it, or may miss it).
    Missed,
    /// The result differs from the expectation.
    Differs,
    /// The result differs for a known reason outside the scenario (its pending note).
    Pending,
    /// The checker is not run on this scenario.
    Skipped,
}

/// One check: a scenario under a checker, its expectation and what came out.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Row {
    /// `pattern::variant`.
    pub scenario: String,
    /// `true` for a correct version.
    pub correct: bool,
    /// The checker.
    pub checker: Checker,
    /// The expectation, as text.
    pub expected: String,
    /// How it came out.
    pub status: Status,
    /// Why it differs, is pending, is skipped or missed.
    pub why: Option<String>,
    /// Stress: runs that showed the bug, of runs made.
    pub hits: Option<(u64, u64)>,
    /// The checker's report (none when skipped or when the checker could not judge).
    pub report: Option<Report>,
}

impl Row {
    /// Starts the row of `scenario` under `checker`.
    pub fn new(scenario: &Scenario, checker: Checker, expect: Expectation) -> Row {
        Row {
            scenario: scenario.id(),
            correct: scenario.is_correct(),
            checker,
            expected: expect.to_string(),
            status: Status::Differs,
            why: None,
            hits: None,
            report: None,
        }
    }

    /// Judges `report` against the scenario's expectation and keeps it.
    pub fn judge(&mut self, scenario: &Scenario, report: Report) {
        let expect = scenario.expectation(self.checker);
        self.status = match scenario.judge(&report) {
            Ok(()) if report.verdict != Verdict::Pass => Status::Found,
            Ok(()) if scenario.is_correct() => Status::Passed,
            Ok(()) => {
                self.why = match expect {
                    Expectation::Misses(why) => Some(why.to_string()),
                    _ => Some("not hit in this run (the checker may miss this window)".into()),
                };
                Status::Missed
            }
            Err(why) => match scenario.pending(self.checker) {
                Some(reason) => {
                    self.why = Some(format!("{why} (pending: {reason})"));
                    Status::Pending
                }
                None => {
                    self.why = Some(why);
                    Status::Differs
                }
            },
        };
        self.report = Some(report);
    }

    /// The cell of this row in the matrix: verdict, executions (or stress hits) and time.
    pub(crate) fn cell(&self) -> String {
        let mark = match self.status {
            Status::Differs => "✗ ",
            Status::Pending => "~ ",
            _ => "",
        };
        let Some(r) = &self.report else {
            return match self.status {
                Status::Skipped => "— not run".into(),
                _ => format!("{mark}error"),
            };
        };
        let cut = if r.complete { "" } else { "*" };
        let detail = match self.hits {
            Some((hits, runs)) => format!("{hits}/{runs}"),
            None if r.verdict == Verdict::Pass => format!("{}x", r.executions),
            None => format!("@{}", r.executions),
        };
        format!("{mark}{}{cut} {detail} {}", r.verdict, short(r.elapsed))
    }
}

/// Every row of a run, with the scenarios they belong to.
pub struct Matrix {
    scenarios: Vec<(String, bool, &'static str)>,
    rows: Vec<Row>,
    elapsed: Duration,
}

impl Matrix {
    /// Builds the matrix of `scenarios` from `rows` (any order).
    pub fn new(scenarios: &[Scenario], rows: Vec<Row>, elapsed: Duration) -> Matrix {
        Matrix {
            scenarios: scenarios
                .iter()
                .map(|s| (s.id(), s.is_correct(), s.summary))
                .collect(),
            rows,
            elapsed,
        }
    }

    pub(crate) fn row(&self, scenario: &str, checker: Checker) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.scenario == scenario && r.checker == checker)
    }

    /// Returns how many checks the matrix holds.
    pub(crate) fn rows_len(&self) -> usize {
        self.rows.len()
    }

    /// Returns the wall time of the whole run.
    pub(crate) fn elapsed(&self) -> Duration {
        self.elapsed
    }

    /// Returns the number of rows whose result differs from the expectation (pending ones excluded).
    pub fn differing(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.status == Status::Differs)
            .count()
    }

    /// Returns the checkers that have at least one row.
    pub(crate) fn checkers(&self) -> Vec<Checker> {
        Checker::ALL
            .into_iter()
            .filter(|c| self.rows.iter().any(|r| r.checker == *c))
            .collect()
    }

    /// Returns, per checker that ran, `(bugs found, bugs it ran on)`.
    pub fn found_per_checker(&self) -> BTreeMap<&'static str, (usize, usize)> {
        let mut counts = BTreeMap::new();
        for checker in self.checkers() {
            let of_bugs = self
                .rows
                .iter()
                .filter(|r| r.checker == checker && !r.correct && r.status != Status::Skipped);
            let (found, ran) = of_bugs.fold((0, 0), |(f, n), r| {
                (f + usize::from(r.status == Status::Found), n + 1)
            });
            counts.insert(checker.name(), (found, ran));
        }
        counts
    }

    /// One line per checker: how many of the zoo's bugs it found.
    pub fn headline(&self) -> String {
        let bugs = self
            .scenarios
            .iter()
            .filter(|(_, correct, _)| !correct)
            .count();
        let per = self.found_per_checker();
        let parts: Vec<String> = self
            .checkers()
            .iter()
            .map(|c| {
                let (found, ran) = per[c.name()];
                let skipped = bugs.saturating_sub(ran);
                let note = if skipped > 0 {
                    format!(" ({skipped} not run)")
                } else {
                    String::new()
                };
                format!("{} {found}/{ran}{note}", c.name())
            })
            .collect();
        format!(
            "Bugs found, of the zoo's {bugs} ({} correct scenarios beside them, no false alarm \
             allowed): {}.",
            self.scenarios.len() - bugs,
            parts.join(", ")
        )
    }

    /// The rows whose report a reader should see: unexpected ones always, found bugs with `all`.
    pub(crate) fn referenced(&self, all: bool) -> Vec<&Row> {
        let mut out = Vec::new();
        for (id, _, _) in &self.scenarios {
            for checker in Checker::ALL {
                if let Some(row) = self.row(id, checker) {
                    let show = match row.status {
                        Status::Differs | Status::Pending => true,
                        Status::Found => all || self.first_found(id) == Some(checker),
                        _ => false,
                    };
                    if show && row.report.is_some() {
                        out.push(row);
                    }
                }
            }
        }
        out
    }

    /// The first checker (in report order) that found scenario `id`'s bug.
    fn first_found(&self, id: &str) -> Option<Checker> {
        Checker::ALL
            .into_iter()
            .find(|c| self.row(id, *c).is_some_and(|r| r.status == Status::Found))
    }

    /// The matrix as terminal text: the table, what each found bug's report says, and the full
    /// report of every unexpected row (and of every found bug with `traces`).
    pub fn text(&self, traces: bool, color: bool) -> String {
        let paint = Paint::new(color);
        let checkers = self.checkers();
        let mut out = String::new();
        let _ = write!(out, "\n{:<38}", "scenario");
        for c in &checkers {
            let _ = write!(out, " {:<27}", c.name());
        }
        out.push('\n');
        let refs = self.referenced(traces);
        for (id, _, _) in &self.scenarios {
            let _ = write!(out, "{id:<38}");
            for c in &checkers {
                let cell = match self.row(id, *c) {
                    Some(row) => {
                        let n = refs.iter().position(|r| std::ptr::eq(*r, row));
                        let text = match n {
                            Some(n) => format!("{} [{}]", row.cell(), n + 1),
                            None => row.cell(),
                        };
                        paint.status(row.status, &format!("{text:<27}"))
                    }
                    None => format!("{:<27}", "·"),
                };
                let _ = write!(out, " {cell}");
            }
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "\nModel checkers: @n = found in execution n, nx = n executions passed (* = cut by a bound). \
             Stress: bug shown in k of n runs (a hang stops the count).\n✗ = differs from the \
             expectation, ~ = known to differ (pending), — = not run."
        );
        for (n, row) in refs.iter().enumerate() {
            let report = row.report.as_ref().expect("referenced rows have a report");
            let _ = writeln!(
                out,
                "\n[{}] {} under {} ({}): {}",
                n + 1,
                paint.bold(&row.scenario),
                row.checker,
                paint.status(row.status, &format!("{:?}", row.status)),
                row.why.as_deref().unwrap_or("")
            );
            let _ = writeln!(out, "{}", summary(report));
            if traces || matches!(row.status, Status::Differs) {
                if let Some(trace) = &report.trace {
                    out.push_str(&show::table(trace, report.verdict, paint, 60));
                }
            }
            if let Some(command) = show::replay_command(report, &row.scenario) {
                let _ = writeln!(out, "  replay: {}", paint.cyan(&command));
            }
        }
        let _ = writeln!(
            out,
            "\n{}\n{} checks in {:.1?}: {} as expected, {} differ, {} pending.{}",
            self.headline(),
            self.rows.len(),
            self.elapsed,
            self.rows
                .iter()
                .filter(|r| !matches!(r.status, Status::Differs | Status::Pending))
                .count(),
            self.differing(),
            self.rows
                .iter()
                .filter(|r| r.status == Status::Pending)
                .count(),
            if traces {
                ""
            } else {
                " Full traces: --traces."
            }
        );
        out
    }

    /// The matrix as Markdown (the committed `docs/matrix.md`).
    pub fn markdown(&self) -> String {
        let checkers = self.checkers();
        let mut out = String::from(
            "# The detection matrix\n\n<!-- Generated by `cargo run --release -- --docs`; do not edit. -->\n\n",
        );
        let _ = writeln!(out, "{}\n", self.headline());
        out.push_str(
            "Cells: verdict, then `@n` (found in execution n) or `nx` (n executions, all passed; `*` = cut \
             by a bound) for the model checkers, `k/n` (the bug showed in k of n runs; a hang stops the \
             count) for stress, then wall time. ✗ = differs from the expectation, ~ = known to differ \
             (see the scenario's pending note), — = not run. Each scenario's lesson is in its doc comment \
             in `scenarios/`.\n\n| scenario |",
        );
        for c in &checkers {
            let _ = write!(out, " {} |", c.name());
        }
        out.push_str("\n|---|");
        out.push_str(&"---|".repeat(checkers.len()));
        out.push('\n');
        let refs = self.referenced(false);
        for (id, _, summary) in &self.scenarios {
            let _ = write!(out, "| `{id}` — {summary} |");
            for c in &checkers {
                let cell = match self.row(id, *c) {
                    Some(row) => match refs.iter().position(|r| std::ptr::eq(*r, row)) {
                        Some(n) => format!("[{}](#trace-{})", row.cell(), n + 1),
                        None => row.cell(),
                    },
                    None => "·".into(),
                };
                let _ = write!(out, " {cell} |");
            }
            out.push('\n');
        }
        out.push_str("\n## Why: one trace per bug\n");
        for (n, row) in refs.iter().enumerate() {
            let report = row.report.as_ref().expect("referenced rows have a report");
            let text = report.to_string();
            let mut lines: Vec<&str> = text.lines().collect();
            let cut = lines.len() > 40;
            lines.truncate(40);
            let _ = writeln!(
                out,
                "\n### <a id=\"trace-{}\"></a>{}. `{}` under {}\n\n```text\n{}{}\n```",
                n + 1,
                n + 1,
                row.scenario,
                row.checker,
                lines.join("\n"),
                if cut {
                    "\n… (cut; `cargo run --release -- --traces` prints it all)"
                } else {
                    ""
                }
            );
        }
        out
    }

    /// The matrix as JSON: the headline, the counts per checker and every row with its report.
    pub fn json(&self) -> String {
        let value = serde_json::json!({
            "headline": self.headline(),
            "found_per_checker": self.found_per_checker(),
            "elapsed_secs": self.elapsed.as_secs_f64(),
            "rows": self.rows,
        });
        serde_json::to_string_pretty(&value).expect("the matrix serializes")
    }
}

/// A report in three lines: verdict, message or stuck threads, replay handle.
fn summary(report: &Report) -> String {
    let mut out = format!(
        "  {}: {} after {} execution(s)",
        report.checker, report.verdict, report.executions
    );
    if let Some(m) = &report.message {
        let first = m.lines().next().unwrap_or_default();
        let _ = write!(out, "\n  message: {first}");
    }
    for b in &report.blocked {
        let _ = write!(out, "\n  stuck: {b}");
    }
    out
}
