//! Go's channels: a rendezvous channel (capacity 0) and a buffered FIFO (capacity `n`), with Go's
//! close rules, `select` with a default and timeouts, and no loss, duplication or double drop.
//!
//! The algorithm is Go's `runtime/chan.go`: one lock per channel, a queue of blocked senders and one of
//! blocked receivers, direct handoff between a sender and a blocked receiver (and the reverse), and a
//! `select` that locks all its channels in a fixed order, polls its cases in random order and
//! otherwise queues itself on every channel at once. One departure, for speed: a buffered channel
//! keeps its values in a lock-free ring outside the lock (crossbeam's stamped slots), so a send that
//! finds room and a receive that finds a value take no lock at all; only waiting and waking do
//! (`flavors/array.rs` explains how the two paths meet). Likewise a `select` whose cases are all
//! buffered channels (or timers) first polls each case on its own through the lock-free rings
//! (crossbeam's first pass) and locks its channels only to sleep or to report its default
//! (`select.rs`), and a waiter leaves a queue in O(1), without a scan (`queue.rs`, Go's
//! `dequeueSudoG`). The front ([`Sender`], [`Receiver`]) picks the algorithm
//! once (`flavors/zero.rs` or `flavors/array.rs`).
//!
//! # Go's rules, as racezoo states them
//!
//! * [`channel(0)`](channel) is unbuffered: [`Sender::send`] returns only after a receiver has *taken*
//!   the value, so everything the receiver did before its receive is visible after the send.
//!   `channel(n)` buffers up to `n` values; `send` blocks while the buffer is full. Both ends are
//!   cloneable (many senders, many receivers).
//! * **Close is explicit.** [`Sender::close`] closes the channel and wakes every blocked sender and
//!   receiver. Receivers then drain the buffered values in order and afterwards get `None` (Go's
//!   `v, ok := <-ch` with `ok == false`).
//! * **Dropping handles never closes or disconnects anything.** Dropping every receiver does not wake
//!   a blocked sender, and dropping every sender does not close the channel: a goroutine blocked on a
//!   channel nobody will ever use again stays blocked. That is how Go programs leak goroutines, and
//!   racezoo keeps it so that the zoo's leak scenarios ([`crate::scenarios`]) reproduce; the checkers
//!   report such a thread as a deadlock or leak (`tests/chan/model.rs` keeps that under test).
//! * **Send on a closed channel** panics in Go. Here it returns [`SendError`] carrying the value back,
//!   both for a send that starts after close and for a sender blocked when close happens; the zoo's
//!   Go-bug scenarios turn it into Go's panic with [`crate::misuse`].
//! * **Close of a closed channel** panics, as in Go, with Go's message `close of closed channel`
//!   ([`crate::misuse::CLOSE_OF_CLOSED_CHANNEL`]); the harness classifies it as a misuse.
//! * [`select`] waits on receive, send and [`after`] timer cases, and on a context's done signal
//!   ([`Select::done`], Go's `case <-ctx.Done():`); when several are ready it picks one uniformly
//!   at random, as Go does. Under shuttle that pick is a decision of the schedule (explored, and
//!   replayed by a replay handle); under loom, which cannot branch on a value, it is always the
//!   first ready case in the order the cases were listed, so a bug that needs another pick is found
//!   only by shuttle ([`crate::sync::choice`], `tests/chan/select_choice.rs`). A select with
//!   [`Select::default`] never blocks.
//! * Non-blocking operations ([`Sender::try_send`], [`Receiver::try_recv`], a select's poll) are
//!   linearizable, as in Go: once a send has returned, a receive that starts after it finds a value
//!   unless someone else took it, even while an earlier send is still copying its value into the
//!   buffer; once a receive has returned, a send finds its room. Such an operation waits out a copy
//!   another thread has begun (nanoseconds, unless that thread is descheduled), under the channel's
//!   lock.
//! * Every value is dropped exactly once: by its receiver, by the channel when the last handle goes
//!   with values still buffered, or by whoever gets it back in an error (a select's unchosen send
//!   values are dropped by the select).
//!
//! # Time under the checkers
//!
//! [`after`], [`Sender::send_timeout`] and [`Receiver::recv_timeout`] wait through the facade's timed
//! wait. Under loom and shuttle that is a scheduling point after which the time has passed, so a
//! timeout can fire at any point of an execution and never reads as a deadlock; see [`Select`].
//!
//! ```
//! use std::time::Duration;
//!
//! use racezoo::chan::{after, channel, select};
//! use racezoo::check::{self, Verdict};
//! use racezoo::sync::thread;
//!
//! // Real threads in a plain build; loom or shuttle in theirs.
//! let report = check::run_default(|| {
//!     let (tx, rx) = channel::<i32>(0);
//!     let worker = thread::spawn(move || tx.send(7).unwrap());
//!     // Go: select { case v := <-rx: ...; case <-time.After(5 * time.Second): ... }
//!     let timer = after(Duration::from_secs(5));
//!     let got = select().recv(&rx, |v| v).after(&timer, |_| None).wait();
//!     // Under the checkers the timeout may fire first; the value then still waits for a receiver,
//!     // because a rendezvous send completes only when someone takes it.
//!     assert_eq!(got.or_else(|| rx.recv()), Some(7));
//!     worker.join().unwrap();
//! });
//! assert_eq!(report.verdict, Verdict::Pass, "{report}");
//! ```
//!
//! # Cost under the checkers
//!
//! Every atomic operation and every lock is a scheduling point under shuttle, and a place where loom
//! may preempt; the fewer a primitive takes, the more schedules a checker covers in the same time.
//! `tests/chan/cost.rs` measures them and holds each at most at the figure below (counts, not
//! times; the same on every machine).
//!
//! | operation, one thread, nobody else running | shuttle scheduling points |
//! |---|---|
//! | buffered send with room, buffered receive of a value | 4 each (tail or head, stamp, claim, stamp) |
//! | buffered `try_recv` on an empty channel | 3 |
//! | rendezvous `try_send`, nobody waiting | 2 (the channel's lock) |
//! | `select` over 2 buffered channels, one ready | 7 |
//! | `select` with a default over 2 empty buffered channels | 16 (the lock-free pass, then both locks and the linearizable poll) |
//! | [`Mutex`] lock and unlock (the facade's) | 2 |
//! | [`WaitGroup`](crate::waitgroup::WaitGroup) `add(1)`, `done`, `wait` | 5 |
//!
//! | two-thread loom model, `LOOM_MAX_PREEMPTIONS=2` | executions |
//! |---|---|
//! | rendezvous send ↔ receive | 26 |
//! | capacity-1 send ↔ receive | 88 |
//! | `select` over 2 buffered channels ↔ a send | 84 (63 before `select` polled each case lock-free first) |
//! | `Mutex` lock/unlock ↔ lock/unlock | 4 |
//! | `WaitGroup` `add`; `done` ↔ `wait` | 15 |
//!
//! The checkers run the code that ships; what differs under them is only how long a loop spins
//! before it blocks ([`crate::sync::hint::spins`]: not at all). Under the lock, a buffered channel
//! keeps a copy of its queue flags and touches the ring's flag words only to change them.

mod error;
pub(crate) mod flavors;
mod queue;
mod select;
pub(crate) mod waker;

use std::fmt;
use std::time::{Duration, Instant};

use self::flavors::array::{self, Ring, Stalled};
use self::flavors::{RecvFail, SendFail, zero};
use self::waker::{Backoff, Entry, Outcome, Place, Sleeper, Waiters};
use crate::misuse;
use crate::sync::cell::UnsafeCell;
use crate::sync::{Arc, Mutex, trace};

pub use self::error::{RecvTimeoutError, SendError, SendTimeoutError, TryRecvError, TrySendError};
pub use self::select::{After, Select, after, select};

/// Creates a channel of capacity `cap` and returns its sending and receiving ends.
///
/// `cap == 0` makes a rendezvous channel (Go's `make(chan T)`); `cap > 0` a buffered one
/// (`make(chan T, cap)`), whose whole buffer is allocated now, as Go's `make` does.
///
/// # Panics
/// With Go's message `makechan: size out of range` if `cap` is too large to index.
pub fn channel<T>(cap: usize) -> (Sender<T>, Receiver<T>) {
    let flavor = if cap == 0 {
        Flavor::Zero(UnsafeCell::new(zero::Channel::new()))
    } else {
        Flavor::Array {
            ring: Ring::new(cap),
            waiters: UnsafeCell::new(Waiters::new()),
        }
    };
    let shared = Arc::new(Shared {
        // Relaxed: only uniqueness and each thread's creation order matter.
        id: NEXT_ID.fetch_add(1, std::sync::atomic::Ordering::Relaxed),
        lock: Mutex::new(()),
        flavor,
    });
    (
        Sender {
            shared: shared.clone(),
        },
        Receiver { shared },
    )
}

/// A channel's algorithm, chosen once at construction; each variant holds all of its state (what
/// sits in an `UnsafeCell` is reached only under the channel's lock).
// The ring's cache-padded head and tail make `Array` a few hundred bytes larger than `Zero`. There
// is one `Flavor` per channel, inside its `Arc`; boxing the ring would put a pointer chase on every
// send and receive instead.
#[allow(clippy::large_enum_variant)]
enum Flavor<T> {
    /// Capacity 0: the whole channel, under the lock.
    Zero(UnsafeCell<zero::Channel<T>>),
    /// Capacity `n > 0`.
    Array {
        /// The buffer, lock-free and outside the lock.
        ring: Ring<T>,
        /// The queues of blocked operations, under the lock.
        waiters: UnsafeCell<Waiters<T>>,
    },
}

/// A channel under its lock: its flavour's locked state.
pub(crate) enum Locked<'a, T> {
    /// A rendezvous channel.
    Zero(&'a mut zero::Channel<T>),
    /// A buffered channel: its ring and its queues.
    Array(array::Channel<'a, T>),
}

impl<T> Locked<'_, T> {
    /// Sends without blocking (on a buffered channel, waiting out a receive still reading the slot
    /// it needs, so that `Full` is linearizable).
    pub(crate) fn try_send(&mut self, value: T) -> Result<(), SendFail<T>> {
        match self {
            Locked::Zero(c) => c.try_send(value),
            Locked::Array(c) => c.try_send(value),
        }
    }

    /// Receives without blocking (on a buffered channel, waiting out a send still copying the head
    /// value in, so that `Empty` is linearizable).
    pub(crate) fn try_recv(&mut self) -> Result<T, RecvFail> {
        match self {
            Locked::Zero(c) => c.try_recv(),
            Locked::Array(c) => c.try_recv(),
        }
    }

    /// Queues a blocked sender; on a buffered channel room may release it at once. Returns its place
    /// in the queue.
    pub(crate) fn register_sender(&mut self, entry: Arc<Entry<T>>) -> Place {
        match self {
            Locked::Zero(c) => c.register_sender(entry),
            Locked::Array(c) => c.register_sender(entry),
        }
    }

    /// Queues a blocked receiver; on a buffered channel a value may go to it at once. Returns its
    /// place in the queue.
    pub(crate) fn register_receiver(&mut self, entry: Arc<Entry<T>>) -> Place {
        match self {
            Locked::Zero(c) => c.register_receiver(entry),
            Locked::Array(c) => c.register_receiver(entry),
        }
    }

    /// Takes the entry of a finished wait out of its queue (O(1); nothing if it has left already).
    pub(crate) fn remove(&mut self, place: Place) {
        match self {
            Locked::Zero(c) => c.remove(place),
            Locked::Array(c) => c.remove(place),
        }
    }

    /// Moves values between the buffer and queued operations (buffered channels only).
    fn settle(&mut self) {
        if let Locked::Array(c) = self {
            c.settle();
        }
    }

    /// Closes the channel and wakes every queued operation; `false` if it was closed already.
    fn close(&mut self) -> bool {
        match self {
            Locked::Zero(c) => c.close(),
            Locked::Array(c) => c.close(),
        }
    }

    /// Returns `true` once the channel is closed.
    fn is_closed(&self) -> bool {
        match self {
            Locked::Zero(c) => c.is_closed(),
            Locked::Array(c) => c.ring.is_closed(),
        }
    }
}

/// The id of the next channel. `select` locks its channels in id order (Go's `sellock` uses
/// addresses): a model checker replays a schedule by running the program again, and heap addresses
/// may differ between runs while the order in which a program creates its channels does not. A
/// plain `std` counter on purpose: it numbers objects across every execution and synchronizes
/// nothing, so it must not be one of the checker's objects.
static NEXT_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// A channel as both ends share it: a lock and the flavour whose state it protects.
///
/// The lock is a `Mutex<()>` beside the state rather than around it so that [`select`] can hold the
/// locks of channels of different element types at once (Go's `sellock`). A buffered channel's ring
/// sits outside the lock: sends and receives that neither wait nor wake anyone use it alone
/// (`flavors/array.rs`).
pub(crate) struct Shared<T> {
    /// The channel's place in `select`'s lock order (see [`NEXT_ID`]).
    id: u64,
    lock: Mutex<()>,
    flavor: Flavor<T>,
}

// SAFETY: the `UnsafeCell`s of `flavor` are only reached through `with` / `with_locked`, both under
// `lock`, so they are shared exactly like a `Mutex<zero::Channel<T>>` or `Mutex<Waiters<T>>`, which
// are `Send + Sync` when `T: Send`; `Ring<T>` is `Send + Sync` when `T: Send`. The loom tests
// (`tests/chan/model.rs`) check every access to the cells.
unsafe impl<T: Send> Send for Shared<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Shared<T> {}

impl<T> Shared<T> {
    /// Runs `f` on the locked state under the channel's lock.
    #[track_caller]
    fn with<R>(&self, f: impl FnOnce(&mut Locked<'_, T>) -> R) -> R {
        let _guard = self.lock.lock();
        // SAFETY: `_guard` holds the lock until `f` returns.
        unsafe { self.with_locked(f) }
    }

    /// Runs `f` on the locked state.
    ///
    /// # Safety
    /// The caller holds `self.lock` for the whole call.
    pub(crate) unsafe fn with_locked<R>(&self, f: impl FnOnce(&mut Locked<'_, T>) -> R) -> R {
        match &self.flavor {
            Flavor::Zero(cell) => cell.with_mut(|c| {
                // SAFETY: the lock is held (caller's promise), so no other access overlaps this one.
                f(&mut Locked::Zero(unsafe { &mut *c }))
            }),
            Flavor::Array { ring, waiters } => waiters.with_mut(|w| {
                // SAFETY: as above.
                let waiters = unsafe { &mut *w };
                f(&mut Locked::Array(array::Channel { ring, waiters }))
            }),
        }
    }

    /// Returns the channel's lock with its place in the lock order, for `select`'s lock-all.
    pub(crate) fn lock(&self) -> (u64, &Mutex<()>) {
        (self.id, &self.lock)
    }

    /// Returns a buffered channel's ring.
    fn ring(&self) -> Option<&Ring<T>> {
        match &self.flavor {
            Flavor::Array { ring, .. } => Some(ring),
            Flavor::Zero(_) => None,
        }
    }

    /// Sends without blocking: through the ring alone on a buffered channel (taking the lock only to
    /// wake a queued receiver, or to wait out a receive still reading the slot it needs), under the
    /// lock on a rendezvous channel.
    #[track_caller]
    fn try_send(&self, value: T) -> Result<(), SendFail<T>> {
        let Some(ring) = self.ring() else {
            return self.with(|s| s.try_send(value));
        };
        match ring.try_push(value) {
            Ok(wake) => {
                if wake {
                    self.with(|s| s.settle());
                }
                Ok(())
            }
            Err(Stalled::Failed(fail)) => Err(fail),
            // Not a verdict on the buffer: decide under the lock, which waits the copy out.
            Err(Stalled::Busy(value)) => self.with(|s| s.try_send(value)),
        }
    }

    /// Receives without blocking, like [`try_send`](Shared::try_send).
    #[track_caller]
    fn try_recv(&self) -> Result<T, RecvFail> {
        let Some(ring) = self.ring() else {
            return self.with(|s| s.try_recv());
        };
        match ring.try_pop() {
            Ok((value, wake)) => {
                if wake {
                    self.with(|s| s.settle());
                }
                Ok(value)
            }
            Err(Stalled::Failed(fail)) => Err(fail),
            Err(Stalled::Busy(())) => self.with(|s| s.try_recv()),
        }
    }

    /// Sends `value`, blocking until a receiver takes it (capacity 0) or it is buffered, until the
    /// channel is closed, or until `deadline` if there is one: the one blocking send path.
    #[track_caller]
    fn send(&self, value: T, deadline: Option<Instant>) -> Result<(), SendTimeoutError<T>> {
        let (entry, place) = match self.send_or_queue(value) {
            Ok(None) => return Ok(()),
            Ok(Some(queued)) => queued,
            Err(value) => return Err(SendTimeoutError::Closed(value)),
        };
        match entry.sleeper.wait_for(deadline) {
            Outcome::Chosen { closed: false, .. } => Ok(()),
            Outcome::Chosen { closed: true, .. } => Err(SendTimeoutError::Closed(
                entry.take_slot().expect("close leaves the value"),
            )),
            Outcome::Aborted | Outcome::Waiting => {
                // Timed out: nobody can claim the entry any more; take it out of the queue.
                self.with(|s| s.remove(place));
                Err(SendTimeoutError::Timeout(
                    entry.take_slot().expect("a timed-out send keeps its value"),
                ))
            }
        }
    }

    /// Sends `value` now if possible (on a buffered channel after brief retries, [`retries`]);
    /// otherwise queues a blocked-sender entry holding it and returns the entry to sleep on. `Err`
    /// gives the value back from a closed channel.
    #[track_caller]
    fn send_or_queue(&self, mut value: T) -> Result<Option<Queued<T>>, T> {
        if retries(self.capacity()) {
            let mut backoff = Backoff::default();
            loop {
                match self.try_send(value) {
                    Ok(()) => return Ok(None),
                    Err(SendFail::Closed(back)) => return Err(back),
                    Err(SendFail::Full(back)) => value = back,
                }
                if !backoff.snooze() {
                    break;
                }
            }
        }
        self.with(|s| match s.try_send(value) {
            Ok(()) => Ok(None),
            Err(SendFail::Closed(value)) => Err(value),
            // Nobody to take it and no room: queue up with the value (on a buffered channel room
            // that appeared meanwhile may take it at once; the wait then returns at once).
            Err(SendFail::Full(value)) => {
                let entry = Entry::sender(&Sleeper::new(), 0, value);
                let place = s.register_sender(entry.clone());
                Ok(Some((entry, place)))
            }
        })
    }

    /// Receives, blocking until a value arrives, until the channel is closed and drained, or until
    /// `deadline` if there is one: the one blocking receive path.
    #[track_caller]
    fn recv(&self, deadline: Option<Instant>) -> Result<T, RecvTimeoutError> {
        loop {
            let (entry, place) = match self.recv_or_queue() {
                Ok(value) => return Ok(value),
                Err(None) => return Err(RecvTimeoutError::Closed),
                Err(Some(queued)) => queued,
            };
            match entry.sleeper.wait_for(deadline) {
                Outcome::Chosen { closed: false, .. } => {
                    return Ok(entry.take_slot().expect("a handoff leaves the value"));
                }
                Outcome::Chosen { closed: true, .. } => {
                    // Woken by close. A buffered channel may still hold values sent before the
                    // close, or one whose sender is still copying it in: receive again. After close
                    // nobody queues (`flavors/array.rs`, "Close"), so this ends.
                    if self.ring().is_none() {
                        return Err(RecvTimeoutError::Closed);
                    }
                }
                Outcome::Aborted | Outcome::Waiting => {
                    self.with(|s| s.remove(place));
                    return Err(RecvTimeoutError::Timeout);
                }
            }
        }
    }

    /// Receives now if possible (on a buffered channel after brief retries, [`retries`]); otherwise
    /// queues a blocked-receiver entry and returns it in `Err(Some(..))` to sleep on. `Err(None)`
    /// means closed and drained.
    #[track_caller]
    fn recv_or_queue(&self) -> Result<T, Option<Queued<T>>> {
        if retries(self.capacity()) {
            let mut backoff = Backoff::default();
            loop {
                match self.try_recv() {
                    Ok(value) => return Ok(value),
                    Err(RecvFail::Closed) => return Err(None),
                    Err(RecvFail::Empty) => {}
                }
                if !backoff.snooze() {
                    break;
                }
            }
        }
        self.with(|s| match s.try_recv() {
            Ok(value) => Ok(value),
            Err(RecvFail::Closed) => Err(None),
            // Nothing to take: queue up until a sender hands a value over, or close.
            Err(RecvFail::Empty) => {
                let entry = Entry::receiver(&Sleeper::new(), 0);
                let place = s.register_receiver(entry.clone());
                Err(Some((entry, place)))
            }
        })
    }

    /// What a receive woken by close gets: on a buffered channel, the values sent before the close
    /// (waiting for one still being copied in), else `None`.
    #[track_caller]
    pub(crate) fn recv_after_close(&self) -> Option<T> {
        self.ring()?;
        self.recv(None).ok()
    }

    fn is_closed(&self) -> bool {
        match self.ring() {
            Some(ring) => ring.is_closed(),
            None => self.with(|s| s.is_closed()),
        }
    }

    fn len(&self) -> usize {
        self.ring().map_or(0, Ring::len)
    }

    fn capacity(&self) -> usize {
        self.ring().map_or(0, Ring::capacity)
    }
}

/// A queued blocked operation: its entry, and its place in the channel's queue.
type Queued<T> = (Arc<Entry<T>>, Place);

/// Tells whether a blocking operation on a channel of capacity `cap` retries (with [`Backoff`])
/// before it queues itself.
///
/// Rendezvous operations never do (both partners would spin with nobody queued). Buffered ones do: a
/// full or empty buffer is usually a moment away from room or a value, the retries touch only the
/// lock-free ring, and a sleep and a wake-up per message cost far more.
fn retries(cap: usize) -> bool {
    cap > 0
}

/// The sending end of a channel; clone it for more senders.
pub struct Sender<T> {
    shared: Arc<Shared<T>>,
}

/// The receiving end of a channel; clone it for more receivers.
pub struct Receiver<T> {
    shared: Arc<Shared<T>>,
}

impl<T> Sender<T> {
    /// Sends `value`, blocking until a receiver takes it (capacity 0) or there is room in the buffer.
    ///
    /// Returns [`SendError`] with the value if the channel is closed, or gets closed while this send
    /// is blocked (Go panics in both cases). Dropping every receiver does not unblock it.
    #[track_caller]
    pub fn send(&self, value: T) -> Result<(), SendError<T>> {
        trace::operation("send", "Chan", Arc::as_ptr(&self.shared), || {
            self.shared.send(value, None).map_err(|e| match e {
                SendTimeoutError::Closed(value) => SendError(value),
                SendTimeoutError::Timeout(_) => unreachable!("a send without a deadline timed out"),
            })
        })
    }

    /// Sends `value` if that can happen without blocking.
    #[track_caller]
    pub fn try_send(&self, value: T) -> Result<(), TrySendError<T>> {
        trace::operation("try_send", "Chan", Arc::as_ptr(&self.shared), || {
            self.shared.try_send(value)
        })
        .map_err(|e| match e {
            SendFail::Full(v) => TrySendError::Full(v),
            SendFail::Closed(v) => TrySendError::Closed(v),
        })
    }

    /// Like [`send`](Sender::send), but gives up after `timeout` and returns the value.
    #[track_caller]
    pub fn send_timeout(&self, value: T, timeout: Duration) -> Result<(), SendTimeoutError<T>> {
        trace::operation("send_timeout", "Chan", Arc::as_ptr(&self.shared), || {
            self.shared.send(value, Some(Instant::now() + timeout))
        })
    }

    /// Closes the channel: blocked and future receivers drain the buffer, then get `None`; blocked and
    /// future senders get their value back in an error.
    ///
    /// # Panics
    /// With Go's message `close of closed channel` if the channel is already closed.
    #[track_caller]
    pub fn close(&self) {
        let closed = trace::operation("close", "Chan", Arc::as_ptr(&self.shared), || {
            self.shared.with(|s| s.close())
        });
        if !closed {
            misuse::misuse(misuse::CLOSE_OF_CLOSED_CHANNEL);
        }
    }

    /// Returns `true` once the channel is closed.
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }

    /// Returns the number of buffered values (always 0 for a rendezvous channel).
    pub fn len(&self) -> usize {
        self.shared.len()
    }

    /// Returns `true` if no value is buffered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Returns the capacity given to [`channel`].
    pub fn capacity(&self) -> usize {
        self.shared.capacity()
    }

    pub(crate) fn shared(&self) -> &Shared<T> {
        &self.shared
    }
}

impl<T> Receiver<T> {
    /// Receives a value, blocking until one is available; returns `None` once the channel is closed
    /// and drained. Dropping every sender does not unblock it: only [`Sender::close`] does.
    #[track_caller]
    pub fn recv(&self) -> Option<T> {
        trace::operation("recv", "Chan", Arc::as_ptr(&self.shared), || {
            self.shared.recv(None).ok()
        })
    }

    /// Receives a value if that can happen without blocking.
    #[track_caller]
    pub fn try_recv(&self) -> Result<T, TryRecvError> {
        trace::operation("try_recv", "Chan", Arc::as_ptr(&self.shared), || {
            self.shared.try_recv()
        })
        .map_err(|e| match e {
            RecvFail::Empty => TryRecvError::Empty,
            RecvFail::Closed => TryRecvError::Closed,
        })
    }

    /// Like [`recv`](Receiver::recv), but gives up after `timeout`.
    #[track_caller]
    pub fn recv_timeout(&self, timeout: Duration) -> Result<T, RecvTimeoutError> {
        trace::operation("recv_timeout", "Chan", Arc::as_ptr(&self.shared), || {
            self.shared.recv(Some(Instant::now() + timeout))
        })
    }

    /// Returns a blocking iterator that ends when the channel is closed and drained (Go's
    /// `for v := range ch`).
    pub fn iter(&self) -> Iter<'_, T> {
        Iter { rx: self }
    }

    /// Returns an iterator over the values available without blocking.
    pub fn try_iter(&self) -> TryIter<'_, T> {
        TryIter { rx: self }
    }

    /// Returns `true` once the channel is closed (values may still be buffered).
    pub fn is_closed(&self) -> bool {
        self.shared.is_closed()
    }

    /// Returns the number of buffered values (always 0 for a rendezvous channel).
    pub fn len(&self) -> usize {
        self.shared.len()
    }

    /// Returns `true` if no value is buffered.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Returns the capacity given to [`channel`].
    pub fn capacity(&self) -> usize {
        self.shared.capacity()
    }

    pub(crate) fn shared(&self) -> &Shared<T> {
        &self.shared
    }
}

impl<T> Clone for Sender<T> {
    fn clone(&self) -> Self {
        Sender {
            shared: self.shared.clone(),
        }
    }
}

impl<T> Clone for Receiver<T> {
    fn clone(&self) -> Self {
        Receiver {
            shared: self.shared.clone(),
        }
    }
}

impl<T> fmt::Debug for Sender<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Sender { .. }")
    }
}

impl<T> fmt::Debug for Receiver<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad("Receiver { .. }")
    }
}

/// A blocking iterator over a [`Receiver`]; ends at close-and-drained.
#[derive(Debug)]
pub struct Iter<'a, T> {
    rx: &'a Receiver<T>,
}

impl<T> Iterator for Iter<'_, T> {
    type Item = T;
    #[track_caller]
    fn next(&mut self) -> Option<T> {
        self.rx.recv()
    }
}

/// A non-blocking iterator over a [`Receiver`]; ends as soon as a receive would block.
#[derive(Debug)]
pub struct TryIter<'a, T> {
    rx: &'a Receiver<T>,
}

impl<T> Iterator for TryIter<'_, T> {
    type Item = T;
    fn next(&mut self) -> Option<T> {
        self.rx.try_recv().ok()
    }
}

/// An owning blocking iterator over a [`Receiver`]; ends at close-and-drained.
#[derive(Debug)]
pub struct IntoIter<T> {
    rx: Receiver<T>,
}

impl<T> Iterator for IntoIter<T> {
    type Item = T;
    #[track_caller]
    fn next(&mut self) -> Option<T> {
        self.rx.recv()
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
