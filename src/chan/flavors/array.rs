//! The buffered channel (`make(chan T, n)` with `n > 0` in Go): a FIFO of capacity `n`.
//!
//! # Two paths
//!
//! The buffer is a lock-free ring ([`Ring`]) that lives *outside* the channel's lock. A send that
//! finds room and a receive that finds a value touch only the ring: one compare-and-swap on the tail
//! (or head) to claim a slot, a write (or read) of the value, and a store of the slot's stamp to
//! publish it. Only an operation that must wait, or must wake somebody who waits, takes the lock:
//! Go's queues of blocked senders and receivers ([`Waiters`]) and a `select` that waits on several
//! channels at once stay exactly as in the rendezvous flavour.
//!
//! # The ring
//!
//! `head` and `tail` are positions: a lap count times `one_lap` plus a slot index. Each slot carries a
//! stamp: `pos` when it is free for the send at position `pos`, `pos + 1` when it holds that send's
//! value, and `pos + one_lap` once received (free for the next lap). A sender claims the tail slot
//! whose stamp equals the tail by moving the tail on with a compare-and-swap, then writes the value
//! and publishes it with the stamp; a receiver mirrors this on the head. A thread that finds a slot
//! claimed but not yet published waits for its owner, which needs no lock to finish (see "Waiting out
//! a copy").
//!
//! # Who wakes whom
//!
//! Besides the position, `tail` carries two flags, `CLOSED` and `RECEIVERS`, and `head` one, `SENDERS`.
//! A flag is set or cleared only under the channel's lock; `RECEIVERS` (`SENDERS`) is set while the
//! queue of blocked receivers (senders) is not empty. A sender's compare-and-swap on the tail reads
//! the `RECEIVERS` flag in the same atomic step that publishes its position, so:
//!
//! * a receiver that queues itself sets `RECEIVERS` with a read-modify-write on the tail, then, still
//!   under the lock, hands any buffered value to the queue ([`Channel::settle`]);
//! * a sender whose compare-and-swap saw `RECEIVERS` takes the lock after publishing its value and
//!   does the same.
//!
//! Both are read-modify-writes of one atomic, so one of them comes first: either the send sees the
//! flag, or the receiver's flag update sees the send's position. In the second case the send may still
//! be copying its value in when the receiver settles; the receiver, holding the lock, waits for the
//! stamp (the sender needs no lock to finish). So no wake-up is lost, and no fence is needed. Blocked
//! senders and the `SENDERS` flag on the head mirror this. `CLOSED` lives in the tail for the same
//! reason: a send succeeds only if its compare-and-swap sees the channel open, so after close
//! nothing enters the buffer and receivers drain what is there.
//!
//! # Waiting out a copy
//!
//! An operation outside the lock that meets a slot another thread has claimed but not finished
//! copying spins a moment ([`Ring::try_push`], [`Ring::try_pop`]; not at all under the checkers) and
//! then reports [`Stalled::Busy`], never `Full` or `Empty`: the operation it met may be one that
//! other threads already count as done (a *later* send may have returned while an earlier one is
//! still copying), and Go's non-blocking operations are linearizable. The front then takes the lock
//! and waits the copy out ([`Ring::push_wait`], [`Ring::pop_wait`]), as every operation under the
//! lock does. So `Full` and `Empty` always describe one moment of the buffer, and at most one thread
//! per channel, the lock holder, ever waits on another's copy: the copier waits for nobody between
//! its claim and its stamp, so the wait ends, and loom never sees two threads yield-waiting on a
//! third. Removing the flag check from `push` or from `pop` makes the loom models in
//! `tests/chan/model.rs` report deadlocks (checked by hand when this was written).
//!
//! # Close
//!
//! Close sets `CLOSED` and wakes both queues under the lock. Invariant: **after close, nobody is
//! queued.** A blocking operation queues itself only after its attempt under the lock failed with
//! `Full` or `Empty`, which the closed flag (read in the same load of the tail) rules out once close
//! has run; under the lock a receive waits out every send still copying in, so on a closed channel it
//! gets a value or `Closed`. (Before this was so, a receiver could queue while a send was copying in
//! after close, lose the value to a receiver outside the lock, and sleep for ever: the deadlock that
//! `tests/chan/array_model.rs` reproduces.)
//!
//! Orderings: every load and read-modify-write is `SeqCst`, the stamp stores are `Release`. The
//! protocol needs only acquire/release (the wake-up argument above rests on read-modify-writes of one
//! atomic), but `SeqCst` loads cost nothing extra on x86 and let loom skip stale reads it would
//! otherwise explore (four-thread models ran about 30× more executions with acquire loads), while a
//! `SeqCst` store would be a locked instruction on the fast path (an earlier version published with
//! a swap, also locked: capacity 64 ran at about half the throughput).
//!
//! Values leave in the order their sends claimed tail positions. A blocked sender is moved into the
//! buffer by the receiver that made room, unless a sender arriving just then takes the room first;
//! then the blocked sender waits for the next slot (crossbeam's channels behave the same way).

use std::mem::MaybeUninit;

use crossbeam_utils::CachePadded;

use super::{RecvFail, SendFail};
use crate::chan::waker::{Entry, Place, Waiters};
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::cell::UnsafeCell;
use crate::sync::hint::{self, spin_loop};
use crate::sync::{Arc, thread};

/// One place in the ring.
struct Slot<T> {
    /// Which position the slot is ready for (see the module docs).
    stamp: AtomicUsize,
    /// The value, initialised exactly while the stamp says "holds the value of position `pos`".
    value: UnsafeCell<MaybeUninit<T>>,
}

/// The lock-free buffer of a channel of capacity `n > 0`.
pub(crate) struct Ring<T> {
    /// The position of the next receive, and the `SENDERS` flag.
    head: CachePadded<AtomicUsize>,
    /// The position of the next send, and the `CLOSED` and `RECEIVERS` flags.
    tail: CachePadded<AtomicUsize>,
    slots: Box<[Slot<T>]>,
    /// The lowest flag bit; every slot index and `index + 1` is below it.
    mark: usize,
    /// The distance between one lap's positions and the next's (`4 * mark`: two flag bits between).
    one_lap: usize,
}

// SAFETY: a value moves between threads only through the slot protocol (one writer per claimed
// position, read once by the receiver that claimed it), exactly like a value sent through a
// `Mutex<VecDeque<T>>`, which is `Send + Sync` for `T: Send`. Covered by the loom tests in
// `tests/chan/model.rs`, which check every slot access with the facade's `UnsafeCell`.
unsafe impl<T: Send> Send for Ring<T> {}
// SAFETY: as above.
unsafe impl<T: Send> Sync for Ring<T> {}

impl<T> Ring<T> {
    /// Creates an empty, open ring of `cap` slots. The whole buffer is allocated now, as Go's `make`
    /// does.
    ///
    /// # Panics
    /// With Go's message `makechan: size out of range` if `cap` positions cannot be counted.
    pub(crate) fn new(cap: usize) -> Self {
        assert!(cap > 0);
        let mark = cap
            .checked_add(1)
            .and_then(usize::checked_next_power_of_two)
            .filter(|m| m.checked_mul(8).is_some())
            .expect("makechan: size out of range");
        Ring {
            head: CachePadded::new(AtomicUsize::new(0)),
            tail: CachePadded::new(AtomicUsize::new(0)),
            slots: (0..cap)
                .map(|i| Slot {
                    stamp: AtomicUsize::new(i),
                    value: UnsafeCell::new(MaybeUninit::uninit()),
                })
                .collect(),
            mark,
            one_lap: mark * 4,
        }
    }

    /// `CLOSED`, on the tail.
    fn closed_flag(&self) -> usize {
        self.mark
    }

    /// `SENDERS`, on the head (the same bit as `CLOSED`, in the other word).
    fn senders_flag(&self) -> usize {
        self.mark
    }

    /// `RECEIVERS` on the tail.
    fn receivers_flag(&self) -> usize {
        self.mark << 1
    }

    /// Every flag bit.
    fn flags(&self) -> usize {
        self.mark * 3
    }

    /// The position after `pos`.
    fn next(&self, pos: usize) -> usize {
        let index = pos & (self.one_lap - 1);
        if index + 1 < self.slots.len() {
            pos + 1
        } else {
            (pos & !(self.one_lap - 1)).wrapping_add(self.one_lap)
        }
    }

    /// Sends `value` if there is room, spinning only briefly for a slot whose previous value a
    /// receiver is still reading out (not at all under the checkers). `Ok(true)` means receivers were
    /// queued when the value went in: the caller must [`settle`](Channel::settle) under the channel's
    /// lock.
    ///
    /// `Full` and `Closed` are linearizable: at one moment during the call the buffer held `cap`
    /// values (or the channel was closed). [`Stalled::Busy`] is not a verdict on the buffer: a receive
    /// that claimed the slot this send needs is still reading it out, and may already count as done
    /// for other threads. The caller decides with [`push_wait`](Ring::push_wait) under the lock.
    pub(crate) fn try_push(&self, value: T) -> Result<bool, Stalled<SendFail<T>, T>> {
        let mut step = 0;
        let mut tail = self.tail.load(Ordering::SeqCst);
        loop {
            if tail & self.closed_flag() != 0 {
                return Err(Stalled::Failed(SendFail::Closed(value)));
            }
            let pos = tail & !self.flags();
            let slot = &self.slots[pos & (self.one_lap - 1)];
            // Acquire (at least): the receiver of the previous lap has read its value out before
            // this stamp.
            let stamp = slot.stamp.load(Ordering::SeqCst);
            // Behind `pos`: the previous lap's value is still there (or still being read out).
            // Ahead: this thread's `tail` is stale.
            let lag = stamp.wrapping_sub(pos) as isize;
            if lag == 0 {
                // Free for this lap: claim it, keeping the flags as they are.
                let claimed = self.next(pos) | (tail & self.flags());
                match self.tail.compare_exchange_weak(
                    tail,
                    claimed,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                ) {
                    Ok(_) => {
                        // SAFETY: winning the CAS for `pos` makes this thread the slot's only user
                        // until the stamp below publishes it; the stamp said it is empty.
                        slot.value.with_mut(|p| unsafe { (*p).write(value) });
                        // Release: the receiver that sees the stamp sees the value.
                        slot.stamp.store(pos + 1, Ordering::Release);
                        return Ok(tail & self.receivers_flag() != 0);
                    }
                    Err(now) => tail = now,
                }
            } else if lag < 0 {
                // The previous lap's value is still in the slot: full, unless a receiver has
                // already claimed it and is reading it out right now.
                let head = self.head.load(Ordering::SeqCst) & !self.flags();
                if head.wrapping_add(self.one_lap) == pos {
                    return Err(Stalled::Failed(SendFail::Full(value)));
                }
                if !brief_pause(&mut step) {
                    return Err(Stalled::Busy(value));
                }
                tail = self.tail.load(Ordering::SeqCst);
            } else {
                // Another sender has claimed and filled this position already; catch up.
                tail = self.tail.load(Ordering::SeqCst);
            }
        }
    }

    /// Like [`try_push`](Ring::try_push), but waits out a receive that is still reading the slot
    /// this send needs, so `Full` means full. Call only under the channel's lock (see
    /// [`pop_wait`](Ring::pop_wait) for why).
    pub(crate) fn push_wait(&self, mut value: T) -> Result<bool, SendFail<T>> {
        let mut step = 0;
        loop {
            match self.try_push(value) {
                Ok(wake) => return Ok(wake),
                Err(Stalled::Failed(fail)) => return Err(fail),
                Err(Stalled::Busy(back)) => value = back,
            }
            pause(&mut step);
        }
    }

    /// Receives the oldest value if there is one, spinning only briefly for a value a sender is
    /// still writing (not at all under the checkers). `Ok((v, true))` means senders were queued when
    /// it was taken: the caller must [`settle`](Channel::settle) under the channel's lock.
    ///
    /// `Empty` and `Closed` are linearizable: at one moment during the call no position was claimed
    /// by a send and not yet by a receive. [`Stalled::Busy`] is not a verdict: a send that claimed
    /// the head position is still copying its value in, and a later send may already have returned.
    /// The caller decides with [`pop_wait`](Ring::pop_wait) under the lock.
    pub(crate) fn try_pop(&self) -> Result<(T, bool), Stalled<RecvFail, ()>> {
        let mut step = 0;
        let mut head = self.head.load(Ordering::SeqCst);
        loop {
            let pos = head & !self.flags();
            let slot = &self.slots[pos & (self.one_lap - 1)];
            // Acquire (at least): pairs with the sender's Release stamp; the value is written.
            let stamp = slot.stamp.load(Ordering::SeqCst);
            // Behind `pos + 1`: nothing written for this lap yet (or the previous lap's value is
            // still being read out). Ahead: this thread's `head` is stale.
            let lag = stamp.wrapping_sub(pos + 1) as isize;
            if lag == 0 {
                let claimed = self.next(pos) | (head & self.flags());
                match self.head.compare_exchange_weak(
                    head,
                    claimed,
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                ) {
                    Ok(_) => {
                        // SAFETY: winning the CAS for `pos` makes this thread the only reader of the
                        // value the stamp published; it is read out exactly once, and the slot is
                        // handed to the next lap's sender only by the stamp below.
                        let value = slot.value.with_mut(|p| unsafe { (*p).assume_init_read() });
                        // Release: the next lap's sender writes only after this read.
                        slot.stamp
                            .store(pos.wrapping_add(self.one_lap), Ordering::Release);
                        return Ok((value, head & self.senders_flag() != 0));
                    }
                    Err(now) => head = now,
                }
            } else if lag < 0 {
                // Nothing published here yet: empty, unless a sender has claimed the slot and is
                // writing right now. The head was read before this tail and never passes it, so
                // `tail == pos` means head and tail met at this load: empty at that moment.
                let tail = self.tail.load(Ordering::SeqCst);
                if tail & !self.flags() == pos {
                    return Err(Stalled::Failed(if tail & self.closed_flag() != 0 {
                        RecvFail::Closed
                    } else {
                        RecvFail::Empty
                    }));
                }
                if !brief_pause(&mut step) {
                    return Err(Stalled::Busy(()));
                }
                head = self.head.load(Ordering::SeqCst);
            } else {
                // Another receiver has taken this position already; catch up.
                head = self.head.load(Ordering::SeqCst);
            }
        }
    }

    /// Like [`try_pop`](Ring::try_pop), but waits out a send that is still copying the head value
    /// in, so `Empty` means empty (Go's linearizable non-blocking receive).
    ///
    /// Call only under the channel's lock: then at most one thread per channel ever waits on another
    /// one's copy, and the thread it waits on needs no lock and waits for nobody between its claim
    /// and its stamp, so the wait ends. Under a model checker every pause is a yield; two threads
    /// yield-waiting on a third make loom's exploration explode, one does not.
    pub(crate) fn pop_wait(&self) -> Result<(T, bool), RecvFail> {
        let mut step = 0;
        loop {
            match self.try_pop() {
                Ok(taken) => return Ok(taken),
                Err(Stalled::Failed(fail)) => return Err(fail),
                Err(Stalled::Busy(())) => pause(&mut step),
            }
        }
    }

    /// Sets the `CLOSED` flag; returns `false` if it was already set. Call under the channel's lock.
    fn mark_closed(&self) -> bool {
        self.tail.fetch_or(self.closed_flag(), Ordering::SeqCst) & self.closed_flag() == 0
    }

    /// Sets (`on`) or clears `flag` in `word` (the head or the tail). Call under the channel's lock.
    fn set_flag(word: &AtomicUsize, flag: usize, on: bool) {
        if on {
            word.fetch_or(flag, Ordering::SeqCst);
        } else {
            word.fetch_and(!flag, Ordering::SeqCst);
        }
    }

    /// Returns `true` once the channel is closed.
    pub(crate) fn is_closed(&self) -> bool {
        self.tail.load(Ordering::SeqCst) & self.closed_flag() != 0
    }

    /// Returns the number of buffered values (claimed but unpublished slots count as buffered).
    pub(crate) fn len(&self) -> usize {
        loop {
            let tail = self.tail.load(Ordering::SeqCst) & !self.flags();
            let head = self.head.load(Ordering::SeqCst) & !self.flags();
            // A consistent pair: the tail did not move while the head was read.
            if self.tail.load(Ordering::SeqCst) & !self.flags() != tail {
                continue;
            }
            let (h, t) = (head & (self.one_lap - 1), tail & (self.one_lap - 1));
            return match h.cmp(&t) {
                std::cmp::Ordering::Less => t - h,
                std::cmp::Ordering::Greater => self.slots.len() - h + t,
                std::cmp::Ordering::Equal if head == tail => 0,
                std::cmp::Ordering::Equal => self.slots.len(),
            };
        }
    }

    /// Returns the capacity.
    pub(crate) fn capacity(&self) -> usize {
        self.slots.len()
    }
}

impl<T> Drop for Ring<T> {
    fn drop(&mut self) {
        // In an execution the checker abandoned, a send may have stopped half way through its copy:
        // the values still buffered are leaked rather than trusted.
        if crate::sync::abandon::abandoned() {
            return;
        }
        let head = self.head.load(Ordering::SeqCst) & !self.flags();
        let len = self.len();
        let cap = self.slots.len();
        let first = head & (self.one_lap - 1);
        for i in 0..len {
            let slot = &self.slots[(first + i) % cap];
            // SAFETY: `&mut self`: no other thread is left, and the `len` slots from the head hold
            // published, unreceived values (no operation can be half done without a handle).
            slot.value.with_mut(|p| unsafe { (*p).assume_init_drop() });
        }
    }
}

/// What a ring operation that gave up its brief wait met.
pub(crate) enum Stalled<F, V> {
    /// A linearizable failure: `Full`, `Empty` or `Closed`.
    Failed(F),
    /// Another thread is still copying a value into (or out of) the slot this operation needs; the
    /// value to send comes back. Only the `*_wait` variants, under the lock, resolve it.
    Busy(V),
}

/// Pauses once for a slot another thread is copying into or out of; returns `false`, without
/// pausing, once a brief wait has run out: after ten pauses on real threads (a value copy takes
/// nanoseconds, so this only runs out if the copying thread was descheduled), at once under the
/// checkers, so that only the lock-holding `*_wait` operations ever wait there.
fn brief_pause(step: &mut u32) -> bool {
    if (*step as usize) >= hint::spins(10) {
        return false;
    }
    pause(step);
    true
}

/// Waits a moment for another thread to finish a step it has begun: spins a little longer each
/// time, then yields. Under the checkers every call yields.
fn pause(step: &mut u32) {
    if *step < hint::spins(6) as u32 {
        for _ in 0..1u32 << *step {
            spin_loop();
        }
    } else {
        thread::yield_now();
    }
    *step += 1;
}

/// A buffered channel as seen under its lock: the ring and the queues of blocked operations.
pub(crate) struct Channel<'a, T> {
    pub(crate) ring: &'a Ring<T>,
    pub(crate) waiters: &'a mut Waiters<T>,
}

impl<T> Channel<'_, T> {
    /// Sends `value` into the buffer if there is room (waking queued receivers). Waits out a receive
    /// still reading the slot it needs, so `Full` is linearizable.
    pub(crate) fn try_send(&mut self, value: T) -> Result<(), SendFail<T>> {
        if self.ring.push_wait(value)? {
            self.settle();
        }
        Ok(())
    }

    /// Takes the head of the buffer (letting a queued sender into the freed room). Waits out a send
    /// still copying the head value in, so `Empty` is linearizable and, once the channel is closed,
    /// the result is a value or `Closed`, never `Empty`: nobody queues on a closed channel.
    pub(crate) fn try_recv(&mut self) -> Result<T, RecvFail> {
        let (value, wake) = self.ring.pop_wait()?;
        if wake {
            self.settle();
        }
        Ok(value)
    }

    /// Queues a blocked sender, then settles: room that appeared meanwhile may release it at once.
    /// Returns its place in the queue.
    pub(crate) fn register_sender(&mut self, entry: Arc<Entry<T>>) -> Place {
        // The caller's `try_send` under this lock found the channel open (module docs, "Close").
        debug_assert!(
            !self.ring.is_closed(),
            "a sender queued on a closed channel"
        );
        let place = self.waiters.push_sender(entry);
        // A read-modify-write of the head: ordered with every receiver's claim (module docs). If
        // the flag is up already, every claim after it sees it, and the settle below sees every
        // claim before it: no read-modify-write is needed.
        if !self.waiters.senders_flag {
            self.waiters.senders_flag = true;
            Ring::<T>::set_flag(&self.ring.head, self.ring.senders_flag(), true);
        }
        self.settle();
        place
    }

    /// Queues a blocked receiver, then settles: a value that arrived meanwhile may go to it at once.
    /// Returns its place in the queue.
    pub(crate) fn register_receiver(&mut self, entry: Arc<Entry<T>>) -> Place {
        // The caller's `try_recv` under this lock found the channel open (module docs, "Close").
        debug_assert!(
            !self.ring.is_closed(),
            "a receiver queued on a closed channel"
        );
        let place = self.waiters.push_receiver(entry);
        // A read-modify-write of the tail: ordered with every sender's claim (module docs); not
        // needed if the flag is up already, as for senders above.
        if !self.waiters.receivers_flag {
            self.waiters.receivers_flag = true;
            Ring::<T>::set_flag(&self.ring.tail, self.ring.receivers_flag(), true);
        }
        self.settle();
        place
    }

    /// Hands buffered values to queued receivers and moves queued senders' values into free room,
    /// until neither can go on; then updates the flags.
    pub(crate) fn settle(&mut self) {
        let ring = self.ring;
        loop {
            let fed = self
                .waiters
                .feed_receivers(|| ring.pop_wait().ok().map(|(value, _)| value));
            let drained = self
                .waiters
                .drain_senders(|value| match ring.push_wait(value) {
                    Ok(_) => Ok(()),
                    Err(SendFail::Full(value) | SendFail::Closed(value)) => Err(value),
                });
            if !(fed || drained) {
                break;
            }
        }
        self.set_queued();
    }

    /// Sets or clears `RECEIVERS` and `SENDERS` to say whether anyone is queued. The flags change
    /// only under the lock, so the copy in [`Waiters`] says exactly what they are: a flag that is
    /// right already costs no atomic operation (under shuttle, no scheduling point).
    fn set_queued(&mut self) {
        let (receivers, senders) = (self.waiters.has_receivers(), self.waiters.has_senders());
        if self.waiters.receivers_flag != receivers {
            self.waiters.receivers_flag = receivers;
            Ring::<T>::set_flag(&self.ring.tail, self.ring.receivers_flag(), receivers);
        }
        if self.waiters.senders_flag != senders {
            self.waiters.senders_flag = senders;
            Ring::<T>::set_flag(&self.ring.head, self.ring.senders_flag(), senders);
        }
    }

    /// Takes the entry at `place` out of its queue, if it is still there (O(1)).
    pub(crate) fn remove(&mut self, place: Place) {
        self.waiters.remove(place);
        self.set_queued();
    }

    /// Closes the channel and wakes every queued operation; buffered values stay to be drained
    /// (a woken receiver drains them before it reports close). Returns `false` if it was already
    /// closed.
    pub(crate) fn close(&mut self) -> bool {
        if !self.ring.mark_closed() {
            return false;
        }
        self.waiters.close_all();
        self.set_queued();
        true
    }
}
