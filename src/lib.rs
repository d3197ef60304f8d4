//! racezoo: Go's concurrency patterns in Rust, the classic bugs of each, and a harness that finds them.
//!
//! Every pattern is written once against [`sync`], a facade that forwards to `std` in a plain build,
//! to loom under `RUSTFLAGS="--cfg loom"` and to shuttle under `RUSTFLAGS="--cfg shuttle"`. The
//! [`check`] drivers run any closure written against the facade under whichever checkers the build
//! has, and return a [`check::Report`] with a [`check::Verdict`] instead of a raw panic.
//!
//! ```
//! use racezoo::check::{self, Config, Verdict};
//! use racezoo::sync::{Arc, Mutex, thread};
//!
//! // Two threads increment a mutex-guarded counter; afterwards it must read 2.
//! let body = || {
//!     let n = Arc::new(Mutex::new(0));
//!     let t = { let n = n.clone(); thread::spawn(move || *n.lock() += 1) };
//!     *n.lock() += 1;
//!     t.join().unwrap();
//!     assert_eq!(*n.lock(), 2);
//! };
//! // Real threads in a plain build; the same body runs under loom or shuttle in theirs.
//! let report = check::run_default(body);
//! assert_eq!(report.verdict, Verdict::Pass, "{report}");
//! ```
//!
//! See `scenarios/` for the zoo: each pattern's correct version next to its racing, deadlocking and
//! leaking twins, with the verdict each checker reaches.

#![warn(missing_docs, unsafe_op_in_unsafe_fn)]

pub mod chan;
pub mod check;
pub mod context;
pub mod counter;
pub mod errgroup;
pub mod misuse;
pub mod pool;
pub mod rwmutex;
#[path = "../scenarios/mod.rs"]
pub mod scenarios;
pub mod suite;
pub mod sync;
pub mod waitgroup;

/// Runs a test body under the build's checker and fails with racezoo's whole report; see
/// [`racezoo_macros::test`] for its arguments (feature `macros`).
///
/// ```
/// // In a test target: `#[racezoo::test]` is `#[test]` plus the checker around the body.
/// #[racezoo::test]
/// fn two_increments_make_two() {
///     use racezoo::sync::{Arc, Mutex, thread};
///     let n = Arc::new(Mutex::new(0));
///     let t = { let n = n.clone(); thread::spawn(move || *n.lock() += 1) };
///     *n.lock() += 1;
///     t.join().unwrap();
///     assert_eq!(*n.lock(), 2);
/// }
/// ```
#[cfg(feature = "macros")]
pub use racezoo_macros::test;
