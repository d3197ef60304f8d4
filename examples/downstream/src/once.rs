//! A once-cell on one atomic state byte, and its broken twin.
//!
//! [`Once::get_or_init`] moves the state from `EMPTY` to `BUSY` with a compare-exchange: the one
//! thread that wins writes the value and publishes `READY` with `Release`; the others wait until
//! they see `READY` (with `Acquire`). [`RacyOnce`] checks and then acts: two threads that both see
//! `EMPTY` both write the value, one of them while the other may already be reading it.

use racezoo::sync::atomic::{AtomicU8, Ordering};
use racezoo::sync::cell::UnsafeCell;
use racezoo::sync::thread;

const EMPTY: u8 = 0;
const BUSY: u8 = 1;
const READY: u8 = 2;

/// A cell initialized at most once, by whichever thread gets there first.
pub struct Once<T> {
    state: AtomicU8,
    value: UnsafeCell<Option<T>>,
}

// SAFETY: the value is written once, by the thread that won `EMPTY -> BUSY`, before `READY` is
// published with Release; it is read only after `READY` is seen with Acquire.
unsafe impl<T: Send + Sync> Sync for Once<T> {}

impl<T> Once<T> {
    /// Creates an empty cell.
    pub fn new() -> Self {
        Once {
            state: AtomicU8::new(EMPTY),
            value: UnsafeCell::new(None),
        }
    }

    /// Returns the value, initializing it with `f` if nobody has. A thread that finds another one
    /// initializing waits for it (an `f` that panics leaves the others waiting forever).
    pub fn get_or_init(&self, f: impl FnOnce() -> T) -> &T {
        match self
            .state
            .compare_exchange(EMPTY, BUSY, Ordering::Acquire, Ordering::Acquire)
        {
            Ok(_) => {
                let value = f();
                // SAFETY: we won EMPTY -> BUSY: nobody else writes, and nobody reads before READY.
                self.value.with_mut(|p| unsafe { *p = Some(value) });
                self.state.store(READY, Ordering::Release);
            }
            Err(_) => {
                // Someone else initializes: wait until they publish.
                while self.state.load(Ordering::Acquire) != READY {
                    thread::yield_now();
                }
            }
        }
        // SAFETY: READY was seen with Acquire (or set by us): the value is written and final.
        self.value
            .with(|p| unsafe { (*p).as_ref() })
            .expect("READY means initialized")
    }
}

impl<T> Default for Once<T> {
    fn default() -> Self {
        Once::new()
    }
}

/// The broken twin: checks the state, then initializes, with nothing in between.
pub struct RacyOnce<T> {
    state: AtomicU8,
    value: UnsafeCell<Option<T>>,
}

// SAFETY: none, really: this is the bug the tests find.
unsafe impl<T: Send + Sync> Sync for RacyOnce<T> {}

impl<T> RacyOnce<T> {
    /// Creates an empty cell.
    pub fn new() -> Self {
        RacyOnce {
            state: AtomicU8::new(EMPTY),
            value: UnsafeCell::new(None),
        }
    }

    /// Returns the value, initializing it with `f` if it *looks* uninitialized.
    pub fn get_or_init(&self, f: impl FnOnce() -> T) -> &T {
        if self.state.load(Ordering::Acquire) != READY {
            // The bug: another thread may be between this check and its own store.
            let value = f();
            // SAFETY: unsound, see above.
            self.value.with_mut(|p| unsafe { *p = Some(value) });
            self.state.store(READY, Ordering::Release);
        }
        // SAFETY: unsound, see above.
        self.value
            .with(|p| unsafe { (*p).as_ref() })
            .expect("READY means initialized")
    }
}

impl<T> Default for RacyOnce<T> {
    fn default() -> Self {
        RacyOnce::new()
    }
}
