use racezoo_macros as racezoo;

#[racezoo::test(expect = Pass | Deadlok)]
fn a_misspelt_verdict() {}

fn main() {}
