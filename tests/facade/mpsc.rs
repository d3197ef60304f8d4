//! `racezoo::sync::mpsc`, std's channels on the facade, under the flavour's native checker (stress
//! on std, loom under `--cfg loom`, shuttle under `--cfg shuttle`): std's semantics (unbounded
//! `channel`, bounded `sync_channel`, `sync_channel(0)` a rendezvous, disconnection when the last
//! sender or the receiver goes), and the broken twins a checker must catch.

use std::time::Duration;

use racezoo::check::{self, Verdict};
use racezoo::sync::atomic::{AtomicBool, Ordering};
use racezoo::sync::mpsc::{
    self, RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError,
};
use racezoo::sync::{Arc, FLAVOUR, Flavour, thread};

#[test]
fn unbounded_sends_never_block_and_arrive_in_order() {
    check::expect_pass(check::run_default(|| {
        let (tx, rx) = mpsc::channel();
        let producer = thread::spawn(move || {
            for v in 0..3 {
                tx.send(v).unwrap();
            }
            // Nobody has received yet, and the sender is done: dropping it disconnects.
        });
        producer.join().unwrap();
        assert_eq!(rx.try_iter().collect::<Vec<_>>(), [0, 1, 2]);
        assert_eq!(rx.recv(), Err(RecvError), "every sender is gone");
    }));
}

#[test]
fn the_last_sender_dropped_wakes_a_blocked_receiver() {
    check::expect_pass(check::run_default(|| {
        let (tx, rx) = mpsc::channel::<u32>();
        let second = tx.clone();
        let producer = thread::spawn(move || {
            second.send(1).unwrap();
            drop(second);
            drop(tx);
        });
        assert_eq!(rx.recv(), Ok(1));
        assert_eq!(rx.recv(), Err(RecvError));
        producer.join().unwrap();
    }));
}

/// Twin of the test above: a sender clone that is never dropped keeps the channel connected, so the
/// receiver waits for ever. The model checkers prove the deadlock; stress can only suspect it.
#[racezoo::test(expect = Deadlock, stress = Hang, watchdog_ms = 300, runs = 1)]
fn a_forgotten_sender_keeps_the_receiver_blocked() {
    let (tx, rx) = mpsc::channel::<u32>();
    std::mem::forget(tx.clone());
    let producer = thread::spawn(move || {
        tx.send(1).unwrap();
    });
    assert_eq!(rx.recv(), Ok(1));
    producer.join().unwrap();
    let _ = rx.recv(); // blocks: one sender is still alive
}

/// The receiver announces it is about to take the value, then receives; the sender checks the
/// announcement as soon as its `send` returns. Only a rendezvous guarantees it (and the lock's
/// happens-before makes the relaxed flag visible).
fn send_returns_after_the_take(bound: usize) {
    let (tx, rx) = mpsc::sync_channel(bound);
    let taking = Arc::new(AtomicBool::new(false));
    let receiver = {
        let taking = taking.clone();
        thread::spawn(move || {
            taking.store(true, Ordering::Relaxed);
            assert_eq!(rx.recv(), Ok(7));
        })
    };
    tx.send(7).unwrap();
    assert!(
        taking.load(Ordering::Relaxed),
        "violation: send returned before the receiver took the value"
    );
    receiver.join().unwrap();
}

#[test]
fn a_rendezvous_send_returns_only_after_the_receiver_took_the_value() {
    check::expect_pass(check::run_default(|| send_returns_after_the_take(0)));
}

/// Twin: with a buffer of one the send returns at once, before the receiver has run; the model
/// checkers find that schedule every time, real threads only sometimes.
#[test]
fn a_buffered_send_returns_before_the_take_and_the_checkers_see_it() {
    let report = check::run_default(|| send_returns_after_the_take(1));
    match FLAVOUR {
        Flavour::Std => assert!(
            matches!(report.verdict, Verdict::Pass | Verdict::Violation),
            "{report}"
        ),
        _ => assert_eq!(report.verdict, Verdict::Violation, "{report}"),
    }
}

#[test]
fn dropping_the_receiver_fails_a_blocked_send_with_its_value() {
    for bound in [0, 1] {
        check::expect_pass(check::run_default(move || {
            let (tx, rx) = mpsc::sync_channel(bound);
            if bound == 1 {
                tx.send(1).unwrap(); // the buffer is now full
            }
            let sender = thread::spawn(move || tx.send(2));
            drop(rx);
            assert_eq!(sender.join().unwrap(), Err(SendError(2)));
        }));
    }
}

#[test]
fn bounded_sends_wait_for_room_and_keep_order_across_producers() {
    check::expect_pass(check::run_default(|| {
        let (tx, rx) = mpsc::sync_channel(1);
        let producers: Vec<_> = [10u32, 20]
            .into_iter()
            .map(|base| {
                let tx = tx.clone();
                thread::spawn(move || {
                    tx.send(base).unwrap();
                    tx.send(base + 1).unwrap();
                })
            })
            .collect();
        drop(tx);
        let got: Vec<u32> = rx.iter().collect();
        // Every value exactly once, each producer's in its order.
        let mine = |base: u32| {
            got.iter()
                .filter(|v| **v / 10 == base / 10)
                .copied()
                .collect::<Vec<_>>()
        };
        assert_eq!(mine(10), [10, 11]);
        assert_eq!(mine(20), [20, 21]);
        assert_eq!(got.len(), 4);
        for p in producers {
            p.join().unwrap();
        }
    }));
}

#[test]
fn try_send_and_try_recv_never_block() {
    check::expect_pass(check::run_default(|| {
        let (tx, rx) = mpsc::sync_channel(1);
        assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
        assert_eq!(tx.try_send(1), Ok(()));
        assert_eq!(tx.try_send(2), Err(TrySendError::Full(2)));
        assert_eq!(rx.try_recv(), Ok(1));
        drop(rx);
        assert_eq!(tx.try_send(3), Err(TrySendError::Disconnected(3)));

        // A rendezvous has no room unless the receiver waits.
        let (tx, rx) = mpsc::sync_channel(0);
        assert_eq!(tx.try_send(4), Err(TrySendError::Full(4)));
        drop(tx);
        assert_eq!(rx.try_recv(), Err(TryRecvError::Disconnected));
    }));
}

#[test]
fn a_rendezvous_try_send_reaches_a_waiting_receiver() {
    check::expect_pass(check::run_default(|| {
        let (tx, rx) = mpsc::sync_channel(0);
        let receiver = thread::spawn(move || rx.recv());
        // Either the receiver waits already and takes the value, or the try fails and a blocking
        // send delivers it.
        match tx.try_send(5) {
            Ok(()) => {}
            Err(TrySendError::Full(v)) => tx.send(v).unwrap(),
            Err(e) => panic!("violation: unexpected {e:?}"),
        }
        assert_eq!(receiver.join().unwrap(), Ok(5));
    }));
}

#[test]
fn recv_timeout_gives_the_value_or_a_timeout_then_disconnected() {
    check::expect_pass(check::run_default(|| {
        let (tx, rx) = mpsc::channel();
        let producer = thread::spawn(move || tx.send(9).unwrap());
        // Both outcomes are legal; under the checkers both are explored.
        match rx.recv_timeout(Duration::from_millis(1)) {
            Ok(v) => assert_eq!(v, 9),
            Err(RecvTimeoutError::Timeout) => assert_eq!(rx.recv(), Ok(9)),
            Err(e) => panic!("violation: unexpected {e:?}"),
        }
        producer.join().unwrap();
        assert_eq!(
            rx.recv_timeout(Duration::from_millis(1)),
            Err(RecvTimeoutError::Disconnected)
        );
    }));
}
