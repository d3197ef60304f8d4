//! The channel algorithms, one file each, with the same internal surface under the channel's lock
//! (`try_send`, `try_recv`, `register_*`, `remove`, `close`). The rendezvous flavour is a plain
//! sequential state machine that the front (`chan/mod.rs`) runs under the channel's lock; the
//! buffered flavour keeps its values in a lock-free ring outside the lock, which the front uses
//! directly for sends and receives that neither wait nor wake anyone.

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
