//! `std::sync::mpsc` on the facade: multi-producer, single-consumer FIFO channels whose every
//! operation every checker models.
//!
//! The same surface as std: [`channel`] (unbounded: `send` never blocks), [`sync_channel`]`(n)`
//! (bounded: `send` blocks while `n` values wait; `sync_channel(0)` is a rendezvous, where `send`
//! returns only once the receiver has taken the value), [`Sender`] and [`SyncSender`] (cloneable),
//! [`Receiver`] (one, `Send` but not `Sync`), and std's own error types, re-exported, so code that
//! matches on them compiles unchanged.
//!
//! Unlike racezoo's Go channels ([`crate::chan`]), these disconnect as std's do: when the last sender
//! is dropped, `recv` returns the values still queued and then [`RecvError`]; when the receiver is
//! dropped, every `send` (a blocked one included) fails with the value back in [`SendError`].
//!
//! The algorithm is one facade [`Mutex`] over a `VecDeque` and two [`Condvar`]s, the receiver's
//! and the senders'. Each side records whether the other waits, so an operation that wakes nobody
//! makes no notify (a system call on std, a scheduling point under the checkers). A rendezvous
//! send puts its value in the one slot and then waits until the receiver has counted it taken.
//!
//! Synchronization: everything a thread did before a `send` happens before the `recv` that returns
//! that value; for `sync_channel(0)`, everything the receiver did before taking the value also
//! happens before that `send` returns.
//!
//! ```
//! use racezoo::check::{self, Verdict};
//! use racezoo::sync::{mpsc, thread};
//!
//! // Real threads in a plain build; loom or shuttle in theirs.
//! let report = check::run_default(|| {
//!     let (tx, rx) = mpsc::sync_channel(0); // a rendezvous
//!     let worker = thread::spawn(move || tx.send(42).unwrap());
//!     assert_eq!(rx.recv(), Ok(42));
//!     worker.join().unwrap();
//!     assert!(rx.recv().is_err(), "the only sender is gone: disconnected");
//! });
//! assert_eq!(report.verdict, Verdict::Pass, "{report}");
//! ```

use std::collections::VecDeque;
use std::marker::PhantomData;
use std::time::{Duration, Instant};

pub use std::sync::mpsc::{RecvError, RecvTimeoutError, SendError, TryRecvError, TrySendError};

use super::trace;
use super::{Arc, Condvar, Mutex, MutexGuard};

/// What one channel shares between its handles.
struct Chan<T> {
    state: Mutex<State<T>>,
    /// The receiver waits here for a value or for the last sender to go.
    receiver: Condvar,
    /// Senders wait here for room, for their rendezvous value to be taken, or for the receiver to go.
    senders: Condvar,
    /// `None`: unbounded. `Some(0)`: rendezvous. `Some(n)`: at most `n` queued values.
    bound: Option<usize>,
}

struct State<T> {
    queue: VecDeque<T>,
    /// Live `Sender`/`SyncSender` handles; the channel is disconnected for the receiver at zero.
    senders: usize,
    /// Whether the `Receiver` still exists.
    receiver: bool,
    /// Whether the receiver is blocked in `recv` or `recv_timeout` (it must be notified).
    receiver_waiting: bool,
    /// How many senders are blocked (they must be notified).
    senders_waiting: usize,
    /// Values ever queued and ever taken: a rendezvous sender waits until `taken` passes its ticket.
    queued: u64,
    taken: u64,
}

impl<T> Chan<T> {
    fn new(bound: Option<usize>) -> Arc<Chan<T>> {
        Arc::new(Chan {
            state: Mutex::new(State {
                queue: VecDeque::new(),
                senders: 1,
                receiver: true,
                receiver_waiting: false,
                senders_waiting: 0,
                queued: 0,
                taken: 0,
            }),
            receiver: Condvar::new(),
            senders: Condvar::new(),
            bound,
        })
    }

    /// Whether the queue has room for one more value (a rendezvous has one slot, for the value in
    /// transit).
    fn has_room(&self, state: &State<T>) -> bool {
        match self.bound {
            None => true,
            Some(n) => state.queue.len() < n.max(1),
        }
    }

    /// Queues `value` (there is room) and wakes the receiver if it waits. Returns the value's ticket.
    fn push(&self, state: &mut State<T>, value: T) -> u64 {
        state.queue.push_back(value);
        state.queued += 1;
        if state.receiver_waiting {
            self.receiver.notify_one();
        }
        state.queued
    }

    /// Blocks on the senders' condition variable, counted as a waiting sender.
    fn sender_wait<'a>(&self, mut state: MutexGuard<'a, State<T>>) -> MutexGuard<'a, State<T>> {
        state.senders_waiting += 1;
        let mut state = self.senders.wait(state);
        state.senders_waiting -= 1;
        state
    }

    /// The blocking send of every flavour.
    fn send(&self, value: T) -> Result<(), SendError<T>> {
        let mut state = self.state.lock();
        // Wait for room (never, unbounded) while the receiver lives.
        while state.receiver && !self.has_room(&state) {
            state = self.sender_wait(state);
        }
        if !state.receiver {
            return Err(SendError(value));
        }
        let ticket = self.push(&mut state, value);
        if self.bound != Some(0) {
            return Ok(());
        }
        // Rendezvous: return once the receiver has taken this value. If it goes first, the value is
        // still the one in the slot (nobody queues behind it): take it back.
        while state.taken < ticket {
            if !state.receiver {
                let value = state
                    .queue
                    .pop_back()
                    .expect("the untaken rendezvous value");
                return Err(SendError(value));
            }
            state = self.sender_wait(state);
        }
        Ok(())
    }

    /// The non-blocking send: a rendezvous succeeds only if the receiver is waiting for a value.
    fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        let mut state = self.state.lock();
        if !state.receiver {
            return Err(TrySendError::Disconnected(value));
        }
        let ready = match self.bound {
            Some(0) => state.receiver_waiting && state.queue.is_empty(),
            _ => self.has_room(&state),
        };
        if !ready {
            return Err(TrySendError::Full(value));
        }
        self.push(&mut state, value);
        Ok(())
    }

    /// Takes the oldest value, waking the senders that wait for room or for this take.
    fn take(&self, state: &mut State<T>) -> Option<T> {
        let value = state.queue.pop_front()?;
        state.taken += 1;
        if state.senders_waiting > 0 {
            if self.bound == Some(0) {
                // The waiters may be the sender of this value and senders waiting for the slot.
                self.senders.notify_all();
            } else {
                // One slot is free: one waiter can use it.
                self.senders.notify_one();
            }
        }
        Some(value)
    }

    /// The receive of every flavour: blocks until a value, a disconnection or the deadline.
    fn recv(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError> {
        let mut state = self.state.lock();
        loop {
            if let Some(value) = self.take(&mut state) {
                return Ok(value);
            }
            if state.senders == 0 {
                return Err(RecvTimeoutError::Disconnected);
            }
            // Register as waiting (a rendezvous `try_send` now succeeds), then wait.
            state.receiver_waiting = true;
            state = match deadline {
                None => self.receiver.wait(state),
                Some(deadline) => {
                    let left = deadline.saturating_duration_since(Instant::now());
                    let (state, result) = self.receiver.wait_timeout(state, left);
                    if result.timed_out() && super::time::timeout_reached(deadline) {
                        let mut state = state;
                        state.receiver_waiting = false;
                        // A value may have arrived as time ran out: prefer it.
                        return match self.take(&mut state) {
                            Some(value) => Ok(value),
                            None if state.senders == 0 => Err(RecvTimeoutError::Disconnected),
                            None => Err(RecvTimeoutError::Timeout),
                        };
                    }
                    state
                }
            };
            state.receiver_waiting = false;
        }
    }

    fn try_recv(&self) -> Result<T, TryRecvError> {
        let mut state = self.state.lock();
        match self.take(&mut state) {
            Some(value) => Ok(value),
            None if state.senders == 0 => Err(TryRecvError::Disconnected),
            None => Err(TryRecvError::Empty),
        }
    }

    fn add_sender(&self) {
        self.state.lock().senders += 1;
    }

    fn drop_sender(&self) {
        let mut state = self.state.lock();
        state.senders -= 1;
        // The last sender disconnects the channel: a waiting receiver must see it.
        if state.senders == 0 && state.receiver_waiting {
            self.receiver.notify_one();
        }
    }

    fn drop_receiver(&self) {
        let queued = {
            let mut state = self.state.lock();
            state.receiver = false;
            // Every blocked sender fails, with its value back.
            if state.senders_waiting > 0 {
                self.senders.notify_all();
            }
            // Values nobody will take are dropped now, outside the lock (a rendezvous value in
            // the slot belongs to its waiting sender, which takes it back).
            if self.bound == Some(0) {
                VecDeque::new()
            } else {
                std::mem::take(&mut state.queue)
            }
        };
        drop(queued);
    }
}

/// Creates an unbounded channel: [`Sender::send`] never blocks.
pub fn channel<T>() -> (Sender<T>, Receiver<T>) {
    let chan = Chan::new(None);
    (Sender { chan: chan.clone() }, Receiver::new(chan))
}

/// Creates a bounded channel of capacity `bound`: [`SyncSender::send`] blocks while `bound` values
/// wait. `sync_channel(0)` is a rendezvous channel: `send` returns once the receiver has taken the
/// value.
pub fn sync_channel<T>(bound: usize) -> (SyncSender<T>, Receiver<T>) {
    let chan = Chan::new(Some(bound));
    (SyncSender { chan: chan.clone() }, Receiver::new(chan))
}

/// The sending half of a [`channel`]; clone it for more producers.
pub struct Sender<T> {
    chan: Arc<Chan<T>>,
}

/// The sending half of a [`sync_channel`]; clone it for more producers.
pub struct SyncSender<T> {
    chan: Arc<Chan<T>>,
}

/// The receiving half of a channel. There is one; it may move to another thread (`Send`) but not be
/// shared (`!Sync`), as std's.
pub struct Receiver<T> {
    chan: Arc<Chan<T>>,
    _not_sync: PhantomData<std::cell::Cell<()>>,
}

impl<T> Sender<T> {
    /// Queues `value` without blocking. Fails with the value back once the receiver is gone.
    #[track_caller]
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        trace::operation("send", "mpsc", Arc::as_ptr(&self.chan), || {
            self.chan.send(value)
        })
    }
}

impl<T> SyncSender<T> {
    /// Sends `value`, blocking while the channel is full; on a rendezvous channel, until the
    /// receiver has taken it. Fails with the value back once the receiver is gone (a blocked send
    /// too).
    #[track_caller]
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        trace::operation("send", "mpsc", Arc::as_ptr(&self.chan), || {
            self.chan.send(value)
        })
    }

    /// Sends `value` if that needs no waiting: there is room, or (rendezvous) the receiver is
    /// blocked waiting for a value. Otherwise returns it in [`TrySendError::Full`], or in
    /// [`TrySendError::Disconnected`] once the receiver is gone.
    #[track_caller]
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        trace::operation("try_send", "mpsc", Arc::as_ptr(&self.chan), || {
            self.chan.try_send(value)
        })
    }
}

impl<T> Receiver<T> {
    fn new(chan: Arc<Chan<T>>) -> Self {
        Receiver {
            chan,
            _not_sync: PhantomData,
        }
    }

    /// Returns the oldest value, blocking until there is one. Once every sender is gone and the
    /// queue is empty, returns [`RecvError`].
    #[track_caller]
    pub fn recv(&self) -> Result<T, RecvError> {
        trace::operation("recv", "mpsc", Arc::as_ptr(&self.chan), || {
            self.chan.recv(None).map_err(|_| RecvError)
        })
    }

    /// Returns the oldest value if there is one now: [`TryRecvError::Empty`] if not,
    /// [`TryRecvError::Disconnected`] once every sender is gone and the queue is empty.
    #[track_caller]
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        trace::operation("try_recv", "mpsc", Arc::as_ptr(&self.chan), || {
            self.chan.try_recv()
        })
    }

    /// Like [`recv`](Receiver::recv), but gives up with [`RecvTimeoutError::Timeout`] after
    /// `timeout`. Under loom and shuttle the wait is a scheduling point after which time has passed
    /// (see [`crate::sync`]), so both orders are explored.
    #[track_caller]
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        // A deadline beyond what `Instant` can hold is no deadline, as in std.
        let deadline = Instant::now().checked_add(timeout);
        trace::operation("recv_timeout", "mpsc", Arc::as_ptr(&self.chan), || {
            self.chan.recv(deadline)
        })
    }

    /// Returns an iterator that blocks for each value and ends once every sender is gone.
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { rx: self }
    }

    /// Returns an iterator over the values queued now; it never blocks.
    pub fn try_iter(&self) -> TryIter<'_, T> {
        TryIter { rx: self }
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        self.chan.add_sender();
        Sender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Clone for SyncSender<T> {
    fn clone(&self) -> Self {
        self.chan.add_sender();
        SyncSender {
            chan: self.chan.clone(),
        }
    }
}

impl<T> Drop for Sender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> Drop for SyncSender<T> {
    fn drop(&mut self) {
        self.chan.drop_sender();
    }
}

impl<T> Drop for Receiver<T> {
    fn drop(&mut self) {
        self.chan.drop_receiver();
    }
}

impl<T> std::fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad("Sender { .. }")
    }
}

impl<T> std::fmt::Debug for SyncSender<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad("SyncSender { .. }")
    }
}

impl<T> std::fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad("Receiver { .. }")
    }
}

/// The blocking iterator of [`Receiver::iter`].
#[derive(Debug)]
pub struct Iter<'a, T> {
    rx: &'a Receiver<T>,
}

/// The non-blocking iterator of [`Receiver::try_iter`].
#[derive(Debug)]
pub struct TryIter<'a, T> {
    rx: &'a Receiver<T>,
}

/// The blocking iterator of a [`Receiver`] taken by value.
#[derive(Debug)]
pub struct IntoIter<T> {
    rx: Receiver<T>,
}

impl<T> Iterator for Iter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.rx.recv().ok()
    }
}

impl<T> Iterator for TryIter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.rx.try_recv().ok()
    }
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.rx.recv().ok()
    }
}

impl<'a, T> IntoIterator for &'a Receiver<T> {
    type Item = T;
    type IntoIter = Iter<'a, T>;
    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T> IntoIterator for Receiver<T> {
    type Item = T;
    type IntoIter = IntoIter<T>;
    fn into_iter(self) -> IntoIter<T> {
        IntoIter { rx: self }
    }
}
