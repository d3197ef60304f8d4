//! `sync.WaitGroup`: wait for a collection of goroutines to finish.
//!
//! The Go original (the seeds' workers):
//!
//! ```go
//! var wg sync.WaitGroup
//! for i := 1; i <= 3; i++ {
//!     wg.Add(1)             // before the go statement
//!     go worker(i, &wg)     // worker: defer wg.Done()
//! }
//! wg.Wait()
//! ```
//!
//! The contract: `Add` before starting the goroutine, exactly one `Done` per `Add`, one `Wait` per
//! round, and no new round before every `Wait` of the previous one has returned. Each bug below breaks
//! one clause; racezoo's [`WaitGroup`] panics with Go's own messages where Go does, so the harness
//! reports those as `Misuse`.

use crate::chan::channel;
use crate::check::Verdict;
use crate::scenarios::{ALL_PASS, Names, Scenario, everyone_finds, models_find};
use crate::sync::{Arc, Mutex, thread};
use crate::waitgroup::WaitGroup;

/// Correct: `add` before each spawn, `done` at the end of each worker, one `wait`.
pub fn correct() {
    let wg = Arc::new(WaitGroup::new());
    let results = Arc::new(Mutex::new(Vec::new()));
    for id in 0..2 {
        wg.add(1);
        let (wg, results) = (wg.clone(), results.clone());
        thread::spawn(move || {
            results.lock().push(id);
            wg.done();
        });
    }
    wg.wait();
    assert_eq!(
        results.lock().len(),
        2,
        "violation: wait returned before every worker finished"
    );
}

/// Bug: the worker calls `add(1)` itself, inside the spawned thread.
///
/// **What goes wrong.** Main's `wait` can run before the worker's `add`: the counter is still zero
/// and `wait` returns at once, before the work is done. **What each checker reports.** loom and
/// shuttle: `Violation` (main's assertion), in the first executions. Stress usually finds it too
/// (starting a thread is slower than calling `wait`) but cannot be relied on. **The fix.** `add`
/// before the spawn, in the spawning thread (or `wg.go(...)`, which does it for you).
pub fn add_inside() {
    let wg = Arc::new(WaitGroup::new());
    let results = Arc::new(Mutex::new(Vec::new()));
    {
        let (wg, results) = (wg.clone(), results.clone());
        thread::spawn(move || {
            wg.add(1);
            results.lock().push(0);
            wg.done();
        });
    }
    wg.wait();
    assert_eq!(
        results.lock().len(),
        1,
        "violation: wait returned before the worker ran"
    );
}

/// Bug: one worker returns early on an error path and skips its `done` (Go: a `Done` not deferred).
///
/// **What goes wrong.** The counter never reaches zero and `wait` blocks for ever ("all goroutines
/// are asleep"). **What each checker reports.** loom and shuttle: `Deadlock`, main stuck in `wait`
/// at the tagged line, every execution. Stress: `Hang`, same line. **The fix.** Call `done` on every
/// path: Go's `defer wg.Done()`, a drop guard in Rust, or `wg.go(...)`.
pub fn missing_done() {
    let wg = Arc::new(WaitGroup::new());
    for id in 0..2 {
        wg.add(1);
        let wg = wg.clone();
        thread::spawn(move || {
            if id == 1 {
                return; // "invalid input": skips the done below
            }
            wg.done();
        });
    }
    wg.wait(); // @missing_done_wait
}

/// Bug: a worker calls `done` twice (once in its cleanup, once at its end).
///
/// **What goes wrong.** The counter goes below zero; Go panics with "sync: negative WaitGroup
/// counter". **What each checker reports.** Every checker, every execution: `Misuse` with Go's
/// message. **The fix.** Exactly one `done` per `add`.
pub fn double_done() {
    let wg = Arc::new(WaitGroup::new());
    wg.add(1);
    let worker = {
        let wg = wg.clone();
        thread::spawn(move || {
            wg.done(); // cleanup
            wg.done(); // end of work
        })
    };
    wg.wait();
    let _ = worker.join();
}

/// Bug: `wait` inside the spawn loop, so each worker must finish before the next one starts; here
/// worker 0 needs a value from worker 1.
///
/// **What goes wrong.** The loop serialises workers that were meant to run together: worker 0 waits
/// in `recv` for worker 1, which is never started because main waits for worker 0. **What each
/// checker reports.** loom and shuttle: `Deadlock`, main in `wait` and worker 0 in `recv`, every
/// execution. Stress: `Hang`, the same two threads. **The fix.** Start everything, then `wait` once,
/// after the loop.
pub fn wait_in_loop() {
    let wg = Arc::new(WaitGroup::new());
    let (tx, rx) = channel::<u32>(0);
    for id in 0..2 {
        wg.add(1);
        let (group, tx, rx) = (wg.clone(), tx.clone(), rx.clone());
        thread::spawn(move || {
            if id == 0 {
                let _ = rx.recv(); // @partner_recv
            } else {
                let _ = tx.send(1);
            }
            group.done();
        });
        wg.wait(); // @loop_wait
    }
}

/// Bug: the group is reused for a second round while another thread is still inside the first
/// round's `wait`.
///
/// **What goes wrong.** A monitor thread waits on round 1 too. Main's `wait` returns and main starts
/// round 2 with `add(1)` before the monitor has woken: Go panics ("sync: WaitGroup is reused before
/// previous Wait has returned", or, depending on where the `add` lands, "Add called concurrently with
/// Wait"). **What each checker reports.** loom and shuttle: `Misuse` with one of Go's WaitGroup
/// messages. Stress may miss it: the monitor usually wakes first. **The fix.** A new `WaitGroup` per
/// round, or make sure every `wait` of a round has returned before the next `add`.
pub fn reuse_before_wait() {
    let wg = Arc::new(WaitGroup::new());
    wg.add(1);
    let monitor = {
        let wg = wg.clone();
        thread::spawn(move || wg.wait())
    };
    let round1 = {
        let wg = wg.clone();
        thread::spawn(move || wg.done())
    };
    wg.wait();
    wg.add(1); // round 2
    let round2 = {
        let wg = wg.clone();
        thread::spawn(move || wg.done())
    };
    wg.wait();
    for t in [monitor, round1, round2] {
        let _ = t.join();
    }
}

/// The WaitGroup scenarios.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        pattern: "waitgroup",
        variant: "correct",
        summary: "add before each spawn, done in each worker, one wait",
        body: correct,
        expect: ALL_PASS,
        file: file!(),
        source: include_str!("waitgroup.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "waitgroup",
        variant: "add_inside",
        summary: "the worker calls add itself: wait can return before it",
        body: add_inside,
        expect: models_find(
            Verdict::Violation,
            Names::Message("wait returned before the worker ran"),
            Verdict::Violation,
        ),
        file: file!(),
        source: include_str!("waitgroup.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "waitgroup",
        variant: "missing_done",
        summary: "a worker's error path skips done: wait blocks for ever",
        body: missing_done,
        expect: everyone_finds(
            Verdict::Deadlock,
            Names::Stuck(&[("wait", "missing_done_wait")]),
            Verdict::Hang,
        ),
        file: file!(),
        source: include_str!("waitgroup.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "waitgroup",
        variant: "double_done",
        summary: "a worker calls done twice: negative counter",
        body: double_done,
        expect: everyone_finds(
            Verdict::Misuse,
            Names::Message(crate::misuse::NEGATIVE_WAITGROUP_COUNTER),
            Verdict::Misuse,
        ),
        file: file!(),
        source: include_str!("waitgroup.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "waitgroup",
        variant: "wait_in_loop",
        summary: "wait inside the spawn loop serialises two workers that need each other",
        body: wait_in_loop,
        expect: everyone_finds(
            Verdict::Deadlock,
            Names::Stuck(&[("wait", "loop_wait"), ("recv", "partner_recv")]),
            Verdict::Hang,
        ),
        file: file!(),
        source: include_str!("waitgroup.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "waitgroup",
        variant: "reuse_before_wait",
        summary: "a second round starts while a monitor is still in the first round's wait",
        body: reuse_before_wait,
        expect: models_find(
            Verdict::Misuse,
            Names::Message("WaitGroup"),
            Verdict::Misuse,
        ),
        file: file!(),
        source: include_str!("waitgroup.rs"),
        pending: &[],
    },
];
