//! `racezoo explain`: a scenario's lesson, read from its source file — the pattern's Go original (the
//! file's module doc), the variant's doc comment (what goes wrong, what each checker reports, the
//! fix), its body, what each checker is expected to conclude, and the commands to see it happen.

use std::fmt::Write as _;

use racezoo::scenarios::Scenario;

use crate::show::{Paint, color_stdout};

/// The lesson of `scenario`, for a terminal.
pub(crate) fn explain(scenario: &Scenario) -> String {
    let paint = Paint::new(color_stdout());
    let mut out = String::new();
    let source = scenario.source;
    let _ = writeln!(
        out,
        "{} — {}\n",
        paint.bold(&scenario.id()),
        scenario.summary
    );
    let intro: Vec<&str> = source
        .lines()
        .take_while(|l| l.starts_with("//!"))
        .map(|l| {
            l.trim_start_matches("//!")
                .strip_prefix(' ')
                .unwrap_or(l.trim_start_matches("//!"))
        })
        .collect();
    if !intro.is_empty() {
        let _ = writeln!(
            out,
            "{}",
            paint.bold(&format!("The pattern ({})", scenario.pattern))
        );
        out.push_str(&prose(&intro, paint));
        out.push('\n');
    }
    match function(source, scenario.variant) {
        Some((doc, body)) => {
            let title = if scenario.is_correct() {
                "This version"
            } else {
                "This bug"
            };
            let _ = writeln!(out, "{}", paint.bold(title));
            out.push_str(&prose(&doc, paint));
            let _ = writeln!(
                out,
                "\n{}",
                paint.bold(&format!("The body ({})", shown_file(scenario)))
            );
            for line in body.lines() {
                let _ = writeln!(out, "    {line}");
            }
        }
        None => {
            let _ = writeln!(
                out,
                "(no `pub fn {}` in {})",
                scenario.variant,
                shown_file(scenario)
            );
        }
    }
    let _ = writeln!(
        out,
        "\n{}",
        paint.bold("What each checker is expected to conclude")
    );
    for (checker, expect) in &scenario.expect {
        let _ = writeln!(out, "  {:<16} {expect}", checker.name());
    }
    let _ = writeln!(out, "\n{}", paint.bold("See it"));
    let _ = writeln!(
        out,
        "  cargo run --release -- run {}                  every checker, with the trace of each finding",
        scenario.id()
    );
    let _ = writeln!(
        out,
        "  cargo run --release -- run {} --checker loom   one checker",
        scenario.id()
    );
    if !scenario.is_correct() {
        let _ = writeln!(
            out,
            "  cargo run --release -- explain {}::correct      the version without the bug",
            scenario.pattern
        );
    }
    out
}

/// The variant's doc comment, links unwrapped, as paragraphs (lines of one paragraph joined).
pub(crate) fn paragraphs(scenario: &Scenario) -> Vec<String> {
    let Some((doc, _)) = function(scenario.source, scenario.variant) else {
        return Vec::new();
    };
    let mut out: Vec<String> = Vec::new();
    let mut current = String::new();
    for line in doc {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if !current.is_empty() {
            current.push(' ');
        }
        current.push_str(&unlink(line.trim()));
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

/// The scenario's file as a reader of the repository finds it.
fn shown_file(scenario: &Scenario) -> String {
    let file = scenario.file;
    match file.find("scenarios/") {
        Some(i) => file[i..].to_string(),
        None => file.to_string(),
    }
}

/// The doc comment and the text of `pub fn name` in `source`.
fn function<'a>(source: &'a str, name: &str) -> Option<(Vec<&'a str>, String)> {
    let lines: Vec<&str> = source.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with(&format!("pub fn {name}(")))?;
    let mut doc_start = start;
    while doc_start > 0 {
        let above = lines[doc_start - 1].trim_start();
        if above.starts_with("///") || above.starts_with("#[") {
            doc_start -= 1;
        } else {
            break;
        }
    }
    let doc: Vec<&str> = lines[doc_start..start]
        .iter()
        .filter(|l| l.trim_start().starts_with("///"))
        .map(|l| {
            let l = l.trim_start().trim_start_matches("///");
            l.strip_prefix(' ').unwrap_or(l)
        })
        .collect();
    let end = lines[start..].iter().position(|l| *l == "}")? + start;
    Some((doc, lines[start..=end].join("\n")))
}

/// Doc-comment Markdown for a terminal: `**Heading.**` starts a new paragraph in bold, intra-doc
/// links lose their brackets, code fences are indented.
fn prose(lines: &[&str], paint: Paint) -> String {
    let mut text = String::new();
    let mut in_code = false;
    for line in lines {
        if line.starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if in_code {
            let _ = writeln!(text, "      {line}");
            continue;
        }
        let mut l = unlink(line);
        while let Some(open) = l.find("**") {
            let Some(close) = l[open + 2..].find("**") else {
                break;
            };
            let heading = l[open + 2..open + 2 + close].to_string();
            let before = l[..open].trim_end().to_string();
            let after = l[open + 2 + close + 2..].to_string();
            l = if before.is_empty() {
                format!("{}{after}", paint.bold(&heading))
            } else {
                format!("{before}\n\n  {}{after}", paint.bold(&heading))
            };
        }
        let _ = writeln!(text, "  {l}");
    }
    text
}

/// `[`x`]` and `[text](target)` read as `x` and `text`.
fn unlink(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(open) = rest.find('[') {
        let Some(close) = rest[open..].find(']') else {
            break;
        };
        let close = open + close;
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..close]);
        rest = &rest[close + 1..];
        if rest.starts_with('(') {
            if let Some(end) = rest.find(')') {
                rest = &rest[end + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intra_doc_links_read_as_their_text() {
        assert_eq!(
            unlink("A `Mutex` ([`correct`]) or"),
            "A `Mutex` (`correct`) or"
        );
        assert_eq!(unlink("see [the fix](Self::fix)."), "see the fix.");
    }

    #[test]
    fn every_scenario_has_a_lesson_with_its_body() {
        for s in racezoo::scenarios::all() {
            let (doc, body) = function(s.source, s.variant)
                .unwrap_or_else(|| panic!("{}: no pub fn {}", s.id(), s.variant));
            assert!(!doc.is_empty(), "{}: no doc comment", s.id());
            assert!(body.ends_with('}'), "{}", s.id());
        }
    }
}
