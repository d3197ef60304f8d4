//! [`OnceLock`] and [`LazyLock`]: values initialized once, by whichever thread gets there first, with
//! `std::sync`'s API, built on the facade's own [`Mutex`], atomics and [`UnsafeCell`] so that every
//! checker models them (loom has neither; it checks the cell for data races).
//!
//! The protocol: a `done` flag, stored with `Release` after the value is written and loaded with
//! `Acquire` before it is read, so a reader that sees `done` sees the value. Initializers run one at
//! a time under `init`, a facade `Mutex`; the winner writes the value and sets `done`, later ones
//! find it set and return. An initializer that panics leaves the cell empty for the next caller, as
//! std's does.
//!
//! Neither type's `new` is a `const fn`, in any flavour: under loom a synchronization object exists
//! only inside an execution, so a `static` one cannot be built at compile time. For a `static`, use
//! [`lazy_static!`](crate::lazy_static), which gives each loom execution its own value.

use std::fmt;

use super::Mutex;
use super::atomic::{AtomicBool, Ordering};
use super::cell::UnsafeCell;

/// A cell written at most once, like `std::sync::OnceLock`.
pub struct OnceLock<T> {
    /// Set (`Release`) once `value` holds the value; never cleared except through `&mut self`.
    done: AtomicBool,
    /// Serializes initializers.
    init: Mutex<()>,
    value: UnsafeCell<Option<T>>,
}

// SAFETY: as `std::sync::OnceLock`: the value is written by one thread (under `init`) before `done`
// is published, and only read after it; sharing the cell shares `&T` (`T: Sync`) and may move a `T`
// in from another thread (`T: Send`).
unsafe impl<T: Send + Sync> Sync for OnceLock<T> {}
// SAFETY: sending the cell sends the `T` it owns.
unsafe impl<T: Send> Send for OnceLock<T> {}

impl<T> OnceLock<T> {
    /// Creates an empty cell.
    #[track_caller]
    pub fn new() -> Self {
        OnceLock {
            done: AtomicBool::new(false),
            init: Mutex::new(()),
            value: UnsafeCell::new(None),
        }
    }

    /// Returns the value, or `None` if the cell is still empty. Never blocks.
    #[inline]
    #[track_caller]
    pub fn get(&self) -> Option<&T> {
        // Acquire: pairs with the Release store in `publish`, so the value written before it is
        // visible here.
        if self.done.load(Ordering::Acquire) {
            // SAFETY: `done` is set only after the value was written, and the value is never written
            // again while `&self` lives.
            Some(unsafe { self.published() })
        } else {
            None
        }
    }

    /// Returns the value, initializing it with `f` if the cell is empty. Concurrent callers block
    /// until one of them has initialized it; only that one's `f` runs.
    ///
    /// # Panics
    ///
    /// If `f` panics, the panic propagates and the cell stays empty. Calling `get_or_init` on the
    /// same cell from inside `f` deadlocks (std's may panic instead).
    #[track_caller]
    pub fn get_or_init(&self, f: impl FnOnce() -> T) -> &T {
        if let Some(v) = self.get() {
            return v;
        }
        let _init = self.init.lock();
        // Under `init`, a Relaxed load would do (the lock orders us after the winner's store); the
        // Acquire keeps the read below justified by the flag alone.
        if !self.done.load(Ordering::Acquire) {
            let value = f();
            self.publish(value);
        }
        // SAFETY: `done` is set (by us or by the initializer the lock ordered before us).
        unsafe { self.published() }
    }

    /// Stores `value` if the cell is empty; otherwise returns it back in `Err`.
    #[track_caller]
    pub fn set(&self, value: T) -> Result<(), T> {
        let mut value = Some(value);
        self.get_or_init(|| value.take().expect("taken once"));
        match value {
            None => Ok(()),
            Some(v) => Err(v),
        }
    }

    /// Takes the value out, leaving the cell empty.
    pub fn take(&mut self) -> Option<T> {
        // `&mut self` orders everything; the ordering is irrelevant.
        if !self.done.swap(false, Ordering::Relaxed) {
            return None;
        }
        // SAFETY: `&mut self`: no other access exists.
        self.value.with_mut(|p| unsafe { (*p).take() })
    }

    /// Consumes the cell and returns the value, if any.
    pub fn into_inner(mut self) -> Option<T> {
        self.take()
    }

    /// Writes the value and publishes it. Called under `init`, with `done` unset.
    #[track_caller]
    fn publish(&self, value: T) {
        // SAFETY: `done` is unset, so no reader touches the value, and `init` excludes every other
        // writer.
        self.value.with_mut(|p| unsafe { *p = Some(value) });
        // Release: a reader that sees `done` sees the write above.
        self.done.store(true, Ordering::Release);
    }

    /// Returns the published value.
    ///
    /// # Safety
    ///
    /// `done` must have been observed set (with `Acquire`, or under `init`).
    #[track_caller]
    unsafe fn published(&self) -> &T {
        // SAFETY: by the caller's promise the value is written and no longer changes while `&self`
        // lives (`take` needs `&mut self`), so a shared reference to it may outlive the closure.
        self.value
            .with(|p| unsafe { (*p).as_ref() })
            .expect("a published OnceLock holds a value")
    }
}

impl<T> Default for OnceLock<T> {
    #[track_caller]
    fn default() -> Self {
        OnceLock::new()
    }
}

impl<T: fmt::Debug> fmt::Debug for OnceLock<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_tuple("OnceLock");
        match self.get() {
            Some(v) => d.field(v),
            None => d.field(&format_args!("<uninit>")),
        };
        d.finish()
    }
}

/// A value initialized on first access by a function, like `std::sync::LazyLock`.
pub struct LazyLock<T, F = fn() -> T> {
    cell: OnceLock<T>,
    /// The initializer, taken by the thread that runs it (under the cell's `init` lock).
    init: Mutex<Option<F>>,
}

impl<T, F: FnOnce() -> T> LazyLock<T, F> {
    /// Creates a lazy value that `f` will initialize on first access.
    #[track_caller]
    pub fn new(f: F) -> Self {
        LazyLock {
            cell: OnceLock::new(),
            init: Mutex::new(Some(f)),
        }
    }

    /// Returns the value, running the initializer first if nobody has.
    ///
    /// # Panics
    ///
    /// If the initializer panicked before, it is gone: this panics, naming `LazyLock`, as std's
    /// poisoned `LazyLock` does.
    #[track_caller]
    pub fn force(this: &Self) -> &T {
        this.cell.get_or_init(|| {
            let f = this.init.lock().take().expect(
                "racezoo::sync::LazyLock: the initializer panicked on an earlier access (poisoned)",
            );
            f()
        })
    }
}

impl<T, F: FnOnce() -> T> std::ops::Deref for LazyLock<T, F> {
    type Target = T;
    #[track_caller]
    fn deref(&self) -> &T {
        LazyLock::force(self)
    }
}

impl<T: fmt::Debug, F> fmt::Debug for LazyLock<T, F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LazyLock").field(&self.cell).finish()
    }
}
