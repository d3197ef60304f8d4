//! The channel's error types, each with Go's wording where Go has one.
//!
//! Go panics on a send to a closed channel; racezoo returns the value in an error instead (the zoo
//! turns it into Go's panic with [`crate::misuse`]). The other errors are Rust's idiom for Go's
//! `select` with a default (`try_*`) and `select` with `time.After` (`*_timeout`).

use std::fmt;

use crate::misuse;

/// A send on a closed channel (Go: `panic: send on closed channel`); the value comes back.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct SendError<T>(pub T);

/// Why [`Sender::try_send`](super::Sender::try_send) did not send; the value comes back.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum TrySendError<T> {
    /// The send would block: no receiver waiting, no room in the buffer.
    Full(T),
    /// The channel is closed.
    Closed(T),
}

/// Why [`Sender::send_timeout`](super::Sender::send_timeout) did not send; the value comes back.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum SendTimeoutError<T> {
    /// The duration elapsed first.
    Timeout(T),
    /// The channel is closed.
    Closed(T),
}

/// Why [`Receiver::try_recv`](super::Receiver::try_recv) got nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TryRecvError {
    /// The receive would block: no sender waiting, nothing buffered.
    Empty,
    /// The channel is closed and drained (Go's `ok == false`).
    Closed,
}

/// Why [`Receiver::recv_timeout`](super::Receiver::recv_timeout) got nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecvTimeoutError {
    /// The duration elapsed first.
    Timeout,
    /// The channel is closed and drained.
    Closed,
}

impl<T> fmt::Debug for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("SendError(..)")
    }
}

impl<T> fmt::Display for SendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(misuse::SEND_ON_CLOSED_CHANNEL)
    }
}

impl<T> std::error::Error for SendError<T> {}

impl<T> fmt::Debug for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.pad("Full(..)"),
            TrySendError::Closed(_) => f.pad("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for TrySendError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TrySendError::Full(_) => f.pad("sending on a full channel"),
            TrySendError::Closed(_) => f.pad(misuse::SEND_ON_CLOSED_CHANNEL),
        }
    }
}

impl<T> std::error::Error for TrySendError<T> {}

impl<T> fmt::Debug for SendTimeoutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendTimeoutError::Timeout(_) => f.pad("Timeout(..)"),
            SendTimeoutError::Closed(_) => f.pad("Closed(..)"),
        }
    }
}

impl<T> fmt::Display for SendTimeoutError<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SendTimeoutError::Timeout(_) => f.pad("timed out sending on a channel"),
            SendTimeoutError::Closed(_) => f.pad(misuse::SEND_ON_CLOSED_CHANNEL),
        }
    }
}

impl<T> std::error::Error for SendTimeoutError<T> {}

impl fmt::Display for TryRecvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TryRecvError::Empty => f.pad("receiving on an empty channel"),
            TryRecvError::Closed => f.pad("receiving on a closed channel"),
        }
    }
}

impl std::error::Error for TryRecvError {}

impl fmt::Display for RecvTimeoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RecvTimeoutError::Timeout => f.pad("timed out receiving on a channel"),
            RecvTimeoutError::Closed => f.pad("receiving on a closed channel"),
        }
    }
}

impl std::error::Error for RecvTimeoutError {}
