//! The sync facade (`racezoo::sync`): the same behaviour in every flavour, the std surface (scoped
//! threads, locks, mpsc, statics, `#[racezoo::test]`), abandoned executions, the loom facts the
//! facade is built on, and the README's blocks. One test binary, so that each flavour links it once.

mod abandon;
mod arc;
mod basics;
mod facts_loom;
mod locks;
mod mpsc;
mod readme;
mod readme_std;
mod scope;
mod smoke;
mod statics;
mod test_attribute;
