//! A channel operation is one step of a trace, at the line that called it; a thread stuck in one is
//! reported as stuck in `send` / `recv` on the channel, not somewhere inside it.

use std::time::Duration;

use racezoo::chan::channel;
use racezoo::check::{Checker, Config, Verdict};
use racezoo::sync::thread;

/// The worker receives one value, then waits for a second that never comes; main returns.
fn receiver_left_waiting() {
    let (tx, rx) = channel::<u32>(0);
    let worker = thread::spawn(move || {
        let _ = rx.recv();
        let _ = rx.recv(); // line 15: stuck here
    });
    tx.send(1).unwrap();
    drop(worker);
}

#[test]
fn a_receiver_left_waiting_is_stuck_in_recv_at_the_callers_line() {
    let config = Config {
        watchdog: Duration::from_millis(300),
        ..Config::default()
    };
    for checker in Checker::available() {
        let report = checker.run(&config, receiver_left_waiting).unwrap();
        let expected = if checker == Checker::Stress {
            Verdict::Hang
        } else {
            Verdict::Leak
        };
        assert_eq!(report.verdict, expected, "{report}");
        let text = report.to_string();
        assert!(
            text.contains("blocked in recv Chan#1 at tests/chan/trace.rs:15"),
            "{text}"
        );
        assert!(
            text.contains("send Chan#1 @ tests/chan/trace.rs:17"),
            "{text}"
        );
        // The channel's own locks, waits and atomics stay out of the table.
        assert!(!text.contains("src/chan/"), "{text}");
    }
}
