//! The checker harness (`racezoo::check`): verdicts by origin, replay, traces, surviving every
//! failure, caught panics, and budgets. The bodies the tests share are in `bodies.rs`. One test
//! binary, so that each flavour links it once.

mod bodies;
mod caught_panics;
mod replay;
mod survival;
mod trace;
mod trust;
mod verdicts;
