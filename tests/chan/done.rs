//! Behaviour of `select` with a context-done case (Go's `case <-ctx.Done():`) on real threads:
//! cancelled before or while waiting, fairness against a ready channel, done with a timeout, and
//! the background context's never-ready done. std flavour only: under the checkers see
//! `chan_done_model.rs`.
#![cfg(not(any(loom, shuttle)))]

use std::thread;
use std::time::{Duration, Instant};

use racezoo::chan::{TrySendError, after, channel, select};
use racezoo::context::Context;

fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

/// Which case a select chose.
#[derive(Debug, PartialEq)]
enum Chosen {
    Recv(Option<u32>),
    Done,
    Timeout,
    Default,
}

#[test]
fn select_returns_the_done_case_when_cancelled_before_the_select() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let (_tx, rx) = channel::<u32>(0);
    cancel.cancel();
    let chosen = select()
        .recv(&rx, Chosen::Recv)
        .done(&ctx.done(), || Chosen::Done)
        .wait();
    assert_eq!(chosen, Chosen::Done);
    // With a default, a cancelled context is ready: the default does not run.
    let chosen = select()
        .recv(&rx, Chosen::Recv)
        .done(&ctx.done(), || Chosen::Done)
        .default(|| Chosen::Default);
    assert_eq!(chosen, Chosen::Done);
}

#[test]
fn select_with_a_live_context_and_a_default_runs_the_default() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let (_tx, rx) = channel::<u32>(0);
    let chosen = select()
        .recv(&rx, Chosen::Recv)
        .done(&ctx.done(), || Chosen::Done)
        .default(|| Chosen::Default);
    assert_eq!(chosen, Chosen::Default);
    cancel.cancel();
}

#[test]
fn select_returns_the_done_case_when_cancelled_while_waiting() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let (tx, rx) = channel::<u32>(0);
    let canceller = thread::spawn(move || {
        thread::sleep(ms(20));
        cancel.cancel();
    });
    let chosen = select()
        .recv(&rx, Chosen::Recv)
        .done(&ctx.done(), || Chosen::Done)
        .wait();
    assert_eq!(chosen, Chosen::Done);
    // The losing receive case left the channel's queue: no receiver is waiting any more.
    assert!(matches!(tx.try_send(1), Err(TrySendError::Full(1))));
    canceller.join().unwrap();
}

#[test]
fn select_on_a_child_context_wakes_when_the_parent_is_cancelled() {
    let (parent, cancel_parent) = Context::with_cancel(&Context::background());
    let (child, _cancel_child) = Context::with_cancel(&parent);
    let (_tx, rx) = channel::<u32>(0);
    let canceller = thread::spawn(move || {
        thread::sleep(ms(10));
        cancel_parent.cancel();
    });
    let chosen = select()
        .recv(&rx, Chosen::Recv)
        .done(&child.done(), || Chosen::Done)
        .wait();
    assert_eq!(chosen, Chosen::Done);
    canceller.join().unwrap();
}

#[test]
fn a_send_case_that_loses_to_done_does_not_deliver_its_value() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let (tx, rx) = channel::<u32>(0);
    let canceller = thread::spawn(move || {
        thread::sleep(ms(10));
        cancel.cancel();
    });
    let chosen = select()
        .send(&tx, 5, |r| r.is_ok())
        .done(&ctx.done(), || false)
        .wait();
    assert!(!chosen, "the send completed with no receiver");
    canceller.join().unwrap();
    assert!(rx.try_recv().is_err(), "the unchosen value was delivered");
}

#[test]
fn a_value_sent_while_waiting_wins_over_a_live_context() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let (tx, rx) = channel::<u32>(0);
    let sender = thread::spawn(move || {
        thread::sleep(ms(10));
        tx.send(3).unwrap();
    });
    let chosen = select()
        .recv(&rx, Chosen::Recv)
        .done(&ctx.done(), || Chosen::Done)
        .wait();
    assert_eq!(chosen, Chosen::Recv(Some(3)));
    sender.join().unwrap();
    // The done case's subscription is gone: a later cancellation wakes nobody and panics nowhere.
    cancel.cancel();
    assert!(ctx.is_cancelled());
}

// Fairness, after Go's `TestSelectFairness`: with two cases ready, each is chosen about half the time.
#[test]
fn a_ready_channel_and_a_cancelled_context_are_both_chosen_over_many_rounds() {
    const ROUNDS: usize = 2_000;
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    cancel.cancel();
    let (tx, rx) = channel::<u32>(1);
    let (mut recv, mut done) = (0, 0);
    for i in 0..ROUNDS {
        if rx.is_empty() {
            tx.send(i as u32).unwrap();
        }
        match select()
            .recv(&rx, Chosen::Recv)
            .done(&ctx.done(), || Chosen::Done)
            .wait()
        {
            Chosen::Recv(_) => recv += 1,
            Chosen::Done => done += 1,
            other => unreachable!("{other:?}"),
        }
    }
    // Each side wins a quarter of the rounds at least (a fair coin would give half).
    assert!(
        recv > ROUNDS / 4 && done > ROUNDS / 4,
        "recv {recv}, done {done}"
    );
}

#[test]
fn select_with_done_and_a_timeout_times_out_while_the_context_is_live() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let timer = after(ms(10));
    let start = Instant::now();
    let chosen = select()
        .done(&ctx.done(), || Chosen::Done)
        .after(&timer, |_| Chosen::Timeout)
        .wait();
    assert_eq!(chosen, Chosen::Timeout);
    assert!(start.elapsed() >= ms(10));
    cancel.cancel();
}

#[test]
fn select_with_done_and_a_timeout_returns_done_when_cancelled_first() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let canceller = thread::spawn(move || {
        thread::sleep(ms(10));
        cancel.cancel();
    });
    let timer = after(Duration::from_secs(60));
    let start = Instant::now();
    let chosen = select()
        .done(&ctx.done(), || Chosen::Done)
        .after(&timer, |_| Chosen::Timeout)
        .wait();
    assert_eq!(chosen, Chosen::Done);
    assert!(start.elapsed() < Duration::from_secs(30));
    canceller.join().unwrap();
}

#[test]
fn a_with_timeout_context_deadline_wakes_a_select_on_its_done() {
    let (ctx, _cancel) = Context::with_timeout(&Context::background(), ms(10));
    let (_tx, rx) = channel::<u32>(0);
    let chosen = select()
        .recv(&rx, Chosen::Recv)
        .done(&ctx.done(), || Chosen::Done)
        .wait();
    assert_eq!(chosen, Chosen::Done);
    assert_eq!(
        ctx.err(),
        Some(racezoo::context::ContextError::DeadlineExceeded)
    );
}

// Go: receiving from a nil channel (Background().Done() is nil) in a select never proceeds.
#[test]
fn the_background_context_done_case_is_never_ready() {
    let bg = Context::background();
    let timer = after(ms(10));
    let chosen = select()
        .done(&bg.done(), || Chosen::Done)
        .after(&timer, |_| Chosen::Timeout)
        .wait();
    assert_eq!(chosen, Chosen::Timeout);
    let chosen = select()
        .done(&bg.done(), || Chosen::Done)
        .default(|| Chosen::Default);
    assert_eq!(chosen, Chosen::Default);
}

#[test]
fn two_done_cases_woken_by_one_cancellation_complete_one_and_ignore_the_other() {
    let (parent, cancel) = Context::with_cancel(&Context::background());
    let (child, _cancel_child) = Context::with_cancel(&parent);
    let canceller = thread::spawn(move || {
        thread::sleep(ms(10));
        cancel.cancel();
    });
    let chosen = select()
        .done(&parent.done(), || 1)
        .done(&child.done(), || 2)
        .wait();
    assert!(chosen == 1 || chosen == 2);
    canceller.join().unwrap();
}
