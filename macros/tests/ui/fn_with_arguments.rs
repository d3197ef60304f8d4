use racezoo_macros as racezoo;

#[racezoo::test]
fn a_body_with_an_argument(n: u32) {
    let _ = n;
}

fn main() {}
