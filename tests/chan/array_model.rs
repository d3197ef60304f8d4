//! Model tests of the buffered flavour's ring where an operation meets another one that is still
//! copying a value into or out of a slot, run under every checker of the build (loom exhaustively
//! within the preemption bound, shuttle random and PCT, real-thread stress).
//!
//! * Close must wake every blocked receiver whatever is in flight in the ring: a receiver that queued
//!   itself while a send was still copying, and then lost that value to a receiver outside the lock,
//!   used to stay queued on the closed channel for ever.
//! * Non-blocking operations are linearizable, as in Go: once a send has returned, a `try_recv` (or a
//!   select's poll) that starts after it cannot find the channel empty unless someone took the value,
//!   even while an *earlier* send is still copying its value in; once a receive has returned, a
//!   `try_send` cannot find the buffer full because of the slot an earlier receive is still reading.
//!
//! Each loom body spawns at most 3 threads.

use racezoo::chan::{TryRecvError, TrySendError, channel, select};
use racezoo::check::{Checker, Config, Report, Verdict};
use racezoo::sync::{Arc, Mutex, thread};

/// Runs `body` under every available checker and asserts each passes, completely.
fn assert_passes<F>(body: F) -> Vec<Report>
where
    F: Fn() + Send + Sync + Clone + 'static,
{
    let config = Config {
        runs: 200,
        ..Config::default()
    };
    Checker::available()
        .into_iter()
        .map(|checker| {
            let report = checker.run(&config, body.clone()).expect("available");
            eprintln!("{report}");
            assert_eq!(report.verdict, Verdict::Pass, "{report}");
            assert!(report.complete, "{report}");
            report
        })
        .collect()
}

// ---- close wakes every blocked receiver ----------------------------------------------------------

/// One sender, two receivers that receive once each, and a close from main. Whatever the order, each
/// receiver returns (with the value or `None`), and the value is received exactly when its send
/// succeeded.
///
/// The lost wake-up this reproduces: the send claims its slot and is preempted before publishing;
/// main closes; receiver A finds the slot busy, takes the lock, queues itself and waits (under the
/// lock) for the copy; the send publishes; receiver B, outside the lock, takes the value; A then finds
/// the ring closed and drained, gives up feeding itself, and stays queued on a closed channel: close
/// already ran, so nobody wakes it.
fn close_while_a_send_is_copying() {
    let (tx, rx) = channel::<u32>(1);
    let sender = {
        let tx = tx.clone();
        thread::spawn(move || tx.send(1).is_ok())
    };
    let receivers: Vec<_> = (0..2)
        .map(|_| {
            let rx = rx.clone();
            thread::spawn(move || rx.recv())
        })
        .collect();
    tx.close();
    let received = receivers
        .into_iter()
        .filter_map(|r| r.join().unwrap())
        .count();
    let sent = usize::from(sender.join().unwrap());
    assert_eq!(received, sent, "violation: a value was lost or duplicated");
}

#[test]
fn close_wakes_every_blocked_receiver_while_a_send_is_copying() {
    assert_passes(close_while_a_send_is_copying);
}

/// The shape in which shuttle PCT found the lost wake-up (the trust issue, item 2): two workers range
/// over a capacity-2 channel, a submitter sends two values, main closes and joins everyone. Before
/// the fix PCT reported `Deadlock`: "main blocked in join t2; t2 blocked in recv Chan#1".
fn worker_pool_closed_while_a_send_is_copying() {
    let (tx, rx) = channel::<u32>(2);
    let received = Arc::new(Mutex::new(0usize));
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let (rx, received) = (rx.clone(), received.clone());
            thread::spawn(move || {
                for _ in rx.iter() {
                    *received.lock() += 1;
                }
            })
        })
        .collect();
    let submitter = {
        let tx = tx.clone();
        thread::spawn(move || (1..=2).filter(|&v| tx.send(v).is_ok()).count())
    };
    tx.close();
    for worker in workers {
        worker.join().unwrap();
    }
    let sent = submitter.join().unwrap();
    assert_eq!(
        *received.lock(),
        sent,
        "violation: a value was lost or duplicated"
    );
}

#[test]
fn close_wakes_both_ranging_workers_while_the_second_send_is_copying() {
    // Four spawned threads with main: too many for loom; shuttle and stress only.
    let config = Config {
        runs: 200,
        iterations: 10_000,
        ..Config::default()
    };
    for checker in Checker::available() {
        if checker == Checker::Loom {
            continue;
        }
        let report = checker
            .run(&config, worker_pool_closed_while_a_send_is_copying)
            .expect("available");
        eprintln!("{report}");
        assert_eq!(report.verdict, Verdict::Pass, "{report}");
    }
}

/// The same shape under PCT alone, which found the bug; several seeds' worth of schedules.
#[cfg(shuttle)]
#[test]
fn pct_finds_no_receiver_left_blocked_after_close() {
    let config = Config {
        iterations: 20_000,
        ..Config::default()
    };
    let report = racezoo::check::shuttle_pct(&config, worker_pool_closed_while_a_send_is_copying)
        .expect("shuttle is built");
    eprintln!("{report}");
    assert_eq!(report.verdict, Verdict::Pass, "{report}");
}

// ---- non-blocking operations are linearizable ----------------------------------------------------

/// Two sends, the second of which returns while the first may still be copying; after the second
/// returns, a non-blocking receive (by `recv_now`) must find a value.
fn after_a_completed_send(recv_now: fn(&racezoo::chan::Receiver<u32>) -> Option<u32>) {
    let (tx, rx) = channel::<u32>(2);
    let first = {
        let tx = tx.clone();
        thread::spawn(move || tx.send(1).unwrap())
    };
    let second = thread::spawn(move || tx.send(2).unwrap());
    second.join().unwrap();
    // Nobody else receives, and a send has returned: the channel cannot be empty.
    let got = recv_now(&rx);
    assert!(
        got.is_some(),
        "violation: a non-blocking receive found the channel empty after a send had returned"
    );
    first.join().unwrap();
}

#[test]
fn try_recv_after_a_completed_send_finds_a_value_while_an_earlier_send_is_copying() {
    assert_passes(|| {
        after_a_completed_send(|rx| match rx.try_recv() {
            Ok(v) => Some(v),
            Err(TryRecvError::Empty) => None,
            Err(TryRecvError::Closed) => panic!("nobody closed"),
        })
    });
}

#[test]
fn select_poll_after_a_completed_send_finds_a_value_while_an_earlier_send_is_copying() {
    assert_passes(|| after_a_completed_send(|rx| select().recv(rx, |v| v).default(|| None)));
}

/// A full capacity-2 channel and two receivers; once one receive has returned, a `try_send` must
/// find room, even while the other receive is still reading its value out of the ring.
fn try_send_after_a_completed_receive() {
    let (tx, rx) = channel::<u32>(2);
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    let first = {
        let rx = rx.clone();
        thread::spawn(move || rx.recv().unwrap())
    };
    let second = thread::spawn(move || rx.recv().unwrap());
    let got = second.join().unwrap();
    match tx.try_send(3) {
        Ok(()) => {}
        Err(TrySendError::Full(_)) => {
            panic!("violation: try_send found the buffer full after a receive had returned")
        }
        Err(TrySendError::Closed(_)) => panic!("nobody closed"),
    }
    assert_eq!(got + first.join().unwrap(), 3);
}

#[test]
fn try_send_after_a_completed_receive_finds_room_while_an_earlier_receive_is_reading() {
    assert_passes(try_send_after_a_completed_receive);
}
