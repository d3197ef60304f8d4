//! Go's `sync` and `context` in racezoo: WaitGroup, RwMutex, Context and ErrGroup on real threads
//! (ports of Go's own tests) and under every checker of the flavour (`*_model.rs`, driven by
//! `common.rs`). One test binary, so that each flavour links it once.

mod common;
mod context;
mod context_go;
mod context_model;
mod errgroup;
mod errgroup_model;
mod rwmutex;
mod rwmutex_model;
mod waitgroup;
mod waitgroup_model;
