//! `static` synchronization objects and thread-locals that every flavour can model:
//! [`lazy_static!`](crate::lazy_static) and [`thread_local!`](crate::thread_local).
//!
//! Under loom a synchronization object exists only inside one execution, and every execution must
//! start from fresh state; a `static` built at compile time would be neither (and loom's types have
//! no `const fn new`, so `static A: AtomicUsize = AtomicUsize::new(0)` is error E0015 there). These
//! macros expand to the checker's own per-execution statics (`loom::lazy_static!`,
//! `shuttle::lazy_static!`, and their `thread_local!`s), and to `std::sync::LazyLock` and
//! `std::thread_local!` on std, so the same declaration compiles and is modelled in every flavour.

/// Re-exports the macros' expansions need; not part of the API.
#[doc(hidden)]
pub mod __private {
    #[cfg(loom)]
    pub use loom;
    #[cfg(shuttle)]
    pub use shuttle;
    pub use std;
}

/// Declares `static` values initialized on first access, one per loom or shuttle execution: the way
/// to have a `static` synchronization object under every flavour.
///
/// The syntax is the `lazy_static` crate's: `[pub] static ref NAME: Type = expression;`, any number
/// of them. Each value is reached through `Deref` (`NAME.load(..)`, `&*NAME`). On std it is a
/// `std::sync::LazyLock`; under loom and shuttle it is the checker's lazy static, so each execution
/// of a model starts with a fresh value, and loom models the initialization's synchronization.
///
/// ```
/// use racezoo::sync::atomic::{AtomicUsize, Ordering};
///
/// racezoo::lazy_static! {
///     static ref HITS: AtomicUsize = AtomicUsize::new(0);
/// }
///
/// let report = racezoo::check::run_default(|| {
///     // A fresh counter in every execution under loom and shuttle.
///     let before = HITS.fetch_add(1, Ordering::Relaxed);
///     assert!(before < usize::MAX);
/// });
/// assert!(report.passed(), "{report}");
/// ```
#[cfg(not(any(loom, shuttle)))]
#[macro_export]
macro_rules! lazy_static {
    () => {};
    ($(#[$attr:meta])* $vis:vis static ref $name:ident : $t:ty = $init:expr; $($rest:tt)*) => {
        $(#[$attr])*
        $vis static $name: $crate::sync::__private::std::sync::LazyLock<$t> =
            $crate::sync::__private::std::sync::LazyLock::new(|| $init);
        $crate::lazy_static!($($rest)*);
    };
}

/// Declares `static` values initialized on first access, one per loom or shuttle execution (see the
/// std flavour's documentation of this macro).
#[cfg(loom)]
#[macro_export]
macro_rules! lazy_static {
    ($($tt:tt)*) => {
        $crate::sync::__private::loom::lazy_static! { $($tt)* }
    };
}

/// Declares `static` values initialized on first access, one per loom or shuttle execution (see the
/// std flavour's documentation of this macro).
#[cfg(all(shuttle, not(loom)))]
#[macro_export]
macro_rules! lazy_static {
    ($($tt:tt)*) => {
        $crate::sync::__private::shuttle::lazy_static! { $($tt)* }
    };
}

/// Declares thread-local values, one per model thread under loom and shuttle: `std::thread_local!`'s
/// syntax, `const { .. }` initializers included.
///
/// Each key is reached with `NAME.with(|v| ..)`. On std this is `std::thread_local!`; under the
/// checkers it is their own, whose values belong to one model thread of one execution.
///
/// ```
/// use std::cell::Cell;
///
/// racezoo::thread_local! {
///     static DEPTH: Cell<u32> = const { Cell::new(0) };
/// }
///
/// // Under loom and shuttle a thread-local exists only inside a model: check it in one.
/// let report = racezoo::check::run_default(|| {
///     DEPTH.with(|d| d.set(d.get() + 1));
///     let t = racezoo::sync::thread::spawn(|| DEPTH.with(Cell::get));
///     assert_eq!(t.join().unwrap(), 0, "another thread has its own value");
///     DEPTH.with(|d| d.set(0));
/// });
/// assert!(report.passed(), "{report}");
/// ```
#[cfg(not(any(loom, shuttle)))]
#[macro_export]
macro_rules! thread_local {
    ($($tt:tt)*) => {
        $crate::sync::__private::std::thread_local! { $($tt)* }
    };
}

/// Declares thread-local values, one per model thread (see the std flavour's documentation).
#[cfg(loom)]
#[macro_export]
macro_rules! thread_local {
    () => {};
    // loom's macro has no `const { .. }` form; the value is the same.
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = const { $init:expr }; $($rest:tt)*) => {
        $crate::sync::__private::loom::thread_local! { $(#[$attr])* $vis static $name: $t = $init; }
        $crate::thread_local! { $($rest)* }
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = const { $init:expr }) => {
        $crate::sync::__private::loom::thread_local! { $(#[$attr])* $vis static $name: $t = $init; }
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = $init:expr; $($rest:tt)*) => {
        $crate::sync::__private::loom::thread_local! { $(#[$attr])* $vis static $name: $t = $init; }
        $crate::thread_local! { $($rest)* }
    };
    ($(#[$attr:meta])* $vis:vis static $name:ident: $t:ty = $init:expr) => {
        $crate::sync::__private::loom::thread_local! { $(#[$attr])* $vis static $name: $t = $init; }
    };
}

/// Declares thread-local values, one per model thread (see the std flavour's documentation).
#[cfg(all(shuttle, not(loom)))]
#[macro_export]
macro_rules! thread_local {
    ($($tt:tt)*) => {
        $crate::sync::__private::shuttle::thread_local! { $($tt)* }
    };
}
