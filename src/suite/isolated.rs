//! `Suite::run_isolated`: each check in a child process (the current test binary, re-executed),
//! for pools that may abort the process. The child prints its [`CheckResult`] as JSON on a marked
//! line; a child that dies or hangs is that check's finding.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use super::{Check, CheckResult, Outcome, Suite, SuitePool, SuiteReport};
use crate::sync::{FLAVOUR, Flavour};

/// The environment variable that tells a re-executed test binary which check to run.
pub const CHILD_ENV: &str = "RACEZOO_SUITE_CHILD";
/// The prefix of the line a child prints its [`CheckResult`] on (as JSON).
pub const CHILD_RESULT_PREFIX: &str = "RACEZOO-SUITE-RESULT ";

impl Suite {
    /// Runs every check on `P`, each in a child process: the current test binary re-executed with
    /// `test_name` as its filter and [`CHILD_ENV`] naming the check. The test `test_name` must start
    /// with `if suite.child::<P>() { return; }`. A child that dies (abort, signal) or hangs past its
    /// deadline fails that check with the exit status as the reason; the parent carries on.
    ///
    /// Std flavour only: under loom and shuttle it runs in process, like [`run`](Suite::run). Needs
    /// the `serde` feature (the child reports its result as JSON).
    pub fn run_isolated<P: SuitePool>(&self, name: &str, test_name: &str) -> SuiteReport {
        if FLAVOUR != Flavour::Std {
            return self.run::<P>(name);
        }
        SuiteReport {
            pool: name.to_string(),
            flavour: FLAVOUR,
            results: self
                .checks
                .iter()
                .map(|&c| match self.undeclared::<P>(c) {
                    Some(skip) => skip,
                    None => self.run_in_child(c, test_name),
                })
                .collect(),
            note: None,
        }
    }

    /// If this process is a child started by [`run_isolated`](Suite::run_isolated), runs the check
    /// it names on `P`, prints the result and returns `true`; otherwise returns `false` at once.
    pub fn child<P: SuitePool>(&self) -> bool {
        let Ok(name) = std::env::var(CHILD_ENV) else {
            return false;
        };
        let check = Check::from_name(&name).expect("a check name from the parent");
        let result = self.run_check::<P>(check);
        println!(
            "\n{CHILD_RESULT_PREFIX}{}",
            serde_json::to_string(&result).expect("a CheckResult serializes")
        );
        true
    }

    fn run_in_child(&self, check: Check, test_name: &str) -> CheckResult {
        let start = Instant::now();
        let dead = |reason: String| CheckResult {
            check,
            outcome: Outcome::Fail,
            verdict: None,
            reason,
            elapsed: start.elapsed(),
        };
        let exe = std::env::current_exe().expect("the test binary's path");
        let mut child = match Command::new(exe)
            .args([test_name, "--exact", "--nocapture", "--test-threads=1"])
            .env(CHILD_ENV, check.name())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(child) => child,
            Err(e) => return dead(format!("could not start the child process: {e}")),
        };
        // Drain both pipes while the child runs: a child whose pool's threads print panics (with
        // backtraces) fills a pipe nobody reads, and then blocks in its panic hook for good.
        let drain = |pipe: Option<Box<dyn Read + Send>>| {
            std::thread::spawn(move || {
                let mut text = String::new();
                if let Some(mut pipe) = pipe {
                    let mut bytes = Vec::new();
                    let _ = pipe.read_to_end(&mut bytes);
                    text = String::from_utf8_lossy(&bytes).into_owned();
                }
                text
            })
        };
        let stdout = drain(
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        let stderr = drain(
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        );
        // The child's own watchdog reports hangs; this deadline only catches a child that cannot.
        let deadline = self.config.watchdog
            * ((self.config.runs as u32 + 2) * self.shapes.len().max(1) as u32)
            + Duration::from_secs(10);
        let status = loop {
            match child.try_wait() {
                Ok(Some(status)) => break Some(status),
                Ok(None) if start.elapsed() > deadline => {
                    let _ = child.kill();
                    let _ = child.wait();
                    break None;
                }
                Ok(None) => std::thread::sleep(Duration::from_millis(5)),
                Err(e) => return dead(format!("waiting for the child process: {e}")),
            }
        };
        // The child is gone (exited or killed): its pipes close and the readers finish.
        let stdout = stdout.join().unwrap_or_default();
        let stderr = stderr.join().unwrap_or_default();
        if let Some(line) = stdout
            .lines()
            // libtest may print `test name ... ` on the same line first.
            .find_map(|l| {
                l.find(CHILD_RESULT_PREFIX)
                    .map(|i| &l[i + CHILD_RESULT_PREFIX.len()..])
            })
        {
            if let Ok(mut result) = serde_json::from_str::<CheckResult>(line) {
                result.elapsed = start.elapsed();
                return result;
            }
        }
        // The last line that says something: not blank, not a note, not a backtrace frame (a
        // panicking thread's backtrace may be printed after the line that explains the abort).
        let backtrace_frame = |l: &str| {
            let l = l.trim_start();
            l.starts_with("at ")
                || l.starts_with("stack backtrace:")
                || l.split_once(": ")
                    .is_some_and(|(n, _)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        };
        let last_words = stderr
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty() && !l.starts_with("note:") && !backtrace_frame(l))
            .unwrap_or("")
            .trim()
            .to_string();
        match status {
            None => dead(format!(
                "the child process hung past {deadline:?} and was killed"
            )),
            Some(status) => dead(format!(
                "the child process died ({status}) before reporting; last stderr line: {last_words}"
            )),
        }
    }
}
