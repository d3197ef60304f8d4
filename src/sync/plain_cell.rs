//! The loom-style `UnsafeCell` for flavours that do not track accesses (std and shuttle).

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
    pub fn with<R>(&self, f: impl FnOnce(*const T) -> R) -> R {
        f(self.0.get())
    }

    /// Gives `f` a unique pointer to the value. Dereferencing it is `unsafe`: no other access may
    /// overlap.
    #[inline]
    pub fn with_mut<R>(&self, f: impl FnOnce(*mut T) -> R) -> R {
        f(self.0.get())
    }
}
