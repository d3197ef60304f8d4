//! Go's `select` statement and `time.After`, after `runtime/select.go`.
//!
//! [`select`] builds a statement from receive, send, timer and context-done cases, each with the code
//! to run when it is chosen, and [`Select::wait`] (or [`Select::default`]) runs it:
//!
//! 1. If every case is a buffered channel or a timer, poll the cases in a random order, each on its
//!    own, through the channels' lock-free rings (crossbeam's first pass), retrying briefly as a
//!    blocking receive does; the first that can complete now completes. So each ready case is
//!    taken with equal probability on real threads, as in Go; under shuttle the order is a
//!    decision of the schedule, explored and replayed; under loom it is the listing order (see
//!    `poll_order` and `racezoo::sync::choice`).
//! 2. Otherwise (and always with a rendezvous channel or a context among the cases) lock every
//!    channel of the statement once, in a fixed order (Go's `sellock`, by creation order rather
//!    than address: see `NEXT_ID` in `chan/mod.rs`), and poll in the same order: with every lock
//!    held, "nothing is ready" holds at one moment for all the cases together, which a default must
//!    see (Go's non-blocking select is linearizable) and a sleeper needs (no partner can slip in
//!    between the poll and the queueing).
//! 3. With a default, unlock and run it. Otherwise queue one entry per channel case and subscribe
//!    each done case to its context's cancellation, all pointing at one sleeper, unlock, and
//!    sleep until a partner or a cancellation claims the sleeper (which completes exactly that
//!    case) or the earliest timer expires.
//! 4. Take the entries of the other cases out of their queues (each in O(1), `chan/queue.rs`),
//!    drop their subscriptions, and run the chosen case's code.
//!
//! Step 1 takes no lock, so a select over buffered channels that finds a value or room costs what a
//! `try_recv` or `try_send` costs; only a select that must sleep (or report its default) pays for
//! the locks. Its polls are separate moments: a case found not ready may become ready before the
//! next is polled, and the select may then complete the next one, which Go's choice among ready
//! cases allows too. A select with a rendezvous channel or a context among its cases skips step 1
//! (see `run`).
//!
//! # Done cases
//!
//! [`Select::done`] is Go's `case <-ctx.Done():`. A context's done signal is not a channel, so the
//! case cannot be polled and queued under a channel lock; it relies instead on
//! [`Done::on_close`], which checks for cancellation and registers a callback in one step under the
//! context's lock. A cancellation that lands after the poll (step 2) and before the subscription
//! (step 3) makes `on_close` return `None`, and the select claims its own sleeper for the done
//! case on the spot: no cancellation falls between the two steps. The callback runs on the cancelling
//! thread with no lock held and only claims the sleeper (whose lock comes after every channel
//! lock), so the lock order is: channel locks, then a context's lock, then the sleeper's lock.
//! A callback that arrives after another case won finds the sleeper claimed and does nothing.
//!
//! # Time under the checkers
//!
//! Nothing models real time under loom and shuttle. There a timer is never ready when polled;
//! a select waiting with a timer case sleeps with the facade's timed wait, which is a scheduling point
//! after which the timer has expired. So every partner gets the chance to complete a case first, and
//! a checker explores "the result came first" as well as "the timeout came first" without real
//! sleeping and without a false deadlock.

use std::time::{Duration, Instant};

use super::flavors::{RecvFail, SendFail};
use super::waker::{Backoff, Entry, Outcome, Place, Sleeper};
use super::{Receiver, SendError, Sender, Shared};
use crate::context::{Done, Subscription};
use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::{Arc, Mutex, MutexGuard, choice, thread, time};

/// Starts a select statement whose cases produce an `R`.
pub fn select<'a, R>() -> Select<'a, R> {
    Select { cases: Vec::new() }
}

/// Returns a timer that delivers the current time once, after `duration` (Go's `time.After`).
///
/// Use it as a select case ([`Select::after`]) for a timeout, or [`After::recv`] it directly.
pub fn after(duration: Duration) -> After {
    After {
        deadline: Instant::now() + duration,
        fired: AtomicBool::new(false),
    }
}

/// A one-shot timer, the receiving side of Go's `time.After`.
///
/// It delivers once; after that it is never ready again (receiving from it again blocks forever, as
/// in Go). Under the checkers its deadline passes only when a wait on it times out (see the module
/// docs).
#[derive(Debug)]
pub struct After {
    deadline: Instant,
    fired: AtomicBool,
}

impl After {
    /// Returns the instant at which the timer fires on real threads.
    pub fn deadline(&self) -> Instant {
        self.deadline
    }

    /// Blocks until the timer fires and returns the time; blocks forever if it has already delivered.
    #[track_caller]
    pub fn recv(&self) -> Instant {
        thread::sleep(self.deadline.saturating_duration_since(Instant::now()));
        if self.fire() {
            return Instant::now();
        }
        // Delivered already: like a drained Go timer channel, never ready again.
        loop {
            thread::park();
        }
    }

    /// Returns the time if the timer has fired and not delivered yet. Under the checkers it never has
    /// (time passes only while waiting).
    pub fn try_recv(&self) -> Option<Instant> {
        (self.passed() && self.fire()).then(Instant::now)
    }

    /// Tells whether the deadline has passed by the clock; under the checkers there is no clock.
    fn passed(&self) -> bool {
        time::has_passed(self.deadline)
    }

    /// Marks the timer delivered; returns `false` if it already was.
    fn fire(&self) -> bool {
        !self.fired.swap(true, Ordering::AcqRel)
    }

    /// Fires after a timed wait reported a timeout: by the clock on real threads, always under the
    /// checkers (where the timeout *is* the passing of time).
    fn expire(&self) -> bool {
        time::timeout_reached(self.deadline) && self.fire()
    }

    fn live(&self) -> bool {
        !self.fired.load(Ordering::Acquire)
    }
}

/// A select statement under construction: its cases, each with the code to run if it is chosen.
pub struct Select<'a, R> {
    cases: Vec<Box<dyn Case<'a, R> + 'a>>,
}

impl<R> std::fmt::Debug for Select<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Select")
            .field("cases", &self.cases.len())
            .finish()
    }
}

impl<'a, R> Select<'a, R> {
    /// Adds a receive case (`case v, ok := <-rx`): `then` gets `Some(v)`, or `None` if the channel is
    /// closed and drained (a closed channel is always ready).
    pub fn recv<T: 'a>(
        mut self,
        rx: &'a Receiver<T>,
        then: impl FnOnce(Option<T>) -> R + 'a,
    ) -> Self {
        self.cases.push(Box::new(RecvCase {
            chan: rx.shared(),
            entry: None,
            place: None,
            result: None,
            then: Some(then),
        }));
        self
    }

    /// Adds a send case (`case tx <- value`): `then` gets `Ok(())`, or the value back in a
    /// [`SendError`] if the channel is closed (Go panics there). If another case is chosen, `value` is
    /// dropped.
    pub fn send<T: 'a>(
        mut self,
        tx: &'a Sender<T>,
        value: T,
        then: impl FnOnce(Result<(), SendError<T>>) -> R + 'a,
    ) -> Self {
        self.cases.push(Box::new(SendCase {
            chan: tx.shared(),
            value: Some(value),
            entry: None,
            place: None,
            result: None,
            then: Some(then),
        }));
        self
    }

    /// Adds a timer case (`case t := <-time.After(d)`): `then` gets the time it fired.
    pub fn after(mut self, timer: &'a After, then: impl FnOnce(Instant) -> R + 'a) -> Self {
        self.cases.push(Box::new(TimerCase {
            timer,
            at: None,
            then: Some(then),
        }));
        self
    }

    /// Adds a context-done case (`case <-ctx.Done():`): `then` runs if the context is cancelled. A
    /// done case of [`Context::background`](crate::context::Context::background) is never ready, like
    /// Go's nil channel.
    pub fn done(mut self, done: &'a Done, then: impl FnOnce() -> R + 'a) -> Self {
        self.cases.push(Box::new(DoneCase {
            done,
            subscription: None,
            then: Some(then),
        }));
        self
    }

    /// Runs the statement with a default case: if no case can complete right now, runs `otherwise`.
    #[track_caller]
    pub fn default(self, otherwise: impl FnOnce() -> R) -> R {
        match self.run(false) {
            Ok(r) => r,
            Err(_) => otherwise(),
        }
    }

    /// Runs the statement, blocking until one case completes. A select with no case that can ever
    /// complete blocks forever, as Go's `select {}` does.
    #[track_caller]
    pub fn wait(self) -> R {
        match self.run(true) {
            Ok(r) => r,
            Err(_) => unreachable!("a blocking select returns only through a case"),
        }
    }

    /// Runs the four steps of the module docs; `Err(self)` means "nothing ready and not blocking".
    #[track_caller]
    fn run(mut self, block: bool) -> Result<R, Self> {
        let n = self.cases.len();
        // Step 1 runs only when every case can be polled without a lock (buffered channels and
        // timers). With a rendezvous channel or a context among the cases, the select starts at
        // step 2 as Go's does: polling those alone would take a lock per case for nothing (their
        // selects already beat crossbeam's), and would make each case a moment of its own where the
        // zoo's lessons rely on one moment for all (`scenarios/select.rs`, `quit_beats_job`).
        // A blocking select retries step 1 briefly before it sleeps, as a blocking send or
        // receive on a buffered channel does (`retries` in `chan/mod.rs`).
        let first_pass = self.cases.iter().all(|c| c.lock_free());
        let retry = block && first_pass;
        loop {
            // 1. Poll each case alone, in a random order (a decision of the checker's schedule, see
            //    `poll_order`); steps 2 and 3 use the same order.
            let order = poll_order(n);
            let mut backoff = Backoff::default();
            if first_pass {
                loop {
                    for &i in &order {
                        if self.cases[i].try_now() {
                            return Ok(self.finish(i));
                        }
                    }
                    if !(retry && backoff.snooze()) {
                        break;
                    }
                }
            }

            // 2. Lock every channel once, in id (creation) order, and poll again under all the locks.
            let mut locks: Vec<(u64, &'a Mutex<()>)> =
                self.cases.iter().filter_map(|c| c.lock()).collect();
            locks.sort_by_key(|&(id, _)| id);
            locks.dedup_by_key(|&mut (id, _)| id);
            let guards: Vec<MutexGuard<'a, ()>> = locks.iter().map(|(_, m)| m.lock()).collect();
            for &i in &order {
                // SAFETY: `guards` holds every case's channel lock.
                if unsafe { self.cases[i].poll() } {
                    drop(guards);
                    return Ok(self.finish(i));
                }
            }
            if !block {
                drop(guards);
                return Err(self);
            }

            // 3. Queue on every channel under one sleeper, then sleep. Queue in the random order too:
            //    a partner takes the first live entry, so cases of one channel share the wins.
            let sleeper = Sleeper::new();
            for &i in &order {
                // SAFETY: `guards` holds every case's channel lock.
                unsafe { self.cases[i].enqueue(&sleeper, i) };
            }
            drop(guards);
            let deadline = self
                .cases
                .iter()
                .filter_map(|c| c.timer())
                .filter(|t| t.live())
                .map(|t| t.deadline)
                .min();
            let outcome = sleeper.wait_for(deadline);

            // 4. Leave every other queue; then run the chosen case. Whoever claimed the sleeper for
            //    a case took that case's entry out of its queue under the channel's lock (a partner
            //    in `chan/waker.rs`, close), so the chosen case has nothing to leave.
            let chosen = match outcome {
                Outcome::Chosen { case, .. } => Some(case),
                _ => None,
            };
            for (i, case) in self.cases.iter_mut().enumerate() {
                if Some(i) != chosen {
                    case.dequeue();
                }
            }
            match outcome {
                Outcome::Chosen { case, closed } => {
                    self.cases[case].complete(closed);
                    return Ok(self.finish(case));
                }
                Outcome::Aborted => {
                    // The earliest timer that is still undelivered fires; timers due at the same
                    // instant are tried in the random poll order, so that a tie is a choice too. If
                    // another thread drained a shared timer first, try the next, or start over.
                    let mut timers: Vec<usize> = order
                        .iter()
                        .copied()
                        .filter(|&i| self.cases[i].timer().is_some())
                        .collect();
                    // Stable: ties keep the poll order.
                    timers.sort_by_key(|&i| self.cases[i].timer().map(|t| t.deadline));
                    for i in timers {
                        if self.cases[i].expire() {
                            return Ok(self.finish(i));
                        }
                    }
                }
                Outcome::Waiting => unreachable!("a finished wait is never Waiting"),
            }
        }
    }

    /// Runs case `i`'s code; the other cases (and unsent values) are dropped.
    fn finish(mut self, i: usize) -> R {
        self.cases.swap_remove(i).finish()
    }
}

/// Returns `0..n` in a random order (Go's `pollorder`): the first case in it that can complete is
/// the one the select takes, so among the ready cases each is taken with equal probability.
///
/// Every pick is a [`choice::choose`]: uniformly random on real threads (a uniform permutation, by
/// Fisher and Yates), a decision of the schedule under shuttle (explored by every scheduler and
/// replayed from the handle), and always `0` under loom, which cannot branch on a value: there the
/// order is `0..n` itself, and the select takes the first ready case as the caller listed them.
fn poll_order(n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for i in 0..n.saturating_sub(1) {
        order.swap(i, i + choice::choose(n - i));
    }
    order
}

/// One case of a select, with its element type erased.
trait Case<'a, R> {
    /// Returns the lock of the case's channel with its place in the lock order (`None`, the
    /// default, for a case without a channel).
    fn lock(&self) -> Option<(u64, &'a Mutex<()>)> {
        None
    }
    /// Completes the case now if it can, taking at most its own channel's lock (lock-free on a
    /// buffered channel); returns `true` if it did.
    fn try_now(&mut self) -> bool;
    /// Completes the case now if it can, under its channel's lock; returns `true` if it did.
    ///
    /// # Safety
    /// The channel's lock is held.
    unsafe fn poll(&mut self) -> bool;
    /// Queues the case's entry on its channel as case `index` of `sleeper`.
    ///
    /// # Safety
    /// The channel's lock is held.
    unsafe fn enqueue(&mut self, sleeper: &Arc<Sleeper>, index: usize);
    /// Takes the case's entry out of its channel's queue (takes the lock itself; O(1), Go's
    /// `dequeueSudoG`).
    fn dequeue(&mut self);
    /// Collects the result after a partner (or close) completed this case.
    fn complete(&mut self, closed: bool);
    /// Tells whether the case can be polled without any lock (`false`, the default, for a context's
    /// done case).
    fn lock_free(&self) -> bool {
        false
    }
    /// Returns the case's timer (`None`, the default, for every case but a timer).
    fn timer(&self) -> Option<&'a After> {
        None
    }
    /// Fires the case's timer after a timed wait expired; returns `false` (the default) if it
    /// cannot.
    fn expire(&mut self) -> bool {
        false
    }
    /// Runs the case's code with its result.
    fn finish(self: Box<Self>) -> R;
}

struct RecvCase<'a, T, F> {
    chan: &'a Shared<T>,
    entry: Option<Arc<Entry<T>>>,
    /// The entry's place in the channel's queue while it is queued.
    place: Option<Place>,
    result: Option<Option<T>>,
    then: Option<F>,
}

impl<'a, T, R, F: FnOnce(Option<T>) -> R> Case<'a, R> for RecvCase<'a, T, F> {
    fn lock(&self) -> Option<(u64, &'a Mutex<()>)> {
        Some(self.chan.lock())
    }

    fn lock_free(&self) -> bool {
        // A buffered channel: its ring needs no lock.
        self.chan.ring().is_some()
    }

    fn try_now(&mut self) -> bool {
        match self.chan.try_recv() {
            Ok(value) => self.result = Some(Some(value)),
            Err(RecvFail::Closed) => self.result = Some(None),
            Err(RecvFail::Empty) => return false,
        }
        true
    }

    unsafe fn poll(&mut self) -> bool {
        // SAFETY: the caller holds the channel's lock.
        match unsafe { self.chan.with_locked(|s| s.try_recv()) } {
            Ok(value) => self.result = Some(Some(value)),
            Err(RecvFail::Closed) => self.result = Some(None),
            Err(RecvFail::Empty) => return false,
        }
        true
    }

    unsafe fn enqueue(&mut self, sleeper: &Arc<Sleeper>, index: usize) {
        let entry = Entry::receiver(sleeper, index);
        // SAFETY: the caller holds the channel's lock.
        let place = unsafe {
            self.chan
                .with_locked(|s| s.register_receiver(entry.clone()))
        };
        self.entry = Some(entry);
        self.place = Some(place);
    }

    fn dequeue(&mut self) {
        if let Some(place) = self.place.take() {
            self.chan.with(|s| s.remove(place));
        }
    }

    fn complete(&mut self, closed: bool) {
        let entry = self.entry.take().expect("a chosen case was queued");
        // A handoff left the value in the slot; close left it empty, and values buffered before the
        // close are still to be drained.
        self.result = Some(if closed {
            self.chan.recv_after_close()
        } else {
            entry.take_slot()
        });
    }

    fn finish(mut self: Box<Self>) -> R {
        let then = self.then.take().expect("a case finishes once");
        then(self.result.take().expect("a finished case has a result"))
    }
}

struct SendCase<'a, T, F> {
    chan: &'a Shared<T>,
    value: Option<T>,
    entry: Option<Arc<Entry<T>>>,
    /// The entry's place in the channel's queue while it is queued.
    place: Option<Place>,
    result: Option<Result<(), SendError<T>>>,
    then: Option<F>,
}

impl<'a, T, R, F: FnOnce(Result<(), SendError<T>>) -> R> Case<'a, R> for SendCase<'a, T, F> {
    fn lock(&self) -> Option<(u64, &'a Mutex<()>)> {
        Some(self.chan.lock())
    }

    fn lock_free(&self) -> bool {
        // A buffered channel: its ring needs no lock.
        self.chan.ring().is_some()
    }

    fn try_now(&mut self) -> bool {
        let value = self.value.take().expect("an unsent case keeps its value");
        match self.chan.try_send(value) {
            Ok(()) => self.result = Some(Ok(())),
            Err(SendFail::Closed(value)) => self.result = Some(Err(SendError(value))),
            Err(SendFail::Full(value)) => {
                self.value = Some(value);
                return false;
            }
        }
        true
    }

    unsafe fn poll(&mut self) -> bool {
        let value = self.value.take().expect("an unsent case keeps its value");
        // SAFETY: the caller holds the channel's lock.
        match unsafe { self.chan.with_locked(|s| s.try_send(value)) } {
            Ok(()) => self.result = Some(Ok(())),
            Err(SendFail::Closed(value)) => self.result = Some(Err(SendError(value))),
            Err(SendFail::Full(value)) => {
                self.value = Some(value);
                return false;
            }
        }
        true
    }

    unsafe fn enqueue(&mut self, sleeper: &Arc<Sleeper>, index: usize) {
        let value = self.value.take().expect("an unsent case keeps its value");
        let entry = Entry::sender(sleeper, index, value);
        // SAFETY: the caller holds the channel's lock.
        let place = unsafe { self.chan.with_locked(|s| s.register_sender(entry.clone())) };
        self.entry = Some(entry);
        self.place = Some(place);
    }

    fn dequeue(&mut self) {
        if let Some(place) = self.place.take() {
            self.chan.with(|s| s.remove(place));
        }
        // Not chosen: nobody can claim the entry any more, so its value is still in the slot and
        // goes back to the case, to be retried (after a timer that another select drained) or
        // dropped.
        if let Some(entry) = self.entry.take() {
            self.value = entry.take_slot();
        }
    }

    fn complete(&mut self, closed: bool) {
        // Close leaves the value in the entry's slot; a receiver that took it left the slot empty.
        let entry = self.entry.take().expect("a chosen case was queued");
        self.result = Some(if closed {
            Err(SendError(
                entry.take_slot().expect("close leaves the value"),
            ))
        } else {
            Ok(())
        });
    }

    fn finish(mut self: Box<Self>) -> R {
        let then = self.then.take().expect("a case finishes once");
        then(self.result.take().expect("a finished case has a result"))
    }
}

struct TimerCase<'a, F> {
    timer: &'a After,
    at: Option<Instant>,
    then: Option<F>,
}

impl<'a, R, F: FnOnce(Instant) -> R> Case<'a, R> for TimerCase<'a, F> {
    fn lock_free(&self) -> bool {
        true
    }

    fn try_now(&mut self) -> bool {
        self.at = self.timer.try_recv();
        self.at.is_some()
    }

    unsafe fn poll(&mut self) -> bool {
        self.try_now()
    }

    unsafe fn enqueue(&mut self, _sleeper: &Arc<Sleeper>, _index: usize) {}

    fn dequeue(&mut self) {}

    fn complete(&mut self, _closed: bool) {
        unreachable!("nobody claims a timer case");
    }

    fn timer(&self) -> Option<&'a After> {
        Some(self.timer)
    }

    fn expire(&mut self) -> bool {
        if self.timer.expire() {
            self.at = Some(Instant::now());
        }
        self.at.is_some()
    }

    fn finish(mut self: Box<Self>) -> R {
        let then = self.then.take().expect("a case finishes once");
        then(self.at.take().expect("a fired timer has a time"))
    }
}

struct DoneCase<'a, F> {
    done: &'a Done,
    /// The registration made while the select sleeps; dropping it unregisters.
    subscription: Option<Subscription>,
    then: Option<F>,
}

impl<'a, R, F: FnOnce() -> R> Case<'a, R> for DoneCase<'a, F> {
    fn try_now(&mut self) -> bool {
        // A non-blocking receive from the done channel: ready once cancelled.
        self.done.is_closed()
    }

    unsafe fn poll(&mut self) -> bool {
        self.try_now()
    }

    unsafe fn enqueue(&mut self, sleeper: &Arc<Sleeper>, index: usize) {
        // Check and subscribe in one step under the context's lock. The callback runs on the
        // cancelling thread with no lock held; claiming fails harmlessly if another case won.
        let waker = sleeper.clone();
        match self.done.on_close(move || {
            waker.signal(index);
        }) {
            Some(subscription) => self.subscription = Some(subscription),
            // Cancelled since the poll: the case is ready now, so claim the sleeper for it
            // (unless a cancellation callback of another done case already did).
            None => {
                sleeper.signal(index);
            }
        }
    }

    fn dequeue(&mut self) {
        // Unregister. A callback already running may still claim, and finds the context taken.
        self.subscription = None;
    }

    fn complete(&mut self, _closed: bool) {}

    fn finish(mut self: Box<Self>) -> R {
        let then = self.then.take().expect("a case finishes once");
        then()
    }
}
