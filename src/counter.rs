//! The mutex-guarded counter: Go's "one goroutine in the toilet at a time" lock, trivial on purpose.
//!
//! ```go
//! type Counter struct { mu sync.Mutex; n uint64 }
//! func (c *Counter) Inc() { c.mu.Lock(); c.n++; c.mu.Unlock() }
//! ```
//!
//! [`Counter`] is the reference the zoo's racy twins are measured against. Each twin breaks one
//! thing the lock provides:
//!
//! * **No lock at all** (a plain `u64` shared through an `UnsafeCell`): `n += 1` is a read and a write
//!   that two threads interleave; it is a data race, which loom reports as such.
//! * **Atomic load, then atomic store** (`let v = n.load(); n.store(v + 1)`): every access is atomic
//!   but the increment is not; two threads read the same value and one update is lost.
//! * **Lock around the read, lock around the write, released in between**: the same lost update,
//!   with a lock that looks reassuring.
//! * **`get` without the lock**: reads a value no increment has published yet (a stale read).
//!
//! The cure for all of them is the same: do the whole read-modify-write while holding the lock (or
//! as one atomic `fetch_add`, which is what `AtomicU64` offers and what the benches compare against).
//!
//! **Synchronization:** every `inc`/`add` happens before every later `get` (later in the lock's
//! order), so `get` after joining all incrementing threads returns their total.

use crate::sync::Mutex;

/// A `u64` counter guarded by a [`Mutex`]; every operation takes the lock.
#[derive(Debug, Default)]
pub struct Counter {
    n: Mutex<u64>,
}

impl Counter {
    /// Creates a counter at zero.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds one.
    #[track_caller]
    pub fn inc(&self) {
        self.add(1);
    }

    /// Adds `delta`, wrapping on overflow like Go's unsigned arithmetic.
    #[track_caller]
    pub fn add(&self, delta: u64) {
        let mut n = self.n.lock();
        *n = n.wrapping_add(delta);
    }

    /// Returns the current value.
    #[track_caller]
    pub fn get(&self) -> u64 {
        *self.n.lock()
    }
}
