//! `select` with a context-done case (Go's `case <-ctx.Done():`) under every checker of the build:
//! a cancellation racing with a send to the channel the same select waits on, a cancellation racing
//! with a timeout, and a cancellation waking a select that nothing else will wake. The broken twin
//! at the end subscribes to the done signal in two steps (check, then register) and is found as a
//! deadlock: a cancellation between the steps is never seen.
//!
//! Each body spawns at most 2 threads, within loom's budget.

use std::sync::atomic::AtomicUsize as StdAtomicUsize;
use std::sync::atomic::Ordering::Relaxed as StdRelaxed;
use std::time::Duration;

use crate::common::{check, check_each};
use racezoo::chan::{SendError, after, channel, select};
use racezoo::check::{Checker, Verdict};
use racezoo::context::Context;
use racezoo::scenarios::Expect;
use racezoo::sync::cell::UnsafeCell;
use racezoo::sync::{Arc, thread};

/// Which case a select chose.
#[derive(Debug, PartialEq)]
enum Chosen {
    /// The receive case, with what it received.
    Recv(Option<u32>),
    /// The done case.
    Done,
}

/// Returns `true` if the build runs a model checker (loom or shuttle), which explores every order
/// the tests below count; real-thread stress may happen to see only one.
fn models() -> bool {
    Checker::available() != [Checker::Stress]
}

static CAP1_DONE_WON: StdAtomicUsize = StdAtomicUsize::new(0);
static CAP1_RECV_WON: StdAtomicUsize = StdAtomicUsize::new(0);

/// A worker selects on a buffered channel and a context; a second thread cancels while main sends.
/// Exactly one case is chosen, and the value is never lost or duplicated: if the done case won,
/// the value is still in the channel.
fn cancel_races_with_a_buffered_send_body() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let (tx, rx) = channel::<u32>(1);
    let leftover = rx.clone();
    let worker = thread::spawn(move || {
        select()
            .recv(&rx, Chosen::Recv)
            .done(&ctx.done(), || Chosen::Done)
            .wait()
    });
    let canceller = thread::spawn(move || cancel.cancel());
    tx.send(7).unwrap();
    let chosen = worker.join().unwrap();
    canceller.join().unwrap();
    let left = leftover.try_recv().ok();
    match chosen {
        Chosen::Recv(v) => {
            CAP1_RECV_WON.fetch_add(1, StdRelaxed);
            assert_eq!(v, Some(7), "violation: received the wrong value");
            assert_eq!(
                left, None,
                "violation: the value was received and is still queued"
            );
        }
        Chosen::Done => {
            CAP1_DONE_WON.fetch_add(1, StdRelaxed);
            assert_eq!(left, Some(7), "violation: done won and the value was lost");
        }
    }
}

#[test]
fn cancel_racing_with_a_buffered_send_chooses_one_case_and_keeps_the_value() {
    check(
        cancel_races_with_a_buffered_send_body,
        Expect::Passes,
        Expect::Passes,
    );
    assert!(CAP1_RECV_WON.load(StdRelaxed) + CAP1_DONE_WON.load(StdRelaxed) > 0);
    if models() {
        assert!(CAP1_RECV_WON.load(StdRelaxed) > 0, "recv never won");
        assert!(CAP1_DONE_WON.load(StdRelaxed) > 0, "done never won");
    }
}

static CAP0_DONE_WON: StdAtomicUsize = StdAtomicUsize::new(0);
static CAP0_RECV_WON: StdAtomicUsize = StdAtomicUsize::new(0);

/// The same race on a rendezvous channel: main's send completes only if the worker's receive case
/// took the value. If the done case won, the worker closes the channel, and main's send (blocked or
/// not yet started) gives the value back. So a send succeeds exactly when the value was received.
fn cancel_races_with_a_rendezvous_send_body() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let (tx, rx) = channel::<u32>(0);
    let closer = tx.clone();
    let worker = thread::spawn(move || {
        let chosen = select()
            .recv(&rx, Chosen::Recv)
            .done(&ctx.done(), || Chosen::Done)
            .wait();
        if chosen == Chosen::Done {
            closer.close();
        }
        chosen
    });
    let canceller = thread::spawn(move || cancel.cancel());
    let sent = tx.send(7);
    let chosen = worker.join().unwrap();
    canceller.join().unwrap();
    match (chosen, sent) {
        (Chosen::Recv(Some(7)), Ok(())) => CAP0_RECV_WON.fetch_add(1, StdRelaxed),
        (Chosen::Done, Err(SendError(7))) => CAP0_DONE_WON.fetch_add(1, StdRelaxed),
        other => panic!("violation: the select and the send disagree: {other:?}"),
    };
}

#[test]
fn cancel_racing_with_a_rendezvous_send_chooses_one_case_and_the_send_agrees() {
    check(
        cancel_races_with_a_rendezvous_send_body,
        Expect::Passes,
        Expect::Passes,
    );
    assert!(CAP0_RECV_WON.load(StdRelaxed) + CAP0_DONE_WON.load(StdRelaxed) > 0);
    if models() {
        assert!(CAP0_RECV_WON.load(StdRelaxed) > 0, "recv never won");
        assert!(CAP0_DONE_WON.load(StdRelaxed) > 0, "done never won");
    }
}

/// A value written before `cancel` and read after the done case ran: loom flags the read if the
/// cancellation does not happen before the case's code.
struct Published(UnsafeCell<u32>);

// SAFETY: written once before the cancellation, read only after the done case observed it (checked
// by loom).
unsafe impl Sync for Published {}

/// A select on a channel nobody sends to and a context: only the cancellation can wake it, wherever
/// it lands (before the poll, between poll and subscription, or while the select sleeps), and the
/// done case sees what the canceller did before cancelling.
fn cancel_wakes_a_select_on_recv_and_done_body() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let (_tx, rx) = channel::<u32>(0);
    let data = Arc::new(Published(UnsafeCell::new(0)));
    let worker = {
        let data = data.clone();
        thread::spawn(move || {
            let chosen = select()
                .recv(&rx, Chosen::Recv)
                .done(&ctx.done(), || Chosen::Done)
                .wait();
            assert_eq!(chosen, Chosen::Done, "violation: a case nobody made ready");
            // SAFETY: the write happens before the cancellation the done case observed.
            assert_eq!(data.0.with(|p| unsafe { *p }), 7);
        })
    };
    // SAFETY: no reader runs before the cancellation below.
    data.0.with_mut(|p| unsafe { *p = 7 });
    cancel.cancel();
    worker.join().unwrap();
}

#[test]
fn cancel_wakes_a_select_blocked_on_recv_and_done() {
    check(
        cancel_wakes_a_select_on_recv_and_done_body,
        Expect::Passes,
        Expect::Passes,
    );
}

static TIMER_DONE_WON: StdAtomicUsize = StdAtomicUsize::new(0);
static TIMER_TIMEOUT_WON: StdAtomicUsize = StdAtomicUsize::new(0);

/// A select on a context and a timeout while main cancels. Under the checkers the timeout may fire
/// before or after the cancellation; a cancellation callback arriving after the timeout won finds
/// the select's wait over and does nothing.
fn cancel_races_with_a_timeout_body() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let worker = thread::spawn(move || {
        let timer = after(Duration::from_secs(3600));
        let cancelled = select()
            .done(&ctx.done(), || true)
            .after(&timer, |_| false)
            .wait();
        if cancelled {
            assert!(ctx.is_cancelled(), "violation: done chosen while live");
        }
        cancelled
    });
    cancel.cancel();
    match worker.join().unwrap() {
        true => TIMER_DONE_WON.fetch_add(1, StdRelaxed),
        false => TIMER_TIMEOUT_WON.fetch_add(1, StdRelaxed),
    };
}

#[test]
fn cancel_racing_with_a_timeout_chooses_one_and_a_late_cancel_is_harmless() {
    check(
        cancel_races_with_a_timeout_body,
        Expect::Passes,
        Expect::Passes,
    );
    assert!(TIMER_DONE_WON.load(StdRelaxed) > 0, "done never won");
    if models() {
        // On real threads an hour-long timer never wins.
        assert!(
            TIMER_TIMEOUT_WON.load(StdRelaxed) > 0,
            "the timeout never won"
        );
    }
}

// ---- broken twin: the models can fail ---------------------------------------------------------

/// Broken twin of the done case, built by hand as a bridge from the context to a quit channel. It
/// checks `is_closed` and registers the callback in two steps, and ignores `on_close`'s `None`
/// ("cancelled meanwhile"). A cancellation between the two steps runs no callback, the quit channel
/// is never closed, and the select sleeps forever. [`Select::done`](racezoo::chan::Select::done) does
/// both steps in one (`on_close` under the context's lock) and claims the case itself on `None`.
fn broken_done_bridge_body() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let (_tx, rx) = channel::<u32>(0);
    let worker = thread::spawn(move || {
        let done = ctx.done();
        let (quit_tx, quit_rx) = channel::<()>(0);
        let closer = quit_tx.clone();
        let _subscription = if done.is_closed() {
            quit_tx.close();
            None
        } else {
            // BUG: the cancellation may land right here; `on_close` then returns `None`, drops the
            // callback uncalled, and the `None` is taken for "nothing to do".
            done.on_close(move || closer.close())
        };
        select().recv(&rx, |_| ()).recv(&quit_rx, |_| ()).wait();
    });
    cancel.cancel();
    worker.join().unwrap();
}

#[test]
fn broken_done_bridge_checking_then_subscribing_is_found_as_a_deadlock() {
    check_each(broken_done_bridge_body, |checker| match checker {
        // The window is two instructions wide on real threads: stress may miss it.
        Checker::Stress => Expect::MayFind(Verdict::Hang),
        _ => Expect::Finds(Verdict::Deadlock),
    });
}
