//! Facts about loom 0.7 that the facade is designed around, kept under test so that a loom upgrade
//! that changes them shows up here. Runs in the loom flavour only.
#![cfg(loom)]

use std::process::Command;

use racezoo::check::{self, Config, Verdict};
use racezoo::sync::{Arc, Mutex, thread};

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
/// fixed it and the facade could return to loom's `Arc` (and its leak check).
#[test]
fn deadlock_with_loom_arc_aborts_the_process() {
    use std::os::unix::process::ExitStatusExt;
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "child_abba_with_loom_arc",
            "--nocapture",
            "--test-threads=1",
        ])
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
