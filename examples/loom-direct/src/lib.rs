//! A crate that already uses loom directly, the way tokio does: its own `loom` module picks
//! `loom::…` under `--cfg loom` and `std::…` otherwise, and nothing in it knows racezoo. Its tests
//! hand bodies to racezoo's loom driver (`racezoo::check::loom`), which explores them with loom
//! and turns loom's failures into racezoo's report.
//!
//! The structure is a one-shot slot: `put` writes the value and raises `ready`; `take` reads the
//! value once it sees `ready`. [`Slot::new`] publishes with `Release`; [`Slot::relaxed`] with
//! `Relaxed`, a data race that loom finds.

/// The crate's one switch, tokio-style.
mod sync {
    #[cfg(loom)]
    pub(crate) use loom::cell::UnsafeCell;
    #[cfg(loom)]
    pub(crate) use loom::sync::atomic::{AtomicBool, Ordering};

    #[cfg(not(loom))]
    pub(crate) use std::sync::atomic::{AtomicBool, Ordering};

    /// `std`'s cell with loom's closure API.
    #[cfg(not(loom))]
    #[derive(Debug)]
    pub(crate) struct UnsafeCell<T>(std::cell::UnsafeCell<T>);

    #[cfg(not(loom))]
    impl<T> UnsafeCell<T> {
        pub(crate) fn new(v: T) -> Self {
            UnsafeCell(std::cell::UnsafeCell::new(v))
        }
        pub(crate) fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
            f(self.0.get())
        }
        pub(crate) fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
            f(self.0.get())
        }
    }
}

use sync::{AtomicBool, Ordering, UnsafeCell};

/// A value written once by one thread and read by another.
#[derive(Debug)]
pub struct Slot {
    ready: AtomicBool,
    value: UnsafeCell<u32>,
    publish: Ordering,
}

// SAFETY: `value` is written before `ready` is raised and read only after it is seen (with the
// orderings of `Slot::new`; `Slot::relaxed` is the bug).
unsafe impl Sync for Slot {}

impl Slot {
    /// Creates an empty slot that publishes with `Release`.
    pub fn new() -> Self {
        Self::with(Ordering::Release)
    }

    /// Creates an empty slot that publishes with `Relaxed` (the bug).
    pub fn relaxed() -> Self {
        Self::with(Ordering::Relaxed)
    }

    fn with(publish: Ordering) -> Self {
        Slot {
            ready: AtomicBool::new(false),
            value: UnsafeCell::new(0),
            publish,
        }
    }

    /// Writes `v` and publishes it. Call once.
    pub fn put(&self, v: u32) {
        // SAFETY: nobody reads before `ready`, and `put` is called once.
        self.value.with_mut(|p| unsafe { *p = v });
        self.ready.store(true, self.publish);
    }

    /// Returns the value if it has been published.
    pub fn take(&self) -> Option<u32> {
        if self.ready.load(Ordering::Acquire) {
            // SAFETY: `ready` seen with Acquire: the write happened before (with `Release`).
            Some(self.value.with(|p| unsafe { *p }))
        } else {
            None
        }
    }
}

impl Default for Slot {
    fn default() -> Self {
        Slot::new()
    }
}
