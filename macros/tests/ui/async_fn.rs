use racezoo_macros as racezoo;

#[racezoo::test]
async fn an_async_body() {}

fn main() {}
