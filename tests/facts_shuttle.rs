//! Facts about shuttle 0.9 that racezoo's expectations are built on. Runs in the shuttle flavour only.
#![cfg(shuttle)]

use std::sync::atomic::AtomicUsize as StdAtomicUsize;
use std::time::Duration;

use racezoo::check::{self, Config, Verdict};
use racezoo::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use racezoo::sync::{Arc, Condvar, Mutex, thread};

/// Message passing with Relaxed: wrong on real hardware, invisible to shuttle.
fn relaxed_message_passing() {
    let data = Arc::new(AtomicUsize::new(0));
    let ready = Arc::new(AtomicBool::new(false));
    let t = {
        let (data, ready) = (data.clone(), ready.clone());
        thread::spawn(move || {
            data.store(42, Ordering::Relaxed);
            ready.store(true, Ordering::Relaxed);
        })
    };
    if ready.load(Ordering::Relaxed) {
        assert_eq!(
            data.load(Ordering::Relaxed),
            42,
            "saw the flag before the data"
        );
    }
    t.join().unwrap();
}

#[test]
fn shuttle_runs_every_atomic_as_seq_cst_and_misses_relaxed_bugs() {
    for report in [
        check::shuttle_random(&Config::default(), relaxed_message_passing).unwrap(),
        check::shuttle_pct(&Config::default(), relaxed_message_passing).unwrap(),
    ] {
        assert_eq!(report.verdict, Verdict::Pass, "{report}");
    }
}

#[test]
fn shuttle_reports_abba_as_deadlock() {
    let report = check::shuttle_pct(&Config::default(), || {
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
    })
    .unwrap();
    assert_eq!(report.verdict, Verdict::Deadlock, "{report}");
}

static SIGNAL_FIRST: StdAtomicUsize = StdAtomicUsize::new(0);
static TIMEOUT_FIRST: StdAtomicUsize = StdAtomicUsize::new(0);

#[test]
fn a_timed_wait_explores_both_signal_first_and_timeout_first() {
    let report = check::shuttle_random(&Config::default(), || {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let t = {
            let pair = pair.clone();
            thread::spawn(move || {
                *pair.0.lock() = true;
                pair.1.notify_one();
            })
        };
        let g = pair.0.lock();
        let (g, timed_out) = if *g {
            (g, false)
        } else {
            let (g, res) = pair.1.wait_timeout(g, Duration::from_secs(1));
            (g, res.timed_out())
        };
        if *g {
            SIGNAL_FIRST.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        } else {
            assert!(timed_out, "woke without signal or timeout");
            TIMEOUT_FIRST.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        drop(g);
        t.join().unwrap();
    })
    .unwrap();
    assert_eq!(report.verdict, Verdict::Pass, "{report}");
    assert!(SIGNAL_FIRST.load(std::sync::atomic::Ordering::Relaxed) > 0);
    assert!(TIMEOUT_FIRST.load(std::sync::atomic::Ordering::Relaxed) > 0);
}
