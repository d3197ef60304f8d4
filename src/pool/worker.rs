//! A worker's loop. It takes up to a batch of jobs per trip to the pool's lock and keeps all but
//! the first in its *hand*; it runs them one by one, then records how they ended on the same trip
//! to the lock as taking the next batch. A worker that finds the queue empty steals the front half
//! of another worker's hand before it sleeps or exits; on real threads it first watches an atomic
//! copy of "the queue holds a job" for a few yields. Wake-ups are decided under the lock and made
//! after releasing it ([`Wakes`]).

use super::handle::Ended;
use super::queued::Queued;
use super::{Shared, State};
use crate::sync::atomic::Ordering;
use crate::sync::thread;

/// How many times an idle worker yields, watching for a job, before it sleeps on real threads (under
/// the checkers, [`hint::spins`](crate::sync::hint::spins) makes it none: a spin is just more
/// interleavings to explore).
const SPIN_YIELDS: usize = 64;

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

/// A worker's loop: take a batch of jobs (or steal from another worker's hand), run them one by
/// one, record how they ended, repeat; exit once the pool is closed and no job is left anywhere.
pub(super) fn work(shared: &Shared, me: usize) {
    let hand = &shared.hands[me].jobs;
    let mut tally = Tally::default();
    let mut spun = false;
    let mut st = shared.state.lock();
    st.worker_ids.push(thread::current().id());
    loop {
        let mut wakes = Wakes::default();
        if tally.ran > 0 {
            // Record the jobs this worker ran, under the same lock as taking the next batch. The
            // first of them was counted as running when it was taken; the others were still
            // counted as queued (minus any that another worker stole or shutdown_now cancelled:
            // those were accounted for by whoever took them from this worker's hand).
            let t = std::mem::take(&mut tally);
            st.stats.running -= 1;
            st.stats.queued -= t.ran - 1;
            st.stats.in_flight -= t.ran;
            st.stats.completed += t.completed;
            st.stats.panicked += t.panicked;
            wakes.idle = st.stats.in_flight == 0 && st.idle_waiters > 0;
        }
        if let Some((first, in_hand)) = take(shared, &mut st, me) {
            spun = false;
            st.stats.queued -= 1;
            st.stats.running += 1;
            st.stats.peak_running = st.stats.peak_running.max(st.stats.running);
            // Wake one blocked submitter once the queue has drained to half its capacity (not at
            // every free slot: that would cost a wake-up per job while the queue is saturated).
            wakes.submitter = st.blocked_submitters > 0 && st.stats.queued <= st.capacity / 2;
            // Jobs left in this worker's hand while another worker sleeps and none watches the
            // queue: wake one, which steals from the hand if the queue is still empty then. (A job
            // in the hand may be the one the job this worker is about to run waits for.)
            wakes.worker = in_hand && st.idle_workers > 0 && st.spinning == 0;
            drop(st);
            wakes.fire(shared);
            let mut next = Some(first);
            while let Some(task) = next {
                tally.ran += 1;
                match task.run(&shared.ctx) {
                    Ended::Completed => tally.completed += 1,
                    Ended::Panicked => tally.panicked += 1,
                }
                next = hand.lock().pop_front();
            }
            st = shared.state.lock();
            continue;
        }
        if wakes.idle {
            drop(st);
            wakes.fire(shared);
            st = shared.state.lock();
            continue;
        }
        let spin_yields = crate::sync::hint::spins(SPIN_YIELDS);
        if spin_yields > 0 && !spun && st.open {
            // Before sleeping, watch the queue for a moment without the lock: under a steady
            // stream of jobs the next one usually arrives within a few yields, and neither side
            // then pays for a futex wait and wake-up. Once a job is seen, only *try* the lock: if
            // a submitter holds it, yield rather than spin on the lock's cache line under it.
            st.spinning += 1;
            drop(st);
            let mut relocked = None;
            for _ in 0..spin_yields {
                if shared.queued_hint.0.load(Ordering::Relaxed) {
                    relocked = shared.state.try_lock();
                    if relocked.is_some() {
                        break;
                    }
                }
                thread::yield_now();
            }
            spun = true;
            st = relocked.unwrap_or_else(|| shared.state.lock());
            st.spinning -= 1;
            continue;
        }
        spun = false;
        if !st.open {
            // Closed, and no job is left in the queue or in any hand: this worker is done.
            st.live -= 1;
            if st.live == 0 && st.idle_waiters > 0 {
                shared.idle.notify_all();
            }
            return;
        }
        st.idle_workers += 1;
        st = shared.work.wait(st);
        st.idle_workers -= 1;
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
        shared
            .queued_hint
            .0
            .store(!st.queue.is_empty(), Ordering::Relaxed);
        return Some((first, k > 1));
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
