//! A downstream crate as a racezoo user writes one: two small concurrent structures in `src/`,
//! written against `racezoo::sync` instead of `std::sync`, each with a correct version and a subtly
//! broken twin next to it. The tests in `tests/` check them under whichever checker the build has:
//!
//! ```sh
//! cargo test -p downstream                                                            # real threads
//! RUSTFLAGS="--cfg loom"    CARGO_TARGET_DIR=target/loom    cargo test -p downstream --release
//! RUSTFLAGS="--cfg shuttle" CARGO_TARGET_DIR=target/shuttle cargo test -p downstream --release
//! ```
//!
//! Nothing here reads `cfg(loom)`: racezoo's facade is the one switch.

pub mod once;
pub mod spsc;
