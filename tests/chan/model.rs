//! Model tests of the channel protocols, run under every checker of the build's flavour: loom
//! (exhaustive within the preemption bound), shuttle random and PCT, or real-thread stress.
//!
//! Each body is small (at most 3 spawned threads) so that loom finishes within its budget. The
//! failing twin of the handshake (a capacity-1 channel where a rendezvous is needed: the sender
//! returns before the value is taken) is a zoo scenario, `rendezvous::handoff_buffered`, and the
//! zoo's test proves every checker finds it.

use std::sync::atomic::AtomicUsize as StdAtomicUsize;
use std::sync::atomic::Ordering::Relaxed as StdRelaxed;
use std::time::Duration;

use racezoo::chan::{SendError, SendTimeoutError, after, channel, select};
use racezoo::check::{Checker, Config, Report, Verdict};
use racezoo::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use racezoo::sync::{Arc, thread};

/// Runs `body` under every available checker and returns the reports.
fn run_all<F>(config: &Config, body: F) -> Vec<Report>
where
    F: Fn() + Send + Sync + Clone + 'static,
{
    Checker::available()
        .into_iter()
        .map(|checker| {
            let report = checker.run(config, body.clone()).expect("available");
            eprintln!("{report}");
            report
        })
        .collect()
}

/// Asserts that every available checker passes `body`.
fn assert_passes<F>(body: F)
where
    F: Fn() + Send + Sync + Clone + 'static,
{
    let config = Config {
        runs: 100,
        ..Config::default()
    };
    for report in run_all(&config, body) {
        assert_eq!(report.verdict, Verdict::Pass, "{report}");
        assert!(report.complete, "{report}");
    }
}

/// The rendezvous property: everything the receiver did before receiving is visible once `send`
/// returns, because the send returned only after the value was taken.
fn handoff(cap: usize) -> impl Fn() + Send + Sync + Clone + 'static {
    move || {
        let (tx, rx) = channel::<u32>(cap);
        let arrived = Arc::new(AtomicBool::new(false));
        let receiver = {
            let arrived = arrived.clone();
            thread::spawn(move || {
                arrived.store(true, Ordering::Relaxed);
                assert_eq!(rx.recv(), Some(7));
            })
        };
        tx.send(7).unwrap();
        assert!(
            arrived.load(Ordering::Relaxed),
            "violation: send returned before the receiver took the value"
        );
        receiver.join().unwrap();
    }
}

#[test]
fn rendezvous_send_returns_only_after_the_receiver_has_the_value() {
    assert_passes(handoff(0));
}

/// A sender, a receiver and a close race; whatever the order, the value is either received or given
/// back, never both and never lost.
fn close_race(cap: usize) -> impl Fn() + Send + Sync + Clone + 'static {
    move || {
        let (tx, rx) = channel::<u32>(cap);
        let sender = {
            let tx = tx.clone();
            thread::spawn(move || tx.send(1))
        };
        let receiver = thread::spawn(move || rx.recv());
        tx.close();
        let sent = sender.join().unwrap();
        let got = receiver.join().unwrap();
        match sent {
            Ok(()) => assert_eq!(got, Some(1), "violation: a sent value was lost"),
            Err(SendError(v)) => {
                assert_eq!(v, 1, "violation: the refused value did not come back");
                assert_eq!(got, None, "violation: a refused value was also received");
            }
        }
    }
}

#[test]
fn close_racing_with_a_blocked_sender_and_receiver_loses_nothing_cap0() {
    assert_passes(close_race(0));
}

#[test]
fn close_racing_with_a_blocked_sender_and_receiver_loses_nothing_cap1() {
    assert_passes(close_race(1));
}

/// Capacity 1 through full and empty: three values, in order, nothing left over.
fn buffered_transitions() {
    let (tx, rx) = channel::<u32>(1);
    let sender = thread::spawn(move || {
        for i in 0..3 {
            tx.send(i).unwrap();
        }
        tx
    });
    for i in 0..3 {
        assert_eq!(rx.recv(), Some(i), "violation: FIFO order");
    }
    let tx = sender.join().unwrap();
    assert!(rx.try_recv().is_err());
    assert_eq!(tx.len(), 0);
}

#[test]
fn buffered_full_and_empty_transitions_keep_fifo_order() {
    assert_passes(buffered_transitions);
}

/// Two senders blocked (or about to block) on two rendezvous channels; two selects take each value
/// exactly once.
fn select_two_ready() {
    let (tx1, rx1) = channel::<u32>(0);
    let (tx2, rx2) = channel::<u32>(0);
    let a = thread::spawn(move || tx1.send(1).unwrap());
    let b = thread::spawn(move || tx2.send(2).unwrap());
    let mut got = Vec::new();
    for _ in 0..2 {
        got.push(select().recv(&rx1, |v| v).recv(&rx2, |v| v).wait().unwrap());
    }
    if got[0] == 1 {
        FIRST_ONE.fetch_add(1, StdRelaxed);
    } else {
        FIRST_TWO.fetch_add(1, StdRelaxed);
    }
    got.sort();
    assert_eq!(got, [1, 2], "violation: a value was lost or duplicated");
    a.join().unwrap();
    b.join().unwrap();
}

static FIRST_ONE: StdAtomicUsize = StdAtomicUsize::new(0);
static FIRST_TWO: StdAtomicUsize = StdAtomicUsize::new(0);

#[test]
fn select_with_two_ready_cases_takes_each_value_exactly_once() {
    assert_passes(select_two_ready);
    if Checker::available() != [Checker::Stress] {
        // Exploring the model reaches both orders.
        assert!(FIRST_ONE.load(StdRelaxed) > 0 && FIRST_TWO.load(StdRelaxed) > 0);
    }
}

/// Selects on both sides: two threads each offer a value on either of two rendezvous channels, main
/// selects a receive over both twice. Each sender completes exactly one of its two cases and the
/// other value is dropped; contexts already claimed through one channel are skipped on the other.
fn select_both_sides() {
    let (tx1, rx1) = channel::<u32>(0);
    let (tx2, rx2) = channel::<u32>(0);
    let offer = |a: u32, b: u32| {
        let (tx1, tx2) = (tx1.clone(), tx2.clone());
        thread::spawn(move || {
            select()
                .send(&tx1, a, |r| r.map(|()| a))
                .send(&tx2, b, |r| r.map(|()| b))
                .wait()
                .unwrap()
        })
    };
    let (a, b) = (offer(1, 2), offer(3, 4));
    let mut got = Vec::new();
    for _ in 0..2 {
        got.push(select().recv(&rx1, |v| v).recv(&rx2, |v| v).wait().unwrap());
    }
    let mut sent = vec![a.join().unwrap(), b.join().unwrap()];
    got.sort();
    sent.sort();
    assert_eq!(
        got, sent,
        "violation: received values differ from the sent ones"
    );
    assert!(
        got[0] <= 2 && got[1] >= 3,
        "violation: one sender completed twice"
    );
}

#[test]
fn select_on_both_sides_completes_exactly_one_case_per_select() {
    assert_passes(select_both_sides);
}

/// A select between a result and a one-hour timeout; after a timeout the value is still received
/// (nothing lost, the sender not leaked).
fn select_timeout() {
    let (tx, rx) = channel::<u32>(0);
    let worker = thread::spawn(move || tx.send(9).unwrap());
    let timer = after(Duration::from_secs(3600));
    match select().recv(&rx, |v| v).after(&timer, |_| None).wait() {
        Some(v) => {
            assert_eq!(v, 9);
            RESULT_FIRST.fetch_add(1, StdRelaxed);
        }
        None => {
            TIMEOUT_FIRST.fetch_add(1, StdRelaxed);
            assert_eq!(
                rx.recv(),
                Some(9),
                "violation: the result was lost after a timeout"
            );
        }
    }
    worker.join().unwrap();
}

static RESULT_FIRST: StdAtomicUsize = StdAtomicUsize::new(0);
static TIMEOUT_FIRST: StdAtomicUsize = StdAtomicUsize::new(0);

#[test]
fn select_timeout_fires_at_any_point_under_the_checkers_and_loses_nothing() {
    assert_passes(select_timeout);
    assert!(RESULT_FIRST.load(StdRelaxed) > 0);
    if Checker::available() != [Checker::Stress] {
        // Time passes arbitrarily under loom and shuttle: both orders were explored. (On real
        // threads an hour-long timer never wins.)
        assert!(TIMEOUT_FIRST.load(StdRelaxed) > 0);
    }
}

#[test]
fn select_timeout_with_nobody_sending_is_a_timeout_not_a_deadlock() {
    assert_passes(|| {
        let (tx, rx) = channel::<u32>(0);
        // Two selects, each alone on its side of one channel that is never used.
        let other = thread::spawn(move || {
            let timer = after(Duration::from_millis(1));
            select()
                .send(&tx, 1, |_| false)
                .after(&timer, |_| true)
                .wait()
        });
        let timer = after(Duration::from_millis(1));
        let mine = select().recv(&rx, |_| false).after(&timer, |_| true).wait();
        let theirs = other.join().unwrap();
        // Either both timed out, or they met (a send and a receive case of one channel).
        assert_eq!(
            mine, theirs,
            "violation: one side completed without the other"
        );
    });
}

/// A timed send and a timed receive race; each may time out at any point. A value is received exactly
/// when its send succeeded, and a timed-out send gives it back (the aborted entry leaves the queue).
fn timed_ops(cap: usize) -> impl Fn() + Send + Sync + Clone + 'static {
    move || {
        let (tx, rx) = channel::<u32>(cap);
        let hour = Duration::from_secs(3600);
        let sender = thread::spawn(move || (tx.send_timeout(5, hour), tx));
        let got = rx.recv_timeout(hour);
        let (sent, tx) = sender.join().unwrap();
        let late = rx.try_recv().ok();
        match sent {
            Ok(()) => assert_eq!(
                got.ok().or(late),
                Some(5),
                "violation: a sent value was lost"
            ),
            Err(SendTimeoutError::Timeout(v)) => {
                assert_eq!(v, 5);
                assert!(got.is_err() && late.is_none(), "violation: duplicated");
            }
            Err(SendTimeoutError::Closed(_)) => panic!("violation: nobody closed"),
        }
        assert_eq!(tx.len(), 0, "violation: a value stayed behind");
    }
}

#[test]
fn timed_send_and_receive_lose_nothing_when_either_times_out_cap0() {
    assert_passes(timed_ops(0));
}

#[test]
fn timed_send_and_receive_lose_nothing_when_either_times_out_cap1() {
    assert_passes(timed_ops(1));
}

/// A select blocked on two channels while one of them is closed and the other gets a value: it
/// completes exactly one case, and a value it did not take is still there.
fn select_vs_close() {
    let (tx1, rx1) = channel::<u32>(0);
    let (tx2, rx2) = channel::<u32>(0);
    let closer = thread::spawn(move || tx1.close());
    let sender = thread::spawn(move || tx2.send(2).is_ok());
    let first = select()
        .recv(&rx1, |v| (1, v))
        .recv(&rx2, |v| (2, v))
        .wait();
    match first {
        (1, v) => {
            assert_eq!(v, None, "violation: a closed channel yielded a value");
            assert_eq!(rx2.recv(), Some(2), "violation: the other value was lost");
        }
        (_, v) => assert_eq!(v, Some(2)),
    }
    closer.join().unwrap();
    assert!(sender.join().unwrap());
}

#[test]
fn select_racing_with_close_completes_exactly_one_case() {
    assert_passes(select_vs_close);
}

/// Two senders and two receivers on a small buffer; every value arrives exactly once.
fn mpmc(cap: usize) -> impl Fn() + Send + Sync + Clone + 'static {
    move || {
        let (tx, rx) = channel::<u32>(cap);
        let senders: Vec<_> = (0..2)
            .map(|s| {
                let tx = tx.clone();
                thread::spawn(move || tx.send(s).unwrap())
            })
            .collect();
        let other = {
            let rx = rx.clone();
            thread::spawn(move || rx.recv().unwrap())
        };
        let mine = rx.recv().unwrap();
        for s in senders {
            s.join().unwrap();
        }
        let theirs = other.join().unwrap();
        let mut got = [mine, theirs];
        got.sort();
        assert_eq!(got, [0, 1], "violation: a value was lost or duplicated");
    }
}

#[test]
fn mpmc_two_by_two_delivers_each_value_once_cap0() {
    assert_passes(mpmc(0));
}

#[test]
fn mpmc_two_by_two_delivers_each_value_once_cap1() {
    // Four threads on the lock-free ring: loom needs hundreds of thousands of executions (about a
    // minute) at two preemptions and thousands at one. The ring's protocols are explored at the full bound by the
    // three-thread models below; this one keeps the four-thread mix at one preemption.
    let config = Config {
        runs: 100,
        preemptions: Some(Config::default().preemptions.unwrap_or(1).min(1)),
        ..Config::default()
    };
    for report in run_all(&config, mpmc(1)) {
        assert_eq!(report.verdict, Verdict::Pass, "{report}");
        assert!(report.complete, "{report}");
    }
}

/// Two senders on a one-slot ring and one receiver: one sender finds the ring full and waits until
/// the receive makes room (the `SENDERS` flag and a receiver's settle), or a mark on the slot being
/// read out.
fn full_ring_two_senders() {
    let (tx, rx) = channel::<u32>(1);
    let senders: Vec<_> = (0..2)
        .map(|s| {
            let tx = tx.clone();
            thread::spawn(move || tx.send(s).unwrap())
        })
        .collect();
    let mut got = [rx.recv().unwrap(), rx.recv().unwrap()];
    for s in senders {
        s.join().unwrap();
    }
    got.sort();
    assert_eq!(got, [0, 1], "violation: a value was lost or duplicated");
    assert!(rx.try_recv().is_err(), "violation: a value was duplicated");
}

#[test]
fn a_sender_waiting_on_a_full_ring_is_let_in_by_the_receive_that_makes_room() {
    assert_passes(full_ring_two_senders);
}

/// A sender blocked on a full one-slot ring must complete once a receive makes room, with nobody
/// receiving again: the receive that made room releases it (the `SENDERS` flag), not a later
/// receive.
fn room_releases_blocked_sender() {
    let (tx, rx) = channel::<u32>(1);
    tx.send(1).unwrap();
    let sender = thread::spawn(move || tx.send(2).unwrap());
    assert_eq!(rx.recv(), Some(1), "violation: FIFO order");
    sender.join().unwrap();
    assert_eq!(
        rx.try_recv(),
        Ok(2),
        "violation: the released value is not buffered"
    );
}

#[test]
fn a_blocked_sender_completes_once_a_receive_makes_room() {
    assert_passes(room_releases_blocked_sender);
}

/// Two receivers on an empty ring and one sender sending twice: a receiver that queued itself is
/// handed a value by the send that finds the `RECEIVERS` flag, or by its own settle.
fn empty_ring_two_receivers() {
    let (tx, rx) = channel::<u32>(1);
    let receivers: Vec<_> = (0..2)
        .map(|_| {
            let rx = rx.clone();
            thread::spawn(move || rx.recv().unwrap())
        })
        .collect();
    tx.send(1).unwrap();
    tx.send(2).unwrap();
    let mut got: Vec<u32> = receivers.into_iter().map(|r| r.join().unwrap()).collect();
    got.sort();
    assert_eq!(got, [1, 2], "violation: a value was lost or duplicated");
}

#[test]
fn receivers_waiting_on_an_empty_ring_each_get_one_value() {
    assert_passes(empty_ring_two_receivers);
}

/// Counts drops of the values it wraps.
struct Counted(Arc<AtomicUsize>);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

/// Values still in the ring when the last handle goes are dropped by the channel, exactly once,
/// whatever a concurrent receive took.
fn last_handle_drops_buffered_values() {
    let drops = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = channel::<Counted>(2);
    tx.send(Counted(drops.clone())).unwrap();
    tx.send(Counted(drops.clone())).unwrap();
    let receiver = thread::spawn(move || drop(rx.try_recv()));
    drop(tx);
    receiver.join().unwrap();
    assert_eq!(
        drops.load(Ordering::Relaxed),
        2,
        "violation: a value was dropped twice or never"
    );
}

#[test]
fn values_left_in_the_ring_are_dropped_exactly_once_by_the_last_handle() {
    assert_passes(last_handle_drops_buffered_values);
}

// ---- larger configurations: shuttle and stress (too many threads for loom) --------------------

/// Runs `body` under the available checkers except loom, and asserts they pass.
fn assert_passes_without_loom<F>(body: F)
where
    F: Fn() + Send + Sync + Clone + 'static,
{
    let config = Config {
        runs: 50,
        iterations: 5_000,
        ..Config::default()
    };
    for checker in Checker::available() {
        if checker == Checker::Loom {
            continue;
        }
        let report = checker.run(&config, body.clone()).expect("available");
        eprintln!("{report}");
        assert_eq!(report.verdict, Verdict::Pass, "{report}");
    }
}

/// Three senders and three ranging receivers; close after the senders finish ends every range.
fn pipeline(cap: usize) -> impl Fn() + Send + Sync + Clone + 'static {
    move || {
        let (tx, rx) = channel::<u32>(cap);
        let got = Arc::new(racezoo::sync::Mutex::new(Vec::new()));
        let senders: Vec<_> = (0..3)
            .map(|s| {
                let tx = tx.clone();
                thread::spawn(move || {
                    for i in 0..2 {
                        tx.send(s * 10 + i).unwrap();
                    }
                })
            })
            .collect();
        let receivers: Vec<_> = (0..3)
            .map(|_| {
                let (rx, got) = (rx.clone(), got.clone());
                thread::spawn(move || {
                    for v in &rx {
                        got.lock().push(v);
                    }
                })
            })
            .collect();
        for s in senders {
            s.join().unwrap();
        }
        tx.close();
        for r in receivers {
            r.join().unwrap();
        }
        let mut got = got.lock().clone();
        got.sort();
        assert_eq!(got, [0, 1, 10, 11, 20, 21], "violation: lost or duplicated");
    }
}

#[test]
fn pipeline_3x3_ranges_end_at_close_with_every_value_once_cap0() {
    assert_passes_without_loom(pipeline(0));
}

#[test]
fn pipeline_3x3_ranges_end_at_close_with_every_value_once_cap2() {
    assert_passes_without_loom(pipeline(2));
}

/// Go's worker loop: `for { select { case j := <-jobs: ...; case <-quit: return; case <-time.After(d):
/// idle++ } }`. Every job sent before quit is processed, whatever the timeouts did.
fn worker_loop() {
    let (jobs_tx, jobs_rx) = channel::<u32>(0);
    let (quit_tx, quit_rx) = channel::<()>(0);
    let worker = thread::spawn(move || {
        let mut done = Vec::new();
        loop {
            let timer = after(Duration::from_millis(10));
            let stop = select()
                .recv(&jobs_rx, |j| {
                    done.push(j.unwrap());
                    false
                })
                .recv(&quit_rx, |_| true)
                .after(&timer, |_| false)
                .wait();
            if stop {
                return done;
            }
        }
    });
    let producer = {
        let jobs_tx = jobs_tx.clone();
        thread::spawn(move || {
            for j in 0..3 {
                jobs_tx.send(j).unwrap();
            }
        })
    };
    producer.join().unwrap();
    quit_tx.close();
    let done = worker.join().unwrap();
    assert_eq!(done, [0, 1, 2], "violation: a job was lost");
}

#[test]
fn select_worker_loop_with_quit_and_idle_timeouts_processes_every_job() {
    assert_passes_without_loom(worker_loop);
}
