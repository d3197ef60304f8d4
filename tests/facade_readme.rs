//! The README's "Using racezoo from your crate" section shows code that lives, verbatim, as the
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
    // The file is its header (doc comment, attributes), then the blocks separated by blank lines.
    let code: String = file
        .lines()
        .skip_while(|l| l.starts_with("//!") || l.starts_with("#!") || l.is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    let blocks = rust_blocks(&readme, "## Using racezoo from your crate");
    assert_eq!(blocks.len(), 3, "the section shows three blocks");
    assert_eq!(
        code,
        blocks.join("\n"),
        "README.md and examples/downstream/tests/readme.rs differ"
    );
}
