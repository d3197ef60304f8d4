//! What the tool prints on a terminal: the scenario list, one check's result with its trace as a
//! table (one column per thread, stuck threads and the failing step highlighted), and the replay
//! command. Colour only when stdout is a terminal and `NO_COLOR` is not set.

use std::fmt::Write as _;
use std::io::IsTerminal;

use anstyle::{AnsiColor, Style};
use racezoo::check::{Ending, Report, Trace, Verdict};
use racezoo::scenarios::Scenario;

use crate::matrix::{Row, Status};
use crate::short;

/// Whether stdout gets colour: a terminal, and `NO_COLOR` unset or empty.
pub(crate) fn color_stdout() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
}

/// The styles the tool uses; plain when colour is off.
#[derive(Clone, Copy)]
pub(crate) struct Paint {
    on: bool,
}

impl Paint {
    pub(crate) fn new(on: bool) -> Paint {
        Paint { on }
    }

    fn paint(self, style: Style, text: &str) -> String {
        if self.on && !text.is_empty() {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_string()
        }
    }

    pub(crate) fn bold(self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }

    pub(crate) fn dim(self, text: &str) -> String {
        self.paint(Style::new().dimmed(), text)
    }

    pub(crate) fn red(self, text: &str) -> String {
        self.paint(AnsiColor::Red.on_default().bold(), text)
    }

    pub(crate) fn green(self, text: &str) -> String {
        self.paint(AnsiColor::Green.on_default(), text)
    }

    pub(crate) fn yellow(self, text: &str) -> String {
        self.paint(AnsiColor::Yellow.on_default(), text)
    }

    pub(crate) fn cyan(self, text: &str) -> String {
        self.paint(AnsiColor::Cyan.on_default(), text)
    }

    /// A status word in its colour: found bugs red (a bug!), passes green, differences yellow on red.
    pub(crate) fn status(self, status: Status, text: &str) -> String {
        match status {
            Status::Found => self.red(text),
            Status::Passed => self.green(text),
            Status::Missed | Status::Skipped => self.dim(text),
            Status::Pending => self.yellow(text),
            Status::Differs => self.paint(AnsiColor::Yellow.on(AnsiColor::Red).bold(), text),
        }
    }
}

/// The scenarios, pattern by pattern, with each checker's expectation.
pub(crate) fn list(scenarios: &[Scenario]) -> String {
    let paint = Paint::new(color_stdout());
    let mut out = String::new();
    let mut pattern = "";
    for s in scenarios {
        if s.pattern != pattern {
            pattern = s.pattern;
            let _ = writeln!(out, "\n{}", paint.bold(pattern));
        }
        let id = format!("{:<44}", s.id());
        let id = if s.is_correct() {
            paint.green(&id)
        } else {
            paint.cyan(&id)
        };
        let _ = writeln!(out, "  {id} {}", s.summary);
        let expects: Vec<String> = s
            .expect
            .iter()
            .map(|(c, e)| format!("{}: {e}", c.name()))
            .collect();
        let _ = writeln!(out, "  {:<44} {}", "", paint.dim(&expects.join(" · ")));
    }
    let _ = writeln!(
        out,
        "\n{} scenarios. `racezoo explain ID` tells one's lesson; `racezoo run ID` runs it.",
        scenarios.len()
    );
    out
}

/// The command that replays `report`'s failure.
pub(crate) fn replay_command(report: &Report, id: &str) -> Option<String> {
    report
        .replay
        .as_ref()
        .map(|h| format!("cargo run --release -- replay {h} {id}"))
}

/// One check's result: verdict against the expectation, message, stuck threads, the trace as a
/// table, and the command that replays it.
pub(crate) fn row(scenario: &Scenario, row: &Row, color: bool) -> String {
    let paint = Paint::new(color);
    let mut out = String::new();
    let head = format!("{} under {}", row.scenario, row.checker);
    let Some(report) = &row.report else {
        let _ = writeln!(
            out,
            "\n{} — {}: {}",
            paint.bold(&head),
            paint.status(row.status, &format!("{:?}", row.status)),
            row.why.as_deref().unwrap_or("")
        );
        return out;
    };
    let judged = match row.status {
        Status::Found | Status::Passed => "as expected".to_string(),
        Status::Missed => format!(
            "not seen, as expected: {}",
            row.why.as_deref().unwrap_or("")
        ),
        Status::Pending => format!("known to differ: {}", row.why.as_deref().unwrap_or("")),
        Status::Differs => format!(
            "DIFFERS from the expectation ({}): {}",
            row.expected,
            row.why.as_deref().unwrap_or("")
        ),
        Status::Skipped => "not run".into(),
    };
    let how = match row.hits {
        Some((hits, runs)) => format!("the bug showed in {hits} of {runs} runs"),
        None if report.verdict == Verdict::Pass => format!(
            "{} execution(s), {}",
            report.executions,
            if report.complete {
                "exploration complete"
            } else {
                "cut by a bound"
            }
        ),
        None => format!("found in execution {}", report.executions),
    };
    let _ = writeln!(
        out,
        "\n{} — {}, {judged}\n  {how}, {}",
        paint.bold(&head),
        paint.status(row.status, &report.verdict.to_string()),
        short(report.elapsed)
    );
    if let Some(message) = &report.message {
        let first = message.lines().next().unwrap_or_default();
        let _ = writeln!(out, "  message: {}", paint.red(first));
    }
    if let Some(at) = &report.location {
        let _ = writeln!(out, "  at: {at}");
    }
    for b in &report.blocked {
        let _ = writeln!(out, "  stuck: {}", paint.red(&b.to_string()));
    }
    if let Some(trace) = &report.trace {
        out.push('\n');
        out.push_str(&table(trace, report.verdict, paint, 80));
    }
    if let Some(command) = replay_command(report, &scenario.id()) {
        let _ = writeln!(out, "\n  replay: {}", paint.cyan(&command));
    }
    out
}

/// `trace` as a table with one column per thread: the last `keep` events, then a row with what each
/// unfinished thread was stuck in. Stuck cells and each panicking thread's last step are highlighted.
pub(crate) fn table(trace: &Trace, verdict: Verdict, paint: Paint, keep: usize) -> String {
    let columns = trace.threads.len().max(1);
    let skipped = trace.events.len().saturating_sub(keep);
    // The failing step: the last event of each thread that panicked (the assertion came right after).
    let failing = trace.failing_steps();
    let mut rows: Vec<(String, Vec<(String, bool)>)> = Vec::new();
    for (i, e) in trace.events.iter().enumerate().skip(skipped) {
        let mut cells = vec![(String::new(), false); columns];
        if let Some(cell) = cells.get_mut(e.thread) {
            *cell = (e.cell(), failing.contains(&i));
        }
        rows.push(((i + 1).to_string(), cells));
    }
    let endings = trace.endings();
    if !endings.is_empty() {
        let mut last = vec![(String::new(), false); columns];
        for (index, ending) in endings {
            if let Some(slot) = last.get_mut(index) {
                let cell = match ending {
                    Ending::Blocked(b) => format!("BLOCKED in {}", b.cell()),
                    Ending::NotFinished => "NOT FINISHED".into(),
                    Ending::Panicked => format!("PANICKED ({verdict})"),
                };
                *slot = (cell, true);
            }
        }
        rows.push(("end".into(), last));
    }
    let names: Vec<String> = (0..columns)
        .map(|c| {
            trace
                .threads
                .get(c)
                .map_or(String::new(), |t| t.name.clone())
        })
        .collect();
    let index_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(1).max(3);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            rows.iter()
                .map(|r| r.1[c].0.chars().count())
                .chain(std::iter::once(names[c].chars().count()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    if skipped > 0 {
        let _ = writeln!(
            out,
            "  {}",
            paint.dim(&format!(
                "({skipped} earlier events left out; --json has them all)"
            ))
        );
    }
    let line = |out: &mut String, first: &str, cells: &[(String, bool)], header: bool| {
        let _ = write!(out, "  {first:>index_width$}");
        let used = cells
            .iter()
            .rposition(|(c, _)| !c.is_empty())
            .map_or(0, |i| i + 1);
        for (c, (cell, hot)) in cells.iter().enumerate().take(used) {
            let padded = if c + 1 == used {
                cell.clone()
            } else {
                format!("{cell:<w$}", w = widths[c])
            };
            let shown = if header {
                paint.bold(&padded)
            } else if *hot {
                paint.red(&padded)
            } else {
                padded
            };
            let _ = write!(out, " {} {shown}", paint.dim("|"));
        }
        out.push('\n');
    };
    let header: Vec<(String, bool)> = names.iter().map(|n| (n.clone(), false)).collect();
    line(&mut out, "#", &header, true);
    let mut rule = format!("  {}", "-".repeat(index_width));
    for w in &widths {
        rule.push_str("-+-");
        rule.push_str(&"-".repeat(*w));
    }
    let _ = writeln!(out, "{}", paint.dim(&rule));
    for (first, cells) in &rows {
        line(&mut out, first, cells, false);
    }
    out
}
