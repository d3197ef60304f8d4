use racezoo_macros as racezoo;

#[racezoo::test(seed = 1, seed = 2)]
fn the_same_bound_twice() {}

fn main() {}
