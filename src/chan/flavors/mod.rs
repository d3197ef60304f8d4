//! The channel algorithms, one file each, all with the same internal surface. Each is a plain
//! sequential state machine; the front (`chan/mod.rs`) holds the channel's lock around every call.

pub(crate) mod array;
pub(crate) mod zero;

/// Why a non-blocking send did not happen; the value comes back.
pub(crate) enum SendFail<T> {
    /// No receiver is waiting and there is no room in the buffer.
    Full(T),
    /// The channel is closed.
    Closed(T),
}

/// Why a non-blocking receive got nothing.
pub(crate) enum RecvFail {
    /// No sender is waiting and the buffer is empty.
    Empty,
    /// The channel is closed and drained.
    Closed,
}
