use racezoo_macros as racezoo;

#[racezoo::test(loom = 3)]
fn a_verdict_given_as_a_number() {}

fn main() {}
