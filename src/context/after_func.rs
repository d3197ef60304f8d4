//! Go's `context.AfterFunc`: run a function on its own thread once a context is done.

use std::fmt;

use super::{Done, Subscription};
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::{Arc, Mutex, thread};

/// The handle [`Context::after_func`](super::Context::after_func) returns: [`stop`](AfterFunc::stop)
/// keeps the function from running, if it has not started yet.
///
/// Dropping the handle does not stop the function: as in Go, it still runs when the context is done.
pub struct AfterFunc {
    /// Set by whoever wins: the cancellation that starts the function, or `stop`.
    claimed: Arc<AtomicBool>,
    subscription: Mutex<Option<Subscription>>,
}

impl AfterFunc {
    pub(super) fn new<F>(done: &Done, f: F) -> AfterFunc
    where
        F: FnOnce() + Send + 'static,
    {
        let claimed = Arc::new(AtomicBool::new(false));
        let func = Arc::new(Mutex::new(Some(f)));
        let start = {
            let claimed = claimed.clone();
            move || {
                // AcqRel: the winner of the claim sees what the loser did before trying.
                if !claimed.swap(true, Ordering::AcqRel) {
                    if let Some(f) = func.lock().take() {
                        drop(thread::spawn(f));
                    }
                }
            }
        };
        // `on_close` hands the callback back uncalled (drops it) when the context is done already;
        // then the function starts at once, as in Go.
        let shared = Arc::new(Mutex::new(Some(start)));
        let subscription = done.on_close({
            let shared = shared.clone();
            move || {
                if let Some(start) = shared.lock().take() {
                    start();
                }
            }
        });
        if subscription.is_none() {
            if let Some(start) = shared.lock().take() {
                start();
            }
        }
        AfterFunc {
            claimed,
            subscription: Mutex::new(subscription),
        }
    }

    /// Stops the function from running. Returns `true` if this call stopped it, `false` if it has
    /// already been started (the context is done) or was stopped before (Go's `stop()`).
    pub fn stop(&self) -> bool {
        let stopped = !self.claimed.swap(true, Ordering::AcqRel);
        if stopped {
            // Unregister: the function will never run.
            drop(self.subscription.lock().take());
        }
        stopped
    }
}

impl Drop for AfterFunc {
    fn drop(&mut self) {
        // The function must still run when the context is done: keep the registration.
        if let Some(subscription) = self.subscription.get_mut().take() {
            subscription.detach();
        }
    }
}

impl fmt::Debug for AfterFunc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AfterFunc").finish_non_exhaustive()
    }
}
