//! The checkers' atomics with their operations recorded in the trace (loom and shuttle flavours only;
//! the std flavour re-exports `std::sync::atomic` unchanged).
//!
//! Each type wraps the backend's atomic of the same name. The operations a trace needs (loads,
//! stores, read-modify-writes, compare-exchanges) are `#[track_caller]` methods that forward to the
//! backend and then record what happened: the operation, its ordering, its operand and the value it
//! saw. Everything else the backend offers is reached through `Deref`.
//!
//! # Abandoned executions
//!
//! Next to the checker's atomic each type keeps a *shadow*: a std atomic of the same type, updated
//! after every modelled store and read-modify-write. Both checkers run one model thread at a time,
//! and a store or RMW always takes the latest place in the modification order, so the shadow holds
//! the latest value in that order. Once the checker has abandoned the execution ([`abandoned`]),
//! every operation acts on the shadow alone and never calls into the checker (which would panic
//! again, inside a destructor, and abort): a compare-exchange loop in a destructor still sees
//! consistent values and terminates. Loads in a live execution do not touch the shadow: a weak load
//! may return an older value, which is not the latest.

use std::ops::{Deref, DerefMut};
use std::panic::Location;

use super::abandon::abandoned;
use super::backend::atomic as raw;
use super::trace::{self, Op};

/// The shadow's ordering: only one model thread runs at a time, so nothing needs ordering.
const SHADOW: Ordering = Ordering::SeqCst;

pub use raw::Ordering;

#[inline]
#[track_caller]
fn note<A>(
    atomic: &A,
    op: &'static str,
    order: Ordering,
    arg: [Option<i128>; 2],
    result: Option<i128>,
    ok: Option<bool>,
) {
    if trace::active() {
        let op = Op::Atomic {
            op,
            order,
            arg,
            result,
            ok,
        };
        trace::record(op, atomic as *const A as usize, Location::caller());
    }
}

macro_rules! traced_new {
    ($name:ident, $t:ty) => {
        /// Creates the atomic holding `v`.
        #[cfg(shuttle)]
        pub const fn new(v: $t) -> Self {
            $name(raw::$name::new(v), std::sync::atomic::$name::new(v))
        }

        /// Creates the atomic holding `v`.
        #[cfg(not(shuttle))]
        #[track_caller]
        pub fn new(v: $t) -> Self {
            $name(raw::$name::new(v), std::sync::atomic::$name::new(v))
        }
    };
}

macro_rules! traced_common {
    ($name:ident, $t:ty, $val:expr) => {
        impl $name {
            traced_new!($name, $t);

            /// Consumes the atomic and returns the value.
            pub fn into_inner(self) -> $t {
                if abandoned() {
                    return self.1.into_inner();
                }
                self.0.into_inner()
            }

            /// Loads the value.
            #[inline]
            #[track_caller]
            pub fn load(&self, order: Ordering) -> $t {
                if abandoned() {
                    return self.1.load(SHADOW);
                }
                let v = self.0.load(order);
                note(self, "load", order, [None, None], $val(v), None);
                v
            }

            /// Stores `val`.
            #[inline]
            #[track_caller]
            pub fn store(&self, val: $t, order: Ordering) {
                if abandoned() {
                    return self.1.store(val, SHADOW);
                }
                self.0.store(val, order);
                self.1.store(val, SHADOW);
                note(self, "store", order, [$val(val), None], None, None);
            }

            /// Stores `val` and returns the previous value.
            #[inline]
            #[track_caller]
            pub fn swap(&self, val: $t, order: Ordering) -> $t {
                if abandoned() {
                    return self.1.swap(val, SHADOW);
                }
                let v = self.0.swap(val, order);
                self.1.store(val, SHADOW);
                note(self, "swap", order, [$val(val), None], $val(v), None);
                v
            }

            /// Stores `new` if the value is `current`; returns the previous value, `Ok` if it was
            /// `current`.
            #[inline]
            #[track_caller]
            pub fn compare_exchange(
                &self,
                current: $t,
                new: $t,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$t, $t> {
                if abandoned() {
                    return self.1.compare_exchange(current, new, SHADOW, SHADOW);
                }
                let r = self.0.compare_exchange(current, new, success, failure);
                if r.is_ok() {
                    self.1.store(new, SHADOW);
                }
                let (seen, ok) = match r {
                    Ok(v) => (v, true),
                    Err(v) => (v, false),
                };
                let arg = [$val(current), $val(new)];
                note(self, "compare_exchange", success, arg, $val(seen), Some(ok));
                r
            }

            /// Like [`compare_exchange`](Self::compare_exchange), but may fail spuriously.
            #[inline]
            #[track_caller]
            pub fn compare_exchange_weak(
                &self,
                current: $t,
                new: $t,
                success: Ordering,
                failure: Ordering,
            ) -> Result<$t, $t> {
                if abandoned() {
                    return self.1.compare_exchange(current, new, SHADOW, SHADOW);
                }
                let r = self.0.compare_exchange_weak(current, new, success, failure);
                if r.is_ok() {
                    self.1.store(new, SHADOW);
                }
                let (seen, ok) = match r {
                    Ok(v) => (v, true),
                    Err(v) => (v, false),
                };
                let arg = [$val(current), $val(new)];
                note(
                    self,
                    "compare_exchange_weak",
                    success,
                    arg,
                    $val(seen),
                    Some(ok),
                );
                r
            }

            /// Applies `f` until it returns `None` or the update succeeds; returns the previous value,
            /// `Ok` if it was updated.
            #[inline]
            #[track_caller]
            pub fn fetch_update<F>(
                &self,
                set_order: Ordering,
                fetch_order: Ordering,
                f: F,
            ) -> Result<$t, $t>
            where
                F: FnMut($t) -> Option<$t>,
            {
                if abandoned() {
                    return self.1.fetch_update(SHADOW, SHADOW, f);
                }
                let mut f = f;
                let mut stored = None;
                let r = self.0.fetch_update(set_order, fetch_order, |v| {
                    stored = f(v);
                    stored
                });
                if let (Ok(_), Some(new)) = (r, stored) {
                    self.1.store(new, SHADOW);
                }
                let (seen, ok) = match r {
                    Ok(v) => (v, true),
                    Err(v) => (v, false),
                };
                note(
                    self,
                    "fetch_update",
                    set_order,
                    [None, None],
                    $val(seen),
                    Some(ok),
                );
                r
            }
        }

        impl Deref for $name {
            type Target = raw::$name;
            fn deref(&self) -> &raw::$name {
                &self.0
            }
        }

        impl DerefMut for $name {
            fn deref_mut(&mut self) -> &mut raw::$name {
                &mut self.0
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name::new(Default::default())
            }
        }

        impl std::fmt::Debug for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                std::fmt::Debug::fmt(&self.0, f)
            }
        }
    };
}

macro_rules! traced_rmw {
    ($name:ident, $t:ty, $val:expr, $($method:ident),*) => {
        impl $name {
            $(
                #[doc = concat!("Atomically applies `", stringify!($method), "` with `val`; returns the previous value.")]
                #[inline]
                #[track_caller]
                pub fn $method(&self, val: $t, order: Ordering) -> $t {
                    if abandoned() {
                        return self.1.$method(val, SHADOW);
                    }
                    let v = self.0.$method(val, order);
                    self.1.$method(val, SHADOW);
                    note(self, stringify!($method), order, [$val(val), None], $val(v), None);
                    v
                }
            )*
        }
    };
}

macro_rules! traced_int {
    ($($name:ident: $t:ty),*) => {
        $(
            #[doc = concat!("The checker's `", stringify!($name), "`, with its operations traced.")]
            pub struct $name(raw::$name, std::sync::atomic::$name);
            traced_common!($name, $t, |v: $t| Some(v as i128));
            traced_rmw!(
                $name, $t, |v: $t| Some(v as i128),
                fetch_add, fetch_sub, fetch_and, fetch_nand, fetch_or, fetch_xor, fetch_max, fetch_min
            );
            impl From<$t> for $name {
                fn from(v: $t) -> Self {
                    $name::new(v)
                }
            }
        )*
    };
}

traced_int!(
    AtomicU8: u8,
    AtomicI8: i8,
    AtomicU16: u16,
    AtomicI16: i16,
    AtomicUsize: usize,
    AtomicIsize: isize,
    AtomicU32: u32,
    AtomicI32: i32,
    AtomicU64: u64,
    AtomicI64: i64
);

/// The checker's `AtomicBool`, with its operations traced.
pub struct AtomicBool(raw::AtomicBool, std::sync::atomic::AtomicBool);
traced_common!(AtomicBool, bool, |v: bool| Some(v as i128));
traced_rmw!(
    AtomicBool,
    bool,
    |v: bool| Some(v as i128),
    fetch_and,
    fetch_nand,
    fetch_or,
    fetch_xor
);

impl From<bool> for AtomicBool {
    fn from(v: bool) -> Self {
        AtomicBool::new(v)
    }
}

/// The checker's `AtomicPtr`, with its operations traced (values are not shown).
pub struct AtomicPtr<T>(raw::AtomicPtr<T>, std::sync::atomic::AtomicPtr<T>);

impl<T> AtomicPtr<T> {
    /// Creates the atomic holding `v`.
    #[cfg(shuttle)]
    pub const fn new(v: *mut T) -> Self {
        AtomicPtr(raw::AtomicPtr::new(v), std::sync::atomic::AtomicPtr::new(v))
    }

    /// Creates the atomic holding `v`.
    #[cfg(not(shuttle))]
    #[track_caller]
    pub fn new(v: *mut T) -> Self {
        AtomicPtr(raw::AtomicPtr::new(v), std::sync::atomic::AtomicPtr::new(v))
    }

    /// Consumes the atomic and returns the pointer.
    pub fn into_inner(self) -> *mut T {
        if abandoned() {
            return self.1.into_inner();
        }
        self.0.into_inner()
    }

    /// Loads the pointer.
    #[inline]
    #[track_caller]
    pub fn load(&self, order: Ordering) -> *mut T {
        if abandoned() {
            return self.1.load(SHADOW);
        }
        let v = self.0.load(order);
        note(self, "load", order, [None, None], None, None);
        v
    }

    /// Stores `val`.
    #[inline]
    #[track_caller]
    pub fn store(&self, val: *mut T, order: Ordering) {
        if abandoned() {
            return self.1.store(val, SHADOW);
        }
        self.0.store(val, order);
        self.1.store(val, SHADOW);
        note(self, "store", order, [None, None], None, None);
    }

    /// Stores `val` and returns the previous pointer.
    #[inline]
    #[track_caller]
    pub fn swap(&self, val: *mut T, order: Ordering) -> *mut T {
        if abandoned() {
            return self.1.swap(val, SHADOW);
        }
        let v = self.0.swap(val, order);
        self.1.store(val, SHADOW);
        note(self, "swap", order, [None, None], None, None);
        v
    }

    /// Stores `new` if the pointer is `current`; returns the previous pointer, `Ok` if it was
    /// `current`.
    #[inline]
    #[track_caller]
    pub fn compare_exchange(
        &self,
        current: *mut T,
        new: *mut T,
        success: Ordering,
        failure: Ordering,
    ) -> Result<*mut T, *mut T> {
        if abandoned() {
            return self.1.compare_exchange(current, new, SHADOW, SHADOW);
        }
        let r = self.0.compare_exchange(current, new, success, failure);
        if r.is_ok() {
            self.1.store(new, SHADOW);
        }
        note(
            self,
            "compare_exchange",
            success,
            [None, None],
            None,
            Some(r.is_ok()),
        );
        r
    }

    /// Like [`compare_exchange`](Self::compare_exchange), but may fail spuriously.
    #[inline]
    #[track_caller]
    pub fn compare_exchange_weak(
        &self,
        current: *mut T,
        new: *mut T,
        success: Ordering,
        failure: Ordering,
    ) -> Result<*mut T, *mut T> {
        if abandoned() {
            return self.1.compare_exchange(current, new, SHADOW, SHADOW);
        }
        let r = self.0.compare_exchange_weak(current, new, success, failure);
        if r.is_ok() {
            self.1.store(new, SHADOW);
        }
        note(
            self,
            "compare_exchange_weak",
            success,
            [None, None],
            None,
            Some(r.is_ok()),
        );
        r
    }
}

impl<T> Deref for AtomicPtr<T> {
    type Target = raw::AtomicPtr<T>;
    fn deref(&self) -> &raw::AtomicPtr<T> {
        &self.0
    }
}

impl<T> DerefMut for AtomicPtr<T> {
    fn deref_mut(&mut self) -> &mut raw::AtomicPtr<T> {
        &mut self.0
    }
}

impl<T> Default for AtomicPtr<T> {
    fn default() -> Self {
        AtomicPtr::new(std::ptr::null_mut())
    }
}

impl<T> std::fmt::Debug for AtomicPtr<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&self.0, f)
    }
}
