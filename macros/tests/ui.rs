//! Compile-fail tests: each misuse of `#[racezoo::test]` in `tests/ui/` must fail to compile with
//! the one-line error, pointing at the culprit, that its `.stderr` file holds. The messages do not
//! depend on the flavour, so they are checked in the std build only (a second compiler run per case
//! in every flavour would test nothing new). `TRYBUILD=overwrite` regenerates the `.stderr` files.
#![cfg(not(any(loom, shuttle)))]

#[test]
fn misuse_of_the_attribute_is_one_clear_error() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/*.rs");
}
