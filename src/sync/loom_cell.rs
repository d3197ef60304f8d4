//! loom's `UnsafeCell` with its accesses recorded in the trace, so that a data race shows which
//! accesses met, and where.
//!
//! The value lives in a plain `core::cell::UnsafeCell` next to a loom cell of `()` that loom tracks:
//! each access is checked through the tracker and made to the value directly. Once the checker has
//! abandoned the execution ([`abandoned`]) the tracker is skipped, so a destructor that accesses a
//! cell during the checker's unwinding does not call into it again (see `sync::abandon`).

use std::panic::Location;

use super::super::abandon::abandoned;
use super::super::trace::{self, Op};

/// loom's `UnsafeCell`, which checks every access for data races, with `with` and `with_mut`
/// recorded in the trace (as `read` and `write`) before the access is made.
#[derive(Debug, Default)]
pub struct UnsafeCell<T: ?Sized> {
    /// What loom tracks: one access per access to `data`.
    tracker: loom::cell::UnsafeCell<()>,
    data: core::cell::UnsafeCell<T>,
}

impl<T> UnsafeCell<T> {
    /// Creates a cell holding `data`.
    #[track_caller]
    pub fn new(data: T) -> Self {
        UnsafeCell {
            tracker: loom::cell::UnsafeCell::new(()),
            data: core::cell::UnsafeCell::new(data),
        }
    }

    /// Consumes the cell and returns the value.
    pub fn into_inner(self) -> T {
        // Untracked, as loom's own `into_inner`.
        self.data.into_inner()
    }
}

impl<T: ?Sized> UnsafeCell<T> {
    fn addr(&self) -> usize {
        self as *const Self as *const () as usize
    }

    /// Gives `f` a shared pointer to the value; loom checks that no `with_mut` access overlaps.
    #[track_caller]
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        if abandoned() {
            return f(self.data.get());
        }
        if trace::active() {
            trace::record(Op::Access(false), self.addr(), Location::caller());
        }
        self.tracker.with(|_| f(self.data.get()))
    }

    /// Gives `f` a unique pointer to the value; loom checks that no other access overlaps.
    #[track_caller]
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        if abandoned() {
            return f(self.data.get());
        }
        if trace::active() {
            trace::record(Op::Access(true), self.addr(), Location::caller());
        }
        self.tracker.with_mut(|_| f(self.data.get()))
    }
}

impl<T> From<T> for UnsafeCell<T> {
    #[track_caller]
    fn from(data: T) -> Self {
        UnsafeCell::new(data)
    }
}
