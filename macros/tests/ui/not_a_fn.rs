use racezoo_macros as racezoo;

#[racezoo::test]
struct NotATest;

fn main() {}
