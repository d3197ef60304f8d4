//! The README's tour shows what the tool prints: each `$ cargo run --release -- run …` block is
//! compared with the tool's output in the flavour that runs that checker (times aside).

use std::process::Command;

use racezoo::sync::{FLAVOUR, Flavour};

/// Replaces every duration (`520.4µs`, `3.1ms`, `1.2s`) by `T`.
fn timeless(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c.is_ascii_digit() && !out.ends_with(|p: char| p.is_ascii_alphanumeric() || p == '.') {
            let mut number = String::from(c);
            while let Some(&d) = chars.peek() {
                if d.is_ascii_digit() || d == '.' {
                    number.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            let rest: String = chars.clone().take(2).collect();
            let unit = ["µs", "ms", "ns", "s"]
                .into_iter()
                .find(|u| rest.starts_with(u));
            match unit {
                Some(u) if u != "s" || !rest[1..].starts_with(|x: char| x.is_alphanumeric()) => {
                    for _ in 0..u.chars().count() {
                        chars.next();
                    }
                    out.push('T');
                }
                _ => out.push_str(&number),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The README's output for the command line `command` (without `$ `).
fn readme_block(command: &str) -> String {
    let readme = include_str!("../../README.md");
    let start = readme
        .find(&format!("$ {command}\n"))
        .unwrap_or_else(|| panic!("no `$ {command}` in the README"));
    let body = &readme[start..];
    let body = &body[body.find('\n').unwrap() + 1..];
    body[..body.find("```").unwrap()].to_string()
}

fn tool(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_racezoo"))
        .args(args)
        .arg("--here")
        .env("NO_COLOR", "1")
        .output()
        .expect("racezoo runs");
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn the_readme_tour_matches_what_the_tool_prints() {
    let (args, command) = match FLAVOUR {
        Flavour::Loom => (
            ["run", "counter::unsync_cell", "--checker", "loom"],
            "cargo run --release -- run counter::unsync_cell --checker loom",
        ),
        Flavour::Shuttle => (
            [
                "run",
                "rendezvous::first_response_wins",
                "--checker",
                "shuttle-pct",
            ],
            "cargo run --release -- run rendezvous::first_response_wins --checker shuttle-pct",
        ),
        // The tour's runs are loom's and shuttle's; the std build runs neither itself.
        Flavour::Std => return,
    };
    let printed = tool(&args);
    assert_eq!(
        timeless(printed.trim_start()),
        timeless(&readme_block(command)),
        "README.md's tour is stale; paste the tool's output:\n{printed}"
    );
}

#[test]
fn durations_are_blanked_and_nothing_else() {
    assert_eq!(
        timeless("found in execution 1, 520.4µs; t2 at rs:68, 3.1ms, 2s step 10"),
        "found in execution 1, T; t2 at rs:68, T, T step 10"
    );
}
