//! The read locks each model thread holds on one `RwLock` (loom and shuttle flavours).
//!
//! Neither checker models a thread that holds two read guards of the same `RwLock` at once: loom
//! keeps the readers as a set of threads and corrupts its state when the second guard is released
//! ("invalid internal loom state"); shuttle reports a deadlock. std allows it (and deadlocks only if
//! a writer queues in between). Rather than a wrong verdict, the facade refuses it under the
//! checkers with a panic that names the item.

use super::thread::{ThreadId, current};

/// The model threads holding a read lock of one `RwLock`.
#[derive(Debug, Default)]
pub(in super::super) struct ReadHolders(std::sync::Mutex<Vec<ThreadId>>);

impl ReadHolders {
    /// Creates the record of a lock nobody reads yet.
    pub(in super::super) fn new() -> Self {
        ReadHolders(std::sync::Mutex::new(Vec::new()))
    }

    fn holders(&self) -> std::sync::MutexGuard<'_, Vec<ThreadId>> {
        // Model threads run one at a time and never block while holding this lock.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Panics if the calling model thread already holds a read lock on this `RwLock`.
    #[track_caller]
    pub(in super::super) fn check(&self) {
        let me = current().id();
        if self.holders().contains(&me) {
            panic!(
                "racezoo::sync::RwLock: the checkers cannot model a thread holding two read locks \
                 of the same RwLock at once; drop the first read guard before taking another"
            );
        }
    }

    /// Records that the calling model thread took a read lock.
    pub(in super::super) fn add(&self) {
        let me = current().id();
        self.holders().push(me);
    }

    /// Records that the calling model thread released its read lock.
    pub(in super::super) fn remove(&self) {
        let me = current().id();
        self.holders().retain(|t| *t != me);
    }
}
