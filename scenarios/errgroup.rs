//! `errgroup` and `context`: run tasks, keep the first error, and cancel the siblings through a
//! context so that none is left blocked.
//!
//! The Go original (from the seeds):
//!
//! ```go
//! g, ctx := errgroup.WithContext(context.Background())
//! g.Go(func() error { return fetchUsers(ctx) })
//! g.Go(func() error { return fetchInventory(ctx) }) // fails: "database connection timeout"
//! if err := g.Wait(); err != nil { return err }      // the first error
//! ```
//!
//! The first error cancels the group's context; every task that can block must also wait on
//! `ctx.Done()` (in Go: `select { case out <- v: case <-ctx.Done(): return ctx.Err() }`), or it blocks
//! for ever once its partner has gone. Each bug below leaves out one piece: the context, the guard,
//! the call to `cancel`, the "first" in "first error", or room under the limit.

use crate::chan::{channel, select};
use crate::check::Verdict;
use crate::context::Context;
use crate::errgroup::ErrGroup;
use crate::scenarios::{ALL_PASS, Names, Scenario, everyone_finds, models_find};
use crate::sync::{Arc, Mutex, thread};

/// Why loom's verdict on a deadlocked group is not `Deadlock` today.
/// Items the producers of this file would send.
const ITEMS: u32 = 2;

/// Correct: a producer and a consumer in a group with a context; the consumer fails on the first
/// item, the context is cancelled, and the producer's guarded send gives up.
///
/// `wait` returns the consumer's error (the first), never the producer's later `canceled`.
pub fn correct() {
    let (g, ctx) = ErrGroup::<String>::with_context(&Context::background());
    let (tx, rx) = channel::<u32>(0);
    g.go(move || {
        let done = ctx.done();
        for v in 0..ITEMS {
            let sent = select()
                .send(&tx, v, |r| r.is_ok())
                .done(&done, || false)
                .wait();
            if !sent {
                return Err("canceled".to_string());
            }
        }
        Ok(())
    });
    g.go(move || {
        let item = rx.recv();
        Err(format!("bad item {item:?}"))
    });
    let err = g.wait().unwrap_err();
    assert!(
        err.starts_with("bad item"),
        "violation: wait returned {err:?}, not the first error"
    );
}

/// Bug: the same group without a context (`var g errgroup.Group`), so nothing tells the producer
/// that its consumer failed.
///
/// **What goes wrong.** The consumer returns its error after one item; the producer blocks in its
/// next `send` for ever, and `wait` waits for it. (In a Go server the request usually returns on
/// the error and the producer leaks; here main waits, so every thread is stuck.) **What each
/// checker reports.** loom and shuttle: `Deadlock`, main in `wait` and the producer in `send`, every
/// execution. Stress: `Hang`, the same threads. **The fix.** `errgroup.WithContext`, and a send
/// guarded by `ctx.Done()` ([`correct`]).
pub fn no_cancel() {
    let g = ErrGroup::<String>::new();
    let (tx, rx) = channel::<u32>(0);
    g.go(move || {
        for v in 0..ITEMS {
            tx.send(v).map_err(|_| "closed".to_string())?; // @unguarded_send
        }
        Ok(())
    });
    g.go(move || {
        let item = rx.recv();
        Err(format!("bad item {item:?}"))
    });
    let _ = g.wait(); // @group_wait
}

/// Bug: a hand-rolled group stores every task's error, so the last one wins.
///
/// **What goes wrong.** Task A fails with the root cause and cancels the context; task B sees the
/// cancellation and returns `canceled`, overwriting A's error. The caller learns "canceled", not
/// "disk full". **What each checker reports.** Every checker, every execution: `Violation` (B's
/// error always comes after A's cancellation). **The fix.** Keep only the first error (Go's
/// `errOnce`), as [`ErrGroup`] does.
pub fn last_error_wins() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let err: Arc<Mutex<Option<String>>> = Arc::default();
    let fail = {
        let err = err.clone();
        move |e: &str| {
            *err.lock() = Some(e.to_string()); // BUG: no "if none yet"
            cancel.cancel();
        }
    };
    let a = {
        let fail = fail.clone();
        thread::spawn(move || fail("disk full"))
    };
    let b = thread::spawn(move || {
        ctx.done().wait();
        fail("canceled");
    });
    a.join().unwrap();
    b.join().unwrap();
    assert_eq!(
        err.lock().as_deref(),
        Some("disk full"),
        "violation: the group reported a later error, not the first"
    );
}

/// Bug: a hand-rolled group whose `wait` *moves* the first error out, so a second `wait` loses it.
///
/// **The Go original.** Go's pipeline example (`MD5All`) starts its workers in an errgroup, and the
/// caller and a deferred cleanup both call `g.Wait()`; every call returns the same first error.
/// **What goes wrong.** Here the stored error is `take()`n by the first `wait`: the second finds
/// nothing and reports success with a partial result. **What each checker reports.** Every checker,
/// every execution: `Violation` (the second wait always runs after the first). **The fix.** Keep the
/// error and return a copy to every caller, as [`ErrGroup::wait`] does (hence `E: Clone`).
pub fn second_wait_loses_the_error() {
    let err: Arc<Mutex<Option<String>>> = Arc::default();
    let task = {
        let err = err.clone();
        thread::spawn(move || *err.lock() = Some("md5 of /etc/shadow: permission denied".into()))
    };
    task.join().unwrap();
    // The group's `wait`, once the task is done.
    let wait = || err.lock().take(); // BUG: moves the error out; Go's Wait keeps returning it
    let first = wait();
    let second = wait();
    assert_eq!(
        first, second,
        "violation: the second wait lost the first error"
    );
}

/// Bug: `set_limit(1)`, and the first task waits for a value from the second.
///
/// **What goes wrong.** The second `go` blocks until the first task finishes (the limit), and the
/// first task waits for the second. **What each checker reports.** loom and shuttle: `Deadlock`,
/// main stuck in `go` and the first task in `recv`, every execution. Stress: `Hang`. **The fix.**
/// Tasks under a limit must not wait for each other; raise the limit to the number of tasks that
/// depend on each other, or pass the value differently.
pub fn limit_one() {
    let g = ErrGroup::<String>::new();
    g.set_limit(Some(1));
    let (tx, rx) = channel::<u32>(0);
    g.go(move || {
        rx.recv().map(|_| ()).ok_or_else(|| "closed".to_string()) // @sibling_recv
    });
    g.go(move || tx.send(1).map_err(|_| "closed".to_string())); // @limited_go
    let _ = g.wait();
}

/// Bug: a generator checks `ctx.Err()` and then sends unguarded; the consumer takes two items,
/// cancels and returns.
///
/// **What goes wrong.** The check and the send are two steps: a cancel between them leaves the
/// generator blocked in `send` for ever (a leak). **What each checker reports.** loom and shuttle:
/// `Leak`, the generator stuck in `send`. Stress may miss the window. **The fix.** Put the send in
/// a `select` with `ctx.Done()` ([`guarded_send`]).
pub fn unguarded_send() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let (tx, rx) = channel::<u32>(0);
    thread::spawn(move || {
        for v in 0.. {
            if ctx.is_cancelled() {
                return;
            }
            let _ = tx.send(v); // @generator_send
        }
    });
    for _ in 0..ITEMS {
        let _ = rx.recv();
    }
    cancel.cancel();
}

/// Correct: the generator's send is one case of a `select` with `ctx.Done()`; main cancels.
pub fn guarded_send() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let (tx, rx) = channel::<u32>(0);
    let generator = thread::spawn(move || {
        let done = ctx.done();
        for v in 0.. {
            let sent = select()
                .send(&tx, v, |r| r.is_ok())
                .done(&done, || false)
                .wait();
            if !sent {
                return;
            }
        }
    });
    for _ in 0..ITEMS {
        let _ = rx.recv();
    }
    cancel.cancel();
    generator.join().unwrap();
}

/// Bug: the generator is guarded by `ctx.Done()`, but main returns without calling `cancel` (what
/// `go vet`'s lostcancel warns about).
///
/// **What goes wrong.** Nothing ever closes the done signal: the generator waits in its `select`
/// for ever (a leak). **What each checker reports.** loom and shuttle: `Leak`, the generator stuck
/// in its `select`, every execution. Stress: `Hang` (leak suspected). **The fix.** `defer cancel()`
/// (call it on every path out).
pub fn cancel_never_called() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let (tx, rx) = channel::<u32>(0);
    thread::spawn(move || {
        let done = ctx.done();
        for v in 0.. {
            let sent = select()
                .send(&tx, v, |r| r.is_ok())
                .done(&done, || false)
                .wait(); // @guarded_select
            if !sent {
                return;
            }
        }
    });
    for _ in 0..ITEMS {
        let _ = rx.recv();
    }
    drop(cancel); // BUG: dropped, never called
}

/// The errgroup and context scenarios.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        pattern: "errgroup",
        variant: "correct",
        summary: "first error cancels the context; the guarded producer gives up",
        body: correct,
        expect: ALL_PASS,
        file: file!(),
        source: include_str!("errgroup.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "errgroup",
        variant: "no_cancel",
        summary: "no context: the producer blocks after its consumer failed",
        body: no_cancel,
        expect: everyone_finds(
            Verdict::Deadlock,
            Names::Stuck(&[("wait", "group_wait"), ("send", "unguarded_send")]),
            Verdict::Hang,
        ),
        file: file!(),
        source: include_str!("errgroup.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "errgroup",
        variant: "last_error_wins",
        summary: "a hand-rolled group keeps the last error, not the first",
        body: last_error_wins,
        expect: everyone_finds(
            Verdict::Violation,
            Names::Message("not the first"),
            Verdict::Violation,
        ),
        file: file!(),
        source: include_str!("errgroup.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "errgroup",
        variant: "second_wait_loses_the_error",
        summary: "a hand-rolled wait moves the error out: a second wait reports success",
        body: second_wait_loses_the_error,
        expect: everyone_finds(
            Verdict::Violation,
            Names::Message("second wait lost"),
            Verdict::Violation,
        ),
        file: file!(),
        source: include_str!("errgroup.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "errgroup",
        variant: "limit_one",
        summary: "limit 1 and a task waiting for its sibling",
        body: limit_one,
        expect: everyone_finds(
            Verdict::Deadlock,
            Names::Stuck(&[("wait", "limited_go"), ("recv", "sibling_recv")]),
            Verdict::Hang,
        ),
        file: file!(),
        source: include_str!("errgroup.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "errgroup",
        variant: "unguarded_send",
        summary: "a generator checks the context, then sends unguarded",
        body: unguarded_send,
        expect: models_find(
            Verdict::Leak,
            Names::Stuck(&[("send", "generator_send")]),
            Verdict::Hang,
        ),
        file: file!(),
        source: include_str!("errgroup.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "errgroup",
        variant: "guarded_send",
        summary: "the fix: the send is a select case beside ctx.Done()",
        body: guarded_send,
        expect: ALL_PASS,
        file: file!(),
        source: include_str!("errgroup.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "errgroup",
        variant: "cancel_never_called",
        summary: "the context is never cancelled: the guarded generator waits for ever",
        body: cancel_never_called,
        expect: everyone_finds(
            Verdict::Leak,
            Names::Stuck(&[("wait", "guarded_select")]),
            Verdict::Hang,
        ),
        file: file!(),
        source: include_str!("errgroup.rs"),
        pending: &[],
    },
];
