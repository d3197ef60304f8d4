//! `racezoo`: the zoo's tool. Lists the scenarios, explains one, runs it under the checker of your
//! choice with the interleaving that broke it, replays a failure, and renders the whole detection
//! matrix (text, Markdown, JSON, or a self-contained HTML page with swimlanes).
//!
//! A plain (std) build runs the stress checker itself. For loom and shuttle it builds its own loom-
//! or shuttle-flavoured self (each in its own target dir under `target/`), runs it with `--here
//! --rows`, reads its rows back as JSON and presents them: a user never types RUSTFLAGS. A loom or
//! shuttle build, or `--here`, runs only the checkers of its own flavour.
//!
//! Exit codes: 0 = everything as expected, 1 = a verdict differs from its expectation (or a flavour
//! could not be built or run), 2 = bad usage, reported in one line before any long work starts.

mod checks;
mod flavour;
mod html;
mod lesson;
mod matrix;
mod show;
mod suite;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::{Args, Parser, Subcommand, ValueEnum};
use racezoo::check::{self, Checker, ReplayHandle};
use racezoo::scenarios::{self, Bounds, Scenario};
use racezoo::sync::{FLAVOUR, Flavour};

use self::matrix::{Matrix, Status};

/// The workspace root: where `target/`, `docs/` and the scenarios live.
const ROOT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/..");

#[derive(Parser)]
#[command(
    name = "racezoo",
    version,
    about = "Hunt Go-style concurrency bugs with loom, shuttle and stress: the zoo, its lessons and its detection matrix",
    after_help = "\
Examples:
  racezoo                                   the detection matrix (same as `racezoo matrix`)
  racezoo list --pattern waitgroup          the WaitGroup scenarios and what each checker finds
  racezoo explain counter::lost_update      the lesson: Go original, the bug, the fix
  racezoo run counter::lost_update --checker loom
  racezoo replay loom:preemptions=2:execution=1 counter::lost_update
  racezoo matrix --format html --out target/zoo/matrix.html

Exit codes: 0 as expected, 1 a verdict differs from its expectation, 2 bad usage."
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Cmd>,
    #[command(flatten)]
    matrix: MatrixArgs,
}

#[derive(Subcommand)]
enum Cmd {
    /// List the scenarios: pattern, variant, and what each checker is expected to conclude.
    #[command(after_help = "\
Examples:
  racezoo list
  racezoo list --pattern rendezvous
  racezoo list --json > zoo.json")]
    List(ListArgs),
    /// Explain a scenario: the Go original, what goes wrong, what each checker reports, the fix.
    #[command(after_help = "\
Examples:
  racezoo explain waitgroup::add_inside_goroutine
  racezoo explain counter::abba")]
    Explain(ExplainArgs),
    /// Run one scenario under one checker (or all four) and show the verdict and the interleaving.
    #[command(after_help = "\
Examples:
  racezoo run counter::lost_update                       every checker
  racezoo run counter::lost_update --checker loom
  racezoo run rendezvous::first_response_wins --checker shuttle-pct --seed 7
  racezoo run counter::lost_update --checker stress --iterations 5000 --json")]
    Run(RunArgs),
    /// Re-run a failure from the replay handle a report printed, with the same verdict and trace.
    #[command(after_help = "\
Examples:
  racezoo replay loom:preemptions=2:execution=1 counter::lost_update
  racezoo replay 'shuttle-random:910102ccdedf9592aba2afd70104' rendezvous::send_no_receiver")]
    Replay(ReplayArgs),
    /// Run the whole zoo under every checker: the detection matrix (the default command).
    #[command(
        alias = "zoo",
        after_help = "\
Examples:
  racezoo matrix                               text on the terminal; also writes target/zoo/matrix.{md,json,html}
  racezoo matrix --filter waitgroup --traces   one pattern, with every found bug's trace
  racezoo matrix --format html --out report.html
  racezoo matrix --format json > matrix.json"
    )]
    Matrix(MatrixArgs),
    /// Run the pool regression suite on a pool: racezoo's own, a shipped mutant, or a third-party one.
    #[command(after_help = "\
Examples:
  racezoo suite racezoo                         racezoo's WorkerPool: every check passes
  racezoo suite mutant:check_then_act_on_queue_length
  racezoo suite threadpool                      threadpool 1.8's findings
  racezoo suite --list                          every pool and mutant the command knows

Runs on real threads (std). Exit code 1 if racezoo's pool fails a check or a mutant survives the
check tied to its bug; a third-party pool's table is a finding, exit code 0.")]
    Suite(SuiteArgs),
}

#[derive(Args)]
struct SuiteArgs {
    /// The pool: `racezoo`, `threadpool`, `rusty_pool`, `workerpool`, `scoped_threadpool`, `rayon`,
    /// `rayon-panic-handler`, or `mutant:NAME` (see --list).
    #[arg(required_unless_present = "list")]
    pool: Option<String>,
    /// List the pools and mutants instead.
    #[arg(long)]
    list: bool,
    /// The report as JSON instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct ListArgs {
    /// Only this pattern (rendezvous, select, waitgroup, counter, pool, errgroup, lesson).
    #[arg(long, value_name = "P")]
    pattern: Option<String>,
    /// One JSON array instead of text.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct ExplainArgs {
    /// The scenario, as `pattern::variant` (see `racezoo list`).
    id: String,
}

/// How hard each checker tries; unset knobs keep the zoo's defaults.
#[derive(Args, Clone, Default)]
struct BoundArgs {
    /// shuttle: the scheduler's seed (default: fixed, so that a run is repeatable).
    #[arg(long, value_name = "N")]
    seed: Option<u64>,
    /// How many tries: shuttle schedules (default 1000), loom executions before the run is cut
    /// (default 20000), stress runs (default 1000).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    iterations: Option<u64>,
    /// loom: preemptions per execution (default: LOOM_MAX_PREEMPTIONS, else 2).
    #[arg(long, value_name = "N")]
    preemptions: Option<usize>,
    /// stress: runs per scenario (overrides --iterations for stress; default 1000).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    runs: Option<u64>,
}

/// The checkers, as the command line names them.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum CheckerArg {
    /// loom: exhaustive within a preemption bound, weak memory included.
    Loom,
    /// shuttle's random scheduler.
    ShuttleRandom,
    /// shuttle's PCT scheduler (probabilistic concurrency testing).
    ShuttlePct,
    /// real threads, many runs.
    Stress,
}

impl From<CheckerArg> for Checker {
    fn from(c: CheckerArg) -> Checker {
        match c {
            CheckerArg::Loom => Checker::Loom,
            CheckerArg::ShuttleRandom => Checker::ShuttleRandom,
            CheckerArg::ShuttlePct => Checker::ShuttlePct,
            CheckerArg::Stress => Checker::Stress,
        }
    }
}

#[derive(Args)]
struct RunArgs {
    /// The scenario, as `pattern::variant` (see `racezoo list`).
    id: String,
    /// The checker (default: all four).
    #[arg(long, value_enum)]
    checker: Option<CheckerArg>,
    #[command(flatten)]
    bounds: BoundArgs,
    /// The reports as JSON, one per line, instead of text.
    #[arg(long)]
    json: bool,
    /// Run only the checkers of this build's flavour; do not build the other flavours.
    #[arg(long)]
    here: bool,
    /// Internal: print rows as JSON lines (how a flavoured child answers its parent).
    #[arg(long, hide = true)]
    rows: bool,
}

#[derive(Args)]
struct ReplayArgs {
    /// The handle a report printed (`loom:preemptions=2:execution=1`, `shuttle-pct:…`).
    handle: String,
    /// The scenario the handle came from, as `pattern::variant`.
    id: String,
    /// The report as JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Replay in this build; do not build the handle's flavour.
    #[arg(long)]
    here: bool,
    /// Internal: print rows as JSON lines.
    #[arg(long, hide = true)]
    rows: bool,
}

/// What `matrix --format` writes.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// The table as Markdown (what `docs/matrix.md` holds).
    Md,
    /// Every row with its report, as JSON.
    Json,
    /// One self-contained page: the matrix and every found bug's trace as swimlanes.
    Html,
}

#[derive(Args, Clone, Default)]
struct MatrixArgs {
    /// Only scenarios whose `pattern::variant` contains this text.
    #[arg(long, value_name = "TEXT")]
    filter: Option<String>,
    /// Run only the checkers of this build's flavour; do not build the other flavours.
    #[arg(long)]
    here: bool,
    /// Write (with --out) or print this format instead of the text table.
    #[arg(long, value_enum)]
    format: Option<Format>,
    /// Where --format writes (the format is taken from the extension if --format is not given).
    /// Without --format and --out, the matrix is also written to target/zoo/matrix.{md,json,html}.
    #[arg(long, value_name = "PATH")]
    out: Option<PathBuf>,
    /// Print every found bug's full report, trace included (not only of unexpected results).
    #[arg(long)]
    traces: bool,
    #[command(flatten)]
    bounds: BoundArgs,
    /// Also write the matrix to `docs/matrix.md` (the committed copy).
    #[arg(long)]
    docs: bool,
    /// Internal: print rows as JSON lines (how a flavoured child answers its parent).
    #[arg(long, hide = true)]
    rows: bool,
}

/// Why the tool stops.
enum Failure {
    /// Bad usage: exit code 2.
    Usage(String),
    /// Something could not be done (a flavour did not build): exit code 1.
    Broken(String),
}

/// `Ok(true)`: everything as expected; `Ok(false)`: some verdict differs from its expectation.
type Outcome = Result<bool, Failure>;

fn usage<T>(message: impl Into<String>) -> Result<T, Failure> {
    Err(Failure::Usage(message.into()))
}

fn main() -> ExitCode {
    // A child process of `racezoo suite` (one check of a pool that may abort the process).
    if suite::child() {
        return ExitCode::SUCCESS;
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return clap_error(e),
    };
    let outcome = environment().and_then(|()| match cli.command {
        Some(Cmd::List(args)) => list(&args),
        Some(Cmd::Explain(args)) => explain(&args),
        Some(Cmd::Run(args)) => run(&args),
        Some(Cmd::Replay(args)) => replay(&args),
        Some(Cmd::Matrix(args)) => matrix(&args),
        Some(Cmd::Suite(args)) => suite_command(&args),
        None => matrix(&cli.matrix),
    });
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(Failure::Usage(message)) => {
            eprintln!("racezoo: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Broken(message)) => {
            eprintln!("racezoo: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Help and version print as clap renders them; every other parse error becomes one line.
fn clap_error(e: clap::Error) -> ExitCode {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    match e.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => {
            let _ = e.print();
            return ExitCode::SUCCESS;
        }
        _ => {}
    }
    let rendered = e.render().to_string();
    let first = rendered
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("bad usage")
        .trim_start_matches("error: ")
        .to_string();
    let mut line = first;
    if let Some(ContextValue::Strings(valid)) = e.get(ContextKind::ValidValue) {
        line.push_str(&format!(" (one of: {})", valid.join(", ")));
    }
    if let Some(ContextValue::String(suggested)) = e.get(ContextKind::SuggestedSubcommand) {
        line.push_str(&format!(" (did you mean `{suggested}`?)"));
    }
    eprintln!("racezoo: {line}; see `racezoo --help`");
    ExitCode::from(2)
}

/// The variables the tool and the harness read: each must hold what it is documented to hold, and a
/// `RACEZOO_*` name that nothing reads is a typo worth one line, not a silent default.
fn environment() -> Result<(), Failure> {
    check::Config::from_env().map_err(|e| Failure::Usage(e.to_string()))?;
    // What the tool and the harness read, then what racezoo's own tests read (a developer may
    // have one set while using the tool).
    const KNOWN: [&str; 9] = [
        "RACEZOO_SHUTTLE_ITERATIONS",
        "RACEZOO_STRESS_RUNS",
        "RACEZOO_DEBUG_PANICS",
        "RACEZOO_SUITE_CHILD",
        "RACEZOO_SHOW_TRACES",
        "RACEZOO_ZOO_FILTER",
        "RACEZOO_SOAK_SEED",
        "RACEZOO_CHECK_TRUST_INNER",
        "RACEZOO_FACT_CHILD",
    ];
    for (name, _) in std::env::vars_os() {
        let name = name.to_string_lossy();
        if name.starts_with("RACEZOO_") && !KNOWN.contains(&name.as_ref()) {
            return usage(format!(
                "unknown variable {name} (racezoo reads {}); unset it",
                KNOWN[..4].join(", ")
            ));
        }
    }
    Ok(())
}

/// Finds the scenario `id`, or says which ids are closest.
fn scenario(id: &str) -> Result<Scenario, Failure> {
    let all = scenarios::all();
    if let Some(s) = all.iter().find(|s| s.id() == id) {
        return Ok(*s);
    }
    let ids: Vec<String> = all.iter().map(|s| s.id()).collect();
    let near = closest(&ids, id, 3);
    if near.is_empty() {
        usage(format!(
            "no scenario {id:?}; `racezoo list` shows the {} there are",
            all.len()
        ))
    } else {
        usage(format!(
            "no scenario {id:?}; did you mean {}?",
            near.iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(" or ")
        ))
    }
}

/// Returns up to `n` of `names` that look like `typed` (a misspelling, or a part of the name), the
/// closest first: what a "did you mean" offers.
fn closest<'a>(names: &'a [String], typed: &str, n: usize) -> Vec<&'a String> {
    let mut near: Vec<(f64, &String)> = names
        .iter()
        .map(|name| {
            let part = if name.contains(typed) { 0.9 } else { 0.0 };
            (strsim::jaro_winkler(typed, name).max(part), name)
        })
        .filter(|(score, _)| *score > 0.75)
        .collect();
    near.sort_by(|a, b| b.0.total_cmp(&a.0));
    near.into_iter().take(n).map(|(_, name)| name).collect()
}

fn patterns() -> BTreeSet<&'static str> {
    scenarios::all().iter().map(|s| s.pattern).collect()
}

fn list(args: &ListArgs) -> Outcome {
    if let Some(p) = &args.pattern {
        if !patterns().contains(p.as_str()) {
            return usage(format!(
                "no pattern {p:?} (patterns: {})",
                patterns().into_iter().collect::<Vec<_>>().join(", ")
            ));
        }
    }
    let chosen: Vec<Scenario> = scenarios::all()
        .into_iter()
        .filter(|s| args.pattern.as_deref().is_none_or(|p| s.pattern == p))
        .collect();
    if args.json {
        let value: Vec<serde_json::Value> = chosen
            .iter()
            .map(|s| {
                let expect: serde_json::Map<String, serde_json::Value> = s
                    .expect
                    .iter()
                    .map(|(c, e)| (c.name().to_string(), e.to_string().into()))
                    .collect();
                serde_json::json!({
                    "id": s.id(),
                    "pattern": s.pattern,
                    "variant": s.variant,
                    "correct": s.is_correct(),
                    "summary": s.summary,
                    "expect": expect,
                })
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&value).expect("the list serializes")
        );
        return Ok(true);
    }
    print!("{}", show::list(&chosen));
    Ok(true)
}

fn explain(args: &ExplainArgs) -> Outcome {
    let scenario = scenario(&args.id)?;
    print!("{}", lesson::explain(&scenario));
    Ok(true)
}

/// The zoo's bounds with the command line's overrides.
fn bounds(args: &BoundArgs) -> Bounds {
    let defaults = Bounds::default();
    let tries = args.iterations.map(|n| n as usize);
    Bounds {
        preemptions: args.preemptions.unwrap_or(defaults.preemptions),
        loom_executions: tries.unwrap_or(defaults.loom_executions),
        iterations: tries.unwrap_or(defaults.iterations),
        seed: args.seed.unwrap_or(defaults.seed),
        runs: args.runs.map(|n| n as usize).or(tries).unwrap_or(1_000),
        ..defaults
    }
}

/// The same bounds as command-line arguments, for a flavoured child.
fn bound_flags(args: &BoundArgs) -> Vec<String> {
    let mut flags = Vec::new();
    let mut push = |name: &str, value: Option<String>| {
        if let Some(v) = value {
            flags.push(name.to_string());
            flags.push(v);
        }
    };
    push("--seed", args.seed.map(|v| v.to_string()));
    push("--iterations", args.iterations.map(|v| v.to_string()));
    push("--preemptions", args.preemptions.map(|v| v.to_string()));
    push("--runs", args.runs.map(|v| v.to_string()));
    flags
}

/// Whether this process runs every checker itself (`--here`, or a loom/shuttle build).
fn here_only(here: bool) -> bool {
    here || FLAVOUR != Flavour::Std
}

fn run(args: &RunArgs) -> Outcome {
    let scenario = scenario(&args.id)?;
    let checkers: Vec<Checker> = match args.checker {
        Some(c) => vec![c.into()],
        None => Checker::ALL.to_vec(),
    };
    let bounds = bounds(&args.bounds);
    let mut rows = Vec::new();
    if here_only(args.here) || args.rows {
        let foreign: Vec<&Checker> = checkers.iter().filter(|c| c.flavour() != FLAVOUR).collect();
        if args.checker.is_some() && !foreign.is_empty() {
            return usage(format!(
                "{} needs the {} flavour and this is the {FLAVOUR} build; drop --here",
                foreign[0],
                foreign[0].flavour()
            ));
        }
        for checker in checkers.iter().filter(|c| c.flavour() == FLAVOUR) {
            let row = checks::check_one(&scenario, *checker, &bounds);
            if args.rows {
                println!("{}", serde_json::to_string(&row).expect("rows serialize"));
            } else {
                rows.push(row);
            }
        }
        if args.rows {
            return Ok(true);
        }
    } else {
        let flavours = flavours_of(&checkers);
        flavour::preflight(&flavours)?;
        for checker in checkers.iter().filter(|c| c.flavour() == Flavour::Std) {
            eprintln!("racezoo: {} under {checker} ...", scenario.id());
            rows.push(checks::check_one(&scenario, *checker, &bounds));
        }
        for f in flavours {
            let mut child = vec!["run".to_string(), scenario.id()];
            if let Some(c) = args.checker {
                child.push("--checker".into());
                child.push(Checker::from(c).name().into());
            }
            child.extend(bound_flags(&args.bounds));
            flavour::run_child(f, &child, |row| rows.push(row))?;
        }
    }
    rows.sort_by_key(|r| Checker::ALL.iter().position(|c| *c == r.checker));
    let color = show::color_stdout();
    for row in &rows {
        if args.json {
            match &row.report {
                Some(report) => println!("{}", report.to_json()),
                None => println!("{}", serde_json::to_string(row).expect("rows serialize")),
            }
        } else {
            print!("{}", show::row(&scenario, row, color));
        }
    }
    Ok(rows.iter().all(|r| r.status != Status::Differs))
}

/// The flavours other than std that `checkers` need, in order.
fn flavours_of(checkers: &[Checker]) -> Vec<Flavour> {
    [Flavour::Loom, Flavour::Shuttle]
        .into_iter()
        .filter(|f| checkers.iter().any(|c| c.flavour() == *f))
        .collect()
}

fn replay(args: &ReplayArgs) -> Outcome {
    let scenario = scenario(&args.id)?;
    let handle: ReplayHandle = args
        .handle
        .parse()
        .map_err(|e: check::ReplayError| Failure::Usage(e.to_string()))?;
    let checker = handle.checker();
    let mut rows = Vec::new();
    if here_only(args.here) || args.rows {
        if checker.flavour() != FLAVOUR {
            return usage(format!(
                "handle {handle} is from the {} flavour and this is the {FLAVOUR} build; drop --here",
                checker.flavour()
            ));
        }
        let row = checks::replay_one(&scenario, &handle)?;
        if args.rows {
            println!("{}", serde_json::to_string(&row).expect("rows serialize"));
            return Ok(true);
        }
        rows.push(row);
    } else {
        let f = checker.flavour();
        if f == Flavour::Std {
            rows.push(checks::replay_one(&scenario, &handle)?);
        } else {
            flavour::preflight(&[f])?;
            let child = vec!["replay".to_string(), handle.to_string(), scenario.id()];
            flavour::run_child(f, &child, |row| rows.push(row))?;
        }
    }
    let color = show::color_stdout();
    for row in &rows {
        if args.json {
            if let Some(report) = &row.report {
                println!("{}", report.to_json());
            }
        } else {
            print!("{}", show::row(&scenario, row, color));
        }
    }
    Ok(rows.iter().all(|r| r.status != Status::Differs))
}

fn suite_command(args: &SuiteArgs) -> Outcome {
    let keys = suite::keys();
    if args.list {
        for k in &keys {
            println!("{k}");
        }
        return Ok(true);
    }
    let pool = args.pool.as_deref().unwrap_or_default();
    if !keys.iter().any(|k| k == pool) {
        let hint = match closest(&keys, pool, 1).first() {
            Some(k) => format!("did you mean {k}?"),
            None => "`racezoo suite --list` lists them".to_string(),
        };
        return usage(format!("no pool {pool:?}; {hint}"));
    }
    let report = suite::run(pool).expect("a known key");
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).expect("a suite report serializes")
        );
    } else {
        print!("{report}");
    }
    Ok(suite::as_expected(pool, &report))
}

/// The scenarios `--filter` selects, or why none is.
fn selected(filter: Option<&str>) -> Result<Vec<Scenario>, Failure> {
    let all = scenarios::all();
    let chosen: Vec<Scenario> = all
        .iter()
        .copied()
        .filter(|s| filter.is_none_or(|f| s.id().contains(f)))
        .collect();
    if chosen.is_empty() {
        return usage(format!(
            "no scenario matches --filter {:?} (patterns: {}; `racezoo list` lists them all)",
            filter.unwrap_or_default(),
            patterns().into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
    Ok(chosen)
}

/// Where the matrix goes, decided (and checked writable) before anything runs.
struct Outputs {
    /// `--format` with `--out`: that one file.
    file: Option<(Format, PathBuf)>,
    /// `--format` without `--out`: print that format instead of the text table.
    print: Option<Format>,
}

fn outputs(args: &MatrixArgs) -> Result<Outputs, Failure> {
    if args.docs && (args.filter.is_some() || args.here) {
        return usage("--docs writes the whole matrix: drop --filter and --here");
    }
    let format = match (args.format, &args.out) {
        (Some(f), _) => Some(f),
        (None, Some(out)) => Some(match out.extension().and_then(|e| e.to_str()) {
            Some("md") => Format::Md,
            Some("json") => Format::Json,
            Some("html" | "htm") => Format::Html,
            _ => {
                return usage(format!(
                    "cannot tell the format of --out {}: add --format md|json|html",
                    out.display()
                ));
            }
        }),
        (None, None) => None,
    };
    match (&args.out, format) {
        (Some(out), Some(f)) => {
            writable(out)?;
            Ok(Outputs {
                file: Some((f, out.clone())),
                print: None,
            })
        }
        (None, f) => Ok(Outputs {
            file: None,
            print: f,
        }),
        (Some(_), None) => unreachable!("a format is always decided when --out is given"),
    }
}

/// Checks that `path` can be written, creating its directory: one line now rather than after the
/// whole matrix has run.
fn writable(path: &Path) -> Result<(), Failure> {
    let fail =
        |e: std::io::Error| Failure::Usage(format!("cannot write --out {}: {e}", path.display()));
    if path.is_dir() {
        return usage(format!(
            "cannot write --out {}: it is a directory",
            path.display()
        ));
    }
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(fail)?;
    }
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .map_err(fail)?;
    if !existed {
        let _ = std::fs::remove_file(path);
    }
    Ok(())
}

fn matrix(args: &MatrixArgs) -> Outcome {
    let scenarios = selected(args.filter.as_deref())?;
    let bounds = bounds(&args.bounds);
    if args.rows {
        checks::run_here(&scenarios, &bounds, |row| {
            println!("{}", serde_json::to_string(&row).expect("rows serialize"));
        });
        return Ok(true);
    }
    let outputs = outputs(args)?;
    let others = if here_only(args.here) {
        Vec::new()
    } else {
        vec![Flavour::Loom, Flavour::Shuttle]
    };
    flavour::preflight(&others)?;
    let started = Instant::now();
    let mut rows = Vec::new();
    checks::run_here(&scenarios, &bounds, |row| rows.push(row));
    let mut errors = Vec::new();
    for f in others {
        let mut child = vec!["matrix".to_string()];
        if let Some(filter) = &args.filter {
            child.push("--filter".into());
            child.push(filter.clone());
        }
        child.extend(bound_flags(&args.bounds));
        if let Err(Failure::Broken(e) | Failure::Usage(e)) =
            flavour::run_child(f, &child, |row| rows.push(row))
        {
            errors.push(e);
        }
    }
    let matrix = Matrix::new(&scenarios, rows, started.elapsed());
    let rendered = |f: Format| match f {
        Format::Md => matrix.markdown(),
        Format::Json => matrix.json(),
        Format::Html => html::report(&matrix, &scenarios),
    };
    match (&outputs.file, outputs.print) {
        (Some((f, path)), _) => {
            print!("{}", matrix.text(args.traces, show::color_stdout()));
            if let Err(e) = write(path, &rendered(*f)) {
                errors.push(e);
            }
        }
        (None, Some(f)) => print!("{}", rendered(f)),
        (None, None) => {
            print!("{}", matrix.text(args.traces, show::color_stdout()));
            let dir = PathBuf::from(ROOT).join("target/zoo");
            for (name, f) in [
                ("matrix.md", Format::Md),
                ("matrix.json", Format::Json),
                ("matrix.html", Format::Html),
            ] {
                if let Err(e) = write(&dir.join(name), &rendered(f)) {
                    errors.push(e);
                }
            }
        }
    }
    if args.docs {
        if let Err(e) = write(
            &PathBuf::from(ROOT).join("docs/matrix.md"),
            &matrix.markdown(),
        ) {
            errors.push(e);
        }
    }
    for e in &errors {
        eprintln!("racezoo: {e}");
    }
    Ok(matrix.differing() == 0 && errors.is_empty())
}

/// Writes `text` to `path` (its directory created), and says so on stderr.
fn write(path: &Path, text: &str) -> Result<(), String> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    eprintln!("racezoo: wrote {}", shown_path(path));
    Ok(())
}

/// A path as the user would type it: relative to the workspace root when under it.
fn shown_path(path: &Path) -> String {
    let root = Path::new(ROOT).canonicalize().ok();
    let full = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    match root.and_then(|r| full.strip_prefix(r).ok().map(Path::to_path_buf)) {
        Some(rel) => rel.display().to_string(),
        None => path.display().to_string(),
    }
}

/// Formats a duration the way the matrix does (`1.2ms`, `3.4s`).
pub(crate) fn short(d: Duration) -> String {
    format!("{d:.1?}")
}
