//! loom's `UnsafeCell` with its accesses recorded in the trace, so that a data race shows which
//! accesses met, and where.

use std::ops::Deref;
use std::panic::Location;

use super::super::trace::{self, Op};

/// loom's `UnsafeCell`, which checks every access for data races, with `with` and `with_mut`
/// recorded in the trace (as `read` and `write`) before the access is made.
#[derive(Debug, Default)]
pub struct UnsafeCell<T: ?Sized>(loom::cell::UnsafeCell<T>);

impl<T> UnsafeCell<T> {
    /// Creates a cell holding `data`.
    #[track_caller]
    pub fn new(data: T) -> Self {
        UnsafeCell(loom::cell::UnsafeCell::new(data))
    }

    /// Consumes the cell and returns the value.
    pub fn into_inner(self) -> T {
        self.0.into_inner()
    }
}

impl<T: ?Sized> UnsafeCell<T> {
    fn addr(&self) -> usize {
        self as *const Self as *const () as usize
    }

    /// Gives `f` a shared pointer to the value; loom checks that no `with_mut` access overlaps.
    #[track_caller]
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        if trace::active() {
            trace::record(Op::Access(false), self.addr(), Location::caller());
        }
        self.0.with(f)
    }

    /// Gives `f` a unique pointer to the value; loom checks that no other access overlaps.
    #[track_caller]
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        if trace::active() {
            trace::record(Op::Access(true), self.addr(), Location::caller());
        }
        self.0.with_mut(f)
    }
}

impl<T: ?Sized> Deref for UnsafeCell<T> {
    type Target = loom::cell::UnsafeCell<T>;
    fn deref(&self) -> &loom::cell::UnsafeCell<T> {
        &self.0
    }
}

impl<T> From<T> for UnsafeCell<T> {
    #[track_caller]
    fn from(data: T) -> Self {
        UnsafeCell::new(data)
    }
}
