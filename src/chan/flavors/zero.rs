//! The rendezvous channel (`make(chan T)` in Go): no buffer, a send completes only by handing its value
//! to a receiver.
//!
//! A sender that finds a waiting receiver hands it the value and returns; otherwise it queues itself
//! with the value in its entry and sleeps until a receiver *takes* it (or close wakes it with the value
//! still in place). Receivers mirror this. The value never sits in the channel itself.

use super::{RecvFail, SendFail};
use crate::chan::waker::{Entry, Place, Waiters};
use crate::sync::Arc;

/// The state of a rendezvous channel; every method runs under the channel's lock.
#[derive(Debug)]
pub(crate) struct Channel<T> {
    waiters: Waiters<T>,
    closed: bool,
}

impl<T> Channel<T> {
    /// Creates an open channel with nobody waiting.
    pub(crate) fn new() -> Self {
        Channel {
            waiters: Waiters::new(),
            closed: false,
        }
    }

    /// Hands `value` to a waiting receiver, if there is one.
    pub(crate) fn try_send(&mut self, value: T) -> Result<(), SendFail<T>> {
        if self.closed {
            return Err(SendFail::Closed(value));
        }
        self.waiters.deliver(value).map_err(SendFail::Full)
    }

    /// Takes the value of a waiting sender, if there is one.
    pub(crate) fn try_recv(&mut self) -> Result<T, RecvFail> {
        if let Some(value) = self.waiters.take() {
            return Ok(value);
        }
        // Close woke every queued sender, so a closed channel has none left.
        Err(if self.closed {
            RecvFail::Closed
        } else {
            RecvFail::Empty
        })
    }

    /// Queues a blocked sender (with its value in the entry); returns its place in the queue.
    pub(crate) fn register_sender(&mut self, entry: Arc<Entry<T>>) -> Place {
        self.waiters.push_sender(entry)
    }

    /// Queues a blocked receiver; returns its place in the queue.
    pub(crate) fn register_receiver(&mut self, entry: Arc<Entry<T>>) -> Place {
        self.waiters.push_receiver(entry)
    }

    /// Takes the entry at `place` out of its queue, if it is still there (O(1)).
    pub(crate) fn remove(&mut self, place: Place) {
        self.waiters.remove(place);
    }

    /// Closes the channel and wakes every waiter; returns `false` if it was already closed.
    pub(crate) fn close(&mut self) -> bool {
        if std::mem::replace(&mut self.closed, true) {
            return false;
        }
        self.waiters.close_all();
        true
    }

    /// Returns `true` once the channel is closed.
    pub(crate) fn is_closed(&self) -> bool {
        self.closed
    }
}
