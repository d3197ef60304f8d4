//! ErrGroup under every checker of the build: the first error wins, the limit holds, cancellation
//! reaches a sibling blocked on `done`, a panic reaches `wait` (the last-error-wins twin is in the zoo,
//! `scenarios/errgroup.rs`).

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::common::check;
use racezoo::context::Context;
use racezoo::errgroup::ErrGroup;
use racezoo::scenarios::Expect;
use racezoo::sync::Arc;
use racezoo::sync::atomic::{AtomicUsize, Ordering};

/// The part of the group API the first-error body uses, for the real group and its twin.
trait Group: Sized {
    fn with_context(parent: &Context) -> (Self, Context);
    fn go(&self, f: impl FnOnce() -> Result<(), String> + Send + 'static);
    fn wait(&self) -> Result<(), String>;
}

impl Group for ErrGroup<String> {
    fn with_context(parent: &Context) -> (Self, Context) {
        ErrGroup::with_context(parent)
    }
    fn go(&self, f: impl FnOnce() -> Result<(), String> + Send + 'static) {
        ErrGroup::go(self, f)
    }
    fn wait(&self) -> Result<(), String> {
        ErrGroup::wait(self)
    }
}

/// Two tasks fail; whichever the group records first must be both what `wait` returns and the cause
/// the context was cancelled with.
fn first_error_wins<G: Group>() {
    let (g, ctx) = G::with_context(&Context::background());
    g.go(|| Err("a".to_string()));
    g.go(|| Err("b".to_string()));
    let err = g.wait().expect_err("two tasks failed");
    let cause = ctx.cause().expect("cancelled");
    let cause = cause
        .downcast_ref::<String>()
        .expect("the task's error itself");
    assert_eq!(&err, cause, "wait returned another error than the first");
}

#[test]
fn first_error_wins_under_every_interleaving() {
    check(
        first_error_wins::<ErrGroup<String>>,
        Expect::Passes,
        Expect::Passes,
    );
}

/// Limit 2, three tasks: never more than two inside at once.
fn limit_never_exceeded_body() {
    let g: ErrGroup<String> = ErrGroup::new();
    g.set_limit(Some(2));
    let active = Arc::new(AtomicUsize::new(0));
    for _ in 0..3 {
        let active = active.clone();
        g.go(move || {
            let n = active.fetch_add(1, Ordering::SeqCst) + 1;
            assert!(n <= 2, "violation: {n} tasks active, limit 2");
            active.fetch_sub(1, Ordering::SeqCst);
            Ok(())
        });
    }
    g.wait().unwrap();
}

#[test]
fn limit_is_never_exceeded() {
    check(limit_never_exceeded_body, Expect::Passes, Expect::Passes);
}

/// One task blocks on `ctx.done()`; its sibling fails. The failure's cancellation must release the
/// blocked task, so `wait` returns, with the sibling's error.
fn cancellation_reaches_blocked_sibling_body() {
    let (g, ctx) = ErrGroup::with_context(&Context::background());
    let c = ctx.clone();
    g.go(move || {
        c.done().wait();
        Ok(())
    });
    g.go(|| Err("failed".to_string()));
    assert_eq!(g.wait(), Err("failed".to_string()));
    assert!(ctx.is_cancelled());
}

#[test]
fn cancellation_reaches_a_sibling_blocked_on_done() {
    check(
        cancellation_reaches_blocked_sibling_body,
        Expect::Passes,
        Expect::Passes,
    );
}

/// A task panics while its sibling waits for the cancellation: in every interleaving `wait` must
/// neither hang nor return `Ok`; it resumes the task's panic.
fn panicking_task_body() {
    let (g, ctx) = ErrGroup::<String>::with_context(&Context::background());
    g.go(move || {
        ctx.done().wait();
        Ok(())
    });
    g.go(|| panic!("task exploded"));
    let payload = catch_unwind(AssertUnwindSafe(|| g.wait()))
        .expect_err("wait returned after a task panicked");
    assert_eq!(payload.downcast_ref::<&str>(), Some(&"task exploded"));
}

#[test]
fn a_panicking_task_reaches_wait_under_every_interleaving() {
    check(panicking_task_body, Expect::Passes, Expect::Passes);
}
