//! The rendezvous (unbuffered) channel: Go's `make(chan T)`, where a send completes only when a
//! receiver takes the value.
//!
//! The Go original (the seeds' ping):
//!
//! ```go
//! messages := make(chan string)
//! go func() { messages <- "ping" }() // blocks until main receives
//! msg := <-messages
//! ```
//!
//! A rendezvous couples two goroutines: each waits for the other. Every bug here is one side that
//! never comes (a deadlock or an abandoned sender) or one side that closes the channel under the
//! other (Go panics: a misuse). racezoo's channel keeps Go's rules: dropping a handle never closes
//! anything, so an abandoned sender stays blocked exactly as Go's goroutine leaks.

use std::time::Duration;

use crate::chan::{after, channel, select};
use crate::check::Verdict;
use crate::misuse::{self, CLOSE_OF_CLOSED_CHANNEL, SEND_ON_CLOSED_CHANNEL};
use crate::scenarios::{ALL_PASS, Names, Scenario, everyone_finds, models_find};
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::{Arc, thread};

/// How long the slow worker of [`timeout_abandons_worker`] works, and how long main waits for it.
const WORK: Duration = Duration::from_millis(5);
/// The timeout of [`timeout_abandons_worker`]: shorter than the work, so on real threads it wins.
const TIMEOUT: Duration = Duration::from_millis(1);

/// Correct: a worker sends one value, main receives it, then joins the worker.
///
/// Every checker passes: the send and the receive always meet.
pub fn correct() {
    let (tx, rx) = channel::<u32>(0);
    let worker = thread::spawn(move || tx.send(7).unwrap());
    assert_eq!(rx.recv(), Some(7));
    worker.join().unwrap();
}

/// Bug: main sends on an unbuffered channel before anyone receives (Go: "fatal error: all
/// goroutines are asleep - deadlock!").
///
/// **What goes wrong.** A rendezvous send waits for a receiver; the only receiver is main itself,
/// two lines further down. **What each checker reports.** loom and shuttle: `Deadlock`, main stuck
/// in `send` at the tagged line, in the first execution (there is nothing else to schedule). Stress:
/// `Hang` once the watchdog fires, with the same stuck thread: a watchdog can only suspect it.
/// **The fix.** Receive in another thread, or give the channel room (`channel(1)`).
pub fn no_receiver() {
    let (tx, rx) = channel::<u32>(0);
    tx.send(1).unwrap(); // @no_receiver_send
    assert_eq!(rx.recv(), Some(1));
}

/// Bug: two replicas answer the same request on an unbuffered channel; main takes the first answer
/// and returns (Go's "first response wins" query).
///
/// **What goes wrong.** The slower replica's send has no receiver any more and blocks for ever: a
/// leaked goroutine per request. **What each checker reports.** loom and shuttle: `Leak` (main
/// returned, a replica is stuck in `send`). Stress: `Hang` (leak suspected) with the same stuck
/// send. **The fix.** Give the channel one slot per replica ([`first_response_buffered`]), so every
/// send completes, or drain the other answers.
pub fn first_response_wins() {
    let (tx, rx) = channel::<u32>(0);
    for replica in 0..2 {
        let tx = tx.clone();
        thread::spawn(move || {
            let _ = tx.send(replica); // @replica_send
        });
    }
    assert!(rx.recv().is_some());
}

/// Correct: [`first_response_wins`] with a slot per replica; the late answer lands in the buffer,
/// so every replica finishes (main can even join them).
pub fn first_response_buffered() {
    let (tx, rx) = channel::<u32>(2);
    let replicas: Vec<_> = (0..2)
        .map(|replica| {
            let tx = tx.clone();
            thread::spawn(move || {
                let _ = tx.send(replica);
            })
        })
        .collect();
    assert!(rx.recv().is_some());
    for r in replicas {
        r.join().unwrap();
    }
}

/// Bug: main waits for a slow worker's answer with a timeout (`select` with `time.After`) and
/// returns when the timeout wins; the worker later sends on the unbuffered channel nobody reads.
///
/// **What goes wrong.** The worker blocks in `send` for ever: the timeout abandoned it. **What each
/// checker reports.** loom and shuttle: `Leak`, the worker stuck in `send` (neither models time: the
/// timer may fire at any point, so "timeout first" is explored). Stress: `Hang` (leak suspected),
/// since the real timeout (1 ms) is shorter than the work (5 ms). **The fix.** A channel of capacity
/// 1 ([`timeout_buffered`]): the late answer is buffered and dropped with the channel.
pub fn timeout_abandons_worker() {
    let (tx, rx) = channel::<u32>(0);
    thread::spawn(move || {
        thread::sleep(WORK);
        let _ = tx.send(42); // @late_send
    });
    let timeout = after(TIMEOUT);
    let _answer = select().recv(&rx, |v| v).after(&timeout, |_| None).wait();
}

/// Correct: [`timeout_abandons_worker`] with a buffered channel; the worker's send always completes.
pub fn timeout_buffered() {
    let (tx, rx) = channel::<u32>(1);
    thread::spawn(move || {
        thread::sleep(WORK);
        let _ = tx.send(42);
    });
    let timeout = after(TIMEOUT);
    let _answer = select().recv(&rx, |v| v).after(&timeout, |_| None).wait();
}

/// Sends `value` as Go does: a send on a closed channel panics (racezoo returns the value in an
/// `Err`; the zoo turns it back into Go's panic).
#[track_caller]
fn go_send(tx: &crate::chan::Sender<u32>, value: u32) {
    if tx.send(value).is_err() {
        misuse::misuse(SEND_ON_CLOSED_CHANNEL);
    }
}

/// Bug: main wants one value from a producer that has two to send, and closes the channel once it
/// has its value, while the producer is still sending.
///
/// **What goes wrong.** Go: "panic: send on closed channel" in the producer. Only the sender knows
/// when it is done sending, so only the sender may close. **What each checker reports.** Every
/// checker: `Misuse`, Go's message, in every execution (the second send either waits when the close
/// comes or starts after it). **The fix.** Tell the producer to stop through a separate signal (a
/// context, a `done` channel) and let it close its own channel.
pub fn send_after_close() {
    let (tx, rx) = channel::<u32>(0);
    let producer = {
        let tx = tx.clone();
        thread::spawn(move || {
            for v in 0..2 {
                go_send(&tx, v);
            }
        })
    };
    assert_eq!(rx.recv(), Some(0));
    tx.close();
    let _ = producer.join();
}

/// Bug: two producers send; the receiver takes the first value and closes the channel "to tell the
/// others to stop".
///
/// **What goes wrong.** Closing is a message from the *sender* side; a producer still in (or about
/// to start) its send panics (Go: "send on closed channel"). It is the tempting "fix" of
/// [`first_response_wins`]: it turns a leak into a crash. **What each checker reports.** Every
/// checker: `Misuse` in every execution (one value is taken, the other send meets the close).
/// **The fix.** Buffer one slot per producer, or cancel a context the producers select on.
pub fn receiver_closes() {
    let (tx, rx) = channel::<u32>(0);
    let producers: Vec<_> = (0..2)
        .map(|p| {
            let tx = tx.clone();
            thread::spawn(move || go_send(&tx, p))
        })
        .collect();
    assert!(rx.recv().is_some());
    tx.close();
    for p in producers {
        let _ = p.join();
    }
}

/// Bug: two workers each close a shared `done` channel when they finish, guarded by "if it is not
/// closed yet".
///
/// **What goes wrong.** The guard is a check-then-act: both workers can see "open" before either
/// closes, and the second close panics (Go: "close of closed channel"). **What each checker
/// reports.** loom, shuttle random and PCT: `Misuse` within a few executions. Stress may miss it:
/// the window between the check and the close is a few instructions. **The fix.** Close once, from
/// the one place that knows everyone is done (after a `WaitGroup::wait`), or with a `sync.Once`.
pub fn double_close() {
    let (done_tx, done_rx) = channel::<()>(0);
    let workers: Vec<_> = (0..2)
        .map(|_| {
            let done = done_tx.clone();
            thread::spawn(move || {
                if !done.is_closed() {
                    done.close();
                }
            })
        })
        .collect();
    assert_eq!(done_rx.recv(), None);
    for w in workers {
        let _ = w.join();
    }
}

/// Bug: the handoff channel got a buffer (`make(chan Job, 1)` where `make(chan Job)` was meant), and
/// main still reads "my send returned" as "the worker has taken the job" — say, to report the job as
/// started.
///
/// **What goes wrong.** Only an unbuffered send waits for its receiver; a buffered one returns as
/// soon as the value is in the buffer, before the worker even reached its receive. **What each
/// checker reports.** loom and shuttle: `Violation` (`send returned before the worker took the job`)
/// in an early execution: any schedule that runs main's send before the worker starts. Stress: often
/// missed, since a freshly spawned thread usually reaches its receive first. **The fix.** An
/// unbuffered channel ([`correct`]) when the send is meant as a handshake; otherwise have the worker
/// say when it has the job.
pub fn handoff_buffered() {
    let (tx, rx) = channel::<u32>(1);
    let started = Arc::new(AtomicBool::new(false));
    let worker = {
        let started = started.clone();
        thread::spawn(move || {
            started.store(true, Ordering::SeqCst);
            assert_eq!(rx.recv(), Some(7));
        })
    };
    tx.send(7).unwrap();
    assert!(
        started.load(Ordering::SeqCst),
        "violation: send returned before the worker took the job"
    );
    worker.join().unwrap();
}

/// The rendezvous scenarios.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        pattern: "rendezvous",
        variant: "correct",
        summary: "a worker sends one value, main receives it and joins",
        body: correct,
        expect: ALL_PASS,
        file: file!(),
        source: include_str!("rendezvous.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "rendezvous",
        variant: "no_receiver",
        summary: "main sends on an unbuffered channel nobody receives from: global deadlock",
        body: no_receiver,
        expect: everyone_finds(
            Verdict::Deadlock,
            Names::Stuck(&[("send", "no_receiver_send")]),
            Verdict::Hang,
        ),
        file: file!(),
        source: include_str!("rendezvous.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "rendezvous",
        variant: "handoff_buffered",
        summary: "a buffered channel where a handshake was meant: send returns before the worker has the job",
        body: handoff_buffered,
        expect: models_find(
            Verdict::Violation,
            Names::Message("send returned before the worker took the job"),
            Verdict::Violation,
        ),
        file: file!(),
        source: include_str!("rendezvous.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "rendezvous",
        variant: "first_response_wins",
        summary: "main keeps the first of two answers; the other replica blocks in send for ever",
        body: first_response_wins,
        expect: everyone_finds(
            Verdict::Leak,
            Names::Stuck(&[("send", "replica_send")]),
            Verdict::Hang,
        ),
        file: file!(),
        source: include_str!("rendezvous.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "rendezvous",
        variant: "first_response_buffered",
        summary: "the fix: one buffered slot per replica",
        body: first_response_buffered,
        expect: ALL_PASS,
        file: file!(),
        source: include_str!("rendezvous.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "rendezvous",
        variant: "timeout_abandons_worker",
        summary: "select with a timeout returns; the worker's late send blocks for ever",
        body: timeout_abandons_worker,
        expect: everyone_finds(
            Verdict::Leak,
            Names::Stuck(&[("send", "late_send")]),
            Verdict::Hang,
        ),
        file: file!(),
        source: include_str!("rendezvous.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "rendezvous",
        variant: "timeout_buffered",
        summary: "the fix: a capacity-1 channel takes the late answer",
        body: timeout_buffered,
        expect: ALL_PASS,
        file: file!(),
        source: include_str!("rendezvous.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "rendezvous",
        variant: "send_after_close",
        summary: "main closes the channel while the producer still has a value to send",
        body: send_after_close,
        expect: everyone_finds(
            Verdict::Misuse,
            Names::Message(SEND_ON_CLOSED_CHANNEL),
            Verdict::Misuse,
        ),
        file: file!(),
        source: include_str!("rendezvous.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "rendezvous",
        variant: "receiver_closes",
        summary: "the receiver closes the channel after one of two producers' values",
        body: receiver_closes,
        expect: everyone_finds(
            Verdict::Misuse,
            Names::Message(SEND_ON_CLOSED_CHANNEL),
            Verdict::Misuse,
        ),
        file: file!(),
        source: include_str!("rendezvous.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "rendezvous",
        variant: "double_close",
        summary: "two workers close a done channel behind an is-closed check",
        body: double_close,
        expect: models_find(
            Verdict::Misuse,
            Names::Message(CLOSE_OF_CLOSED_CHANNEL),
            Verdict::Misuse,
        ),
        file: file!(),
        source: include_str!("rendezvous.rs"),
        pending: &[],
    },
];
