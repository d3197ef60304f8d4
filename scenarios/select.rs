//! The buffered channel and `select`: Go's `make(chan T, n)`, `for v := range ch` and the
//! `for { select { … } }` worker loop.
//!
//! The Go original:
//!
//! ```go
//! for {
//!     select {
//!     case job := <-jobs: process(job)
//!     case <-quit:        return
//!     }
//! }
//! ```
//!
//! A buffer decouples sender and receiver until it is full; `range` ends only when the channel is
//! closed; and when several `select` cases are ready Go picks one *at random*, so code that assumes
//! an order between ready cases is wrong one time in two. A closed channel is always ready: a
//! `select` loop that keeps it among its cases spins.

use std::time::Duration;

use crate::chan::{channel, select};
use crate::check::{Checker, Verdict};
use crate::context::Context;
use crate::scenarios::{ALL_PASS, Expectation, Names, Scenario, everyone_finds};
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::{Arc, thread};

/// Correct: the worker loop of the module docs, which drains the queued jobs before it quits.
///
/// Whichever ready case `select` picks, every queued job is processed.
pub fn correct() {
    let (jobs_tx, jobs_rx) = channel::<u32>(1);
    let (quit_tx, quit_rx) = channel::<()>(0);
    let done = Arc::new(AtomicUsize::new(0));
    let worker = {
        let done = done.clone();
        thread::spawn(move || {
            loop {
                let more = select()
                    .recv(&jobs_rx, |job| job.is_some())
                    .recv(&quit_rx, |_| false)
                    .wait();
                if more {
                    done.fetch_add(1, Ordering::SeqCst);
                } else {
                    // Quit, but only after the jobs already queued.
                    while jobs_rx.try_recv().is_ok() {
                        done.fetch_add(1, Ordering::SeqCst);
                    }
                    return;
                }
            }
        })
    };
    jobs_tx.send(1).unwrap();
    quit_tx.close();
    worker.join().unwrap();
    assert_eq!(
        done.load(Ordering::SeqCst),
        1,
        "violation: a queued job was dropped"
    );
}

/// Bug: the same worker loop returns as soon as the `quit` case is chosen.
///
/// **What goes wrong.** Main queues a job and then closes `quit`. When the worker's `select` finds
/// both cases ready, Go picks one at random; half the time it picks `quit`, and the queued job is
/// never processed. The bug needs the *other* ready case. **What each checker reports.** shuttle
/// random and PCT: `Violation` (which ready case runs is a decision of shuttle's schedule, so it is
/// explored). loom: not detected: loom has no nondeterministic choice, racezoo's `select` takes the
/// first ready case listed under loom, which is `jobs`. Stress may find it: real choices are random
/// but both cases must be ready at the same poll. **The fix.** Drain before quitting ([`correct`]),
/// or close `jobs` instead of a separate `quit` and `range` over it.
pub fn quit_beats_job() {
    let (jobs_tx, jobs_rx) = channel::<u32>(1);
    let (quit_tx, quit_rx) = channel::<()>(0);
    let done = Arc::new(AtomicUsize::new(0));
    let worker = {
        let done = done.clone();
        thread::spawn(move || {
            loop {
                let more = select()
                    .recv(&jobs_rx, |job| job.is_some())
                    .recv(&quit_rx, |_| false)
                    .wait();
                if !more {
                    return;
                }
                done.fetch_add(1, Ordering::SeqCst);
            }
        })
    };
    jobs_tx.send(1).unwrap();
    quit_tx.close();
    worker.join().unwrap();
    assert_eq!(
        done.load(Ordering::SeqCst),
        1,
        "violation: a queued job was dropped"
    );
}

/// Correct: a producer sends into a buffered channel and closes it; the consumer ranges to the end.
pub fn range_closed() {
    let (tx, rx) = channel::<u32>(2);
    let producer = thread::spawn(move || {
        for v in 1..=3 {
            tx.send(v).unwrap();
        }
        tx.close();
    });
    let sum: u32 = rx.iter().sum();
    producer.join().unwrap();
    assert_eq!(sum, 6, "violation: a value was lost");
}

/// Bug: a consumer ranges over a channel nobody closes; main sends its values and returns.
///
/// **What goes wrong.** `range` ends only at close; after the last value the consumer waits for
/// ever: a leaked goroutine. **What each checker reports.** loom and shuttle: `Leak`, the consumer
/// stuck in `recv` at the `for` line, in every execution. Stress: `Hang` (leak suspected), same
/// thread and line. **The fix.** The sender closes the channel when it is done ([`range_closed`]).
pub fn range_never_closed() {
    let (tx, rx) = channel::<u32>(2);
    let total = Arc::new(AtomicUsize::new(0));
    {
        let total = total.clone();
        thread::spawn(move || {
            // @range
            for v in &rx {
                total.fetch_add(v as usize, Ordering::SeqCst);
            }
        });
    }
    for v in 1..=2 {
        tx.send(v).unwrap();
    }
}

/// Bug: a buffered channel of capacity 2 gets a third value before the consumer starts (the buffer
/// taken for a queue without bound).
///
/// **What goes wrong.** The third send blocks until someone receives, and the receiver is main,
/// after the loop. **What each checker reports.** Every checker, every execution: `Deadlock` (stress:
/// `Hang`), main stuck in `send`. **The fix.** Start the consumer first, or size the buffer to the
/// values sent before anyone receives.
pub fn buffer_full() {
    let (tx, rx) = channel::<u32>(2);
    for v in 1..=3 {
        tx.send(v).unwrap(); // @full_send
    }
    tx.close();
    assert_eq!(rx.iter().sum::<u32>(), 6);
}

/// Bug: a `select` loop keeps a closed channel among its cases and ignores its `None` (Go's
/// `break` inside `select`, which leaves the `select`, not the `for`).
///
/// ```go
/// for {
///     select {
///     case job, ok := <-jobs:
///         if !ok { break } // leaves the select only
///         process(job)
///     case <-ctx.Done():
///         return
///     }
/// }
/// ```
///
/// **What goes wrong.** Once `jobs` is closed its case is ready in every round; the loop never
/// blocks and never ends (a livelock), and main waits in `join` for ever. **What each checker
/// reports.** loom (its branch limit) and shuttle (its step bound): `Hang`, the never-finishing
/// verdict. Stress: `Hang` once the watchdog fires, main stuck in `join`. The worker sleeps 1 ms
/// per round (a poll interval) so that the thread stress leaves behind does not burn a core.
/// **The fix.** Return on `None` (or set the case aside, Go's `jobs = nil`).
pub fn closed_case_spins() {
    let (jobs_tx, jobs_rx) = channel::<u32>(2);
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let worker = thread::spawn(move || {
        let done = ctx.done();
        loop {
            let stop = select()
                .recv(&jobs_rx, |_job| false)
                .done(&done, || true)
                .wait();
            if stop {
                return;
            }
            thread::sleep(Duration::from_millis(1));
        }
    });
    jobs_tx.send(1).unwrap();
    jobs_tx.close();
    worker.join().unwrap(); // @spin_join
    cancel.cancel();
}

/// The buffered-channel and select scenarios.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        pattern: "select",
        variant: "correct",
        summary: "a select worker loop that drains queued jobs before it quits",
        body: correct,
        expect: ALL_PASS,
        file: file!(),
        source: include_str!("select.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "select",
        variant: "quit_beats_job",
        summary: "both cases ready, select picks quit: a queued job is dropped",
        body: quit_beats_job,
        expect: [
            (
                Checker::Loom,
                Expectation::Misses(
                    "loom cannot vary a select's choice: the first ready case listed (jobs) always runs",
                ),
            ),
            (
                Checker::ShuttleRandom,
                Expectation::Finds(
                    Verdict::Violation,
                    Names::Message("a queued job was dropped"),
                ),
            ),
            (
                Checker::ShuttlePct,
                Expectation::Finds(
                    Verdict::Violation,
                    Names::Message("a queued job was dropped"),
                ),
            ),
            (
                Checker::Stress,
                Expectation::MayFind(
                    Verdict::Violation,
                    Names::Message("a queued job was dropped"),
                ),
            ),
        ],
        file: file!(),
        source: include_str!("select.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "select",
        variant: "range_closed",
        summary: "a producer closes its buffered channel; the consumer's range ends",
        body: range_closed,
        expect: ALL_PASS,
        file: file!(),
        source: include_str!("select.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "select",
        variant: "range_never_closed",
        summary: "a consumer ranges over a channel nobody closes: it leaks",
        body: range_never_closed,
        expect: everyone_finds(
            Verdict::Leak,
            Names::Stuck(&[("recv", "range")]),
            Verdict::Hang,
        ),
        file: file!(),
        source: include_str!("select.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "select",
        variant: "buffer_full",
        summary: "three sends into a buffer of two before anyone receives",
        body: buffer_full,
        expect: everyone_finds(
            Verdict::Deadlock,
            Names::Stuck(&[("send", "full_send")]),
            Verdict::Hang,
        ),
        file: file!(),
        source: include_str!("select.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "select",
        variant: "closed_case_spins",
        summary: "a closed channel left in a select loop fires for ever: livelock",
        body: closed_case_spins,
        expect: [
            (
                Checker::Loom,
                Expectation::Finds(Verdict::Hang, Names::Nothing),
            ),
            (
                Checker::ShuttleRandom,
                Expectation::Finds(Verdict::Hang, Names::Nothing),
            ),
            (
                Checker::ShuttlePct,
                Expectation::Finds(Verdict::Hang, Names::Nothing),
            ),
            (
                Checker::Stress,
                Expectation::Finds(Verdict::Hang, Names::Stuck(&[("join", "spin_join")])),
            ),
        ],
        file: file!(),
        source: include_str!("select.rs"),
        pending: &[],
    },
];
