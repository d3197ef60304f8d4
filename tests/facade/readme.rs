//! Every Rust code block of the README is a test, verbatim. The "Using racezoo from your crate"
//! section's blocks live in the downstream crate's `tests/readme.rs`, which `scripts/test-all.sh`
//! runs in all three flavours; the others (real threads outside a check) live in
//! `tests/facade/readme_std.rs`, indented into test functions, and run in the std flavour. These
//! tests fail if a README block and its tested copy drift apart, or if a new block has no copy.

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

/// Every code block of `readme` that rustdoc would treat as Rust (info string empty or starting
/// with `rust`), in order.
fn all_rust_blocks(readme: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    // Inside a fence: whether it is Rust, and its text so far.
    let mut open: Option<(bool, String)> = None;
    for line in readme.lines() {
        match (open.take(), line.strip_prefix("```")) {
            (None, Some(info)) => {
                let lang = info.split(',').next().unwrap_or("").trim();
                open = Some((lang.is_empty() || lang == "rust", String::new()));
            }
            (Some((is_rust, text)), Some(_)) => {
                if is_rust {
                    blocks.push(text);
                }
            }
            (Some((is_rust, mut text)), None) => {
                text.push_str(line);
                text.push('\n');
                open = Some((is_rust, text));
            }
            (None, None) => {}
        }
    }
    assert!(open.is_none(), "the README has an unclosed code block");
    blocks
}

/// `block` with every non-empty line indented by `indent`.
fn indented(block: &str, indent: &str) -> String {
    block
        .lines()
        .map(|l| {
            if l.is_empty() {
                "\n".to_string()
            } else {
                format!("{indent}{l}\n")
            }
        })
        .collect()
}

#[test]
fn every_readme_rust_block_is_in_a_tested_file() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let tested = [
        "examples/downstream/tests/readme.rs",
        "tests/facade/readme_std.rs",
    ]
    .map(|f| (f, std::fs::read_to_string(root.join(f)).unwrap()));
    let blocks = all_rust_blocks(&readme);
    assert_eq!(
        blocks.len(),
        5,
        "the README shows five Rust blocks; a new one needs a tested copy"
    );
    for (i, block) in blocks.iter().enumerate() {
        // At the top level of a file, or indented into a test function's body.
        let found = tested.iter().any(|(_, text)| {
            ["", "    ", "        "]
                .iter()
                .any(|indent| text.contains(&indented(block, indent)))
        });
        assert!(
            found,
            "README Rust block {} is not verbatim in any of {:?}:\n{block}",
            i + 1,
            tested.map(|(f, _)| f)
        );
    }
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
