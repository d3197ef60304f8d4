//! Go's `context.AfterFunc`: run a function on its own thread once a context is done.

use std::fmt;

use super::{Done, Subscription};
use crate::sync::{Arc, Mutex, thread};

/// The function of an [`AfterFunc`], shared by its handle and its registration.
type Slot = Arc<Mutex<Option<Box<dyn FnOnce() + Send + 'static>>>>;

/// The handle [`Context::after_func`](super::Context::after_func) returns: [`stop`](AfterFunc::stop)
/// keeps the function from running, if it has not started yet.
///
/// Dropping the handle does not stop the function: as in Go, it still runs when the context is done.
pub struct AfterFunc {
    /// The function until the cancellation starts it or `stop` drops it.
    func: Slot,
    subscription: Mutex<Option<Subscription>>,
}

impl AfterFunc {
    pub(super) fn new<F>(done: &Done, f: F) -> AfterFunc
    where
        F: FnOnce() + Send + 'static,
    {
        // Whoever takes the function out first decides: the cancellation (it runs) or `stop` (it
        // never does). The lock orders the two, and what the loser did before trying.
        let func: Slot = Arc::new(Mutex::new(Some(Box::new(f))));
        let start = |func: &Slot| {
            if let Some(f) = func.lock().take() {
                drop(thread::spawn(f));
            }
        };
        // `on_close` drops the callback uncalled when the context is done already; then the
        // function starts at once, as in Go.
        let subscription = done.on_close({
            let func = func.clone();
            move || start(&func)
        });
        if subscription.is_none() {
            start(&func);
        }
        AfterFunc {
            func,
            subscription: Mutex::new(subscription),
        }
    }

    /// Stops the function from running. Returns `true` if this call stopped it, `false` if it has
    /// already been started (the context is done) or was stopped before (Go's `stop()`).
    pub fn stop(&self) -> bool {
        let stopped = self.func.lock().take().is_some();
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
