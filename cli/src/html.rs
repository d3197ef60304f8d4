//! `matrix --format html`: one self-contained page (inline CSS, no script, nothing fetched) with the
//! detection matrix — cells coloured by how each check came out against its expectation — and, for
//! every bug found, its failing interleaving drawn as swimlanes: one lane per thread, events in
//! execution order, the failing step and the stuck threads marked, source locations inline, beside
//! the scenario's lesson and the command that replays it.

use std::fmt::Write as _;

use racezoo::check::{Ending, Trace, Verdict};
use racezoo::scenarios::Scenario;

use crate::matrix::{Matrix, Row, Status};
use crate::{lesson, short, show};

/// Escapes text for HTML.
fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
:root { --found:#c62828; --passed:#2e7d32; --missed:#9e9e9e; --differs:#ff6f00; --pending:#f9a825;
        --ink:#1d1d1f; --rule:#d0d0d6; --lane:#f6f7fb; --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
* { box-sizing: border-box; }
body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); margin: 2rem auto; max-width: 1200px; padding: 0 1rem; }
h1 { margin-bottom: .2rem; } .headline { color: #444; margin-top: 0; }
table.matrix { border-collapse: collapse; width: 100%; font-size: 13px; }
table.matrix th, table.matrix td { border: 1px solid var(--rule); padding: .3rem .45rem; vertical-align: top; }
table.matrix th { background: #eceef4; text-align: left; position: sticky; top: 0; }
td.id code { font-weight: 600; } td.id .summary { color: #555; display: block; }
td.cell { white-space: nowrap; } td.cell a { color: inherit; }
td.cell .expected { display: block; font-size: 11px; color: #666; }
td.found { background: #fde7e7; color: var(--found); font-weight: 600; }
td.passed { background: #e8f5e9; color: var(--passed); }
td.missed, td.skipped { background: #f4f4f4; color: var(--missed); }
td.differs { background: #fff3e0; color: var(--differs); font-weight: 700; outline: 2px solid var(--differs); }
td.pending { background: #fffde7; color: #8d6e00; }
.legend span { display: inline-block; padding: 0 .4rem; margin-right: .4rem; border-radius: 3px; font-size: 12px; }
section.bug { border-top: 2px solid var(--rule); margin-top: 2.5rem; padding-top: .5rem; }
section.bug h3 { margin: .3rem 0; } .verdict { color: var(--found); font-weight: 700; }
.lesson { background: #fafafa; border-left: 3px solid #90a4ae; padding: .1rem .9rem; margin: .6rem 0; font-size: 14px; max-width: 60rem; }
.lesson p { margin: .5rem 0; }
.message { font-family: var(--mono); color: var(--found); }
.replay { font-family: var(--mono); background: #263238; color: #eceff1; padding: .4rem .7rem; border-radius: 4px; display: inline-block; }
.swimlanes { display: grid; gap: 2px 6px; margin: .8rem 0; font-size: 12px; overflow-x: auto; }
.swimlanes .lanehead { font-weight: 700; background: #37474f; color: #fff; padding: .25rem .5rem; border-radius: 4px 4px 0 0; position: sticky; top: 0; }
.swimlanes .step { color: #888; font-family: var(--mono); text-align: right; padding: .2rem .3rem; }
.swimlanes .lane { background: var(--lane); min-height: 1.6rem; }
.swimlanes .event { background: #fff; border: 1px solid #b0bec5; border-radius: 4px; padding: .15rem .4rem; font-family: var(--mono); }
.swimlanes .event .loc { color: #78909c; display: block; font-size: 11px; }
.swimlanes .event.failing { border: 2px solid var(--found); background: #ffebee; }
.swimlanes .event.blocked { border: 2px dashed var(--found); background: #ffebee; color: var(--found); }
.swimlanes .event.panicked { border: 2px solid var(--found); background: var(--found); color: #fff; }
.cut { color: #666; font-style: italic; }
"#;

/// The whole page.
pub(crate) fn report(matrix: &Matrix, scenarios: &[Scenario]) -> String {
    let checkers = matrix.checkers();
    let refs = matrix.referenced(true);
    let mut out = String::new();
    let _ = write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>racezoo — detection matrix</title><style>{STYLE}</style></head><body>\n\
         <h1>racezoo — the detection matrix</h1>\n<p class=\"headline\" id=\"headline\">{}</p>\n",
        esc(&matrix.headline())
    );
    out.push_str(
        "<p class=\"legend\"><span class=\"\" style=\"background:#fde7e7;color:#c62828\">bug found</span>\
         <span style=\"background:#e8f5e9;color:#2e7d32\">correct, passed</span>\
         <span style=\"background:#f4f4f4;color:#777\">not seen / not run (as expected)</span>\
         <span style=\"background:#fff3e0;color:#ff6f00\">differs from the expectation</span>\
         <span style=\"background:#fffde7;color:#8d6e00\">known to differ</span>\
         Model checkers: <code>@n</code> found in execution n, <code>nx</code> n executions passed \
         (<code>*</code> cut by a bound); stress: <code>k/n</code> runs showed the bug.</p>\n",
    );
    out.push_str("<table class=\"matrix\" id=\"matrix\"><thead><tr><th>scenario</th>");
    for c in &checkers {
        let _ = write!(out, "<th>{}</th>", esc(c.name()));
    }
    out.push_str("</tr></thead><tbody>\n");
    for s in scenarios {
        let id = s.id();
        let _ = write!(
            out,
            "<tr><td class=\"id\"><code>{}</code><span class=\"summary\">{}</span></td>",
            esc(&id),
            esc(s.summary)
        );
        for c in &checkers {
            match matrix.row(&id, *c) {
                Some(row) => {
                    let class = status_class(row.status);
                    let text = esc(&row.cell());
                    let cell = match refs.iter().position(|r| std::ptr::eq(*r, row)) {
                        Some(n) => format!("<a href=\"#bug-{}\">{text}</a>", n + 1),
                        None => text,
                    };
                    let _ = write!(
                        out,
                        "<td class=\"cell {class}\" data-status=\"{class}\" title=\"expected: {}{}\">{cell}\
                         <span class=\"expected\">expected: {}</span></td>",
                        esc(&row.expected),
                        row.why
                            .as_deref()
                            .map(|w| format!(" — {}", esc(w)))
                            .unwrap_or_default(),
                        esc(&row.expected)
                    );
                }
                None => out.push_str("<td class=\"cell skipped\">·</td>"),
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody></table>\n<h2>Why: the interleaving of every bug found</h2>\n");
    for (n, row) in refs.iter().enumerate() {
        let scenario = scenarios.iter().find(|s| s.id() == row.scenario);
        bug(&mut out, n + 1, row, scenario);
    }
    let _ = write!(
        out,
        "<p class=\"cut\">{} checks in {}. Generated by <code>cargo run --release -- matrix --format html</code>.</p>\n</body></html>\n",
        matrix.rows_len(),
        short(matrix.elapsed())
    );
    out
}

/// A paragraph of doc Markdown as HTML: escaped, `**bold**` and `` `code` `` kept.
fn inline(text: &str) -> String {
    let mut out = String::new();
    let (mut bold, mut code) = (false, false);
    let mut rest = text;
    while let Some(i) = rest.find(['*', '`']) {
        out.push_str(&esc(&rest[..i]));
        if rest[i..].starts_with("**") && !code {
            out.push_str(if bold { "</strong>" } else { "<strong>" });
            bold = !bold;
            rest = &rest[i + 2..];
        } else if rest[i..].starts_with('`') {
            out.push_str(if code { "</code>" } else { "<code>" });
            code = !code;
            rest = &rest[i + 1..];
        } else {
            out.push('*');
            rest = &rest[i + 1..];
        }
    }
    out.push_str(&esc(rest));
    if code {
        out.push_str("</code>");
    }
    if bold {
        out.push_str("</strong>");
    }
    out
}

fn status_class(status: Status) -> &'static str {
    match status {
        Status::Found => "found",
        Status::Passed => "passed",
        Status::Missed => "missed",
        Status::Differs => "differs",
        Status::Pending => "pending",
        Status::Skipped => "skipped",
    }
}

/// One found bug: heading, lesson, message, swimlanes, replay command.
fn bug(out: &mut String, n: usize, row: &Row, scenario: Option<&Scenario>) {
    let Some(report) = &row.report else { return };
    let _ = writeln!(
        out,
        "<section class=\"bug\" id=\"bug-{n}\"><h3>{n}. <code>{}</code> under {} — \
         <span class=\"verdict\">{}</span> ({})</h3>",
        esc(&row.scenario),
        esc(row.checker.name()),
        esc(&report.verdict.to_string()),
        match row.hits {
            Some((hits, runs)) => format!("showed in {hits} of {runs} runs"),
            None => format!("found in execution {}", report.executions),
        }
    );
    if let Some(s) = scenario {
        let paragraphs = lesson::paragraphs(s);
        if !paragraphs.is_empty() {
            out.push_str("<div class=\"lesson\">");
            for p in paragraphs {
                let _ = write!(out, "<p>{}</p>", inline(&p));
            }
            out.push_str("</div>\n");
        }
    }
    if let Some(m) = &report.message {
        let _ = writeln!(
            out,
            "<p class=\"message\">{}</p>",
            esc(m.lines().next().unwrap_or_default())
        );
    }
    if let Some(trace) = &report.trace {
        swimlanes(out, trace, report.verdict);
    }
    if let Some(command) = show::replay_command(report, &row.scenario) {
        let _ = writeln!(
            out,
            "<p>Replay: <span class=\"replay\">{}</span></p>",
            esc(&command)
        );
    }
    out.push_str("</section>\n");
}

/// How many of a trace's last events the page draws.
const DRAWN: usize = 200;

/// The trace as a grid: a step column, then one lane per thread; each event sits in its thread's
/// lane on its own row; a last row shows where unfinished threads were stuck.
fn swimlanes(out: &mut String, trace: &Trace, verdict: Verdict) {
    let lanes = trace.threads.len().max(1);
    let skipped = trace.events.len().saturating_sub(DRAWN);
    let failing = trace.failing_steps();
    if skipped > 0 {
        let _ = writeln!(
            out,
            "<p class=\"cut\">{skipped} earlier events left out (the JSON report has them all).</p>"
        );
    }
    let _ = write!(
        out,
        "<div class=\"swimlanes\" data-lanes=\"{lanes}\" style=\"grid-template-columns: 3.5rem repeat({lanes}, minmax(12rem, 1fr))\">"
    );
    out.push_str("<div class=\"step\">#</div>");
    for t in &trace.threads {
        let _ = write!(out, "<div class=\"lanehead\">{}</div>", esc(&t.name));
    }
    let event_html = |class: &str, text: &str, location: Option<&str>| {
        format!(
            "<div class=\"event {class}\">{}{}</div>",
            esc(text),
            location
                .map(|l| format!("<span class=\"loc\">{}</span>", esc(l)))
                .unwrap_or_default()
        )
    };
    for (i, e) in trace.events.iter().enumerate().skip(skipped) {
        let _ = write!(out, "<div class=\"step\">{}</div>", i + 1);
        for lane in 0..lanes {
            if lane == e.thread {
                let mut text = e.op.clone();
                for part in [&e.object, &e.detail].into_iter().flatten() {
                    text.push(' ');
                    text.push_str(part);
                }
                let class = if failing.contains(&i) { "failing" } else { "" };
                out.push_str(&event_html(class, &text, e.location.as_deref()));
            } else {
                out.push_str("<div class=\"lane\"></div>");
            }
        }
    }
    let endings = trace.endings();
    if !endings.is_empty() {
        out.push_str("<div class=\"step\">end</div>");
        for lane in 0..lanes {
            match endings
                .iter()
                .find(|(index, _)| *index == lane)
                .map(|e| e.1)
            {
                Some(Ending::Blocked(b)) => {
                    let mut text = format!("BLOCKED in {}", b.op);
                    if let Some(o) = &b.object {
                        text.push(' ');
                        text.push_str(o);
                    }
                    out.push_str(&event_html("blocked", &text, b.location.as_deref()));
                }
                Some(Ending::NotFinished) => {
                    out.push_str(&event_html("blocked", "NOT FINISHED", None));
                }
                Some(Ending::Panicked) => {
                    out.push_str(&event_html(
                        "panicked",
                        &format!("PANICKED ({verdict})"),
                        None,
                    ));
                }
                None => out.push_str("<div class=\"lane\"></div>"),
            }
        }
    }
    out.push_str("</div>\n");
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn doc_markdown_keeps_bold_and_code() {
        assert_eq!(
            super::inline("**The fix.** Use `a<b>` *now*"),
            "<strong>The fix.</strong> Use <code>a&lt;b&gt;</code> *now*"
        );
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
