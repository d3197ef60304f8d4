//! Waiting on a channel: the [`Sleeper`] a blocked thread sleeps on (named apart from
//! `crate::context::Context`, which is Go's `context.Context`) and the queue entries that point
//! at it (Go's `sudog`, `runtime/chan.go`).
//!
//! A blocked `send`, `recv` or `select` creates one [`Sleeper`] and one [`Entry`] per channel it waits
//! on, each holding the case index and a value slot (a blocked sender's value, or the place where a
//! sender hands a value to a blocked receiver). Whoever completes the operation *claims* the sleeper:
//! under the sleeper's lock it checks that the sleeper is still waiting, moves the value, records the
//! chosen case and wakes its thread. A sleeper is claimed at most once, so a `select` waiting on
//! several channels completes exactly one case; a timed wait that gives up marks its sleeper aborted
//! under the same lock, so a late claimer sees it and moves on.
//!
//! A `select`'s done case claims the sleeper the same way, from a cancellation callback
//! ([`Sleeper::signal`]), with no value to move.
//!
//! Lock order: a channel's lock, then a sleeper's lock, then an entry's slot. Nobody takes a channel
//! lock while holding a sleeper lock.

use std::time::Instant;

use super::queue::{Queue, Ticket};
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::hint::{self, spin_loop};
use crate::sync::{Arc, Condvar, Mutex};

/// How a waiting operation ended (or that it has not).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// Nobody has claimed the sleeper yet.
    Waiting,
    /// Case `case` completed; `closed` says it completed because its channel was closed.
    Chosen {
        /// The index of the completed case (0 for a plain send or receive).
        case: usize,
        /// Equals `true` if the channel was closed rather than a value moved.
        closed: bool,
    },
    /// The sleeper gave up (its timeout fired) before anyone claimed it.
    Aborted,
}

/// A sleeper's lock-protected part: the outcome, and whether the owner is blocked on the condvar.
#[derive(Debug)]
struct SleepState {
    outcome: Outcome,
    /// Equals `true` while the owner waits on the condvar, so a claimer must notify; a claimer that
    /// finds it spinning instead saves the wake-up (a system call on real threads).
    parked: bool,
}

/// What an attempt to claim a [`Sleeper`] came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Claim {
    /// The sleeper was waiting and is now claimed; its thread is woken.
    Done,
    /// The sleeper was already claimed or aborted: its entry is stale.
    Gone,
    /// The sleeper is waiting, but the claimer had nothing to move after all; it stays waiting.
    Declined,
}

/// What one blocked thread sleeps on.
#[derive(Debug)]
pub(crate) struct Sleeper {
    state: Mutex<SleepState>,
    cv: Condvar,
    /// Mirrors `state != Waiting` for the sleeper's spin phase; set after the state changes.
    done: AtomicBool,
}

/// How many times a sleeper checks `done` before it takes the lock and blocks. Under the checkers
/// each spin is a scheduling point that only multiplies the interleavings, so they check once (the
/// path stays explored) instead of 64 times.
const SPINS: usize = 1 + hint::spins(63);

impl Sleeper {
    /// Creates a waiting sleeper.
    pub(crate) fn new() -> Arc<Self> {
        Arc::new(Sleeper {
            state: Mutex::new(SleepState {
                outcome: Outcome::Waiting,
                parked: false,
            }),
            cv: Condvar::new(),
            done: AtomicBool::new(false),
        })
    }

    /// Claims the sleeper for `case` if it is still waiting and `fill` (the value move, run under the
    /// sleeper's lock) agrees, and wakes its thread. `fill` returning `false` leaves the sleeper
    /// waiting: a buffered channel's partner declines when the buffer turned out to have no value or
    /// no room after all.
    fn claim(&self, case: usize, closed: bool, fill: impl FnOnce() -> bool) -> Claim {
        let mut state = self.state.lock();
        if state.outcome != Outcome::Waiting {
            return Claim::Gone;
        }
        if !fill() {
            return Claim::Declined;
        }
        state.outcome = Outcome::Chosen { case, closed };
        // Release: a sleeper that sees `done` through its Acquire spin load also sees the value moved
        // by `fill` (it reads the slot after taking the slot lock anyway; this keeps the spin honest).
        self.done.store(true, Ordering::Release);
        // The owner sets `parked` under this lock right before it waits, and checks the outcome under
        // it first: if it is not parked now, it will see the outcome without a notification.
        let parked = state.parked;
        drop(state);
        // Notify after unlocking: the sleeper wakes into a free lock. The claimer holds an `Arc` of the
        // sleeper through its entry, so the sleeper outlives this call.
        if parked {
            self.cv.notify_one();
        }
        Claim::Done
    }

    /// Claims the sleeper for case `case` with no value to move: a signal that the case's source
    /// (a cancelled context's done signal) is closed. Returns `false` if it was already claimed or
    /// aborted, which is how a late signal is ignored.
    pub(crate) fn signal(&self, case: usize) -> bool {
        self.claim(case, true, || true) == Claim::Done
    }

    /// Spins briefly, then blocks until the sleeper is claimed; returns the outcome.
    #[track_caller]
    pub(crate) fn wait(&self) -> Outcome {
        self.spin();
        let mut state = self.state.lock();
        while state.outcome == Outcome::Waiting {
            state.parked = true;
            state = self.cv.wait(state);
            state.parked = false;
        }
        state.outcome
    }

    /// Waits as [`wait`](Sleeper::wait) does without a deadline, as
    /// [`wait_until`](Sleeper::wait_until) does with one.
    #[track_caller]
    pub(crate) fn wait_for(&self, deadline: Option<Instant>) -> Outcome {
        match deadline {
            Some(deadline) => self.wait_until(deadline),
            None => self.wait(),
        }
    }

    /// Blocks until the sleeper is claimed or `deadline` passes; on a timeout that nobody beat, marks
    /// the sleeper [`Outcome::Aborted`].
    ///
    /// Under the checkers the facade's timed wait is a scheduling point followed by a timeout, so the
    /// checker explores a claim arriving before the deadline as well as after it.
    #[track_caller]
    pub(crate) fn wait_until(&self, deadline: Instant) -> Outcome {
        let mut state = self.state.lock();
        loop {
            if state.outcome != Outcome::Waiting {
                return state.outcome;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            state.parked = true;
            let (guard, res) = self.cv.wait_timeout(state, left);
            state = guard;
            state.parked = false;
            if res.timed_out() && state.outcome == Outcome::Waiting {
                state.outcome = Outcome::Aborted;
                return Outcome::Aborted;
            }
        }
    }

    /// Checks `done` a bounded number of times (each a yield under the checkers) so that a partner
    /// on another core can complete the handoff without a sleep and a wake-up.
    fn spin(&self) {
        for _ in 0..SPINS {
            // Acquire pairs with the Release store in `claim`.
            if self.done.load(Ordering::Acquire) {
                return;
            }
            spin_loop();
        }
    }
}

/// Retries of a non-blocking attempt before an operation on a small buffered channel queues itself
/// and sleeps (which channels retry, and why, is decided in `chan/mod.rs`). Rendezvous operations do
/// not retry: both partners would spin with nobody queued; they queue at once and spin in
/// [`Sleeper::wait`] instead.
#[derive(Debug, Default)]
pub(crate) struct Backoff {
    step: u32,
}

impl Backoff {
    /// Spins 2^step times, for steps 0 to 6 (127 spin hints in all, a few microseconds), and never
    /// yields; returns `false` once the budget is spent, and the caller queues itself and sleeps.
    ///
    /// No yield, on purpose: on a machine where another process keeps a core busy, `yield_now`
    /// hands the core to that process for the rest of its time slice (milliseconds), while a thread
    /// that sleeps on the lock's condition variable is woken, and scheduled, as soon as its partner
    /// makes room or sends. With four yields after the spins (crossbeam's backoff, and racezoo's
    /// before issue 15) a capacity-1 channel beside a busy loop took 1.5 to 4.4 ms per message,
    /// crossbeam's too; without them 15 to 22 µs (`benches/README.md`, "Spread over runs").
    ///
    /// Under the checkers there is no budget: the failed attempt is followed at once by the locked
    /// one. A retry in between would only multiply the interleavings.
    pub(crate) fn snooze(&mut self) -> bool {
        if self.step >= hint::spins(7) as u32 {
            return false;
        }
        for _ in 0..1u32 << self.step {
            spin_loop();
        }
        self.step += 1;
        true
    }
}

/// One blocked operation's place in a channel's queue.
#[derive(Debug)]
pub(crate) struct Entry<T> {
    /// The sleeper this entry wakes.
    pub(crate) sleeper: Arc<Sleeper>,
    /// The case index reported to the sleeper when this entry completes.
    case: usize,
    /// A blocked sender's value, or the value handed to a blocked receiver.
    slot: Mutex<Option<T>>,
}

impl<T> Entry<T> {
    /// Creates the entry of a receiver waiting in case `case` of `sleeper`.
    pub(crate) fn receiver(sleeper: &Arc<Sleeper>, case: usize) -> Arc<Self> {
        Arc::new(Entry {
            sleeper: sleeper.clone(),
            case,
            slot: Mutex::new(None),
        })
    }

    /// Creates the entry of a sender waiting with `value` in case `case` of `sleeper`.
    pub(crate) fn sender(sleeper: &Arc<Sleeper>, case: usize, value: T) -> Arc<Self> {
        Arc::new(Entry {
            sleeper: sleeper.clone(),
            case,
            slot: Mutex::new(Some(value)),
        })
    }

    /// Hands `value` to this waiting receiver; gives it back if the receiver has already completed
    /// another case or given up.
    fn deliver(&self, value: T) -> Result<(), T> {
        let mut value = Some(value);
        let fill = || {
            *self.slot.lock() = value.take();
            true
        };
        match self.sleeper.claim(self.case, false, fill) {
            Claim::Done => Ok(()),
            _ => Err(value.take().expect("an unclaimed handoff keeps its value")),
        }
    }

    /// Takes the value of this waiting sender, or `None` if the sender has already completed another
    /// case or given up.
    fn take(&self) -> Option<T> {
        let mut taken = None;
        self.sleeper.claim(self.case, false, || {
            taken = self.slot.lock().take();
            true
        });
        taken
    }

    /// Wakes this entry's operation with "channel closed"; a blocked sender keeps its value in the
    /// slot and finds it there.
    fn close(&self) -> bool {
        self.sleeper.claim(self.case, true, || true) == Claim::Done
    }

    /// Takes the slot's content; called by the entry's own thread once its sleeper was claimed.
    pub(crate) fn take_slot(&self) -> Option<T> {
        self.slot.lock().take()
    }
}

/// Claims the entries of `queue` in order, each with `fill` run on its slot under its sleeper's lock,
/// until `fill` declines (the entry stays queued); claimed and stale entries leave the queue. Returns
/// `true` if any entry was claimed.
fn serve<T>(
    queue: &mut Queue<Arc<Entry<T>>>,
    mut fill: impl FnMut(&mut Option<T>) -> bool,
) -> bool {
    let mut served = false;
    while let Some(entry) = queue.front() {
        match entry
            .sleeper
            .claim(entry.case, false, || fill(&mut entry.slot.lock()))
        {
            Claim::Done => served = true,
            Claim::Gone => {}
            Claim::Declined => return served,
        }
        queue.pop_front();
    }
    served
}

/// The blocked senders and receivers of one channel, each in arrival (FIFO) order.
#[derive(Debug)]
pub(crate) struct Waiters<T> {
    senders: Queue<Arc<Entry<T>>>,
    receivers: Queue<Arc<Entry<T>>>,
    /// A buffered channel's `SENDERS` flag as the lock holder last set it (`flavors/array.rs`);
    /// unused by a rendezvous channel.
    pub(crate) senders_flag: bool,
    /// A buffered channel's `RECEIVERS` flag, likewise.
    pub(crate) receivers_flag: bool,
}

/// Where a queued entry sits: its queue and its place there, to leave in O(1).
#[derive(Clone, Copy, Debug)]
pub(crate) struct Place {
    /// Equals `true` for the senders' queue.
    sender: bool,
    ticket: Ticket,
}

impl<T> Waiters<T> {
    /// Creates empty queues.
    pub(crate) fn new() -> Self {
        Waiters {
            senders: Queue::new(),
            receivers: Queue::new(),
            senders_flag: false,
            receivers_flag: false,
        }
    }

    /// Hands `value` to the first receiver that is still waiting (dropping stale entries on the way);
    /// gives it back if there is none.
    pub(crate) fn deliver(&mut self, mut value: T) -> Result<(), T> {
        while let Some(entry) = self.receivers.pop_front() {
            match entry.deliver(value) {
                Ok(()) => return Ok(()),
                Err(back) => value = back,
            }
        }
        Err(value)
    }

    /// Takes the value of the first sender that is still waiting, and so releases it.
    pub(crate) fn take(&mut self) -> Option<T> {
        while let Some(entry) = self.senders.pop_front() {
            if let Some(value) = entry.take() {
                return Some(value);
            }
        }
        None
    }

    /// Hands values from `next` (a buffer's head) to the waiting receivers in queue order, until `next`
    /// has none or no receiver is left; stale entries are dropped on the way. `next` runs under the
    /// claimed receiver's sleeper lock, so a value is taken only for a receiver that gets it. Returns
    /// `true` if any receiver got a value.
    pub(crate) fn feed_receivers(&mut self, mut next: impl FnMut() -> Option<T>) -> bool {
        serve(&mut self.receivers, |slot| match next() {
            Some(value) => {
                *slot = Some(value);
                true
            }
            None => false,
        })
    }

    /// Moves the values of waiting senders, in queue order, into `put` (a buffer's tail), which gives a
    /// value back when it has no room; stops at the first value it refuses. Each moved sender is
    /// released; stale entries are dropped on the way. Returns `true` if any sender was released.
    pub(crate) fn drain_senders(&mut self, mut put: impl FnMut(T) -> Result<(), T>) -> bool {
        serve(&mut self.senders, |slot| {
            let Some(value) = slot.take() else {
                return false;
            };
            match put(value) {
                Ok(()) => true,
                Err(back) => {
                    *slot = Some(back);
                    false
                }
            }
        })
    }

    /// Returns `true` if a receiver is queued (possibly a stale one).
    pub(crate) fn has_receivers(&self) -> bool {
        !self.receivers.is_empty()
    }

    /// Returns `true` if a sender is queued (possibly a stale one).
    pub(crate) fn has_senders(&self) -> bool {
        !self.senders.is_empty()
    }

    /// Queues a blocked sender; returns its place, to leave with [`remove`](Waiters::remove).
    pub(crate) fn push_sender(&mut self, entry: Arc<Entry<T>>) -> Place {
        Place {
            sender: true,
            ticket: self.senders.push_back(entry),
        }
    }

    /// Queues a blocked receiver; returns its place, to leave with [`remove`](Waiters::remove).
    pub(crate) fn push_receiver(&mut self, entry: Arc<Entry<T>>) -> Place {
        Place {
            sender: false,
            ticket: self.receivers.push_back(entry),
        }
    }

    /// Takes the entry at `place` out of its queue (a select's losing case, a timed-out wait), in
    /// O(1) and without looking at any other entry. Does nothing if a partner or close has taken it
    /// out already.
    pub(crate) fn remove(&mut self, place: Place) {
        let queue = if place.sender {
            &mut self.senders
        } else {
            &mut self.receivers
        };
        queue.remove(place.ticket);
    }

    /// Wakes every blocked sender and receiver with "channel closed".
    pub(crate) fn close_all(&mut self) {
        while let Some(entry) = self.senders.pop_front() {
            entry.close();
        }
        while let Some(entry) = self.receivers.pop_front() {
            entry.close();
        }
    }
}
