//! The buffered channel (`make(chan T, n)` with `n > 0` in Go): a FIFO of capacity `n`.
//!
//! A send goes straight to a waiting receiver if there is one (the buffer is then empty), else into
//! the buffer if there is room, else the sender queues itself and sleeps. A receive takes the head of
//! the buffer and, if a sender is waiting (the buffer was full), moves that sender's value to the tail
//! and releases it, as Go's `chanrecv` does; so values leave in the order their sends completed.

use std::collections::VecDeque;

use super::{RecvFail, SendFail};
use crate::chan::waker::Waiters;

/// The state of a buffered channel; every method runs under the channel's lock.
#[derive(Debug)]
pub(crate) struct Channel<T> {
    buf: VecDeque<T>,
    cap: usize,
    waiters: Waiters<T>,
    closed: bool,
}

impl<T> Channel<T> {
    /// Creates an open, empty channel of capacity `cap` (at least 1).
    pub(crate) fn new(cap: usize) -> Self {
        debug_assert!(cap > 0);
        Channel {
            // Preallocate small buffers only; a huge capacity grows on demand.
            buf: VecDeque::with_capacity(cap.min(1024)),
            cap,
            waiters: Waiters::new(),
            closed: false,
        }
    }

    /// Hands `value` to a waiting receiver, or buffers it if there is room.
    pub(crate) fn try_send(&mut self, value: T) -> Result<(), SendFail<T>> {
        if self.closed {
            return Err(SendFail::Closed(value));
        }
        // Receivers wait only while the buffer is empty, so handing over keeps FIFO order.
        let value = match self.waiters.deliver(value) {
            Ok(()) => return Ok(()),
            Err(value) => value,
        };
        if self.buf.len() < self.cap {
            self.buf.push_back(value);
            Ok(())
        } else {
            Err(SendFail::Full(value))
        }
    }

    /// Takes the head of the buffer (refilling the tail from a waiting sender).
    pub(crate) fn try_recv(&mut self) -> Result<T, RecvFail> {
        if let Some(head) = self.buf.pop_front() {
            // Senders wait only while the buffer is full: the one released takes the freed place.
            if let Some(value) = self.waiters.take() {
                self.buf.push_back(value);
            }
            return Ok(head);
        }
        if let Some(value) = self.waiters.take() {
            return Ok(value);
        }
        Err(if self.closed {
            RecvFail::Closed
        } else {
            RecvFail::Empty
        })
    }

    /// Returns the waiting queues, to register or remove a blocked operation.
    pub(crate) fn waiters(&mut self) -> &mut Waiters<T> {
        &mut self.waiters
    }

    /// Closes the channel and wakes every waiter; buffered values stay to be drained. Returns `false`
    /// if it was already closed.
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

    /// Returns the number of buffered values.
    pub(crate) fn len(&self) -> usize {
        self.buf.len()
    }

    /// Returns the capacity.
    pub(crate) fn capacity(&self) -> usize {
        self.cap
    }
}
