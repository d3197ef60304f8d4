//! [`Barrier`]: `std::sync::Barrier` on the facade's [`Mutex`] and [`Condvar`], so that every
//! checker models it (loom's own `Barrier` is an `unimplemented!` stub).
//!
//! The algorithm is the classic generation count: each arrival increments `count` under the lock;
//! the `n`-th arrival resets it, starts a new generation and wakes everyone; the others wait until
//! the generation they arrived in has ended (re-checking after every wake-up, since waits may be
//! spurious).

use super::{Condvar, Mutex};

/// A point where `n` threads wait until all of them have arrived, reusable round after round.
#[derive(Debug)]
pub struct Barrier {
    n: usize,
    state: Mutex<Round>,
    all_arrived: Condvar,
}

#[derive(Debug)]
struct Round {
    /// Threads that have arrived in the current generation.
    count: usize,
    /// Which round this is; incremented when a round completes.
    generation: u64,
}

/// Tells the one thread per round that completed the round (the leader) apart from the others.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BarrierWaitResult(bool);

impl BarrierWaitResult {
    /// Returns `true` for exactly one thread per round: the last to arrive.
    pub fn is_leader(&self) -> bool {
        self.0
    }
}

impl Barrier {
    /// Creates a barrier for `n` threads. A barrier for 0 or 1 threads never blocks.
    pub fn new(n: usize) -> Barrier {
        Barrier {
            n,
            state: Mutex::new(Round {
                count: 0,
                generation: 0,
            }),
            all_arrived: Condvar::new(),
        }
    }

    /// Blocks until `n` threads (this one included) have called `wait` in this round.
    #[track_caller]
    pub fn wait(&self) -> BarrierWaitResult {
        let mut round = self.state.lock();
        let arrived_in = round.generation;
        round.count += 1;
        if round.count < self.n {
            // Not the last: wait for the round we arrived in to end.
            let _round = self
                .all_arrived
                .wait_while(round, |r| r.generation == arrived_in);
            BarrierWaitResult(false)
        } else {
            // The last: start the next round and wake the others. Notifying under the lock is fine:
            // they re-acquire it after we release it.
            round.count = 0;
            round.generation = round.generation.wrapping_add(1);
            self.all_arrived.notify_all();
            BarrierWaitResult(true)
        }
    }
}
