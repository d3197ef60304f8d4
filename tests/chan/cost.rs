//! What one primitive operation costs a model checker: scheduling points under shuttle (each one a
//! place where the scheduler may switch threads, so each multiplies the schedules it must sample)
//! and executions under loom (how many interleavings a two-thread model of the operation has within
//! the preemption bound). The numbers are documented in `src/chan/mod.rs` ("Cost under the
//! checkers"); these tests print them (`--nocapture`) and hold each at most at its documented value,
//! so a change that adds scheduling points to a primitive shows up here. They are counts, not
//! times: every figure is the same on every machine.
//!
//! Run: `RUSTFLAGS="--cfg shuttle" CARGO_TARGET_DIR=target/shuttle cargo test --release --test
//! chan_cost -- --nocapture` (and the same with `loom`).
#![cfg(any(loom, shuttle))]

use racezoo::chan::{channel, select};
use racezoo::sync::Mutex;
use racezoo::waitgroup::WaitGroup;

/// Scheduling points of single operations on one thread, nobody else running (shuttle only: loom
/// has no counter of its scheduling points).
#[cfg(shuttle)]
mod shuttle_points {
    use std::sync::Mutex as StdMutex;

    use super::*;

    /// Runs `setup` then `op` in one shuttle execution; returns the scheduling points `op` took.
    fn points<S: 'static>(setup: fn() -> S, op: fn(&S)) -> usize {
        static RESULT: StdMutex<usize> = StdMutex::new(0);
        let config = racezoo::check::Config {
            iterations: 1,
            ..racezoo::check::Config::default()
        };
        let report = racezoo::check::shuttle_random(&config, move || {
            let state = setup();
            let before = shuttle::current::context_switches();
            op(&state);
            *RESULT.lock().unwrap() = shuttle::current::context_switches() - before;
        })
        .expect("shuttle runs");
        assert!(report.passed(), "{report}");
        *RESULT.lock().unwrap()
    }

    /// The operations and the most scheduling points each may take.
    #[test]
    fn one_operation_takes_at_most_its_documented_scheduling_points() {
        let rows: Vec<(&str, usize, usize)> = vec![
            (
                "buffered send, room (cap 4)",
                points(|| channel::<u32>(4), |(tx, _)| tx.send(1).unwrap()),
                4,
            ),
            (
                "buffered recv, a value (cap 4)",
                points(
                    || {
                        let (tx, rx) = channel::<u32>(4);
                        tx.send(1).unwrap();
                        (tx, rx)
                    },
                    |(_, rx)| {
                        rx.recv().unwrap();
                    },
                ),
                4,
            ),
            (
                "buffered try_recv, empty (cap 4)",
                points(
                    || channel::<u32>(4),
                    |(_, rx)| {
                        let _ = rx.try_recv();
                    },
                ),
                3,
            ),
            (
                "rendezvous try_send, nobody waiting",
                points(
                    || channel::<u32>(0),
                    |(tx, _)| {
                        let _ = tx.try_send(1);
                    },
                ),
                2,
            ),
            (
                "select, 2 buffered channels, one ready",
                points(
                    || {
                        let (a, b) = (channel::<u32>(4), channel::<u32>(4));
                        a.0.send(1).unwrap();
                        (a, b)
                    },
                    |((_, ra), (_, rb))| {
                        select().recv(ra, |_| ()).recv(rb, |_| ()).wait();
                    },
                ),
                7,
            ),
            (
                "select with default, 2 empty buffered channels",
                points(
                    || (channel::<u32>(4), channel::<u32>(4)),
                    |((_, ra), (_, rb))| {
                        select().recv(ra, |_| ()).recv(rb, |_| ()).default(|| ());
                    },
                ),
                16,
            ),
            (
                "Mutex lock + unlock",
                points(
                    || Mutex::new(0u32),
                    |m| {
                        *m.lock() += 1;
                    },
                ),
                2,
            ),
            (
                "WaitGroup add(1) + done + wait",
                points(WaitGroup::new, |wg| {
                    wg.add(1);
                    wg.done();
                    wg.wait();
                }),
                5,
            ),
        ];
        eprintln!("| operation (one thread, shuttle) | scheduling points |");
        eprintln!("|---|---|");
        for (name, got, _) in &rows {
            eprintln!("| {name} | {got} |");
        }
        for (name, got, most) in rows {
            assert!(
                got <= most,
                "{name}: {got} scheduling points, documented at most {most}"
            );
        }
    }
}

/// Executions of two-thread models of one operation each (loom, `LOOM_MAX_PREEMPTIONS` as set,
/// 2 by default).
#[cfg(loom)]
mod loom_executions {
    use racezoo::check::{self, Config, Verdict};
    use racezoo::sync::{Arc, thread};

    use super::*;

    fn executions<F: Fn() + Send + Sync + 'static>(body: F) -> u64 {
        let report = check::loom(&Config::default(), body).expect("loom runs");
        assert_eq!(report.verdict, Verdict::Pass, "{report}");
        assert!(report.complete, "{report}");
        report.executions
    }

    #[test]
    fn two_thread_models_of_one_operation_explore_at_most_their_documented_executions() {
        let rows: Vec<(&str, u64, u64)> = vec![
            (
                "rendezvous send ↔ recv",
                executions(|| {
                    let (tx, rx) = channel::<u32>(0);
                    let t = thread::spawn(move || tx.send(1).unwrap());
                    assert_eq!(rx.recv(), Some(1));
                    t.join().unwrap();
                }),
                26,
            ),
            (
                "buffered (cap 1) send ↔ recv",
                executions(|| {
                    let (tx, rx) = channel::<u32>(1);
                    let t = thread::spawn(move || tx.send(1).unwrap());
                    assert_eq!(rx.recv(), Some(1));
                    t.join().unwrap();
                }),
                88,
            ),
            (
                "select over 2 buffered channels ↔ send",
                executions(|| {
                    let (ta, ra) = channel::<u32>(1);
                    let (_tb, rb) = channel::<u32>(1);
                    let t = thread::spawn(move || ta.send(1).unwrap());
                    select().recv(&ra, |_| ()).recv(&rb, |_| ()).wait();
                    t.join().unwrap();
                }),
                84,
            ),
            (
                "Mutex lock/unlock ↔ lock/unlock",
                executions(|| {
                    let m = Arc::new(Mutex::new(0u32));
                    let m2 = m.clone();
                    let t = thread::spawn(move || *m2.lock() += 1);
                    *m.lock() += 1;
                    t.join().unwrap();
                }),
                4,
            ),
            (
                "WaitGroup add; done ↔ wait",
                executions(|| {
                    let wg = Arc::new(WaitGroup::new());
                    wg.add(1);
                    let wg2 = wg.clone();
                    let t = thread::spawn(move || wg2.done());
                    wg.wait();
                    t.join().unwrap();
                }),
                15,
            ),
        ];
        eprintln!("| model (loom, 2 threads) | executions |");
        eprintln!("|---|---|");
        for (name, got, most) in rows {
            eprintln!("| {name} | {got} |");
            assert!(
                got <= most,
                "{name}: {got} executions, documented at most {most}"
            );
        }
    }
}
