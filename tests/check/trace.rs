//! The trace of a failing execution: recorded by the facade with the source line of every operation,
//! rendered as one column per thread with each stuck thread's blocking point last (issue 5, points 6
//! and 10).

use std::time::Duration;

use crate::bodies::{self, line_of};
use racezoo::check::{Checker, Config, Report, ThreadState};

fn config() -> Config {
    Config {
        iterations: 300,
        seed: Some(7),
        runs: 20,
        watchdog: Duration::from_millis(300),
        ..Config::default()
    }
}

fn failing(checker: Checker, body: fn()) -> Report {
    let report = checker.run(&config(), body).unwrap();
    // `RACEZOO_SHOW_TRACES=1 cargo test --test check trace:: -- --nocapture` prints what a user sees
    // (docs/traces.md was made this way).
    if std::env::var_os("RACEZOO_SHOW_TRACES").is_some() {
        println!("{report}\n");
    }
    assert!(!report.passed(), "{report}");
    report
}

/// Returns the rendered table's header cells and rows, split on the column separator.
fn table(report: &Report) -> Vec<Vec<String>> {
    report
        .trace
        .as_ref()
        .expect("a failure has a trace")
        .render()
        .lines()
        .filter(|l| !l.starts_with('-'))
        .map(|l| l.split(" | ").map(|c| c.trim().to_string()).collect())
        .collect()
}

#[test]
fn abba_trace_has_a_column_per_thread_and_ends_with_both_blocking_locks() {
    for checker in Checker::available() {
        let report = failing(checker, bodies::abba);
        let rows = table(&report);
        assert_eq!(rows[0], ["#", "main", "t1"], "{report}");
        let trace = report.trace.as_ref().unwrap();
        // Objects are labelled in order of first appearance, which depends on the interleaving.
        let label = |tag: &str| {
            let at = line_of(tag);
            let e = trace
                .events
                .iter()
                .find(|e| e.location.as_ref() == Some(&at));
            e.and_then(|e| e.object.clone())
                .unwrap_or_else(|| panic!("no event at {at}\n{report}"))
        };
        let (a, b) = (label("main_a"), label("worker_b"));
        assert_ne!(a, b);
        let last = rows.last().unwrap();
        assert_eq!(last[0], "end", "{report}");
        assert_eq!(
            last[1],
            format!("BLOCKED in lock {b} @ {}", line_of("main_b")),
            "{report}"
        );
        assert_eq!(
            last[2],
            format!("BLOCKED in lock {a} @ {}", line_of("worker_a")),
            "{report}"
        );
        // Before blocking, each thread was seen taking its first lock, in its own column.
        let cell = |col: usize, text: String| rows.iter().any(|r| r.get(col) == Some(&text));
        assert!(cell(1, format!("spawn t1 @ {}", spawn_line())), "{report}");
        assert!(
            cell(1, format!("lock {a} @ {}", line_of("main_a"))),
            "{report}"
        );
        assert!(
            cell(2, format!("lock {b} @ {}", line_of("worker_b"))),
            "{report}"
        );
        // Rows are numbered in execution order.
        let numbers: Vec<usize> = rows[1..rows.len() - 1]
            .iter()
            .map(|r| r[0].parse().unwrap())
            .collect();
        assert_eq!(numbers, (1..=numbers.len()).collect::<Vec<_>>(), "{report}");
    }
}

/// The line of `thread::spawn` in `abba`, the line before the worker's first lock.
fn spawn_line() -> String {
    let worker_b = line_of("worker_b");
    let (file, line) = worker_b.rsplit_once(':').unwrap();
    format!("{file}:{}", line.parse::<usize>().unwrap() - 1)
}

#[test]
fn leak_trace_shows_main_returning_and_the_worker_stuck_in_its_wait() {
    for checker in Checker::available() {
        let report = failing(checker, bodies::leak);
        let trace = report.trace.as_ref().unwrap();
        assert!(trace.main_returned, "{report}");
        assert_eq!(trace.threads[0].state, ThreadState::Finished, "{report}");
        assert_eq!(trace.threads[1].state, ThreadState::Running, "{report}");
        let rows = table(&report);
        assert!(rows.iter().any(|r| r[1] == "return"), "{report}");
        let last = rows.last().unwrap();
        assert_eq!(last[1], "", "{report}");
        assert_eq!(
            last[2],
            format!("BLOCKED in wait Condvar#1 @ {}", line_of("worker_recv")),
            "{report}"
        );
    }
}

#[test]
fn a_failing_report_prints_its_trace() {
    let checker = Checker::available()[0];
    let report = failing(checker, bodies::abba);
    let printed = report.to_string();
    let main_b = format!(
        "stuck: main blocked in lock Mutex#2 at {}",
        line_of("main_b")
    );
    let worker_a = format!(
        "stuck: t1 blocked in lock Mutex#1 at {}",
        line_of("worker_a")
    );
    let swapped = |s: &str| {
        s.replace("#2", "#0")
            .replace("#1", "#2")
            .replace("#0", "#1")
    };
    assert!(
        (printed.contains(&main_b) && printed.contains(&worker_a))
            || (printed.contains(&swapped(&main_b)) && printed.contains(&swapped(&worker_a))),
        "{printed}"
    );
    assert!(
        printed.contains(&report.trace.as_ref().unwrap().render()),
        "{printed}"
    );
}

#[test]
fn events_recorded_by_other_modules_appear_in_the_trace() {
    let body = || {
        let queue = racezoo::sync::Arc::new(racezoo::sync::Mutex::new(0));
        racezoo::sync::trace::event("send", &*queue);
        racezoo::sync::trace::blocking("recv", &*queue, || {});
        panic!("stop here");
    };
    let report = Checker::available()[0].run(&config(), body).unwrap();
    let trace = report.trace.unwrap();
    let ops: Vec<_> = trace.events.iter().map(|e| e.op.as_str()).collect();
    assert_eq!(ops, ["send", "recv"]);
    assert_eq!(trace.events[0].object.as_deref(), Some("#1"));
    assert!(
        trace.events[0]
            .location
            .as_ref()
            .unwrap()
            .starts_with("tests/check/trace.rs:")
    );
}

#[test]
fn relaxed_message_passing_trace_shows_the_flag_seen_and_the_data_missed() {
    for checker in Checker::available() {
        // Only loom can show the weak-memory outcome, and only the checkers trace atomics.
        if checker != Checker::Loom {
            continue;
        }
        let report = failing(checker, bodies::relaxed_message_passing);
        let trace = report.trace.as_ref().unwrap();
        let cells: Vec<(usize, String)> =
            trace.events.iter().map(|e| (e.thread, e.cell())).collect();
        let has = |thread: usize, cell: String| cells.contains(&(thread, cell));
        let flag_load = {
            let (file, line) = line_of("mp_data_load")
                .rsplit_once(':')
                .map(|(f, l)| (f.to_string(), l.parse::<usize>().unwrap()))
                .unwrap();
            format!("{file}:{}", line - 2)
        };
        assert!(
            has(
                1,
                format!("store Atomic#1 42 Relaxed @ {}", line_of("mp_data_store"))
            ),
            "{report}"
        );
        assert!(
            has(
                1,
                format!("store Atomic#2 1 Relaxed @ {}", line_of("mp_flag_store"))
            ),
            "{report}"
        );
        assert!(
            has(0, format!("load Atomic#2 Relaxed = 1 @ {flag_load}")),
            "{report}"
        );
        assert!(
            has(
                0,
                format!("load Atomic#1 Relaxed = 0 @ {}", line_of("mp_data_load"))
            ),
            "{report}"
        );
    }
}

#[test]
fn data_race_trace_shows_both_writes_with_their_lines() {
    if !Checker::available().contains(&Checker::Loom) {
        return; // only loom sees data races
    }
    let report = failing(Checker::Loom, bodies::data_race);
    assert_eq!(
        report.verdict,
        racezoo::check::Verdict::DataRace,
        "{report}"
    );
    // The panic is loom's, inside loom: the report points at the trace instead.
    assert_eq!(report.location, None, "{report}");
    let trace = report.trace.as_ref().unwrap();
    let writes: Vec<(usize, String)> = trace
        .events
        .iter()
        .filter(|e| e.op == "write")
        .map(|e| (e.thread, e.cell()))
        .collect();
    assert_eq!(writes.len(), 2, "{report}");
    assert!(writes.iter().any(|(t, _)| *t == 0), "{report}");
    assert!(writes.iter().any(|(t, _)| *t == 1), "{report}");
    assert!(
        writes
            .iter()
            .any(|(_, c)| *c == format!("write Cell#1 @ {}", line_of("race_main"))),
        "{report}"
    );
    assert!(
        writes
            .iter()
            .any(|(_, c)| *c == format!("write Cell#1 @ {}", line_of("race_worker"))),
        "{report}"
    );
}

/// A counter in a plain cell, read and written in two steps with a yield between them (a scheduling
/// point under shuttle). Unsound on real threads: only shuttle runs it, one thread at a time.
struct SplitCell(racezoo::sync::cell::UnsafeCell<u32>);

// SAFETY: it is not Sync; shuttle runs one model thread at a time, so no two accesses overlap in
// fact, and the test runs the body under shuttle only.
unsafe impl Sync for SplitCell {}

fn split_increments() {
    use racezoo::sync::{Arc, thread};
    let cell = Arc::new(SplitCell(racezoo::sync::cell::UnsafeCell::new(0)));
    let bump = |cell: &SplitCell| {
        // SAFETY: see `SplitCell`: shuttle never overlaps these accesses.
        let seen = cell.0.with(|p| unsafe { *p });
        thread::yield_now();
        cell.0.with_mut(|p| unsafe { *p = seen + 1 });
    };
    let worker = {
        let cell = cell.clone();
        thread::spawn(move || bump(&cell))
    };
    bump(&cell);
    worker.join().unwrap();
    assert_eq!(cell.0.with(|p| unsafe { *p }), 2, "lost update");
}

#[test]
fn shuttle_traces_show_cell_reads_and_writes_as_loom_does() {
    for checker in [Checker::ShuttleRandom, Checker::ShuttlePct] {
        if !Checker::available().contains(&checker) {
            continue; // the body is sound only under shuttle
        }
        let report = failing(checker, split_increments);
        let trace = report.trace.as_ref().unwrap();
        let ops: Vec<&str> = trace
            .events
            .iter()
            .filter(|e| e.object.as_deref() == Some("Cell#1"))
            .map(|e| e.op.as_str())
            .collect();
        assert!(ops.contains(&"read"), "{report}");
        assert!(ops.contains(&"write"), "{report}");
        assert!(
            trace.events.iter().any(|e| e.op == "write"
                && e.location
                    .as_deref()
                    .is_some_and(|l| l.starts_with("tests/check/trace.rs:"))),
            "a cell access is reported at the caller's line: {report}"
        );
    }
}
