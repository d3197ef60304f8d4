//! Context on real threads: the behaviours of Go's `context` tests that do not need a model checker
//! (cancellation propagation, err/cause, timeouts measured on a real clock). The interleaving tests
//! are in `tests/gosync/context_model.rs`.
#![cfg(not(any(loom, shuttle)))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use racezoo::context::{Cause, Context, ContextError};

#[test]
fn background_is_never_cancelled() {
    let bg = Context::background();
    assert!(!bg.is_cancelled());
    assert_eq!(bg.err(), None);
    assert!(bg.cause().is_none());
    assert!(bg.deadline().is_none());
    assert!(!bg.done().wait_timeout(Duration::from_millis(5)));
}

// Ported from Go's context_test.go (XTestWithCancel): cancelling the parent closes both children.
#[test]
fn cancel_propagates_from_parent_to_children() {
    let (parent, cancel) = Context::with_cancel(&Context::background());
    let (child, _c1) = Context::with_cancel(&parent);
    let (grandchild, _c2) = Context::with_timeout(&child, Duration::from_secs(60));
    assert!(!grandchild.is_cancelled());
    cancel.cancel();
    for ctx in [&parent, &child, &grandchild] {
        assert!(ctx.done().is_closed());
        assert_eq!(ctx.err(), Some(ContextError::Canceled));
    }
}

#[test]
fn cancelling_a_child_leaves_parent_and_siblings_alone() {
    let (parent, _cancel) = Context::with_cancel(&Context::background());
    let (a, cancel_a) = Context::with_cancel(&parent);
    let (b, _cancel_b) = Context::with_cancel(&parent);
    cancel_a.cancel();
    assert_eq!(a.err(), Some(ContextError::Canceled));
    assert_eq!(parent.err(), None);
    assert_eq!(b.err(), None);
}

#[test]
fn child_of_a_cancelled_parent_is_born_cancelled_with_its_cause() {
    let (parent, cancel) = Context::with_cancel(&Context::background());
    cancel.cancel_with_cause(Cause::msg("shutting down"));
    let (child, _c) = Context::with_cancel(&parent);
    assert_eq!(child.err(), Some(ContextError::Canceled));
    assert_eq!(child.cause().unwrap().to_string(), "shutting down");
}

#[test]
fn cancelling_twice_keeps_the_first_error_and_cause() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let first = Cause::msg("first");
    cancel.cancel_with_cause(first.clone());
    cancel.cancel_with_cause(Cause::msg("second"));
    cancel.cancel();
    assert_eq!(ctx.err(), Some(ContextError::Canceled));
    assert!(ctx.cause().unwrap().ptr_eq(&first));
}

// Go: Cause(ctx) is ctx.Err() when no cause was given.
#[test]
fn cause_defaults_to_the_error() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    assert!(ctx.cause().is_none());
    cancel.cancel();
    let cause = ctx.cause().unwrap();
    assert_eq!(
        cause.downcast_ref::<ContextError>(),
        Some(&ContextError::Canceled)
    );
    assert_eq!(cause.to_string(), "context canceled");
}

// Go: the cause propagates to children with the parent's error.
#[test]
fn cause_propagates_to_children() {
    let (parent, cancel) = Context::with_cancel(&Context::background());
    let (child, _c) = Context::with_cancel(&parent);
    let cause = Cause::msg("disk full");
    cancel.cancel_with_cause(cause.clone());
    assert!(child.cause().unwrap().ptr_eq(&cause));
}

// Ported from Go's testDeadline/XTestTimeout: the deadline cancels with DeadlineExceeded.
#[test]
fn timeout_cancels_with_deadline_exceeded() {
    let start = Instant::now();
    let (ctx, _cancel) = Context::with_timeout(&Context::background(), Duration::from_millis(20));
    assert!(ctx.deadline().is_some());
    assert!(!ctx.is_cancelled());
    ctx.done().wait();
    assert!(start.elapsed() >= Duration::from_millis(20));
    assert_eq!(ctx.err(), Some(ContextError::DeadlineExceeded));
    assert_eq!(
        ctx.cause().unwrap().to_string(),
        "context deadline exceeded"
    );
}

#[test]
fn cancel_before_the_deadline_wins() {
    let (ctx, cancel) = Context::with_timeout(&Context::background(), Duration::from_secs(60));
    cancel.cancel();
    assert_eq!(ctx.err(), Some(ContextError::Canceled));
}

// Go: a child's deadline is never later than its parent's.
#[test]
fn child_inherits_an_earlier_parent_deadline() {
    let (parent, _cp) = Context::with_timeout(&Context::background(), Duration::from_millis(10));
    let (child, _cc) = Context::with_timeout(&parent, Duration::from_secs(60));
    assert_eq!(child.deadline(), parent.deadline());
    child.done().wait();
    assert_eq!(child.err(), Some(ContextError::DeadlineExceeded));
}

#[test]
fn done_wait_returns_for_every_waiter_when_cancelled() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let woke = Arc::new(AtomicUsize::new(0));
    let waiters: Vec<_> = (0..4)
        .map(|_| {
            let (done, woke) = (ctx.done(), woke.clone());
            thread::spawn(move || {
                done.wait();
                woke.fetch_add(1, Ordering::SeqCst);
            })
        })
        .collect();
    thread::sleep(Duration::from_millis(10));
    assert_eq!(woke.load(Ordering::SeqCst), 0);
    cancel.cancel();
    for w in waiters {
        w.join().unwrap();
    }
    assert_eq!(woke.load(Ordering::SeqCst), 4);
}

#[test]
fn done_wait_timeout_reports_whether_it_was_cancelled() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    assert!(!ctx.done().wait_timeout(Duration::from_millis(5)));
    cancel.cancel();
    assert!(ctx.done().wait_timeout(Duration::from_millis(5)));
}

#[test]
fn on_close_runs_the_callback_once_on_cancel() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let (tx, rx) = mpsc::channel();
    let sub = ctx.done().on_close(move || tx.send(()).unwrap());
    assert!(sub.is_some());
    cancel.cancel();
    cancel.cancel();
    rx.recv_timeout(Duration::from_secs(1)).unwrap();
    assert!(rx.recv_timeout(Duration::from_millis(5)).is_err());
    // Already closed: the case is ready, nothing is registered.
    assert!(ctx.done().on_close(|| unreachable!()).is_none());
}

#[test]
fn dropping_a_subscription_unregisters_its_callback() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let called = Arc::new(AtomicUsize::new(0));
    let c = called.clone();
    let sub = ctx.done().on_close(move || {
        c.fetch_add(1, Ordering::SeqCst);
    });
    drop(sub);
    cancel.cancel();
    assert_eq!(called.load(Ordering::SeqCst), 0);
}

#[test]
fn context_and_cancel_are_send_sync_and_clone() {
    fn assert_send_sync_clone<T: Send + Sync + Clone>() {}
    assert_send_sync_clone::<Context>();
    assert_send_sync_clone::<racezoo::context::CancelFn>();
    assert_send_sync_clone::<racezoo::context::Done>();
    assert_send_sync_clone::<Cause>();
}
