// The attribute as a user writes it; racezoo re-exports this crate's `test`.
use racezoo_macros as racezoo;

#[racezoo::test(preemption = 2)]
fn typo_in_a_bound() {}

fn main() {}
