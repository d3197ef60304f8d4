//! `racezoo`: runs the zoo's scenarios under every checker and prints each verdict beside the one
//! expected.
//!
//! A plain (std) build runs the stress checker itself, then builds and runs its own loom and shuttle
//! flavours (each in its own target dir under `target/`) and merges their verdicts into one table. A
//! loom or shuttle build, or `--here`, runs only the checkers of its own flavour.

use std::process::{Command, ExitCode};
use std::time::Duration;

use clap::{Parser, Subcommand};
use racezoo::check::{Checker, Config, Report};
use racezoo::scenarios::{self, Scenario};
use racezoo::sync::{FLAVOUR, Flavour};
use serde::{Deserialize, Serialize};

#[derive(Parser)]
#[command(
    name = "racezoo",
    version,
    about = "Hunt Go-style concurrency bugs with loom, shuttle and stress"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run every scenario under every checker and print the verdicts (the default).
    Zoo(ZooArgs),
    /// List the scenarios and what each checker is expected to find.
    List,
}

#[derive(clap::Args, Default)]
struct ZooArgs {
    /// Only scenarios whose `pattern::variant` contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// Run only the checkers of this build's flavour; do not build the other flavours.
    #[arg(long)]
    here: bool,
    /// Print one JSON object per line instead of a table.
    #[arg(long)]
    json: bool,
}

/// One line of the zoo's result table.
#[derive(Serialize, Deserialize)]
struct Row {
    scenario: String,
    expected: String,
    ok: bool,
    report: Report,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Cmd::Zoo(ZooArgs::default())) {
        Cmd::List => {
            for s in scenarios::all() {
                println!("{:<28} {}", s.id(), s.summary);
                for (checker, expect) in s.expect {
                    println!("    {:<16} expects {expect}", checker.name());
                }
            }
            ExitCode::SUCCESS
        }
        Cmd::Zoo(args) => zoo(&args),
    }
}

fn selected(args: &ZooArgs) -> Vec<Scenario> {
    scenarios::all()
        .into_iter()
        .filter(|s| {
            args.filter
                .as_ref()
                .is_none_or(|f| s.id().contains(f.as_str()))
        })
        .collect()
}

fn run_here(args: &ZooArgs) -> Vec<Row> {
    let config = Config {
        watchdog: Duration::from_secs(5),
        ..Config::default()
    };
    let mut rows = Vec::new();
    for scenario in selected(args) {
        for checker in Checker::available() {
            let expect = scenario.expectation(checker);
            if let scenarios::Expectation::Skips(_) = expect {
                continue;
            }
            let report = checker
                .run(&config, scenario.body)
                .expect("a checker of this flavour is available");
            rows.push(Row {
                scenario: scenario.id(),
                expected: expect.to_string(),
                ok: scenario.judge(&report).is_ok(),
                report,
            });
        }
    }
    rows
}

/// Builds and runs this binary in `flavour`, reading its rows back as JSON lines.
fn run_flavour(flavour: Flavour, args: &ZooArgs) -> Result<Vec<Row>, String> {
    let manifest_dir = env!("CARGO_MANIFEST_DIR");
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.current_dir(manifest_dir)
        .args([
            "run",
            "--quiet",
            "--release",
            "--bin",
            "racezoo",
            "--",
            "zoo",
            "--here",
            "--json",
        ])
        .env("RUSTFLAGS", flavour.rustflags())
        .env(
            "CARGO_TARGET_DIR",
            format!("{manifest_dir}/target/{flavour}"),
        );
    if let Some(filter) = &args.filter {
        cmd.args(["--filter", filter]);
    }
    eprintln!("racezoo: building and running the {flavour} flavour (target/{flavour}) ...");
    let out = cmd.output().map_err(|e| format!("cannot run cargo: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let rows: Vec<Row> = stdout
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).map_err(|e| format!("bad report line {l:?}: {e}")))
        .collect::<Result<_, _>>()?;
    if rows.is_empty() && !out.status.success() {
        return Err(format!(
            "the {flavour} flavour failed ({}):\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ));
    }
    Ok(rows)
}

fn zoo(args: &ZooArgs) -> ExitCode {
    let mut rows = run_here(args);
    let mut errors = Vec::new();
    if FLAVOUR == Flavour::Std && !args.here {
        for flavour in [Flavour::Loom, Flavour::Shuttle] {
            match run_flavour(flavour, args) {
                Ok(r) => rows.extend(r),
                Err(e) => errors.push(e),
            }
        }
    }
    if args.json {
        for row in &rows {
            println!("{}", serde_json::to_string(row).expect("rows serialize"));
        }
    } else {
        print_table(&rows);
    }
    for e in &errors {
        eprintln!("racezoo: {e}");
    }
    let failed = rows.iter().filter(|r| !r.ok).count();
    if !args.json {
        println!(
            "\n{} checks: {} as expected, {} not{}",
            rows.len(),
            rows.len() - failed,
            failed,
            if errors.is_empty() {
                ""
            } else {
                "; some flavours did not run (see above)"
            }
        );
    }
    if failed == 0 && errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn print_table(rows: &[Row]) {
    println!(
        "{:<24} {:<15} {:<22} {:<10} {:>8} {:>9}  ok",
        "scenario", "checker", "expected", "verdict", "execs", "time"
    );
    let mut sorted: Vec<&Row> = rows.iter().collect();
    sorted.sort_by_key(|r| {
        (
            r.scenario.clone(),
            Checker::ALL.iter().position(|c| *c == r.report.checker),
        )
    });
    for row in sorted {
        let r = &row.report;
        println!(
            "{:<24} {:<15} {:<22} {:<10} {:>8} {:>9}  {}",
            row.scenario,
            r.checker.name(),
            row.expected,
            format!("{}{}", r.verdict, if r.complete { "" } else { "*" }),
            r.executions,
            format!("{:.2?}", r.elapsed),
            if row.ok { "yes" } else { "NO" },
        );
    }
    if rows.iter().any(|r| !r.report.complete) {
        println!("* exploration cut by a bound (executions or time): a pass is not a proof");
    }
    // A verdict that differs from the expectation is shown in full: message, stuck threads, replay
    // handle and the failing execution's trace.
    for row in rows.iter().filter(|r| !r.ok) {
        println!(
            "\n{} (expected {}):\n{}",
            row.scenario, row.expected, row.report
        );
    }
}
