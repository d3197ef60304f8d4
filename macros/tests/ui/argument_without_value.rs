use racezoo_macros as racezoo;

#[racezoo::test(loom)]
fn a_flavour_without_its_verdict() {}

fn main() {}
