//! `racezoo suite POOL`: the pool regression suite's table for racezoo's own `WorkerPool`, one of the
//! shipped mutants, or a third-party pool (through the adapters the tests use,
//! `tests/support/pools.rs`). Runs on real threads (std flavour); `cargo test --test pool suite_model::`
//! runs the suite under loom and shuttle.
//!
//! rayon's default `spawn` aborts the process when a job panics, and `scoped_threadpool` can abort it
//! once a panic has killed its workers, so their checks run each in a child process
//! (`Suite::run_isolated`): the tool re-executes itself with the pool's key as the first
//! argument and the suite's child variable set, and [`child`] answers.

use racezoo::pool::WorkerPool;
use racezoo::suite::mutants::{self, Flaw};
use racezoo::suite::{CHILD_ENV, Check, Outcome, Suite, SuiteReport};
use racezoo::sync::FLAVOUR;

#[allow(dead_code)] // the tests use every adapter; the tool, the ones it names below
#[path = "../../tests/support/pools.rs"]
mod pools;

use self::pools::{
    RayonAdapter, RustyPoolAdapter, ScopedThreadPoolAdapter, ThreadPoolAdapter, WorkerPoolAdapter,
};

/// The pools the command knows besides the mutants: key and name in the report.
const POOLS: [(&str, &str); 7] = [
    ("racezoo", "racezoo::pool::WorkerPool"),
    ("threadpool", "threadpool::ThreadPool 1.8"),
    ("rusty_pool", "rusty_pool::ThreadPool 0.7"),
    ("rayon", "rayon::ThreadPool::spawn"),
    (
        "rayon-panic-handler",
        "rayon::ThreadPool::spawn with a panic_handler",
    ),
    ("workerpool", "workerpool::Pool 1.2"),
    (
        "scoped_threadpool",
        "scoped_threadpool::Pool 0.1.9 (through a dispatcher thread)",
    ),
];

/// A mutant's key: its flaw in snake case (`drops_queued_on_shutdown`).
fn key(flaw: Flaw) -> String {
    let mut out = String::new();
    for (i, c) in format!("{flaw:?}").chars().enumerate() {
        if c.is_ascii_uppercase() {
            if i > 0 {
                out.push('_');
            }
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// Every key `suite` accepts.
pub(crate) fn keys() -> Vec<String> {
    POOLS
        .iter()
        .map(|(k, _)| k.to_string())
        .chain(Flaw::ALL.iter().map(|f| format!("mutant:{}", key(*f))))
        .collect()
}

/// Runs the suite on the pool named `pool`; `None` if no pool has that key.
pub(crate) fn run(pool: &str) -> Option<SuiteReport> {
    let suite = Suite::new();
    let name = |k: &str| POOLS.iter().find(|(key, _)| *key == k).map(|(_, n)| *n);
    let report = match pool {
        "racezoo" => suite.run::<WorkerPool>(name(pool)?),
        "threadpool" => suite.run::<ThreadPoolAdapter>(name(pool)?),
        "rusty_pool" => suite.run::<RustyPoolAdapter>(name(pool)?),
        "workerpool" => suite.run::<WorkerPoolAdapter>(name(pool)?),
        "scoped_threadpool" => suite.run_isolated::<ScopedThreadPoolAdapter>(name(pool)?, pool),
        "rayon" => suite.run_isolated::<RayonAdapter<false>>(name(pool)?, pool),
        "rayon-panic-handler" => suite.run_isolated::<RayonAdapter<true>>(name(pool)?, pool),
        other => {
            let flaw = Flaw::ALL
                .iter()
                .copied()
                .find(|f| other.strip_prefix("mutant:") == Some(key(*f).as_str()))?;
            SuiteReport {
                pool: format!("mutant {flaw:?} (killed by {})", flaw.killed_by()),
                flavour: FLAVOUR,
                results: Check::ALL
                    .iter()
                    .map(|&c| mutants::run_check_on(&suite, flaw, c))
                    .collect(),
                note: None,
            }
        }
    };
    Some(report)
}

/// In a child process started by `run_isolated`, runs the check it names and returns `true`.
pub(crate) fn child() -> bool {
    if std::env::var_os(CHILD_ENV).is_none() {
        return false;
    }
    let suite = Suite::new();
    match std::env::args().nth(1).as_deref() {
        Some("rayon") => suite.child::<RayonAdapter<false>>(),
        Some("rayon-panic-handler") => suite.child::<RayonAdapter<true>>(),
        Some("scoped_threadpool") => suite.child::<ScopedThreadPoolAdapter>(),
        _ => false,
    }
}

/// Whether `report` on `pool` is what racezoo expects: its own pool passes every check, a mutant
/// fails the check tied to its bug. A third-party pool's table is a finding, not an expectation
/// (`tests/suite_third_party.rs` pins each).
pub(crate) fn as_expected(pool: &str, report: &SuiteReport) -> bool {
    match pool {
        "racezoo" => report.passed(),
        p if p.starts_with("mutant:") => Flaw::ALL
            .iter()
            .find(|f| p == format!("mutant:{}", key(**f)))
            .is_some_and(|f| {
                report
                    .get(f.killed_by())
                    .is_some_and(|r| r.outcome == Outcome::Fail)
            }),
        _ => true,
    }
}
