//! Panics in a checked execution: the harness's hook notes every panic (message, location, who raised
//! it) on the OS thread that raised it; only a panic that *escapes* a thread of the execution becomes
//! the execution's failure, and its note then says where and by whom.

use std::cell::RefCell;
use std::collections::VecDeque;

use super::{Recorder, current};

/// Who raised a panic, as the harness's panic hook saw it (see `note_panic`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanicOrigin {
    /// The body or the code under test: an assertion, an `unwrap`, any other `panic!`.
    Body,
    /// racezoo's [`crate::misuse::misuse`], with one of Go's misuse messages.
    Misuse,
    /// The model checker itself, from its own sources: a deadlock, a causality violation, a limit.
    Checker,
}

/// A panic that escaped a thread of the execution (main's body or a spawned thread's closure): the
/// only kind of panic that is a failure. A panic the code under test catches never becomes one.
#[derive(Clone, Debug)]
pub(crate) struct Escape {
    /// The panic message.
    pub(crate) message: String,
    /// Where it was raised, as `file:line:col`, if the hook saw it.
    pub(crate) location: Option<String>,
    /// Who raised it.
    pub(crate) origin: PanicOrigin,
}

thread_local! {
    /// The last panics raised on this OS thread, newest last, as the harness's hook saw them.
    static RECENT: RefCell<VecDeque<Escape>> = const { RefCell::new(VecDeque::new()) };
    /// Set by [`crate::misuse::misuse`] just before it panics.
    static MISUSE_NEXT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// How many recent panics an OS thread remembers (model threads share their OS thread).
const RECENT_PANICS: usize = 16;

/// Called by racezoo's misuse panics just before they panic: the next panic on this thread is a
/// [`PanicOrigin::Misuse`].
pub(crate) fn next_panic_is_misuse() {
    let _ = MISUSE_NEXT.try_with(|m| m.set(true));
}

/// Called from the harness's panic hook for every panic on this OS thread: remembers its message,
/// location and origin, so that if it escapes a thread its report can say where and who. It is not
/// a failure by itself: only [`escaping`] makes one. `from_checker` says the location is in a model
/// checker's own sources.
pub(crate) fn note_panic(message: String, location: Option<String>, from_checker: bool) {
    let misuse = MISUSE_NEXT.try_with(|m| m.replace(false)).unwrap_or(false);
    let origin = if from_checker {
        PanicOrigin::Checker
    } else if misuse {
        PanicOrigin::Misuse
    } else {
        PanicOrigin::Body
    };
    let escape = Escape {
        message,
        location,
        origin,
    };
    // The checker's own panic is the execution's failure even if the body catches it (a pool or an
    // errgroup catching what it takes for a job's panic): the checker has given the execution up.
    if origin == PanicOrigin::Checker {
        if let Some(recorder) = current() {
            recorder.escaped_from_hook(escape.clone());
        }
    }
    let _ = RECENT.try_with(|r| {
        if let Ok(mut recent) = r.try_borrow_mut() {
            if recent.len() == RECENT_PANICS {
                recent.pop_front();
            }
            recent.push_back(escape);
        }
    });
}

/// Describes a panic payload that is escaping a thread: its message, and where and by whom it was
/// raised if the hook saw it on this OS thread (the newest panic with the same message).
pub(crate) fn describe(payload: &(dyn std::any::Any + Send)) -> Escape {
    let message = payload_message(payload);
    let seen = RECENT
        .try_with(|r| {
            r.try_borrow()
                .ok()
                .and_then(|recent| recent.iter().rev().find(|e| e.message == message).cloned())
        })
        .ok()
        .flatten();
    seen.unwrap_or(Escape {
        message,
        location: None,
        origin: PanicOrigin::Body,
    })
}

/// Records, in `recorder`, a panic escaping one of its threads. Once the checker has abandoned the
/// execution, only its own panic is a failure: the other threads' stacks are then unwound by the
/// checker tearing the execution down, and that is not something they did.
pub(crate) fn escaping(recorder: &Recorder, payload: &(dyn std::any::Any + Send)) {
    let escape = describe(payload);
    if escape.origin != PanicOrigin::Checker && crate::sync::abandon::abandoned() {
        return;
    }
    recorder.escaped(escape);
}

/// Extracts the message of a panic payload (`&str` or `String`), or a placeholder.
pub(crate) fn payload_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}
