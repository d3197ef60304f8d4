//! What the pool's queue holds: a boxed job, or — for [`WorkerPool::execute`] with a closure of at
//! most three words — the closure itself, stored inline, so that the cheapest submission makes no
//! heap allocation.
//!
//! Measured on the `overhead_100k_noop` bench (2 cores, no other load): with every job boxed, the
//! submitter spent more time in `malloc` than in the rest of `execute`, because each box is freed
//! by a worker on the other core and the allocator hands its memory back across the cores.
//! Re-measured against `Box` and the `smallbox` crate in the same run (`benches/pool.rs`, group
//! `pool/job_box`; table and decision in `benches/README.md`): `execute` with a boxed job took
//! 1.3–1.5× as long end to end; `smallbox` measured equal to this box but would be a library
//! dependency (racezoo's users get `crossbeam-utils` alone) and needs one word more per job, so the
//! pool keeps its own. `tests/pool/model.rs` covers it under loom and shuttle
//! (`an_inline_execute_job_moves_its_three_words_to_the_worker_intact_under_every_checker`).
//!
//! The inline form is the one `unsafe` part of the pool. It involves no sharing between threads: a
//! [`Queued`] value is owned by exactly one place at a time (the submitter, the queue behind the
//! pool's lock, a worker's hand behind its lock, a worker), and moving it moves the closure's bytes
//! like any Rust move. What must hold is only that the bytes are read back as the type that was
//! written, exactly once; [`Small`] keeps the type and the bytes together for that.
//!
//! [`WorkerPool::execute`]: super::WorkerPool::execute

use std::mem::{MaybeUninit, align_of, size_of};
use std::panic::{AssertUnwindSafe, catch_unwind};

use super::handle::{Ended, Task};
use crate::context::Context;

/// Room for an inline closure.
type Words = MaybeUninit<[usize; 3]>;

/// One queued job.
pub(crate) enum Queued {
    /// A job with a sink (a handle, a results channel) or a closure too large to store inline.
    Boxed(Box<dyn Task>),
    /// An `execute` closure stored inline.
    Small(Small),
}

impl Queued {
    /// Runs the job, catching its panic, and delivers the outcome.
    pub(crate) fn run(self, ctx: &Context) -> Ended {
        match self {
            Queued::Boxed(task) => task.run(ctx),
            Queued::Small(small) => small.run(),
        }
    }

    /// Reports the job cancelled without running it (an `execute` job has no one to tell: its
    /// closure is dropped).
    pub(crate) fn cancel(self) {
        match self {
            Queued::Boxed(task) => task.cancel(),
            Queued::Small(small) => drop(small),
        }
    }
}

/// An `execute` closure of at most three words, stored inline with the two functions that know its
/// type.
pub(crate) struct Small {
    /// Holds an `F` (the type `run` and `drop_f` were instantiated with) while `full` is set.
    words: Words,
    full: bool,
    run: unsafe fn(*mut Words) -> Ended,
    drop_f: unsafe fn(*mut Words),
}

// SAFETY: a `Small` is only built by `Small::new` from an `F: Send`, and the only thing it owns is
// that `F`.
unsafe impl Send for Small {}

impl Small {
    /// Returns `true` if an `F` fits inline.
    pub(crate) const fn fits<F>() -> bool {
        size_of::<F>() <= size_of::<Words>() && align_of::<F>() <= align_of::<Words>()
    }

    /// Stores `f` inline.
    ///
    /// # Panics
    ///
    /// Panics if `F` does not fit (callers check [`Small::fits`] first).
    pub(crate) fn new<F: FnOnce() + Send + 'static>(f: F) -> Small {
        assert!(
            Self::fits::<F>(),
            "Small::new called with a closure that does not fit"
        );
        let mut words = Words::uninit();
        // SAFETY: `words` is large and aligned enough for an `F` (checked just above) and holds
        // nothing yet, so writing the `F` overwrites nothing.
        unsafe { words.as_mut_ptr().cast::<F>().write(f) };
        Small {
            words,
            full: true,
            run: run_inline::<F>,
            drop_f: drop_inline::<F>,
        }
    }

    /// Runs the closure, catching its panic.
    fn run(mut self) -> Ended {
        self.full = false;
        // SAFETY: `full` was set, so `words` holds the `F` that `self.run` was instantiated with,
        // and clearing `full` first means nothing reads it again (not even `Drop`).
        unsafe { (self.run)(&mut self.words) }
    }
}

/// Reads the `F` out of `words` and calls it; a panic is caught and ends the job as panicked.
///
/// # Safety
///
/// `words` must hold an `F` that nothing reads afterwards.
unsafe fn run_inline<F: FnOnce()>(words: *mut Words) -> Ended {
    // SAFETY: guaranteed by the caller.
    let f = unsafe { words.cast::<F>().read() };
    // The panic is caught here, inside the job, so the worker thread never unwinds.
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(()) => Ended::Completed,
        Err(_payload) => Ended::Panicked,
    }
}

/// Reads the `F` out of `words` and drops it.
///
/// # Safety
///
/// `words` must hold an `F` that nothing reads afterwards.
unsafe fn drop_inline<F>(words: *mut Words) {
    // SAFETY: guaranteed by the caller.
    drop(unsafe { words.cast::<F>().read() });
}

impl Drop for Small {
    fn drop(&mut self) {
        if self.full {
            self.full = false;
            // SAFETY: `full` was set, so `words` holds the `F` that `drop_f` was instantiated
            // with; clearing `full` first means nothing reads it again.
            unsafe { (self.drop_f)(&mut self.words) };
        }
    }
}
