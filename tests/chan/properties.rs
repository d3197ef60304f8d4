//! Random single-thread operation sequences against a sequential model of a Go channel: a `VecDeque`
//! of capacity `cap` and a closed flag. On one thread nobody is ever blocked, so a rendezvous channel
//! is always "full" to `try_send` and "empty" to `try_recv`. Every value is tracked and must be
//! dropped exactly once. std flavour only (the model is sequential; the checkers add nothing).
#![cfg(not(any(loom, shuttle)))]

use std::collections::VecDeque;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use proptest::prelude::*;
use racezoo::chan::{TryRecvError, TrySendError, channel};

/// A value that counts its drops.
#[derive(Debug)]
struct Tracked(u8, Arc<AtomicUsize>);

impl Drop for Tracked {
    fn drop(&mut self) {
        self.1.fetch_add(1, Ordering::SeqCst);
    }
}

#[derive(Clone, Debug)]
enum Op {
    TrySend(u8),
    TryRecv,
    Close,
    Len,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => any::<u8>().prop_map(Op::TrySend),
        4 => Just(Op::TryRecv),
        1 => Just(Op::Close),
        1 => Just(Op::Len),
    ]
}

/// What the model says `try_send` does.
#[derive(Debug, PartialEq)]
enum SendOutcome {
    Sent,
    Full(u8),
    Closed(u8),
}

/// Runs `ops` on a channel of capacity `cap` and on the model, whose capacity is `model_cap`
/// (equal to `cap` except in the shrinking test, which plants a wrong model).
fn check(cap: usize, model_cap: usize, ops: &[Op]) -> Result<(), TestCaseError> {
    let drops = Arc::new(AtomicUsize::new(0));
    let mut made = 0usize;
    let (tx, rx) = channel::<Tracked>(cap);
    let mut model: VecDeque<u8> = VecDeque::new();
    let mut closed = false;
    for op in ops {
        match *op {
            Op::TrySend(v) => {
                made += 1;
                let got = match tx.try_send(Tracked(v, drops.clone())) {
                    Ok(()) => SendOutcome::Sent,
                    Err(TrySendError::Full(t)) => SendOutcome::Full(t.0),
                    Err(TrySendError::Closed(t)) => SendOutcome::Closed(t.0),
                };
                let want = if closed {
                    SendOutcome::Closed(v)
                } else if model.len() < model_cap {
                    model.push_back(v);
                    SendOutcome::Sent
                } else {
                    SendOutcome::Full(v)
                };
                prop_assert_eq!(got, want);
            }
            Op::TryRecv => {
                let got = rx.try_recv().map(|t| t.0);
                let want = match model.pop_front() {
                    Some(v) => Ok(v),
                    None if closed => Err(TryRecvError::Closed),
                    None => Err(TryRecvError::Empty),
                };
                prop_assert_eq!(got, want);
            }
            Op::Close => {
                let panicked = catch_unwind(AssertUnwindSafe(|| tx.close())).is_err();
                prop_assert_eq!(panicked, closed, "close panics exactly on a closed channel");
                closed = true;
            }
            Op::Len => {
                prop_assert_eq!(tx.len(), model.len());
                prop_assert_eq!(rx.is_closed(), closed);
                prop_assert_eq!(rx.capacity(), cap);
            }
        }
    }
    // Buffered values drain in model order after close.
    if closed {
        let rest: Vec<u8> = rx.iter().map(|t| t.0).collect();
        prop_assert_eq!(rest, Vec::from(model.clone()));
        model.clear();
    }
    prop_assert_eq!(drops.load(Ordering::SeqCst), made - model.len());
    drop(tx);
    drop(rx);
    prop_assert_eq!(
        drops.load(Ordering::SeqCst),
        made,
        "every value dropped exactly once"
    );
    Ok(())
}

fn ops() -> impl Strategy<Value = Vec<Op>> {
    proptest::collection::vec(op(), 0..40)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn try_operations_match_a_vecdeque_with_a_closed_flag(cap in 0usize..4, ops in ops()) {
        check(cap, cap, &ops)?;
    }
}

/// Plants a wrong model (capacity one larger than the channel's) and checks that proptest finds it
/// and shrinks the counterexample to the smallest that shows it: capacity 0 and a single `try_send`.
#[test]
fn shrinking_reduces_a_planted_model_bug_to_a_minimal_sequence() {
    use proptest::test_runner::{Config, TestError, TestRunner};
    let mut runner = TestRunner::new(Config {
        failure_persistence: None,
        ..Config::default()
    });
    let result = runner.run(&(0usize..4, ops()), |(cap, ops)| check(cap, cap + 1, &ops));
    match result {
        Err(TestError::Fail(_, (cap, ops))) => {
            assert_eq!(cap, 0, "shrinks to the smallest capacity: {ops:?}");
            assert_eq!(ops.len(), 1, "shrinks to a single send: {ops:?}");
            assert!(matches!(ops[0], Op::TrySend(0)), "{ops:?}");
        }
        other => panic!("expected a shrunk failure, got {other:?}"),
    }
}
