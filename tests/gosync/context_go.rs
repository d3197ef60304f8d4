//! Go's whole context and errgroup contract, under every checker of the build: every `wait` sees
//! the first error, a past deadline is born expired, and the API Go programs use (values, TODO,
//! WithoutCancel, the `…Cause` constructors, AfterFunc, a timeout that says it is one, a readable
//! chain).

use std::time::{Duration, Instant};

use crate::common::{check, check_each};
use racezoo::check::{Checker, Verdict};
use racezoo::context::{Cause, Context, ContextError};
use racezoo::errgroup::{ErrGroup, TaskPanicked};
use racezoo::scenarios::Expect;
use racezoo::sync::atomic::{AtomicBool, Ordering};
use racezoo::sync::{Arc, thread};

fn passes(body: fn()) {
    check(body, Expect::Passes, Expect::Passes);
}

#[test]
fn every_wait_returns_the_first_error() {
    passes(|| {
        let g = ErrGroup::<String>::new();
        g.go(|| Err("boom".to_string()));
        let waiter = {
            let g = g.clone();
            thread::spawn(move || g.wait())
        };
        assert_eq!(g.wait(), Err("boom".to_string()));
        assert_eq!(waiter.join().unwrap(), Err("boom".to_string()));
        // A later, sequential wait still sees it, as Go's Wait does.
        assert_eq!(g.wait(), Err("boom".to_string()));
    });
}

#[test]
fn the_groups_context_cause_is_the_error_value_itself() {
    passes(|| {
        let (g, ctx) = ErrGroup::<String>::with_context(&Context::background());
        g.go(|| Err("disk full".to_string()));
        assert_eq!(g.wait(), Err("disk full".to_string()));
        let cause = ctx.cause().expect("cancelled");
        assert_eq!(
            cause.downcast_ref::<String>().map(String::as_str),
            Some("disk full")
        );
    });
}

#[test]
fn a_zero_timeout_is_born_expired_with_deadline_exceeded() {
    passes(|| {
        let (ctx, cancel) = Context::with_timeout(&Context::background(), Duration::ZERO);
        assert!(ctx.is_cancelled());
        assert!(ctx.done().is_closed());
        assert_eq!(ctx.err(), Some(ContextError::DeadlineExceeded));
        let cause = ctx.cause().unwrap();
        assert_eq!(
            cause.downcast_ref::<ContextError>(),
            Some(&ContextError::DeadlineExceeded)
        );
        cancel.cancel();
        assert_eq!(ctx.err(), Some(ContextError::DeadlineExceeded));
    });
}

#[test]
fn a_deadline_in_the_past_is_born_expired_with_its_own_cause() {
    passes(|| {
        let past = Instant::now() - Duration::from_secs(1);
        let (ctx, _cancel) =
            Context::with_deadline_cause(&Context::background(), past, Cause::msg("too late"));
        assert_eq!(ctx.err(), Some(ContextError::DeadlineExceeded));
        assert_eq!(ctx.cause().unwrap().to_string(), "too late");
        let (ctx, _cancel) =
            Context::with_timeout_cause(&Context::background(), Duration::ZERO, Cause::msg("slow"));
        assert_eq!(ctx.err(), Some(ContextError::DeadlineExceeded));
        assert_eq!(ctx.cause().unwrap().to_string(), "slow");
    });
}

#[test]
fn a_past_deadline_under_a_cancelled_parent_takes_the_parents_error_and_cause_as_go_does() {
    // Go's WithDeadlineCause propagates the parent's cancellation before it looks at the deadline,
    // and the first cancellation wins.
    passes(|| {
        let (parent, cancel) = Context::with_cancel(&Context::background());
        let why = Cause::msg("parent gone");
        cancel.cancel_with_cause(why.clone());
        let (child, _c) =
            Context::with_deadline_cause(&parent, Instant::now(), Cause::msg("child's own"));
        assert_eq!(child.err(), Some(ContextError::Canceled));
        assert!(child.cause().unwrap().ptr_eq(&why));
    });
}

#[test]
fn deadline_exceeded_says_it_is_a_timeout() {
    assert!(ContextError::DeadlineExceeded.is_timeout());
    assert!(!ContextError::Canceled.is_timeout());
}

#[derive(Debug, PartialEq)]
struct UserKey;
#[derive(Debug, PartialEq)]
struct TraceKey(u8);

#[test]
fn values_are_found_through_the_chain_newest_first() {
    passes(|| {
        let bg = Context::background();
        let a = Context::with_value(&bg, UserKey, "ann".to_string());
        let (b, cancel) = Context::with_cancel(&a);
        let c = Context::with_value(&b, TraceKey(1), 41_u32);
        let d = Context::with_value(&c, TraceKey(1), 42_u32);
        assert_eq!(
            d.value::<_, String>(&UserKey).map(String::as_str),
            Some("ann")
        );
        assert_eq!(d.value::<_, u32>(&TraceKey(1)), Some(&42));
        assert_eq!(c.value::<_, u32>(&TraceKey(1)), Some(&41));
        assert_eq!(d.value::<_, u32>(&TraceKey(2)), None);
        // The right key with the wrong value type is not a match.
        assert_eq!(d.value::<_, String>(&TraceKey(1)), None);
        assert_eq!(bg.value::<_, String>(&UserKey), None);
        // A value context shares its parent's cancellation.
        cancel.cancel();
        assert!(d.is_cancelled());
    });
}

#[test]
fn without_cancel_keeps_the_values_and_drops_cancellation_and_deadline() {
    passes(|| {
        let base = Context::with_value(&Context::background(), UserKey, 7_i32);
        let (parent, cancel) = Context::with_timeout(&base, Duration::from_secs(3600));
        let detached = Context::without_cancel(&parent);
        cancel.cancel();
        assert!(parent.is_cancelled());
        assert!(!detached.is_cancelled());
        assert_eq!(detached.err(), None);
        assert_eq!(detached.deadline(), None);
        assert_eq!(detached.value::<_, i32>(&UserKey), Some(&7));
        // Its own children can still be cancelled.
        let (child, c) = Context::with_cancel(&detached);
        c.cancel();
        assert!(child.is_cancelled());
    });
}

#[test]
fn a_context_shows_how_it_was_derived() {
    passes(shows_how_it_was_derived);
}

fn shows_how_it_was_derived() {
    let bg = Context::background();
    assert_eq!(bg.to_string(), "context.Background");
    assert_eq!(Context::todo().to_string(), "context.TODO");
    let (c, _cancel) = Context::with_cancel(&bg);
    let v = Context::with_value(&c, UserKey, 1_u8);
    assert_eq!(
        v.to_string(),
        "context.Background.WithCancel.WithValue(UserKey, u8)"
    );
    let w = Context::without_cancel(&v);
    assert!(w.to_string().ends_with(".WithoutCancel"), "{w}");
    let (d, cancel) = Context::with_timeout(&bg, Duration::from_secs(60));
    assert!(
        d.to_string()
            .starts_with("context.Background.WithDeadline(in "),
        "{d}"
    );
    // Go's `defer cancel()`: the timer thread ends with the context.
    cancel.cancel();
}

#[test]
fn after_func_runs_on_its_own_thread_once_the_context_is_done() {
    passes(|| {
        let (ctx, cancel) = Context::with_cancel(&Context::background());
        let (tx, rx) = racezoo::chan::channel::<thread::ThreadId>(1);
        let handle = Context::after_func(&ctx, move || {
            tx.send(thread::current().id()).unwrap();
        });
        cancel.cancel();
        let ran_on = rx.recv().expect("the function ran");
        assert_ne!(ran_on, thread::current().id());
        assert!(
            !handle.stop(),
            "stop after the function started reports false"
        );
    });
}

#[test]
fn after_func_stopped_before_the_context_is_done_never_runs() {
    passes(|| {
        let (ctx, cancel) = Context::with_cancel(&Context::background());
        let ran = Arc::new(AtomicBool::new(false));
        let handle = {
            let ran = ran.clone();
            Context::after_func(&ctx, move || ran.store(true, Ordering::SeqCst))
        };
        assert!(handle.stop());
        assert!(!handle.stop(), "a second stop reports false");
        // The function is gone: nothing can run it any more.
        assert_eq!(Arc::strong_count(&ran), 1);
        cancel.cancel();
        assert!(!ran.load(Ordering::SeqCst));
    });
}

#[test]
fn after_func_on_a_done_context_runs_at_once_and_a_dropped_handle_does_not_stop_it() {
    passes(|| {
        let (ctx, cancel) = Context::with_cancel(&Context::background());
        cancel.cancel();
        let (tx, rx) = racezoo::chan::channel::<()>(1);
        let handle = Context::after_func(&ctx, move || tx.send(()).unwrap());
        assert_eq!(rx.recv(), Some(()));
        assert!(!handle.stop());

        let (ctx, cancel) = Context::with_cancel(&Context::background());
        let (tx, rx) = racezoo::chan::channel::<()>(1);
        drop(Context::after_func(&ctx, move || tx.send(()).unwrap()));
        cancel.cancel();
        assert_eq!(rx.recv(), Some(()));
    });
}

/// A task panics; `wait` re-raises it.
fn task_panics_body() {
    let g = ErrGroup::<String>::new();
    g.go(|| panic!("task exploded"));
    let _ = g.wait();
}

#[test]
fn a_panicking_task_is_re_raised_in_wait_with_its_payload_and_its_line() {
    let reports = check_each(task_panics_body, |_| Expect::Finds(Verdict::Panic));
    for report in reports {
        assert_eq!(report.message.as_deref(), Some("task exploded"), "{report}");
        let location = report.location.clone().unwrap_or_default();
        assert!(location.contains("tests/gosync/context_go.rs"), "{report}");
        if report.checker == Checker::Stress {
            continue;
        }
    }
    // The payload itself, on real threads.
    if Checker::available().contains(&Checker::Stress) {
        let g = ErrGroup::<String>::new();
        g.go(|| std::panic::panic_any(17_u32));
        let payload =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.wait())).unwrap_err();
        assert_eq!(payload.downcast_ref::<u32>(), Some(&17));
        // The payload went to the first wait; a second one still fails, saying what happened.
        let again =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| g.wait())).unwrap_err();
        let message = again.downcast_ref::<String>().cloned().unwrap_or_default();
        assert!(
            message.starts_with("errgroup: a task panicked"),
            "{message}"
        );
        let _: Option<&TaskPanicked> = None;
    }
}

#[test]
fn after_func_racing_stop_runs_the_function_exactly_when_stop_says_it_did_not_stop_it() {
    passes(|| {
        let (ctx, cancel) = Context::with_cancel(&Context::background());
        let (tx, rx) = racezoo::chan::channel::<()>(1);
        let handle = Context::after_func(&ctx, move || tx.send(()).unwrap());
        let canceller = thread::spawn(move || cancel.cancel());
        let stopped = handle.stop();
        canceller.join().unwrap();
        if stopped {
            // The function is gone for good (and with it the only sender): nothing ever arrives.
            assert!(rx.try_recv().is_err());
        } else {
            assert_eq!(rx.recv(), Some(()));
        }
    });
}

#[test]
fn a_value_lookup_racing_cancel_sees_the_value_and_a_consistent_state() {
    passes(|| {
        let (ctx, cancel) = Context::with_cancel(&Context::background());
        let ctx = Context::with_value(&ctx, UserKey, 5_u64);
        let reader = {
            let ctx = ctx.clone();
            thread::spawn(move || {
                let before = ctx.err();
                assert_eq!(ctx.value::<_, u64>(&UserKey), Some(&5));
                // Cancellation is monotonic: once seen, it stays.
                if before.is_some() {
                    assert_eq!(ctx.err(), Some(ContextError::Canceled));
                }
            })
        };
        cancel.cancel();
        reader.join().unwrap();
        assert_eq!(ctx.err(), Some(ContextError::Canceled));
    });
}
