//! `WorkerPool` and the pool regression suite: the pool's contract on real threads (`behaviour`), its
//! protocols under every checker of the flavour (`model`), a million-job soak, the suite under the
//! model checkers (every mutant killed, `WorkerPool` passing) and its generated workloads. One test
//! binary, so that each flavour links it once. The suite's real-thread runs (`suite_std.rs`,
//! `suite_third_party.rs`) keep binaries of their own: their verdicts rest on real-thread windows,
//! which other tests' load in the same process would narrow.

mod behaviour;
mod model;
mod soak;
mod suite_model;
mod suite_workload;
