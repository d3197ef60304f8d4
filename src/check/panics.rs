//! The harness's panic hook: it tells where and by whom a panic was raised, and keeps checks quiet.
//! It never decides whether a panic is a failure.
//!
//! **What is a failure.** Only a panic that escapes a thread of the execution: main's body (caught
//! by the driver) or the closure of a thread the body spawned through the facade (caught by the
//! facade's `spawn`, which records it and lets it go on unwinding, so `join` still returns it). Each
//! is recorded in *that thread's* check's recorder, so a leftover thread of an earlier check can
//! never fail a later one, and a panic the code under test catches (a pool running jobs under
//! `catch_unwind`) is never recorded at all. That works whatever other hooks are installed, in any
//! order: the capture is `catch_unwind`, not the hook.
//!
//! **What the hook adds.** For every panic it notes, per OS thread, the message, the location and
//! the origin (`sync::trace::note_panic`): the checker's own sources, racezoo's misuse panics, or the
//! body. When the panic escapes, that note says who failed (see [`super::classify`]). A checker's own
//! panic also marks the execution abandoned (`sync::abandon`). On an OS thread that runs a check
//! (it has a recorder installed) the hook prints nothing; on any other thread it hands the panic
//! to the hook that was installed before it. Under shuttle, shuttle's own hook is installed first
//! (by running one empty execution), so that racezoo's is the outer one and shuttle's failure
//! banners stay out of a check's stderr.
//!
//! Set `RACEZOO_DEBUG_PANICS` to have the hook print every panic it sees, with a backtrace, whether
//! or not it is a failure (for debugging racezoo or a checker).

use std::panic;
use std::sync::Once;

use super::classify::in_checker;
use crate::sync::trace;

/// Installs the hook (once per process).
pub(crate) fn install_hook() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        crate::sync::runtime::prepare_panic_hooks();
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            let message = trace::payload_message(info.payload());
            let location = info.location().map(|l| l.to_string());
            let from_checker = location.as_deref().is_some_and(in_checker);
            if from_checker {
                crate::sync::abandon::mark();
            }
            if std::env::var_os("RACEZOO_DEBUG_PANICS").is_some() {
                eprintln!(
                    "[racezoo] panic {message:?} at {location:?} (from the checker: {from_checker})\n{}",
                    std::backtrace::Backtrace::force_capture()
                );
            }
            trace::note_panic(message, location, from_checker);
            if trace::current().is_none() {
                previous(info);
            }
        }));
    });
}
