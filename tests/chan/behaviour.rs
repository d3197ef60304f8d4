//! Behaviour of racezoo's channels on real threads, for capacities 0, 1 and 16.
//!
//! Ported from crossbeam-channel's `tests/zero.rs` (smoke, try/blocking states, disconnect wakes sender
//! / receiver, spsc, mpmc, stress, drops, fairness, recv in send, channel through channel) and
//! re-expressed for Go's rules: close is explicit and wakes everybody, dropping handles closes nothing,
//! send on a closed channel gives the value back. Sleeps are scaled down (milliseconds, not seconds);
//! where crossbeam sleeps to order two threads, these tests wait for an observable state instead when
//! they can. std flavour only: under the checkers see `chan_model.rs`.
#![cfg(not(any(loom, shuttle)))]

use std::any::Any;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use racezoo::chan::{
    Receiver, RecvTimeoutError, SendError, SendTimeoutError, Sender, TryRecvError, TrySendError,
    after, channel, select,
};

fn ms(ms: u64) -> Duration {
    Duration::from_millis(ms)
}

/// Counts drops of its values through a shared counter.
#[derive(Debug)]
struct DropCounter(Arc<AtomicUsize>);

impl Drop for DropCounter {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::SeqCst);
    }
}

/// Fills a buffered channel so that the next send blocks (no-op for capacity 0).
fn fill<T: Clone>(tx: &Sender<T>, v: T) {
    for _ in 0..tx.capacity() {
        tx.try_send(v.clone()).unwrap();
    }
}

/// Returns the panic message of `f`, which must panic.
fn panic_message(f: impl FnOnce()) -> String {
    let payload = catch_unwind(AssertUnwindSafe(f)).expect_err("expected a panic");
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else {
        payload
            .downcast_ref::<String>()
            .cloned()
            .unwrap_or_default()
    }
}

macro_rules! behaviour {
    ($name:ident, $cap:expr) => {
        // `0..CAP` is empty for capacity 0 on purpose: the same test body covers every capacity.
        #[allow(clippy::reversed_empty_ranges)]
        mod $name {
            use super::*;

            const CAP: usize = $cap;

            #[test]
            fn smoke_try_send_fills_exactly_the_capacity() {
                let (tx, rx) = channel(CAP);
                for i in 0..CAP {
                    assert_eq!(tx.try_send(i), Ok(()));
                }
                assert_eq!(tx.try_send(7), Err(TrySendError::Full(7)));
                for i in 0..CAP {
                    assert_eq!(rx.try_recv(), Ok(i));
                }
                assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
            }

            #[test]
            fn capacity_is_reported_on_both_ends() {
                let (tx, rx) = channel::<()>(CAP);
                assert_eq!(tx.capacity(), CAP);
                assert_eq!(rx.capacity(), CAP);
            }

            #[test]
            fn len_counts_buffered_values_and_is_zero_after_a_handoff() {
                let (tx, rx) = channel(CAP);
                assert_eq!((tx.len(), rx.len()), (0, 0));
                assert!(tx.is_empty() && rx.is_empty());
                fill(&tx, 0);
                assert_eq!((tx.len(), rx.len()), (CAP, CAP));
                thread::scope(|s| {
                    s.spawn(|| tx.send(1).unwrap());
                    for _ in 0..=CAP {
                        rx.recv().unwrap();
                    }
                });
                assert_eq!((tx.len(), rx.len()), (0, 0));
            }

            #[test]
            fn try_recv_is_empty_then_gets_the_value_then_sees_close() {
                let (tx, rx) = channel(CAP);
                assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
                thread::scope(|s| {
                    s.spawn(|| {
                        tx.send(7).unwrap();
                        tx.close();
                    });
                    let v = loop {
                        match rx.try_recv() {
                            Ok(v) => break v,
                            Err(TryRecvError::Empty) => thread::yield_now(),
                            Err(TryRecvError::Closed) => panic!("closed before 7 arrived"),
                        }
                    };
                    assert_eq!(v, 7);
                    while rx.try_recv() != Err(TryRecvError::Closed) {
                        thread::yield_now();
                    }
                });
            }

            #[test]
            fn recv_blocks_until_each_send_and_returns_none_after_close() {
                let (tx, rx) = channel(CAP);
                thread::scope(|s| {
                    s.spawn(|| {
                        assert_eq!(rx.recv(), Some(7));
                        assert_eq!(rx.recv(), Some(8));
                        assert_eq!(rx.recv(), Some(9));
                        assert_eq!(rx.recv(), None);
                        assert_eq!(rx.recv(), None, "closed stays closed");
                    });
                    thread::sleep(ms(20));
                    tx.send(7).unwrap();
                    tx.send(8).unwrap();
                    tx.send(9).unwrap();
                    tx.close();
                });
            }

            #[test]
            fn recv_timeout_times_out_then_receives_then_sees_close() {
                let (tx, rx) = channel::<i32>(CAP);
                thread::scope(|s| {
                    s.spawn(|| {
                        assert_eq!(rx.recv_timeout(ms(30)), Err(RecvTimeoutError::Timeout));
                        assert_eq!(rx.recv_timeout(ms(5_000)), Ok(7));
                        assert_eq!(rx.recv_timeout(ms(5_000)), Err(RecvTimeoutError::Closed));
                    });
                    thread::sleep(ms(60));
                    tx.send(7).unwrap();
                    tx.close();
                });
            }

            #[test]
            fn try_send_is_full_until_there_is_room_and_closed_after_close() {
                let (tx, rx) = channel(CAP);
                fill(&tx, 0);
                assert_eq!(tx.try_send(7), Err(TrySendError::Full(7)));
                thread::scope(|s| {
                    s.spawn(|| {
                        for _ in 0..CAP {
                            assert_eq!(rx.recv(), Some(0));
                        }
                        assert_eq!(rx.recv(), Some(8));
                    });
                    // A blocked receiver (capacity 0) or a freed slot (capacity > 0) lets it in.
                    while let Err(e) = tx.try_send(8) {
                        assert_eq!(e, TrySendError::Full(8));
                        thread::yield_now();
                    }
                });
                tx.close();
                assert_eq!(tx.try_send(9), Err(TrySendError::Closed(9)));
            }

            #[test]
            fn send_blocks_until_received_or_room() {
                let (tx, rx) = channel(CAP);
                let received = AtomicUsize::new(0);
                thread::scope(|s| {
                    s.spawn(|| {
                        for i in 0..CAP + 3 {
                            tx.send(i).unwrap();
                            // Every send beyond the capacity returned only after a receive.
                            assert!(received.load(Ordering::SeqCst) + CAP > i);
                        }
                    });
                    thread::sleep(ms(20));
                    for i in 0..CAP + 3 {
                        received.fetch_add(1, Ordering::SeqCst);
                        assert_eq!(rx.recv(), Some(i));
                    }
                });
            }

            #[test]
            fn send_timeout_gives_the_value_back_on_timeout_and_on_close() {
                let (tx, rx) = channel(CAP);
                fill(&tx, 0);
                thread::scope(|s| {
                    s.spawn(|| {
                        assert_eq!(
                            tx.send_timeout(7, ms(30)),
                            Err(SendTimeoutError::Timeout(7))
                        );
                        assert_eq!(tx.send_timeout(8, ms(5_000)), Ok(()));
                        tx.close();
                        assert_eq!(
                            tx.send_timeout(9, ms(5_000)),
                            Err(SendTimeoutError::Closed(9))
                        );
                    });
                    thread::sleep(ms(60));
                    for _ in 0..CAP {
                        assert_eq!(rx.recv(), Some(0));
                    }
                    assert_eq!(rx.recv(), Some(8));
                });
            }

            #[test]
            fn len_never_exceeds_the_capacity_under_25k_transfers() {
                const COUNT: usize = 25_000;
                let (tx, rx) = channel(CAP);
                thread::scope(|s| {
                    s.spawn(|| {
                        for i in 0..COUNT {
                            assert_eq!(rx.recv(), Some(i));
                            assert!(rx.len() <= CAP);
                        }
                    });
                    for i in 0..COUNT {
                        tx.send(i).unwrap();
                        assert!(tx.len() <= CAP);
                    }
                });
                assert_eq!(tx.len(), 0);
            }

            #[test]
            fn close_wakes_a_blocked_sender_and_gives_its_value_back() {
                let (tx, _rx) = channel(CAP);
                fill(&tx, 0);
                thread::scope(|s| {
                    let t = s.spawn(|| tx.send(42));
                    thread::sleep(ms(30));
                    tx.close();
                    assert_eq!(t.join().unwrap(), Err(SendError(42)));
                });
            }

            #[test]
            fn close_wakes_a_blocked_receiver_with_none() {
                let (tx, rx) = channel::<()>(CAP);
                thread::scope(|s| {
                    let t = s.spawn(|| rx.recv());
                    thread::sleep(ms(30));
                    tx.close();
                    assert_eq!(t.join().unwrap(), None);
                });
            }

            #[test]
            fn close_wakes_every_blocked_sender_and_receiver() {
                let (tx, rx) = channel::<usize>(CAP);
                fill(&tx, 0);
                thread::scope(|s| {
                    let senders: Vec<_> = (0..3)
                        .map(|i| {
                            s.spawn({
                                let tx = tx.clone();
                                move || tx.send(100 + i)
                            })
                        })
                        .collect();
                    thread::sleep(ms(30));
                    tx.close();
                    for (i, t) in senders.into_iter().enumerate() {
                        assert_eq!(t.join().unwrap(), Err(SendError(100 + i)));
                    }
                });
                // Buffered values drain in order, then None.
                for _ in 0..CAP {
                    assert_eq!(rx.recv(), Some(0));
                }
                thread::scope(|s| {
                    let receivers: Vec<_> = (0..3)
                        .map(|_| {
                            s.spawn({
                                let rx = rx.clone();
                                move || rx.recv()
                            })
                        })
                        .collect();
                    for t in receivers {
                        assert_eq!(t.join().unwrap(), None);
                    }
                });
            }

            #[test]
            fn close_of_a_closed_channel_panics_with_the_go_message() {
                let (tx, _rx) = channel::<()>(CAP);
                tx.close();
                let msg = panic_message(|| tx.close());
                assert_eq!(msg, racezoo::misuse::CLOSE_OF_CLOSED_CHANNEL);
                assert!(tx.is_closed());
            }

            #[test]
            fn send_on_a_closed_channel_returns_the_value() {
                let (tx, rx) = channel(CAP);
                tx.close();
                assert_eq!(tx.send(5), Err(SendError(5)));
                assert_eq!(SendError(5).to_string(), "send on closed channel");
                assert_eq!(rx.recv(), None);
            }

            #[test]
            fn dropping_every_receiver_does_not_wake_a_blocked_sender() {
                let (tx, rx) = channel(CAP);
                fill(&tx, 0);
                let returned = AtomicBool::new(false);
                thread::scope(|s| {
                    let t = s.spawn(|| {
                        let r = tx.send(1);
                        returned.store(true, Ordering::SeqCst);
                        r
                    });
                    drop(rx);
                    thread::sleep(ms(50));
                    assert!(!returned.load(Ordering::SeqCst), "a Go sender leaks here");
                    // Only close releases it.
                    tx.close();
                    assert_eq!(t.join().unwrap(), Err(SendError(1)));
                });
            }

            #[test]
            fn dropping_every_sender_does_not_close_the_channel() {
                let (tx, rx) = channel::<i32>(CAP);
                let tx2 = tx.clone();
                drop(tx);
                drop(tx2);
                assert!(!rx.is_closed());
                assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
                assert_eq!(rx.recv_timeout(ms(30)), Err(RecvTimeoutError::Timeout));
            }

            #[test]
            fn buffered_values_drain_in_order_after_close_then_none() {
                let (tx, rx) = channel(CAP);
                for i in 0..CAP {
                    tx.send(i).unwrap();
                }
                tx.close();
                assert!(rx.is_closed());
                let drained: Vec<_> = rx.iter().collect();
                assert_eq!(drained, (0..CAP).collect::<Vec<_>>());
                assert_eq!(rx.try_recv(), Err(TryRecvError::Closed));
            }

            #[test]
            fn for_loop_over_the_receiver_ends_at_close_and_drained() {
                let (tx, rx) = channel(CAP);
                thread::scope(|s| {
                    s.spawn(|| {
                        for i in 0..100 {
                            tx.send(i).unwrap();
                        }
                        tx.close();
                    });
                    let mut next = 0;
                    for v in &rx {
                        assert_eq!(v, next);
                        next += 1;
                    }
                    assert_eq!(next, 100);
                });
            }

            #[test]
            fn spsc_100k_in_order_then_none_after_close() {
                const COUNT: usize = 100_000;
                let (tx, rx) = channel(CAP);
                thread::scope(|s| {
                    s.spawn(|| {
                        for i in 0..COUNT {
                            assert_eq!(rx.recv(), Some(i));
                        }
                        assert_eq!(rx.recv(), None);
                    });
                    for i in 0..COUNT {
                        tx.send(i).unwrap();
                    }
                    tx.close();
                });
            }

            #[test]
            fn mpmc_4x4_loses_and_duplicates_nothing() {
                const COUNT: usize = 10_000;
                const THREADS: usize = 4;
                let (tx, rx) = channel::<usize>(CAP);
                let seen: Vec<AtomicUsize> = (0..COUNT).map(|_| AtomicUsize::new(0)).collect();
                thread::scope(|s| {
                    for _ in 0..THREADS {
                        s.spawn(|| {
                            for _ in 0..COUNT {
                                seen[rx.recv().unwrap()].fetch_add(1, Ordering::SeqCst);
                            }
                        });
                    }
                    for _ in 0..THREADS {
                        s.spawn(|| {
                            for i in 0..COUNT {
                                tx.send(i).unwrap();
                            }
                        });
                    }
                });
                for c in &seen {
                    assert_eq!(c.load(Ordering::SeqCst), THREADS);
                }
                assert_eq!(rx.try_recv(), Err(TryRecvError::Empty));
            }

            #[test]
            fn stress_oneshot_2k_fresh_channels() {
                for _ in 0..2_000 {
                    let (tx, rx) = channel(CAP);
                    thread::scope(|s| {
                        s.spawn(|| rx.recv().unwrap());
                        s.spawn(|| tx.send(0).unwrap());
                    });
                }
            }

            #[test]
            fn stress_try_iter_request_response() {
                const COUNT: usize = 1_000;
                let (request_tx, request_rx) = channel(CAP);
                let (response_tx, response_rx) = channel(CAP);
                thread::scope(|s| {
                    s.spawn(move || {
                        let mut count = 0;
                        loop {
                            for x in response_rx.try_iter() {
                                count += x;
                                if count == COUNT {
                                    request_tx.close();
                                    return;
                                }
                            }
                            let _ = request_tx.try_send(());
                        }
                    });
                    for _ in request_rx.iter() {
                        // Go: a responder that outlives its requester would block here for ever;
                        // the requester closes the request channel, which ends this loop.
                        if response_tx.send_timeout(1, ms(1_000)).is_err() {
                            break;
                        }
                    }
                });
            }

            #[test]
            fn stress_timeouts_two_threads_in_order() {
                const COUNT: usize = 100;
                let (tx, rx) = channel(CAP);
                thread::scope(|s| {
                    s.spawn(|| {
                        for i in 0..COUNT {
                            if i % 2 == 0 {
                                thread::sleep(ms(3));
                            }
                            while tx.send_timeout(i, ms(1)).is_err() {}
                        }
                    });
                    s.spawn(|| {
                        for i in 0..COUNT {
                            if i % 2 == 0 {
                                thread::sleep(ms(3));
                            }
                            loop {
                                if let Ok(x) = rx.recv_timeout(ms(1)) {
                                    assert_eq!(x, i);
                                    break;
                                }
                            }
                        }
                    });
                });
            }

            #[test]
            fn drops_counted_exactly_once_received_buffered_or_returned() {
                let mut seed = 0x2545_f491_4f6c_dd1du64;
                for _ in 0..50 {
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    let steps = (seed % 2_000) as usize;
                    let extra = CAP;
                    let drops = Arc::new(AtomicUsize::new(0));
                    let (tx, rx) = channel::<DropCounter>(CAP);
                    thread::scope(|s| {
                        s.spawn(|| {
                            for _ in 0..steps {
                                rx.recv().unwrap();
                            }
                        });
                        s.spawn(|| {
                            for _ in 0..steps {
                                tx.send(DropCounter(drops.clone())).unwrap();
                            }
                        });
                    });
                    assert_eq!(drops.load(Ordering::SeqCst), steps);
                    // Still buffered when the last handle drops: dropped with the channel.
                    for _ in 0..extra {
                        tx.send(DropCounter(drops.clone())).unwrap();
                    }
                    assert_eq!(drops.load(Ordering::SeqCst), steps);
                    // Returned in an error: dropped by whoever holds the error.
                    let full = tx.try_send(DropCounter(drops.clone()));
                    assert!(matches!(full, Err(TrySendError::Full(_))));
                    drop(full);
                    assert_eq!(drops.load(Ordering::SeqCst), steps + 1);
                    drop(tx);
                    assert_eq!(
                        drops.load(Ordering::SeqCst),
                        steps + 1,
                        "dropping a sender drops nothing"
                    );
                    drop(rx);
                    assert_eq!(drops.load(Ordering::SeqCst), steps + 1 + extra);
                }
            }

            #[test]
            fn select_is_fair_between_two_ready_channels() {
                const COUNT: usize = 10_000;
                let (tx1, rx1) = channel::<()>(CAP);
                let (tx2, rx2) = channel::<()>(CAP);
                thread::scope(|s| {
                    s.spawn(|| {
                        let mut hits = [0usize; 2];
                        for _ in 0..COUNT {
                            let i = select().recv(&rx1, |_| 0).recv(&rx2, |_| 1).wait();
                            hits[i] += 1;
                        }
                        assert!(
                            hits.iter().all(|&x| x >= COUNT / hits.len() / 2),
                            "{hits:?}"
                        );
                    });
                    let mut hits = [0usize; 2];
                    for _ in 0..COUNT {
                        let i = select().send(&tx1, (), |_| 0).send(&tx2, (), |_| 1).wait();
                        hits[i] += 1;
                    }
                    assert!(
                        hits.iter().all(|&x| x >= COUNT / hits.len() / 2),
                        "{hits:?}"
                    );
                });
            }

            #[test]
            fn select_is_fair_between_duplicate_cases_of_one_channel() {
                const COUNT: usize = 10_000;
                let (tx, rx) = channel::<()>(CAP);
                thread::scope(|s| {
                    s.spawn(|| {
                        let mut hits = [0usize; 5];
                        for _ in 0..COUNT {
                            let i = select()
                                .recv(&rx, |_| 0)
                                .recv(&rx, |_| 1)
                                .recv(&rx, |_| 2)
                                .recv(&rx, |_| 3)
                                .recv(&rx, |_| 4)
                                .wait();
                            hits[i] += 1;
                        }
                        assert!(
                            hits.iter().all(|&x| x >= COUNT / hits.len() / 2),
                            "{hits:?}"
                        );
                    });
                    let mut hits = [0usize; 5];
                    for _ in 0..COUNT {
                        let i = select()
                            .send(&tx, (), |_| 0)
                            .send(&tx, (), |_| 1)
                            .send(&tx, (), |_| 2)
                            .send(&tx, (), |_| 3)
                            .send(&tx, (), |_| 4)
                            .wait();
                        hits[i] += 1;
                    }
                    assert!(
                        hits.iter().all(|&x| x >= COUNT / hits.len() / 2),
                        "{hits:?}"
                    );
                });
            }

            #[test]
            fn recv_inside_a_send_case_value() {
                let (tx, rx) = channel(CAP);
                thread::scope(|s| {
                    s.spawn(|| {
                        thread::sleep(ms(10));
                        rx.recv()
                    });
                    s.spawn(|| {
                        thread::sleep(ms(30));
                        tx.send(()).unwrap();
                    });
                    // Go evaluates a send case's value before the select starts, as Rust does here.
                    select()
                        .send(&tx, rx.recv().unwrap(), |r| r.unwrap())
                        .wait();
                });
            }

            #[test]
            fn channel_sent_through_channel_1000_times() {
                const COUNT: usize = 1_000;
                type T = Box<dyn Any + Send>;
                let (tx, rx) = channel::<T>(CAP);
                thread::scope(|s| {
                    s.spawn(move || {
                        let mut tx = tx;
                        for _ in 0..COUNT {
                            let (new_tx, new_rx) = channel::<T>(CAP);
                            tx.send(Box::new(Some(new_rx))).unwrap();
                            tx = new_tx;
                        }
                    });
                    s.spawn(move || {
                        let mut rx = rx;
                        for _ in 0..COUNT {
                            rx = rx
                                .recv()
                                .unwrap()
                                .downcast_mut::<Option<Receiver<T>>>()
                                .unwrap()
                                .take()
                                .unwrap();
                        }
                    });
                });
            }

            #[test]
            fn select_default_runs_when_nothing_is_ready() {
                let (tx, rx) = channel::<i32>(CAP);
                fill(&tx, 0);
                let r = select().send(&tx, 1, |_| "sent").default(|| "default");
                assert_eq!(r, "default");
                let (_tx2, rx2) = channel::<i32>(CAP);
                assert_eq!(
                    select().recv(&rx2, |_| "recv").default(|| "default"),
                    "default"
                );
                drop(rx);
            }

            #[test]
            fn select_on_a_closed_channel_is_ready_with_none_and_send_gets_the_value_back() {
                let (tx, rx) = channel::<i32>(CAP);
                tx.close();
                assert_eq!(select().recv(&rx, |v| v).default(|| Some(-1)), None);
                let r = select().send(&tx, 3, |r| r).default(|| Ok(()));
                assert_eq!(r, Err(SendError(3)));
            }

            #[test]
            fn select_close_wakes_a_blocked_select() {
                let (tx, rx) = channel::<i32>(CAP);
                let (_tx2, rx2) = channel::<i32>(CAP);
                thread::scope(|s| {
                    let t =
                        s.spawn(|| select().recv(&rx, |v| (0, v)).recv(&rx2, |v| (1, v)).wait());
                    thread::sleep(ms(20));
                    tx.close();
                    assert_eq!(t.join().unwrap(), (0, None));
                });
            }

            #[test]
            fn select_after_times_out_when_nobody_sends() {
                let (_tx, rx) = channel::<i32>(CAP);
                let start = Instant::now();
                let timer = after(ms(30));
                let r = select().recv(&rx, |_| false).after(&timer, |_| true).wait();
                assert!(r);
                assert!(start.elapsed() >= ms(30));
                // The timer delivered once; it is never ready again.
                assert_eq!(timer.try_recv(), None);
            }

            #[test]
            fn select_after_loses_to_a_value_that_arrives_first() {
                let (tx, rx) = channel::<i32>(CAP);
                thread::scope(|s| {
                    s.spawn(|| tx.send(5).unwrap());
                    let timer = after(ms(5_000));
                    let r = select().recv(&rx, |v| v).after(&timer, |_| None).wait();
                    assert_eq!(r, Some(5));
                });
            }

            #[test]
            fn select_unchosen_send_values_are_dropped_once() {
                let drops = Arc::new(AtomicUsize::new(0));
                let (tx1, rx1) = channel::<DropCounter>(CAP);
                let (tx2, _rx2) = channel::<DropCounter>(CAP);
                let filler = Arc::new(AtomicUsize::new(0));
                for _ in 0..CAP {
                    tx2.try_send(DropCounter(filler.clone())).unwrap();
                }
                thread::scope(|s| {
                    s.spawn(|| drop(rx1.recv()));
                    select()
                        .send(&tx1, DropCounter(drops.clone()), |r| r.unwrap())
                        .send(&tx2, DropCounter(drops.clone()), |r| r.unwrap())
                        .wait();
                });
                // One value received and dropped by the receiver, the other dropped by the select.
                assert_eq!(drops.load(Ordering::SeqCst), 2);
            }
        }
    };
}

behaviour!(cap0, 0);
behaviour!(cap1, 1);
behaviour!(cap16, 16);
