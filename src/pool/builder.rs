//! [`Builder`]: a pool's size, name and parent context, and the start of its workers.

use std::collections::VecDeque;
use std::fmt;

use super::worker::work;
use super::{Hand, Hint, MAX_BATCH, Shared, State, Stats, WorkerPool};
use crate::context::Context;
use crate::sync::atomic::AtomicBool;
use crate::sync::{Arc, Condvar, Mutex, thread};

/// Configures a [`WorkerPool`] before it starts.
#[derive(Clone)]
pub struct Builder {
    workers: usize,
    capacity: usize,
    name: String,
    parent: Option<Context>,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("workers", &self.workers)
            .field("capacity", &self.capacity)
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

impl Default for Builder {
    fn default() -> Self {
        Builder {
            workers: 4,
            capacity: 64,
            name: "racezoo-pool".to_string(),
            parent: None,
        }
    }
}

impl Builder {
    /// Creates a builder for 4 workers and a queue of 64.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the number of worker threads (at least 1).
    pub fn workers(mut self, workers: usize) -> Self {
        self.workers = workers;
        self
    }

    /// Sets how many accepted jobs may wait in the queue (at least 1).
    pub fn queue_capacity(mut self, capacity: usize) -> Self {
        self.capacity = capacity;
        self
    }

    /// Sets the prefix of the worker threads' names (`{name}-{index}`).
    pub fn name(mut self, name: impl Into<String>) -> Self {
        self.name = name.into();
        self
    }

    /// Derives the pool's context from `parent`: cancelling `parent` cancels what the pool's jobs see
    /// (it does not shut the pool down). Default: [`Context::background`].
    pub fn context(mut self, parent: &Context) -> Self {
        self.parent = Some(parent.clone());
        self
    }

    /// Starts the workers.
    ///
    /// # Panics
    ///
    /// Panics if `workers` or `queue_capacity` is 0, or if a worker thread cannot be spawned.
    #[track_caller]
    pub fn build(self) -> WorkerPool {
        assert!(self.workers > 0, "WorkerPool needs at least one worker");
        assert!(
            self.capacity > 0,
            "WorkerPool needs a queue capacity of at least one"
        );
        let (ctx, cancel) =
            Context::with_cancel(self.parent.as_ref().unwrap_or(&Context::background()));
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                queue: VecDeque::with_capacity(self.capacity),
                capacity: self.capacity,
                batch: (self.capacity / (2 * self.workers)).clamp(1, MAX_BATCH),
                open: true,
                idle_workers: 0,
                spinning: 0,
                blocked_submitters: 0,
                idle_waiters: 0,
                live: self.workers,
                joined: false,
                worker_ids: Vec::with_capacity(self.workers),
                stats: Stats {
                    workers: self.workers,
                    ..Stats::default()
                },
            }),
            hands: (0..self.workers)
                .map(|_| Hand {
                    jobs: Mutex::new(VecDeque::new()),
                })
                .collect(),
            work: Condvar::new(),
            room: Condvar::new(),
            idle: Condvar::new(),
            ctx,
            cancel,
            queued_hint: Hint(AtomicBool::new(false)),
        });
        let handles = (0..self.workers)
            .map(|i| {
                let shared = shared.clone();
                thread::Builder::new()
                    .name(format!("{}-{i}", self.name))
                    .spawn(move || work(&shared, i))
                    .expect("spawning a WorkerPool worker")
            })
            .collect();
        WorkerPool {
            shared,
            handles: Mutex::new(handles),
        }
    }
}
