//! The README's "Using racezoo from your crate" section shows code that lives, verbatim, in the
//! downstream crate's `tests/readme.rs`, which `scripts/test-all.sh` runs in all three flavours. This
//! test fails if the two drift apart.

use std::path::Path;

/// The `rust` code blocks of the README section that starts with `heading`, in order.
fn rust_blocks(readme: &str, heading: &str) -> Vec<String> {
    let start = readme.find(heading).expect("the section exists");
    let section = &readme[start + heading.len()..];
    let section = &section[..section.find("\n## ").unwrap_or(section.len())];
    let mut blocks = Vec::new();
    let mut rest = section;
    while let Some(open) = rest.find("```rust\n") {
        let body = &rest[open + "```rust\n".len()..];
        let close = body.find("```").expect("a closed block");
        blocks.push(body[..close].to_string());
        rest = &body[close + 3..];
    }
    blocks
}

#[test]
fn the_readme_downstream_code_is_the_tested_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let file = std::fs::read_to_string(root.join("examples/downstream/tests/readme.rs")).unwrap();
    let blocks = rust_blocks(&readme, "## Using racezoo from your crate");
    assert_eq!(blocks.len(), 3, "the section shows three blocks");
    // Each block appears verbatim in the file, in the README's order.
    let mut rest = file.as_str();
    for (i, block) in blocks.iter().enumerate() {
        let at = rest.find(block.as_str()).unwrap_or_else(|| {
            panic!(
                "README block {} is not (in order) in examples/downstream/tests/readme.rs:\n{block}",
                i + 1
            )
        });
        rest = &rest[at + block.len()..];
    }
}
