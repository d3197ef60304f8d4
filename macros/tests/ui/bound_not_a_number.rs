use racezoo_macros as racezoo;

#[racezoo::test(preemptions = "2")]
fn a_bound_given_as_a_string() {}

fn main() {}
