//! The facade behaves the same in every flavour: these tests run under the flavour's native checker
//! (stress on std, loom under `--cfg loom`, shuttle under `--cfg shuttle`).

use std::sync::atomic::AtomicUsize as StdAtomicUsize;
use std::time::Duration;

use racezoo::check::{self, Verdict};
use racezoo::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use racezoo::sync::cell::UnsafeCell;
use racezoo::sync::{Arc, Condvar, FLAVOUR, Flavour, Mutex, thread};

fn expect_pass(body: fn()) {
    let report = check::run_default(body);
    assert_eq!(report.verdict, Verdict::Pass, "{report}");
}

fn panic_while_holding_the_lock() {
    let m = Arc::new(Mutex::new(1));
    let t = {
        let m = m.clone();
        // The checkers fail a model on any uncaught panic, so the job catches its own, as a
        // pool's worker would.
        thread::spawn(move || {
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                let mut g = m.lock();
                *g = 2;
                panic!("job failed while holding the lock");
            }));
            assert!(caught.is_err());
        })
    };
    t.join().unwrap();
    // Go semantics: no poisoning, the next lock sees what the panicking holder left.
    assert_eq!(*m.lock(), 2);
    assert_eq!(*m.try_lock().expect("lock is free"), 2);
}

#[test]
fn mutex_lock_survives_a_panicking_holder() {
    let report = check::run_default(panic_while_holding_the_lock);
    if FLAVOUR == Flavour::Loom {
        // A documented limit of the loom flavour: loom's Mutex unwraps its inner std Mutex, so a
        // panic that unwinds through a held guard poisons it inside loom, out of the facade's reach.
        assert_eq!(report.verdict, Verdict::Panic, "{report}");
        assert!(
            report.message.iter().any(|m| m.contains("PoisonError")),
            "{report}"
        );
    } else {
        assert_eq!(report.verdict, Verdict::Pass, "{report}");
    }
}

#[test]
fn try_lock_fails_while_held() {
    expect_pass(|| {
        let m = Mutex::new(0);
        let g = m.lock();
        assert!(m.try_lock().is_none());
        drop(g);
        assert!(m.try_lock().is_some());
    });
}

#[test]
fn condvar_wakes_a_waiter() {
    expect_pass(|| {
        let pair = Arc::new((Mutex::new(false), Condvar::new()));
        let t = {
            let pair = pair.clone();
            thread::spawn(move || {
                *pair.0.lock() = true;
                pair.1.notify_one();
            })
        };
        let g = pair.1.wait_while(pair.0.lock(), |ready| !*ready);
        assert!(*g);
        drop(g);
        t.join().unwrap();
    });
}

#[test]
fn unsignalled_timed_wait_times_out_instead_of_deadlocking() {
    expect_pass(|| {
        let m = Mutex::new(());
        let cv = Condvar::new();
        let (_g, res) = cv.wait_timeout(m.lock(), Duration::from_millis(1));
        assert!(res.timed_out());
    });
}

#[test]
fn sleep_is_harmless_in_every_flavour() {
    // Under the checkers an hour passes in one scheduling point; on std we sleep a millisecond.
    let dur = if FLAVOUR == Flavour::Std {
        Duration::from_millis(1)
    } else {
        Duration::from_secs(3600)
    };
    let report = check::run_default(move || {
        let done = Arc::new(AtomicBool::new(false));
        let t = {
            let done = done.clone();
            thread::spawn(move || {
                thread::sleep(dur);
                done.store(true, Ordering::Release);
            })
        };
        thread::park_timeout(dur);
        t.join().unwrap();
        assert!(done.load(Ordering::Acquire));
    });
    assert_eq!(report.verdict, Verdict::Pass, "{report}");
}

/// A lock beside the cell it protects, as a pattern would write it.
struct Guarded {
    lock: Mutex<()>,
    cell: UnsafeCell<u32>,
}

// SAFETY: every access to `cell` happens with `lock` held.
unsafe impl Sync for Guarded {}

#[test]
fn unsafe_cell_gives_loom_style_access() {
    expect_pass(|| {
        let cell = Arc::new(Guarded {
            lock: Mutex::new(()),
            cell: UnsafeCell::new(0u32),
        });
        let t = {
            let cell = cell.clone();
            thread::spawn(move || {
                let _g = cell.lock.lock();
                // SAFETY: the mutex serializes every access to the cell.
                cell.cell.with_mut(|p| unsafe { *p += 1 });
            })
        };
        {
            let _g = cell.lock.lock();
            // SAFETY: as above.
            cell.cell.with_mut(|p| unsafe { *p += 1 });
        }
        t.join().unwrap();
        let _g = cell.lock.lock();
        // SAFETY: as above.
        assert_eq!(cell.cell.with(|p| unsafe { *p }), 2);
    });
}

#[test]
fn atomics_and_yield_are_forwarded() {
    expect_pass(|| {
        let n = Arc::new(AtomicUsize::new(0));
        let t = {
            let n = n.clone();
            thread::spawn(move || {
                n.fetch_add(1, Ordering::AcqRel);
            })
        };
        while n.load(Ordering::Acquire) == 0 {
            thread::yield_now();
        }
        t.join().unwrap();
    });
}

static SIGNAL_FIRST: StdAtomicUsize = StdAtomicUsize::new(0);
static TIMEOUT_FIRST: StdAtomicUsize = StdAtomicUsize::new(0);

/// One meaning of time: under loom and shuttle a timed wait is a scheduling point, so the checker
/// explores the signal arriving first *and* the timeout firing first; neither is a false deadlock.
#[test]
fn a_timed_wait_explores_both_signal_first_and_timeout_first() {
    let report = check::run_default(|| {
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
            let (g, res) = pair.1.wait_timeout(g, Duration::from_millis(50));
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
    });
    assert_eq!(report.verdict, Verdict::Pass, "{report}");
    assert!(SIGNAL_FIRST.load(std::sync::atomic::Ordering::Relaxed) > 0);
    if FLAVOUR != Flavour::Std {
        // Real threads almost always deliver a 50 ms signal in time; only the checkers are obliged
        // to show the other order.
        assert!(TIMEOUT_FIRST.load(std::sync::atomic::Ordering::Relaxed) > 0);
    }
}
