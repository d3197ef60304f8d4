//! The zoo, table-driven: every scenario under every checker of the flavour this test is built in,
//! each report judged against the scenario's expectation (verdict and what the report names).
//!
//! std: `cargo test --test zoo` (stress); loom: `RUSTFLAGS="--cfg loom" CARGO_TARGET_DIR=target/loom
//! cargo test --release --test zoo`; shuttle: the same with `--cfg shuttle` and `target/shuttle`.
//! `RACEZOO_ZOO_FILTER=pool` runs the scenarios whose id contains `pool`.

use std::collections::BTreeMap;

use racezoo::check::{Checker, Verdict};
use racezoo::scenarios::{self, Bounds, Expectation, Names, Scenario};

/// Most executions a model checker may take to find a bug it is expected to find.
const MAX_EXECUTIONS_TO_FIND: u64 = 1_000;

fn selected() -> Vec<Scenario> {
    let filter = std::env::var("RACEZOO_ZOO_FILTER").unwrap_or_default();
    scenarios::all()
        .into_iter()
        .filter(|s| s.id().contains(&filter))
        .collect()
}

#[test]
fn every_scenario_meets_its_expectation_under_every_checker_of_this_flavour() {
    // A stress run gets 2 s before it is a `Hang` (the tool uses 300 ms): on a loaded machine a
    // thread can wait that long for a core, and a misuse or a violation must not turn into a hang
    // because the machine was busy.
    let bounds = Bounds {
        watchdog: std::time::Duration::from_secs(2),
        ..Bounds::default()
    };
    let mut failures = Vec::new();
    let mut checks = 0;
    for scenario in selected() {
        for checker in Checker::available() {
            let expect = scenario.expectation(checker);
            if let Expectation::Skips(_) = expect {
                continue;
            }
            checks += 1;
            let report = match checker.run(&bounds.config(), scenario.body) {
                Ok(report) => report,
                Err(e) => {
                    failures.push(format!("{} under {checker}: {e}", scenario.id()));
                    continue;
                }
            };
            eprintln!(
                "{:<40} {:<15} {:<10} {:>6} execs {:>10.2?}",
                scenario.id(),
                checker.name(),
                report.verdict.to_string(),
                report.executions,
                report.elapsed
            );
            let judged = scenario.judge(&report);
            if let Some(reason) = scenario.pending(checker) {
                match judged {
                    Err(why) => eprintln!("  pending ({reason}): {why}"),
                    Ok(()) => failures.push(format!(
                        "{} under {checker} meets its expectation again: remove its pending note ({reason})",
                        scenario.id()
                    )),
                }
                continue;
            }
            if let Err(why) = judged {
                failures.push(format!(
                    "{} under {checker}: {why}\n{report}",
                    scenario.id()
                ));
            } else if expect.must_find()
                && checker != Checker::Stress
                && report.executions > MAX_EXECUTIONS_TO_FIND
            {
                failures.push(format!(
                    "{} under {checker}: found only after {} executions (at most {MAX_EXECUTIONS_TO_FIND})",
                    scenario.id(),
                    report.executions
                ));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {checks} checks did not meet their expectation:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

#[test]
fn the_zoo_has_forty_scenarios_and_every_pattern_a_correct_version_and_three_bugs() {
    let all = scenarios::all();
    assert!(all.len() >= 40, "only {} scenarios", all.len());
    let mut per_pattern: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for s in &all {
        let entry = per_pattern.entry(s.pattern).or_default();
        if s.is_correct() {
            entry.0 += 1;
        } else {
            entry.1 += 1;
        }
    }
    for (pattern, (correct, buggy)) in per_pattern {
        assert!(correct >= 1, "{pattern} has no correct version");
        assert!(buggy >= 3, "{pattern} has only {buggy} buggy scenarios");
    }
}

#[test]
fn scenario_ids_are_unique_and_every_tag_an_expectation_names_exists() {
    let mut seen = std::collections::BTreeSet::new();
    for s in scenarios::all() {
        assert!(seen.insert(s.id()), "{} is registered twice", s.id());
        for (checker, expect) in s.expect {
            if let Expectation::Finds(_, Names::Stuck(stuck))
            | Expectation::MayFind(_, Names::Stuck(stuck)) = expect
            {
                for (_, tag) in stuck {
                    assert!(
                        s.line_of(tag).is_some(),
                        "{} ({checker}): no `// @{tag}` line in {}",
                        s.id(),
                        s.file
                    );
                }
            }
        }
        // Every checker is listed exactly once.
        for checker in Checker::ALL {
            assert_eq!(
                s.expect.iter().filter(|(c, _)| *c == checker).count(),
                1,
                "{}: {checker} listed other than once",
                s.id()
            );
        }
    }
}

#[test]
fn a_buggy_scenario_is_found_by_at_least_one_checker() {
    for s in scenarios::all() {
        if s.is_correct() {
            continue;
        }
        assert!(
            s.expect.iter().any(|(_, e)| e.must_find()),
            "{}: no checker is expected to find this bug",
            s.id()
        );
        assert!(
            !s.expect
                .iter()
                .any(|(_, e)| matches!(e, Expectation::Finds(Verdict::Pass, _))),
            "{}: Finds(Pass) is not an expectation",
            s.id()
        );
    }
}

/// The committed matrix (`docs/matrix.md`) lists every scenario: regenerate it with
/// `cargo run --release -- --write-docs` when one is added.
#[test]
fn the_committed_matrix_lists_every_scenario() {
    let matrix = include_str!("../docs/matrix.md");
    let missing: Vec<String> = scenarios::all()
        .iter()
        .map(Scenario::id)
        .filter(|id| !matrix.contains(&format!("`{id}`")))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/matrix.md is stale: it does not list {missing:?}; run `cargo run --release -- --docs` to regenerate it"
    );
}
