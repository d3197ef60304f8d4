//! Every shipped mutant through every check of the suite, under the build's checkers: prints one
//! line per mutant with the checks that fail it and their verdicts (`docs/suite.md` has the table
//! this gives under shuttle).
//!
//! ```text
//! RUSTFLAGS="--cfg shuttle" cargo run --profile model --target-dir target/shuttle --example mutant_matrix
//! ```
//!
//! (Under loom, the checks a mutant passes are explored completely, which takes minutes per
//! mutant; on std every check runs its stress runs.)

use racezoo::suite::mutants::{self, Flaw};
use racezoo::suite::{Check, Outcome, Suite};

fn main() {
    let suite = Suite::new();
    for &flaw in Flaw::ALL {
        let killers: Vec<String> = Check::ALL
            .into_iter()
            .filter_map(|check| {
                let r = mutants::run_check_on(&suite, flaw, check);
                (r.outcome == Outcome::Fail).then(|| match r.verdict {
                    Some(v) => format!("{}({v:?})", check.name()),
                    None => check.name().to_string(),
                })
            })
            .collect();
        println!("{flaw:?}\t{}", killers.join(", "));
    }
}
