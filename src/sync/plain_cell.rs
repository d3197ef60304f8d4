//! The loom-style `UnsafeCell` for flavours that do not track accesses (std and shuttle). Under
//! shuttle each access is recorded in the trace (as loom's are), so that a failing schedule shows
//! which reads and writes it interleaved; on real threads nothing is recorded.

use std::panic::Location;

use crate::sync::trace::{self, Op};
use crate::sync::{FLAVOUR, Flavour};

/// Whether this flavour records cell accesses: shuttle does (its traces are read like loom's), the
/// stress checker does not (a ring buffer's every slot access would be a lock in its log).
const RECORDS: bool = !matches!(FLAVOUR, Flavour::Std);

/// A `core::cell::UnsafeCell` with loom's closure-based API, so the same code checks data races under
/// loom and costs nothing elsewhere.
///
/// Callers promise, exactly as with a raw `UnsafeCell`, that a `with_mut` access never overlaps any
/// other access; under loom that promise is checked.
#[derive(Debug, Default)]
#[repr(transparent)]
pub struct UnsafeCell<T: ?Sized>(core::cell::UnsafeCell<T>);

impl<T> UnsafeCell<T> {
    /// Creates a cell holding `data`.
    #[inline]
    pub const fn new(data: T) -> Self {
        UnsafeCell(core::cell::UnsafeCell::new(data))
    }

    /// Consumes the cell and returns the value.
    #[inline]
    pub fn into_inner(self) -> T {
        self.0.into_inner()
    }
}

impl<T: ?Sized> UnsafeCell<T> {
    /// Gives `f` a shared pointer to the value. Dereferencing it is `unsafe`: no `with_mut` access may
    /// overlap.
    #[inline]
    #[track_caller]
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        if RECORDS && trace::active() {
            trace::record(Op::Access(false), self.addr(), Location::caller());
        }
        f(self.0.get())
    }

    /// Gives `f` a unique pointer to the value. Dereferencing it is `unsafe`: no other access may
    /// overlap.
    #[inline]
    #[track_caller]
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        if RECORDS && trace::active() {
            trace::record(Op::Access(true), self.addr(), Location::caller());
        }
        f(self.0.get())
    }

    fn addr(&self) -> usize {
        self.0.get() as *const () as usize
    }
}
