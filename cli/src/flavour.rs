//! Reaching the checkers of another flavour: build this tool with `--cfg loom` or `--cfg shuttle` in
//! its own target dir (`target/loom`, `target/shuttle`), run it with `--here --rows`, and read its
//! rows back as JSON lines while its progress passes through to stderr. (shuttle's own lines about
//! each failing schedule never get here: the shuttle flavour keeps them off stderr itself, see
//! `src/sync/quiet.rs`.)

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Instant;

use racezoo::sync::Flavour;

use crate::matrix::Row;
use crate::{Failure, ROOT};

/// The cargo this tool was built by (`CARGO`, set by `cargo run`), else the one on `PATH`.
fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".into())
}

/// Checks, before any long work, that the flavours in `flavours` can be built: cargo runs and the
/// workspace's manifest is where this tool was built from.
pub(crate) fn preflight(flavours: &[Flavour]) -> Result<(), Failure> {
    let Some(first) = flavours.first() else {
        return Ok(());
    };
    let cargo = cargo();
    let works = Command::new(&cargo)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !works {
        return Err(Failure::Usage(format!(
            "cannot run cargo ({cargo}), needed to build the {first} flavour: install Rust \
             (rustup.rs) or set CARGO to cargo's path; or run only the std checker with --here"
        )));
    }
    let manifest = std::path::Path::new(ROOT).join("Cargo.toml");
    if !manifest.is_file() {
        return Err(Failure::Usage(format!(
            "cannot build the {first} flavour: {} is gone (this binary was built from a checkout \
             that has moved); run it with --here, or from a checkout with `cargo run --release`",
            manifest.display()
        )));
    }
    Ok(())
}

/// Builds this tool in `flavour`, with cargo's progress on stderr.
fn build(flavour: Flavour) -> Result<String, Failure> {
    let target_dir = format!("{ROOT}/target/{flavour}");
    eprintln!(
        "racezoo: building the {flavour} flavour in target/{flavour} (first time: a few minutes) ..."
    );
    let started = Instant::now();
    let status = Command::new(cargo())
        .current_dir(ROOT)
        .args([
            "build",
            "--profile",
            "model",
            "-p",
            "racezoo-cli",
            "--bin",
            "racezoo",
        ])
        .env("RUSTFLAGS", flavour.rustflags())
        .env("CARGO_TARGET_DIR", &target_dir)
        .stdout(Stdio::null())
        .status()
        .map_err(|e| Failure::Broken(format!("cannot run cargo: {e}")))?;
    if !status.success() {
        return Err(Failure::Broken(format!(
            "building the {flavour} flavour failed ({status})"
        )));
    }
    eprintln!(
        "racezoo: {flavour} flavour ready ({:.0?}); running its checkers",
        started.elapsed()
    );
    Ok(format!("{target_dir}/model/racezoo"))
}

/// Builds `flavour`, runs it with `args` plus `--here --rows`, and hands each row to `sink`.
/// A child that rejects its arguments (exit code 2) is bad usage, with the child's own line.
pub(crate) fn run_child(
    flavour: Flavour,
    args: &[String],
    mut sink: impl FnMut(Row),
) -> Result<(), Failure> {
    let exe = build(flavour)?;
    let mut child = Command::new(&exe)
        .current_dir(ROOT)
        .args(args)
        .args(["--here", "--rows"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| Failure::Broken(format!("cannot run the {flavour} flavour: {e}")))?;
    let stderr = child.stderr.take().expect("piped");
    // The child's stderr: progress passes through, and the child's `racezoo: …` lines are kept to
    // say why it failed.
    let relay = std::thread::spawn(move || {
        let mut said = Vec::new();
        let mut out = std::io::stderr();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(message) = line.strip_prefix("racezoo: ") {
                said.push(message.to_string());
                continue;
            }
            let _ = writeln!(out, "{line}");
        }
        said
    });
    let stdout = child.stdout.take().expect("piped");
    let mut bad = None;
    for line in BufReader::new(stdout).lines() {
        let line =
            line.map_err(|e| Failure::Broken(format!("reading the {flavour} flavour: {e}")))?;
        if line.starts_with('{') {
            match serde_json::from_str::<Row>(&line) {
                Ok(row) => sink(row),
                Err(e) => {
                    bad = Some(format!(
                        "a row the {flavour} flavour sent is unreadable: {e}"
                    ))
                }
            }
        }
    }
    let status = child
        .wait()
        .map_err(|e| Failure::Broken(format!("waiting for the {flavour} flavour: {e}")))?;
    let said = relay.join().unwrap_or_default();
    if status.code() == Some(2) {
        return Err(Failure::Usage(said.last().cloned().unwrap_or_else(|| {
            format!("the {flavour} flavour rejected its arguments")
        })));
    }
    if let Some(bad) = bad {
        return Err(Failure::Broken(bad));
    }
    if !status.success() {
        let why = said.last().cloned().unwrap_or_else(|| status.to_string());
        return Err(Failure::Broken(format!(
            "the {flavour} flavour failed: {why}"
        )));
    }
    Ok(())
}
