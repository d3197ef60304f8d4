//! A worker's loop, in named steps: [`record`](Worker::record) what ran, [`take`] a batch (or
//! steal), [`start`](Worker::start) the first job, [`run_hand`](Worker::run_hand) (each job runs
//! with its panic caught inside it), and when nothing was taken, [`rest`](Worker::rest): watch the
//! queue for a moment, sleep, or exit.
//!
//! # Algorithm
//!
//! ```text
//! lock
//! loop:
//!     record the jobs run since the last trip (counters; wake wait_idle if the pool went idle)
//!     take up to a batch from the queue, or the front half of another worker's hand
//!       taken  -> count the first as running, unlock, wake whoever the take concerns,
//!                 run the first job, then pop the hand one job at a time until it is empty,
//!                 lock, loop
//!       nothing, and a wait_idle to wake -> unlock, wake it, lock, loop
//!       nothing -> rest: watch the queue hint without the lock (real threads, once),
//!                        or exit if the pool is closed, or sleep on `work`; loop
//! ```
//!
//! # Invariants
//!
//! * The worker holds the pool's lock at the top of the loop and never while a job runs; jobs run
//!   only between `start` and the relock after `run_hand`.
//! * Jobs enter a hand only under the pool's lock (here in [`take`], or by a thief), so "queue and
//!   every hand empty", seen under that lock, holds until the next submission: a worker that sees it
//!   with the pool closed may exit, and one that sees it with the pool open may sleep, because the
//!   next submission wakes a sleeper.
//! * The counters stay consistent under the lock: the first job of a batch moves from `queued` to
//!   `running` when taken; the rest stay `queued` until [`record`](Worker::record) settles them all
//!   at once (a job stolen or cancelled from this hand was settled by whoever took it).
//! * A job's panic never unwinds the worker: [`Queued::run`] catches it and the tally counts it.
//! * Wake-ups are decided under the lock and made after releasing it ([`Wakes`]); every waiter
//!   re-checks its condition under the lock before it waits, so none is lost.
//! * No behaviour here depends on the flavour: the watch step is sized by
//!   [`hint::spins`](crate::sync::hint::spins), which is 0 under the checkers.

use super::handle::Ended;
use super::queued::Queued;
use super::{Shared, State};
use crate::sync::atomic::Ordering;
use crate::sync::{MutexGuard, thread};

/// How many times an idle worker yields, watching for a job, before it sleeps on real threads (under
/// the checkers, [`hint::spins`](crate::sync::hint::spins) makes it none: a spin is just more
/// interleavings to explore).
const SPIN_YIELDS: usize = 64;

/// The pool's lock, held.
type Locked<'a> = MutexGuard<'a, State>;

/// What a worker ran since it last recorded it under the pool's lock.
#[derive(Default)]
struct Tally {
    ran: usize,
    completed: u64,
    panicked: u64,
}

/// Wake-ups decided under the pool's lock and made after releasing it, so that the woken thread
/// does not wake up only to block on the lock still held by its waker. A waiter registers itself
/// (a count next to each condition variable) and re-checks its condition under the lock before it
/// waits, so a wake-up made just after the unlock cannot be lost.
#[derive(Default)]
struct Wakes {
    worker: bool,
    submitter: bool,
    idle: bool,
}

impl Wakes {
    fn fire(self, shared: &Shared) {
        if self.worker {
            shared.work.notify_one();
        }
        if self.submitter {
            shared.room.notify_one();
        }
        if self.idle {
            shared.idle.notify_all();
        }
    }
}

/// What [`Worker::rest`] decided.
enum Rested<'a> {
    /// Go round the loop again, with the lock held.
    Again(Locked<'a>),
    /// The pool is closed and drained: leave the loop.
    Exit,
}

/// One worker's own state between trips to the pool's lock.
struct Worker<'a> {
    shared: &'a Shared,
    /// The worker's number: its hand is `shared.hands[me]`.
    me: usize,
    tally: Tally,
    /// Set once the worker has watched the queue since it last found work, so it sleeps next time.
    spun: bool,
    /// The pool's batch (fixed when the pool is built), kept here to read it without the lock.
    batch: usize,
}

/// A worker's loop: take a batch of jobs (or steal from another worker's hand), run them one by
/// one, record how they ended, repeat; exit once the pool is closed and no job is left anywhere.
pub(super) fn work(shared: &Shared, me: usize) {
    let mut st = shared.state.lock();
    let mut worker = Worker {
        shared,
        me,
        tally: Tally::default(),
        spun: false,
        batch: st.batch,
    };
    st.worker_ids.push(thread::current().id());
    loop {
        let idle = worker.record(&mut st);
        if let Some((first, in_hand)) = take(shared, &mut st, me) {
            worker.spun = false;
            let mut wakes = worker.start(&mut st, in_hand);
            wakes.idle = idle;
            drop(st);
            wakes.fire(shared);
            worker.run_hand(first);
            st = shared.state.lock();
        } else {
            if idle {
                // The pool went idle with this worker's last record: tell `wait_idle` before
                // resting. Under the lock, rather than unlocking to wake and relocking to rest:
                // this happens once per idle spell, and `rest` releases the lock soon anyway.
                shared.idle.notify_all();
            }
            match worker.rest(st) {
                Rested::Again(locked) => st = locked,
                Rested::Exit => return,
            }
        }
    }
}

impl<'a> Worker<'a> {
    /// Records the jobs run since the last trip to the lock. Returns whether the pool just went
    /// idle with `wait_idle` callers to wake.
    ///
    /// The first of them was counted as running when it was taken; the others were still counted
    /// as queued (minus any that another worker stole or `shutdown_now` cancelled: those were
    /// accounted for by whoever took them from this worker's hand).
    fn record(&mut self, st: &mut State) -> bool {
        if self.tally.ran == 0 {
            return false;
        }
        let t = std::mem::take(&mut self.tally);
        st.stats.running -= 1;
        st.stats.queued -= t.ran - 1;
        st.stats.in_flight -= t.ran;
        st.stats.completed += t.completed;
        st.stats.panicked += t.panicked;
        st.stats.in_flight == 0 && st.idle_waiters > 0
    }

    /// Counts the first job of a batch as running and decides whom taking it concerns: a blocked
    /// submitter (room freed) and a sleeping worker (jobs left in this hand).
    fn start(&self, st: &mut State, in_hand: bool) -> Wakes {
        st.stats.queued -= 1;
        st.stats.running += 1;
        st.stats.peak_running = st.stats.peak_running.max(st.stats.running);
        Wakes {
            // Wake one blocked submitter once the queue has drained to half its capacity (not at
            // every free slot: that would cost a wake-up per job while the queue is saturated).
            submitter: st.blocked_submitters > 0 && st.stats.queued <= st.capacity / 2,
            // Jobs left in this worker's hand while another worker sleeps and none watches the
            // queue: wake one, which steals from the hand if the queue is still empty then. (A job
            // in the hand may be the one the job this worker is about to run waits for.)
            worker: in_hand && st.idle_workers > 0 && st.spinning == 0,
            idle: false,
        }
    }

    /// Runs `first`, then the jobs in this worker's hand one by one until it is empty, without the
    /// pool's lock. Each job catches its own panic ([`Queued::run`]); the tally counts how it ended.
    fn run_hand(&mut self, first: Queued) {
        let hand = &self.shared.hands[self.me].jobs;
        let mut next = Some(first);
        while let Some(task) = next {
            self.tally.ran += 1;
            match task.run(&self.shared.ctx) {
                Ended::Completed => self.tally.completed += 1,
                Ended::Panicked => self.tally.panicked += 1,
            }
            // Pop under the hand's lock alone: a thief or `shutdown_now` takes from it under the
            // same lock, so each job is either run here or taken by them, never both. At a batch
            // of one no job ever enters a hand (see `take`), so there is nothing to pop.
            next = if self.batch > 1 {
                hand.lock().pop_front()
            } else {
                None
            };
        }
    }

    /// Nothing to take: watch the queue for a moment (real threads, once per idle spell), or exit
    /// if the pool is closed, or sleep until a submission or shutdown wakes this worker.
    fn rest(&mut self, mut st: Locked<'a>) -> Rested<'a> {
        let spin_yields = crate::sync::hint::spins(SPIN_YIELDS);
        if spin_yields > 0 && !self.spun && st.open {
            self.spun = true;
            return Rested::Again(self.watch(st, spin_yields));
        }
        self.spun = false;
        if !st.open {
            // Closed, and no job is left in the queue or in any hand: this worker is done.
            st.live -= 1;
            if st.live == 0 && st.idle_waiters > 0 {
                self.shared.idle.notify_all();
            }
            return Rested::Exit;
        }
        st.idle_workers += 1;
        st = self.shared.work.wait(st);
        st.idle_workers -= 1;
        Rested::Again(st)
    }

    /// Before sleeping, watches the queue for a moment without the lock: under a steady stream of
    /// jobs the next one usually arrives within a few yields, and neither side then pays for a
    /// futex wait and wake-up. Once a job is seen, only *tries* the lock: if a submitter holds it,
    /// yields rather than spin on the lock's cache line under it. Returns with the lock held.
    fn watch(&self, mut st: Locked<'a>, spin_yields: usize) -> Locked<'a> {
        let shared = self.shared;
        st.spinning += 1;
        // The hint is kept only while somebody watches (see `set_hint`): bring it up to date.
        shared
            .queued_hint
            .0
            .store(!st.queue.is_empty(), Ordering::Relaxed);
        drop(st);
        let mut relocked = None;
        for _ in 0..spin_yields {
            // Relaxed: only a hint; whatever it says is re-checked under the lock.
            if shared.queued_hint.0.load(Ordering::Relaxed) {
                relocked = shared.state.try_lock();
                if relocked.is_some() {
                    break;
                }
            }
            thread::yield_now();
        }
        let mut st = relocked.unwrap_or_else(|| shared.state.lock());
        st.spinning -= 1;
        st
    }
}

/// Takes work for worker `me` (whose hand is empty), under the pool's lock: up to a batch from the
/// queue, or else the front half of another worker's hand. Returns the job to start now and whether
/// more went into `me`'s hand.
fn take(shared: &Shared, st: &mut State, me: usize) -> Option<(Queued, bool)> {
    if !st.queue.is_empty() {
        let k = st.queue.len().min(st.batch);
        let first = st.queue.pop_front()?;
        if k > 1 {
            shared.hands[me].jobs.lock().extend(st.queue.drain(..k - 1));
        }
        if st.queue.is_empty() {
            shared.set_hint(st, false);
        }
        return Some((first, k > 1));
    }
    if st.batch == 1 {
        // A batch of one puts nothing in a hand: there is nothing to steal.
        return None;
    }
    for (i, other) in shared.hands.iter().enumerate() {
        if i == me {
            continue;
        }
        let mut victim = other.jobs.lock();
        if victim.is_empty() {
            continue;
        }
        // The front: the job its owner would start next, possibly the one its running job waits
        // for.
        let k = victim.len().div_ceil(2);
        let first = victim.pop_front()?;
        if k > 1 {
            let stolen: Vec<_> = victim.drain(..k - 1).collect();
            drop(victim);
            shared.hands[me].jobs.lock().extend(stolen);
        }
        return Some((first, k > 1));
    }
    None
}
