//! Facts about loom 0.7 that the facade is designed around, kept under test so that a loom upgrade
//! that changes them shows up here. Runs in the loom flavour only. (The facts that
//! concern every checker, such as shuttle's `SeqCst`-only atomics, are asserted in
//! `tests/check/verdicts.rs`; one meaning of time in `tests/facade/basics.rs`.)
#![cfg(loom)]

use std::process::Command;

use racezoo::check::{self, Config, Verdict};
use racezoo::sync::atomic::{AtomicBool, Ordering};
use racezoo::sync::cell::UnsafeCell;
use racezoo::sync::{Arc, MAX_THREADS, Mutex, thread};

/// ABBA: main takes A then B, the worker takes B then A.
fn abba_with_facade_arc() {
    let a = Arc::new(Mutex::new(()));
    let b = Arc::new(Mutex::new(()));
    let t = {
        let (a, b) = (a.clone(), b.clone());
        thread::spawn(move || {
            let _b = b.lock();
            let _a = a.lock();
        })
    };
    {
        let _a = a.lock();
        let _b = b.lock();
    }
    t.join().unwrap();
}

#[test]
fn deadlock_with_the_facade_arc_is_a_catchable_verdict() {
    let report = check::loom(&Config::default(), abba_with_facade_arc).unwrap();
    assert_eq!(report.verdict, Verdict::Deadlock, "{report}");
    // Measured: std's Arc lets loom find ABBA within a handful of executions.
    assert!(report.executions <= 10, "{report}");
}

/// Run only as a child process by `deadlock_with_loom_arc_aborts_the_process`.
#[test]
fn child_abba_with_loom_arc() {
    if std::env::var_os("RACEZOO_FACT_CHILD").is_none() {
        return;
    }
    loom::model(|| {
        let a = loom::sync::Arc::new(loom::sync::Mutex::new(()));
        let b = loom::sync::Arc::new(loom::sync::Mutex::new(()));
        let t = {
            let (a, b) = (a.clone(), b.clone());
            loom::thread::spawn(move || {
                let _b = b.lock().unwrap();
                let _a = a.lock().unwrap();
            })
        };
        {
            let _a = a.lock().unwrap();
            let _b = b.lock().unwrap();
        }
        t.join().unwrap();
    });
}

/// loom issue #291: with loom's own `Arc` held by a blocked model thread, the deadlock panic unwinds
/// into a destructor that panics again, and the process aborts. If this test starts failing, loom has
/// fixed it and the facade could return to loom's `Arc` (and its leak check). The facade's `Arc` is
/// std's memory plus a loom RMW per drop that it skips once the execution is abandoned, so it never
/// aborts (above).
#[test]
fn deadlock_with_loom_arc_aborts_the_process() {
    use std::os::unix::process::ExitStatusExt;
    // libtest's name for the child: the module path without the crate, then the function.
    let child = format!(
        "{}::child_abba_with_loom_arc",
        module_path!().split_once("::").map_or("", |(_, m)| m)
    );
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", &child, "--nocapture", "--test-threads=1"])
        .env("RACEZOO_FACT_CHILD", "1")
        .env("RUST_BACKTRACE", "0")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.signal(),
        Some(6),
        "expected SIGABRT, got {:?}\n{stderr}",
        out.status
    );
    assert!(stderr.contains("deadlock"), "{stderr}");
    assert!(
        stderr.contains("panic in a destructor during cleanup"),
        "{stderr}"
    );
}

/// A value whose destructor writes the cell a thread wrote before dropping its handle.
struct WrittenThenDropped(UnsafeCell<u32>);

// SAFETY: the bodies below write the cell through one handle at a time; the destructor runs after
// every handle is dropped (that ordering is exactly what the facts below are about).
unsafe impl Sync for WrittenThenDropped {}

impl Drop for WrittenThenDropped {
    fn drop(&mut self) {
        // SAFETY: no handle is left.
        self.0.with_mut(|p| unsafe { *p = 0 });
    }
}

/// The other half of the `Arc` fact: std's reference count is invisible to loom, so with
/// `std::sync::Arc` the destructor's write and the thread's earlier write look concurrent, a false
/// `DataRace`. The facade's `Arc` keeps std's memory but makes every drop a loom RMW (see
/// `src/sync/arc.rs`): the same body passes.
#[test]
fn std_arc_drops_are_invisible_to_loom_and_the_facade_arc_makes_them_visible() {
    let with_std = check::loom(&Config::default(), || {
        let v = std::sync::Arc::new(WrittenThenDropped(UnsafeCell::new(0)));
        let t = {
            let v = v.clone();
            // SAFETY: see `WrittenThenDropped`.
            thread::spawn(move || v.0.with_mut(|p| unsafe { *p = 1 }))
        };
        thread::yield_now();
        drop(v);
        drop(t);
    })
    .unwrap();
    assert_eq!(with_std.verdict, Verdict::DataRace, "{with_std}");
    let with_facade = check::loom(&Config::default(), || {
        let v = Arc::new(WrittenThenDropped(UnsafeCell::new(0)));
        let t = {
            let v = v.clone();
            // SAFETY: see `WrittenThenDropped`.
            thread::spawn(move || v.0.with_mut(|p| unsafe { *p = 1 }))
        };
        thread::yield_now();
        drop(v);
        drop(t);
    })
    .unwrap();
    assert_eq!(with_facade.verdict, Verdict::Pass, "{with_facade}");
}

#[test]
fn loom_runs_at_most_five_threads_including_main() {
    assert_eq!(MAX_THREADS, 5);
    let outcome = check::loom(&Config::default(), || {
        let handles: Vec<_> = (0..MAX_THREADS).map(|_| thread::spawn(|| {})).collect();
        for h in handles {
            h.join().unwrap();
        }
    });
    // loom's own internal assertion fires: not a verdict on the body, a limit of the checker.
    match outcome {
        Err(check::CheckError::Limit(message)) => {
            assert!(message.contains("threads.len() < self.max()"), "{message}")
        }
        other => panic!("expected the thread limit, got {other:?}"),
    }
}

/// Store buffering with SeqCst: C++ forbids both threads reading 0.
fn store_buffering_seq_cst() {
    let x = Arc::new(AtomicBool::new(false));
    let y = Arc::new(AtomicBool::new(false));
    let t = {
        let (x, y) = (x.clone(), y.clone());
        thread::spawn(move || {
            x.store(true, Ordering::SeqCst);
            y.load(Ordering::SeqCst)
        })
    };
    y.store(true, Ordering::SeqCst);
    let saw_x = x.load(Ordering::SeqCst);
    let saw_y = t.join().unwrap();
    // Both reading false is impossible under SeqCst.
    assert!(saw_x || saw_y);
}

#[test]
fn loom_treats_seq_cst_as_acq_rel() {
    // loom reports an outcome SeqCst forbids: a checker verdict on SeqCst code can be a false alarm.
    let report = check::loom(&Config::default(), store_buffering_seq_cst).unwrap();
    assert_eq!(report.verdict, Verdict::Violation, "{report}");
}
