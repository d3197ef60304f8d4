//! Go's misuse panics, kept with Go's messages.
//!
//! Where Go panics because the *program* is wrong (not because an operation failed), racezoo panics
//! too, with Go's exact message, through [`misuse`]. The checker harness recognizes these messages and
//! reports [`Verdict::Misuse`](crate::check::Verdict::Misuse) rather than a generic panic, so a zoo
//! scenario can assert "the checker found the negative counter" rather than "something panicked".
//! Failures that are ordinary in Rust (sending on a closed channel) return an `Err` instead; the
//! zoo's Go-bug scenarios unwrap that `Err` with [`misuse`] to reproduce Go's panic.

/// Go's message for a WaitGroup counter that drops below zero.
pub const NEGATIVE_WAITGROUP_COUNTER: &str = "sync: negative WaitGroup counter";
/// Go's message for an `Add` from zero that races with a `Wait`.
pub const WAITGROUP_ADD_DURING_WAIT: &str =
    "sync: WaitGroup misuse: Add called concurrently with Wait";
/// Go's message for a WaitGroup reused before the previous `Wait` returned.
pub const WAITGROUP_REUSED: &str = "sync: WaitGroup is reused before previous Wait has returned";
/// Go's message for a send on a closed channel.
pub const SEND_ON_CLOSED_CHANNEL: &str = "send on closed channel";
/// Go's message for closing a channel twice.
pub const CLOSE_OF_CLOSED_CHANNEL: &str = "close of closed channel";
/// The start of Go's message for changing an errgroup's limit while tasks run.
pub const ERRGROUP_MODIFY_LIMIT: &str = "errgroup: modify limit while";

/// Every misuse message racezoo may panic with; a panic message that starts with one of these is a
/// misuse.
pub const MESSAGES: &[&str] = &[
    NEGATIVE_WAITGROUP_COUNTER,
    WAITGROUP_ADD_DURING_WAIT,
    WAITGROUP_REUSED,
    SEND_ON_CLOSED_CHANNEL,
    CLOSE_OF_CLOSED_CHANNEL,
    ERRGROUP_MODIFY_LIMIT,
];

/// Panics with a Go misuse message (one of [`MESSAGES`], possibly followed by details).
#[track_caller]
pub fn misuse(message: &str) -> ! {
    debug_assert!(
        is_misuse(message),
        "not a registered misuse message: {message}"
    );
    // The harness learns who raised this panic from the mark, not from the text.
    crate::sync::trace::next_panic_is_misuse();
    panic!("{message}")
}

/// Returns `true` if `message` starts with one of Go's misuse messages. The harness does not use
/// this to classify a failure (a body's own `panic!` with the same words is a plain panic); it tells
/// whether a message is one racezoo may raise.
pub fn is_misuse(message: &str) -> bool {
    MESSAGES.iter().any(|m| message.starts_with(m))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_messages_are_recognized_with_details() {
        assert!(is_misuse("sync: negative WaitGroup counter"));
        assert!(is_misuse(
            "errgroup: modify limit while 3 goroutines in the group are still active"
        ));
        assert!(!is_misuse("assertion failed: x == 2"));
    }

    #[test]
    #[should_panic(expected = "close of closed channel")]
    fn misuse_panics_with_the_go_message() {
        misuse(CLOSE_OF_CLOSED_CHANNEL);
    }
}
