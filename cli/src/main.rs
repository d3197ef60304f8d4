//! `racezoo`: the detection matrix. Runs every zoo scenario under every checker, prints scenario ×
//! checker → verdict, executions until detection and wall time, and writes the same as Markdown and
//! JSON.
//!
//! A plain (std) build runs the stress checker itself, then builds its own loom and shuttle flavours
//! (each in its own target dir under `target/`), runs them and merges their rows into one matrix. A
//! loom or shuttle build, or `--here`, runs only the checkers of its own flavour.

mod matrix;

use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::process::{Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use clap::{Parser, Subcommand};
use racezoo::check::{self, Checker, Report, Verdict};
use racezoo::scenarios::{self, Bounds, Expectation, Scenario};
use racezoo::sync::{FLAVOUR, Flavour};

use self::matrix::{Row, Status};

#[derive(Parser)]
#[command(
    name = "racezoo",
    version,
    about = "Hunt Go-style concurrency bugs with loom, shuttle and stress: the zoo's detection matrix"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    #[command(flatten)]
    zoo: ZooArgs,
}

#[derive(Subcommand)]
enum Cmd {
    /// Run every scenario under every checker and print the matrix (the default).
    Zoo(ZooArgs),
    /// List the scenarios and what each checker is expected to find.
    List,
}

#[derive(clap::Args, Clone, Default)]
struct ZooArgs {
    /// Only scenarios whose `pattern::variant` contains this text.
    #[arg(long)]
    filter: Option<String>,
    /// Run only the checkers of this build's flavour; do not build the other flavours.
    #[arg(long)]
    here: bool,
    /// Print one JSON row per line instead of the matrix (and write no files).
    #[arg(long)]
    json: bool,
    /// Print the full report, trace included, of every bug found (not only of unexpected verdicts).
    #[arg(long)]
    traces: bool,
    /// Stress: runs per scenario (the matrix says how many of them showed the bug). Default 1000.
    #[arg(long)]
    runs: Option<usize>,
    /// shuttle: the scheduler's seed. Default: fixed, so that a run is repeatable.
    #[arg(long)]
    seed: Option<u64>,
    /// Where to write `matrix.md` and `matrix.json`.
    #[arg(long, default_value = "target/zoo")]
    out: PathBuf,
    /// Also write the matrix to `docs/matrix.md` (the committed copy).
    #[arg(long)]
    docs: bool,
}

/// The workspace root: where `target/`, `docs/` and the scenarios live.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Cmd::List) => list(),
        Some(Cmd::Zoo(args)) => zoo(&args),
        None => zoo(&cli.zoo),
    }
}

fn list() -> ExitCode {
    for s in scenarios::all() {
        println!("{:<36} {}", s.id(), s.summary);
        for (checker, expect) in s.expect {
            println!("    {:<16} expects {expect}", checker.name());
        }
    }
    ExitCode::SUCCESS
}

/// The bounds of this run: the zoo's defaults with the command line's overrides.
fn bounds(args: &ZooArgs) -> Bounds {
    let defaults = Bounds::default();
    Bounds {
        runs: args.runs.unwrap_or(1_000),
        seed: args.seed.unwrap_or(defaults.seed),
        ..defaults
    }
}

fn selected(args: &ZooArgs) -> Result<Vec<Scenario>, String> {
    let all = scenarios::all();
    let chosen: Vec<Scenario> = all
        .iter()
        .copied()
        .filter(|s| {
            args.filter
                .as_ref()
                .is_none_or(|f| s.id().contains(f.as_str()))
        })
        .collect();
    if chosen.is_empty() {
        let patterns: std::collections::BTreeSet<&str> = all.iter().map(|s| s.pattern).collect();
        return Err(format!(
            "no scenario matches --filter {:?} (patterns: {}; `racezoo list` lists them all)",
            args.filter.as_deref().unwrap_or_default(),
            patterns.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(chosen)
}

/// Runs `scenario` under `checker` (of this flavour) and judges the report.
fn check_one(scenario: &Scenario, checker: Checker, bounds: &Bounds) -> Row {
    let expect = scenario.expectation(checker);
    let mut row = Row::new(scenario, checker, expect);
    if let Expectation::Skips(why) = expect {
        row.status = Status::Skipped;
        row.why = Some(why.to_string());
        return row;
    }
    let result = if checker == Checker::Stress {
        stress_counting(scenario, bounds).map(|(report, hits)| {
            row.hits = Some(hits);
            report
        })
    } else {
        checker.run(&bounds.config(), scenario.body)
    };
    match result {
        Ok(report) => row.judge(scenario, report),
        Err(e) => {
            row.status = Status::Differs;
            row.why = Some(format!("the checker could not judge the body: {e}"));
        }
    }
    row
}

/// Stress, counted: up to `bounds.runs` single runs, counting those that showed a bug. It stops at
/// the first `Hang` (each costs a watchdog and leaves its threads behind). Returns the report of the
/// first failing run (or of the last passing one) and `(runs with a bug, runs)`.
fn stress_counting(
    scenario: &Scenario,
    bounds: &Bounds,
) -> Result<(Report, (u64, u64)), check::CheckError> {
    let config = check::Config {
        runs: 1,
        ..bounds.config()
    };
    let start = Instant::now();
    let (mut hits, mut runs) = (0u64, 0u64);
    let mut first: Option<Report> = None;
    let mut last = None;
    for _ in 0..bounds.runs {
        let report = check::stress(&config, scenario.body)?;
        runs += 1;
        if report.verdict != Verdict::Pass {
            hits += 1;
            // A run that outlived its watchdog left threads behind: counting on would cost a
            // watchdog per run.
            let hang = report.verdict == Verdict::Hang || report.elapsed >= bounds.watchdog;
            if first.is_none() {
                let mut report = report;
                report.executions = runs;
                first = Some(report);
            }
            if hang {
                break;
            }
        } else {
            last = Some(report);
        }
    }
    let mut report = first
        .or(last)
        .expect("at least one stress run (--runs must be at least 1)");
    if report.verdict == Verdict::Pass {
        report.executions = runs;
    }
    report.elapsed = start.elapsed();
    Ok((report, (hits, runs)))
}

/// Runs every selected scenario under this flavour's checkers; each row goes to `sink` as it is
/// done, with a progress line on stderr.
fn run_here(scenarios: &[Scenario], bounds: &Bounds, mut sink: impl FnMut(Row)) {
    let checkers = Checker::available();
    let total = scenarios.len() * checkers.len();
    let mut done = 0;
    for scenario in scenarios {
        for &checker in &checkers {
            done += 1;
            eprintln!(
                "racezoo [{FLAVOUR} {done}/{total}, {} left] {} under {checker}",
                total - done,
                scenario.id()
            );
            sink(check_one(scenario, checker, bounds));
        }
    }
}

/// Builds this binary in `flavour` (cargo's progress shown), runs it with `zoo --here --json` and
/// reads its rows back as they come; its progress lines pass through.
fn run_flavour(flavour: Flavour, args: &ZooArgs, rows: &mut Vec<Row>) -> Result<(), String> {
    let manifest_dir = ROOT;
    let target_dir = format!("{manifest_dir}/target/{flavour}");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    eprintln!(
        "racezoo: building the {flavour} flavour in target/{flavour} (first time: a few minutes) ..."
    );
    let started = Instant::now();
    let status = Command::new(&cargo)
        .current_dir(manifest_dir)
        .args([
            "build",
            "--release",
            "-p",
            "racezoo-cli",
            "--bin",
            "racezoo",
        ])
        .env("RUSTFLAGS", flavour.rustflags())
        .env("CARGO_TARGET_DIR", &target_dir)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("building the {flavour} flavour failed ({status})"));
    }
    eprintln!(
        "racezoo: {flavour} flavour built in {:.0?}; running its checkers",
        started.elapsed()
    );
    let mut cmd = Command::new(format!("{target_dir}/release/racezoo"));
    cmd.current_dir(manifest_dir)
        .args(["zoo", "--here", "--json"])
        .stdout(Stdio::piped());
    if let Some(filter) = &args.filter {
        cmd.args(["--filter", filter]);
    }
    if let Some(seed) = args.seed {
        cmd.args(["--seed", &seed.to_string()]);
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run the {flavour} flavour: {e}"))?;
    let stdout = child.stdout.take().expect("piped");
    let before = rows.len();
    for line in BufReader::new(stdout).lines() {
        let line = line.map_err(|e| format!("reading the {flavour} flavour: {e}"))?;
        if line.starts_with('{') {
            let row: Row = serde_json::from_str(&line)
                .map_err(|e| format!("bad row from the {flavour} flavour: {e}"))?;
            rows.push(row);
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if rows.len() == before && !status.success() {
        return Err(format!("the {flavour} flavour failed ({status})"));
    }
    Ok(())
}

fn zoo(args: &ZooArgs) -> ExitCode {
    let scenarios = match selected(args) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("racezoo: {e}");
            return ExitCode::from(2);
        }
    };
    if args.runs == Some(0) {
        eprintln!("racezoo: --runs must be at least 1");
        return ExitCode::from(2);
    }
    let bounds = bounds(args);
    let started = Instant::now();
    let mut rows = Vec::new();
    if args.json {
        run_here(&scenarios, &bounds, |row| {
            println!("{}", serde_json::to_string(&row).expect("rows serialize"));
        });
        return ExitCode::SUCCESS;
    }
    run_here(&scenarios, &bounds, |row| rows.push(row));
    let mut errors = Vec::new();
    if FLAVOUR == Flavour::Std && !args.here {
        for flavour in [Flavour::Loom, Flavour::Shuttle] {
            if let Err(e) = run_flavour(flavour, args, &mut rows) {
                errors.push(e);
            }
        }
    }
    let elapsed = started.elapsed();
    let matrix = matrix::Matrix::new(&scenarios, rows, elapsed);
    print!("{}", matrix.text(args.traces));
    if let Err(e) = write_files(&matrix, args) {
        errors.push(e);
    }
    for e in &errors {
        eprintln!("racezoo: {e}");
    }
    if matrix.differing() == 0 && errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// Writes `matrix.md` and `matrix.json` under `--out`, and `docs/matrix.md` with `--docs`.
fn write_files(matrix: &matrix::Matrix, args: &ZooArgs) -> Result<(), String> {
    let write = |path: PathBuf, text: String| {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        eprintln!("racezoo: wrote {}", path.display());
        Ok::<(), String>(())
    };
    let markdown = matrix.markdown();
    write(args.out.join("matrix.md"), markdown.clone())?;
    write(args.out.join("matrix.json"), matrix.json())?;
    if args.docs {
        if args.filter.is_some() || args.here {
            return Err("--docs writes the whole matrix: drop --filter and --here".into());
        }
        write(PathBuf::from(ROOT).join("docs/matrix.md"), markdown)?;
    }
    Ok(())
}

/// Formats a duration the way the matrix does (`1.2ms`, `3.4s`).
pub(crate) fn short(d: Duration) -> String {
    format!("{d:.1?}")
}
