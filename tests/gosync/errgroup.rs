//! ErrGroup on real threads: the behaviours of Go's `errgroup_test.go`, the panic policy and the limit
//! misuse. The interleaving tests are in `tests/gosync/errgroup_model.rs`.
#![cfg(not(any(loom, shuttle)))]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

use racezoo::context::{Context, ContextError};
use racezoo::errgroup::{ErrGroup, TaskPanicked};

fn cases() -> Vec<Vec<Result<(), &'static str>>> {
    vec![
        vec![],
        vec![Ok(())],
        vec![Err("err1")],
        vec![Err("err1"), Ok(())],
        vec![Err("err1"), Ok(()), Err("err2")],
        vec![Ok(()), Err("err2"), Err("err3")],
    ]
}

fn first_err(errs: &[Result<(), &'static str>]) -> Result<(), &'static str> {
    errs.iter().copied().find(|r| r.is_err()).unwrap_or(Ok(()))
}

// Ported from TestZeroGroup. Limit 1 makes the tasks finish in the order they were started, so
// "first" is well defined.
#[test]
fn zero_group_returns_the_first_error() {
    for errs in cases() {
        let g = ErrGroup::new();
        g.set_limit(Some(1));
        for &r in &errs {
            g.go(move || r);
        }
        assert_eq!(g.wait(), first_err(&errs), "case {errs:?}");
    }
}

// Ported from TestWithContext: wait returns the first error and the derived context is done after it.
#[test]
fn with_context_cancels_and_done_is_closed_after_wait() {
    for errs in cases() {
        let (g, ctx) = ErrGroup::with_context(&Context::background());
        g.set_limit(Some(1));
        for &r in &errs {
            g.go(move || r);
        }
        assert_eq!(g.wait(), first_err(&errs), "case {errs:?}");
        assert!(ctx.done().is_closed(), "case {errs:?}: done not closed");
        assert_eq!(ctx.err(), Some(ContextError::Canceled));
    }
}

// Ported from TestCancelCause: the context's cause is the first error, or Canceled if there was none.
#[test]
fn cancel_cause_is_the_first_error() {
    for errs in cases() {
        let (g, ctx) = ErrGroup::with_context(&Context::background());
        g.set_limit(Some(1));
        for &r in &errs {
            g.go(move || r);
        }
        let first = first_err(&errs);
        assert_eq!(g.wait(), first);
        let cause = ctx.cause().unwrap();
        match first {
            Err(e) => assert_eq!(cause.downcast_ref::<&str>(), Some(&e)),
            Ok(()) => assert_eq!(
                cause.downcast_ref::<ContextError>(),
                Some(&ContextError::Canceled)
            ),
        }
    }
}

#[test]
fn first_error_cancels_the_context_before_wait() {
    let (g, ctx) = ErrGroup::with_context(&Context::background());
    let sibling = ctx.clone();
    g.go(move || {
        // A sibling blocked on done is released by the other task's failure.
        sibling.done().wait();
        Err(format!("sibling saw {}", sibling.err().unwrap()))
    });
    g.go(|| Err("boom".to_string()));
    assert_eq!(g.wait(), Err("boom".to_string()));
}

// Ported from TestTryGo.
#[test]
fn try_go_respects_the_limit_and_works_again_after_wait() {
    let g: ErrGroup<String> = ErrGroup::new();
    let n = 42;
    g.set_limit(Some(n));
    let (tx, rx) = mpsc::sync_channel::<()>(0);
    let rx = Arc::new(std::sync::Mutex::new(rx));
    let task = |tx: mpsc::SyncSender<()>| move || tx.send(()).map_err(|e| e.to_string());
    for i in 0..n {
        assert!(g.try_go(task(tx.clone())), "try_go failed at call {i}");
    }
    assert!(
        !g.try_go(task(tx.clone())),
        "try_go succeeded past the limit"
    );
    let drain = |k: usize| {
        let rx = rx.clone();
        std::thread::spawn(move || {
            for _ in 0..k {
                rx.lock().unwrap().recv().unwrap();
            }
        })
    };
    let d = drain(n);
    g.wait().unwrap();
    d.join().unwrap();
    assert!(g.try_go(task(tx.clone())), "try_go failed after wait");
    let d = drain(1);
    g.wait().unwrap();
    d.join().unwrap();

    // Switch limit.
    g.set_limit(Some(1));
    assert!(g.try_go(task(tx.clone())));
    assert!(!g.try_go(task(tx.clone())));
    let d = drain(1);
    g.wait().unwrap();
    d.join().unwrap();

    // Block all calls.
    g.set_limit(Some(0));
    for _ in 0..1 << 10 {
        assert!(!g.try_go(task(tx.clone())));
    }
    g.wait().unwrap();
}

// Ported from TestGoLimit: with limit 10 over 1,025 tasks, never more than 10 are active.
#[test]
fn go_with_limit_10_never_runs_more_than_10() {
    const LIMIT: usize = 10;
    let g = ErrGroup::new();
    g.set_limit(Some(LIMIT));
    let active = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    for _ in 0..=1 << 10 {
        let (active, peak) = (active.clone(), peak.clone());
        g.go(move || {
            let n = active.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(n, Ordering::SeqCst);
            if n > LIMIT {
                return Err(format!("saw {n} active tasks, limit is {LIMIT}"));
            }
            std::thread::sleep(Duration::from_micros(1));
            active.fetch_sub(1, Ordering::SeqCst);
            Ok(())
        });
    }
    g.wait().unwrap();
    assert!(peak.load(Ordering::SeqCst) <= LIMIT);
}

#[test]
fn no_limit_is_none() {
    let g: ErrGroup<String> = ErrGroup::new();
    g.set_limit(Some(1));
    g.set_limit(None);
    let (tx, rx) = mpsc::channel();
    for _ in 0..3 {
        let tx = tx.clone();
        assert!(g.try_go(move || {
            tx.send(()).unwrap();
            Ok(())
        }));
    }
    g.wait().unwrap();
    assert_eq!(rx.try_iter().count(), 3);
}

#[test]
fn set_limit_while_tasks_are_active_panics_with_gos_message() {
    let g: ErrGroup<String> = ErrGroup::new();
    let (release, gate) = mpsc::channel::<()>();
    let gate = Arc::new(std::sync::Mutex::new(gate));
    for _ in 0..2 {
        let gate = gate.clone();
        // Each task blocks until `release` is dropped.
        g.go(move || {
            let _ = gate.lock().unwrap().recv();
            Ok(())
        });
    }
    let err = catch_unwind(AssertUnwindSafe(|| g.set_limit(Some(1)))).unwrap_err();
    assert_eq!(
        err.downcast_ref::<String>().map(String::as_str),
        Some("errgroup: modify limit while 2 goroutines in the group are still active")
    );
    drop(release);
    g.wait().unwrap();
    g.set_limit(Some(1));
}

#[test]
fn a_panicking_task_makes_wait_panic_after_the_others_finish() {
    let (g, ctx) = ErrGroup::<String>::with_context(&Context::background());
    let finished = Arc::new(AtomicUsize::new(0));
    let f = finished.clone();
    let sibling = ctx.clone();
    g.go(move || {
        // Released by the panic's cancellation; wait must not return before this task has.
        sibling.done().wait();
        std::thread::sleep(Duration::from_millis(10));
        f.fetch_add(1, Ordering::SeqCst);
        Ok(())
    });
    g.go(|| panic!("task exploded"));
    let payload = catch_unwind(AssertUnwindSafe(|| g.wait())).unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"task exploded"));
    assert_eq!(finished.load(Ordering::SeqCst), 1);
    assert!(ctx.is_cancelled());
    assert_eq!(
        ctx.cause()
            .unwrap()
            .downcast_ref::<TaskPanicked>()
            .unwrap()
            .message,
        "task exploded"
    );
}

#[test]
fn a_panic_takes_precedence_over_an_earlier_error() {
    let g = ErrGroup::new();
    g.set_limit(Some(1));
    g.go(|| Err("first".to_string()));
    g.go(|| panic!("second"));
    let payload = catch_unwind(AssertUnwindSafe(|| g.wait())).unwrap_err();
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"second"));
    // As Go's Wait keeps its first error, a later wait keeps failing: a fresh start is a new group.
    g.go(|| Ok(()));
    let again = catch_unwind(AssertUnwindSafe(|| g.wait())).unwrap_err();
    let message = again.downcast_ref::<String>().cloned().unwrap_or_default();
    assert!(message.contains("second"), "{message}");
}

#[test]
fn tasks_can_start_tasks_in_their_own_group() {
    let g: ErrGroup<String> = ErrGroup::new();
    let count = Arc::new(AtomicUsize::new(0));
    let (g2, c) = (g.clone(), count.clone());
    g.go(move || {
        let c2 = c.clone();
        g2.go(move || {
            c2.fetch_add(1, Ordering::SeqCst);
            Ok(())
        });
        c.fetch_add(1, Ordering::SeqCst);
        Ok(())
    });
    g.wait().unwrap();
    assert_eq!(count.load(Ordering::SeqCst), 2);
}
