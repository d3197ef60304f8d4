//! Where a verdict comes from: *who* failed, never what a message happens to say.
//!
//! A failure is a panic that escaped a thread of the execution (see `sync::trace::Escape`). The
//! harness's panic hook notes who raised each panic:
//!
//! * **the checker**, when the panic was raised from loom's or shuttle's own sources. Only then is
//!   the message read, as the checker's signal: loom's and shuttle's deadlock reports, loom's
//!   causality violation, their step and branch limits (a body that never finishes), loom's thread
//!   limit, a replayed schedule that does not fit the body. This module is the one place that knows
//!   those signals.
//! * **racezoo's misuse panics** ([`crate::misuse::misuse`]), which mark themselves before panicking.
//! * **the body** (the code under test): an `assert!` family failure or a `violation: ` panic is a
//!   [`Verdict::Violation`], anything else a [`Verdict::Panic`]. A body's own
//!   `panic!("deadlock detector says hi")` or `panic!("Causality violation")` is a plain `Panic`.
//!
//! A checker signal that is not a judgement on the body (a limit of the checker, a schedule that
//! does not fit) becomes a harness error, not a verdict.

use crate::sync::trace::{Escape, PanicOrigin};

use super::{VIOLATION_PREFIX, Verdict};

/// What a checker says when it fails an execution itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Signal {
    /// Every thread is blocked (loom's `deadlock; threads = …`, shuttle's `deadlock! blocked tasks`).
    Deadlock,
    /// loom's `Causality violation`: two unsynchronized accesses to a cell, one a write.
    DataRace,
    /// The execution never ends: loom's branch limit or shuttle's step bound (a spin loop, say).
    Livelock,
    /// loom's limit on threads per model was exceeded.
    ThreadLimit,
    /// A replayed schedule does not fit the body (shuttle's replay scheduler).
    ScheduleMismatch,
    /// shuttle's PCT refuses a body whose first execution had no scheduling choice to make.
    NoConcurrency,
    /// Any other panic from inside the checker.
    Other,
}

/// Reads a checker's own panic message. Only called for panics raised from the checker's sources.
pub(crate) fn checker_signal(message: &str, location: Option<&str>) -> Signal {
    let replay =
        location.is_some_and(|l| l.contains("/shuttle-schedulers-") && l.contains("replay"));
    if message.starts_with("deadlock; threads") || message.starts_with("deadlock!") {
        Signal::Deadlock
    } else if message.contains("Causality violation") {
        Signal::DataRace
    } else if message.contains("exceeded maximum number of branches")
        || message.starts_with("exceeded max_steps bound")
    {
        Signal::Livelock
    } else if message.contains("self.threads.len() < self.max()") {
        Signal::ThreadLimit
    } else if replay
        || message.starts_with("scheduled task is not runnable")
        || message.starts_with("schedule ended early")
        || message.starts_with("expected context switch but next schedule step")
        || message.starts_with("expected random choice but next schedule step")
    {
        Signal::ScheduleMismatch
    } else if message == "test closure did not exercise any concurrency" {
        Signal::NoConcurrency
    } else {
        Signal::Other
    }
}

/// Returns `true` if `location` is a line of the model checkers' own sources.
pub(crate) fn in_checker(location: &str) -> bool {
    ["/loom-", "/shuttle-", "/generator-", "/corosensei-"]
        .iter()
        .any(|c| location.contains(c) && location.contains("/registry/"))
}

/// What one escaped panic means.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Meaning {
    /// A judgement on the body.
    Verdict(Verdict),
    /// The checker could not judge the body: one of its limits, named in the message.
    Limit(String),
    /// A replayed schedule does not fit the body.
    ScheduleMismatch(String),
    /// shuttle PCT's refusal of a body without concurrency (its one execution passed).
    NoConcurrency,
}

/// Classifies an escaped panic by its origin.
pub(crate) fn classify(escape: &Escape) -> Meaning {
    match escape.origin {
        PanicOrigin::Misuse => Meaning::Verdict(Verdict::Misuse),
        PanicOrigin::Body => Meaning::Verdict(body_verdict(&escape.message)),
        PanicOrigin::Checker => match checker_signal(&escape.message, escape.location.as_deref()) {
            Signal::Deadlock => Meaning::Verdict(Verdict::Deadlock),
            Signal::DataRace => Meaning::Verdict(Verdict::DataRace),
            Signal::Livelock => Meaning::Verdict(Verdict::Hang),
            Signal::ThreadLimit => Meaning::Limit(format!(
                "loom runs at most {} threads per model, main included, and the body spawned more \
                     (loom's assertion: {})",
                crate::sync::MAX_THREADS,
                escape.message.trim_end()
            )),
            Signal::ScheduleMismatch => Meaning::ScheduleMismatch(escape.message.clone()),
            Signal::NoConcurrency => Meaning::NoConcurrency,
            Signal::Other => Meaning::Verdict(Verdict::Panic),
        },
    }
}

/// The verdict for a panic the body raised itself: an assertion or a `violation: ` is a violation
/// of the body's own invariant, anything else a panic.
pub(crate) fn body_verdict(message: &str) -> Verdict {
    if message.starts_with("assertion") || message.starts_with(VIOLATION_PREFIX) {
        Verdict::Violation
    } else {
        Verdict::Panic
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn escape(message: &str, origin: PanicOrigin) -> Escape {
        Escape {
            message: message.to_string(),
            location: None,
            origin,
        }
    }

    #[test]
    fn a_body_that_says_deadlock_is_a_plain_panic() {
        let e = escape("deadlock detector says hi", PanicOrigin::Body);
        assert_eq!(classify(&e), Meaning::Verdict(Verdict::Panic));
        let e = escape("deadlock; threads = []", PanicOrigin::Body);
        assert_eq!(classify(&e), Meaning::Verdict(Verdict::Panic));
    }

    #[test]
    fn a_body_that_says_causality_violation_is_a_plain_panic() {
        let e = escape("Causality violation: made up", PanicOrigin::Body);
        assert_eq!(classify(&e), Meaning::Verdict(Verdict::Panic));
    }

    #[test]
    fn the_checkers_signals_are_read_only_from_the_checker() {
        let e = escape(
            "deadlock; threads = [(Id(0), Blocked)]",
            PanicOrigin::Checker,
        );
        assert_eq!(classify(&e), Meaning::Verdict(Verdict::Deadlock));
        let e = escape("Causality violation: Concurrent load", PanicOrigin::Checker);
        assert_eq!(classify(&e), Meaning::Verdict(Verdict::DataRace));
        let e = escape(
            "assertion failed: self.threads.len() < self.max()",
            PanicOrigin::Checker,
        );
        assert!(matches!(classify(&e), Meaning::Limit(m) if m.contains("threads per model")));
    }

    #[test]
    fn a_misuse_message_from_the_body_is_a_panic_and_from_racezoo_a_misuse() {
        let e = escape(crate::misuse::CLOSE_OF_CLOSED_CHANNEL, PanicOrigin::Body);
        assert_eq!(classify(&e), Meaning::Verdict(Verdict::Panic));
        let e = escape(crate::misuse::CLOSE_OF_CLOSED_CHANNEL, PanicOrigin::Misuse);
        assert_eq!(classify(&e), Meaning::Verdict(Verdict::Misuse));
    }
}
