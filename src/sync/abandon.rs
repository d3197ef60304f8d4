//! Whether the checker has abandoned the execution running on this OS thread.
//!
//! When loom or shuttle declares a failure of its own (a deadlock, a causality violation, a limit),
//! it panics from inside its scheduler and then refuses every further operation of that execution.
//! The panic unwinds through the model thread's stack, and the destructors on it (a guard's unlock, a
//! channel handle's drop) would call into the checker again; a panic raised inside a destructor while
//! unwinding aborts the process. The harness's panic hook sees where the panic came from and marks
//! the execution abandoned (`mark`); from then until the next execution begins (`reset`), the
//! facade's operations do not call into the checker (see `facade.rs`, `atomics.rs`, `loom_cell.rs`
//! and `arc.rs`, and the "decisions" in the module docs of `sync`).
//!
//! A panic that escapes a thread of the body (an assertion that fails) ends the execution too: the
//! checker tears the rest of it down, partly outside the execution (loom drops the closures of
//! threads that never started), so the harness marks it abandoned as it escapes. A panic the body
//! catches (a job's deliberate panic that a pool catches) abandons nothing: the checker is still
//! running the execution and every operation is modelled as usual.
//!
//! loom and shuttle run every model thread as a coroutine on the checking OS thread, so one
//! thread-local flag covers the whole execution. On std the flag is never set.

use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

thread_local! {
    static ABANDONED: Cell<bool> = const { Cell::new(false) };
    /// The id of the execution that began last on this OS thread (see [`execution`]).
    static EXECUTION: Cell<Option<u64>> = const { Cell::new(None) };
}

/// The source of execution ids, unique across the process's OS threads.
static NEXT_EXECUTION: AtomicU64 = AtomicU64::new(1);

/// Returns `true` if the checker running on this OS thread has abandoned its current execution.
#[inline]
pub fn abandoned() -> bool {
    !matches!(super::FLAVOUR, super::Flavour::Std) && ABANDONED.try_with(Cell::get).unwrap_or(true)
}

/// Marks the current execution abandoned (called by the harness's panic hook for a checker's own
/// panic, and by the harness when a panic escapes a thread of the body).
pub(crate) fn mark() {
    let _ = ABANDONED.try_with(|a| a.set(true));
}

/// The payload with which a thread of an abandoned execution is unwound (see
/// [`unwind_if_running`]); it is never a failure of its own.
struct Abandoned;

/// In an abandoned execution, unwinds the calling thread unless it is unwinding already.
///
/// A thread that goes on running after the checker gave the execution up (it caught the checker's
/// panic, as a pool or an errgroup catches a job's) must not wait, lock or return into the checker:
/// nothing will ever wake it, and the checker's own code after the thread's body would fail. So a
/// blocking facade operation or the end of a facade thread unwinds it, quietly (no panic hook runs,
/// and no failure is recorded: the checker's own panic is the failure). A destructor running while
/// the thread unwinds already gets the non-blocking behaviour instead (see the module docs).
#[track_caller]
pub(crate) fn unwind_if_running() {
    if abandoned() && !std::thread::panicking() {
        std::panic::resume_unwind(Box::new(Abandoned));
    }
}

/// Clears the mark at the start of an execution, and gives the execution a new id.
pub(crate) fn reset() {
    let _ = ABANDONED.try_with(|a| a.set(false));
    let id = NEXT_EXECUTION.fetch_add(1, Ordering::Relaxed);
    let _ = EXECUTION.try_with(|e| e.set(Some(id)));
}

/// Returns the id of the execution that began last on this OS thread (unique in the process), or
/// `None` if none has. A checker's objects belong to one execution; the facade's lazily created ones
/// (the loom `Arc`'s counter) are stamped with it so that a later execution never touches them.
#[cfg_attr(not(loom), allow(dead_code))]
pub(crate) fn execution() -> Option<u64> {
    EXECUTION.try_with(Cell::get).ok().flatten()
}
