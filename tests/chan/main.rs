//! racezoo's Go channels (`racezoo::chan`): behaviour on real threads, the protocols under loom and
//! shuttle, the costs of an operation under each checker, select's choice, and the trace a channel
//! operation leaves. One test binary, so that each flavour links it once.

mod array_model;
mod behaviour;
#[path = "../gosync/common.rs"]
mod common;
mod cost;
mod done;
mod done_model;
mod model;
mod properties;
mod select_choice;
mod trace;
