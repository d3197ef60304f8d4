//! The sync facade (`racezoo::sync`): the same behaviour in every flavour, the std surface (scoped
//! threads, locks, statics, `#[racezoo::test]`), abandoned executions, and the loom facts the facade
//! is built on. One test binary, so that each flavour links it once.

mod abandon;
mod arc;
mod basics;
mod facts_loom;
mod locks;
mod readme;
mod scope;
mod smoke;
mod statics;
mod test_attribute;
