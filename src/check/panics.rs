//! Catching panics quietly while a check runs, and remembering the first one's message and location.
//!
//! A process-wide panic hook is installed once. On an OS thread that is inside [`capture`], a panic is
//! recorded (message and location) instead of printed; on any other thread the previous hook runs as
//! usual. loom and shuttle run every model thread as a coroutine on the caller's OS thread, so their
//! panics are all seen here.

use std::any::Any;
use std::cell::RefCell;
use std::panic;
use std::sync::Once;

/// One panic seen while capturing.
#[derive(Clone, Debug)]
pub(crate) struct Captured {
    /// The panic message.
    pub(crate) message: String,
    /// Where it panicked, as `file:line:col`.
    pub(crate) location: Option<String>,
}

thread_local! {
    static CAPTURED: RefCell<Option<Vec<Captured>>> = const { RefCell::new(None) };
}

/// Installs the hook (once per process).
pub(crate) fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let panic = Captured {
                message: payload_message(info.payload()),
                location: info.location().map(|l| l.to_string()),
            };
            // A checker's own panic (deadlock, causality, limit) abandons the execution: from now on
            // the facade must not call into the checker (see `sync::abandon`).
            if panic.location.as_deref().is_some_and(super::in_checker) {
                crate::sync::abandon::mark();
            }
            // The recorder of a running check takes the panic as its execution's failure.
            let traced = crate::sync::trace::note_panic(&panic.message, panic.location.clone());
            let recorded = CAPTURED
                .try_with(|c| match c.try_borrow_mut() {
                    Ok(mut slot) => match slot.as_mut() {
                        Some(list) => {
                            list.push(panic);
                            true
                        }
                        None => false,
                    },
                    Err(_) => false,
                })
                .unwrap_or(false);
            if !recorded && !traced {
                previous(info);
            }
        }));
    });
}

/// Runs `f` with panics on this OS thread recorded instead of printed; returns `f`'s result and the
/// panics in the order they happened.
pub(crate) fn capture<R>(f: impl FnOnce() -> R) -> (R, Vec<Captured>) {
    install_hook();
    let outer = CAPTURED.with(|c| c.replace(Some(Vec::new())));
    let result = f();
    let captured = CAPTURED.with(|c| c.replace(outer)).unwrap_or_default();
    (result, captured)
}

/// Extracts the message of a panic payload (`&str` or `String`), or a placeholder.
pub(crate) fn payload_message(payload: &(dyn Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}
