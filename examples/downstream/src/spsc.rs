//! A bounded single-producer single-consumer ring buffer, and its broken twin.
//!
//! The producer owns `tail` and the consumer owns `head`; each reads the other's index to know how
//! far it may go. The producer writes a slot and then *publishes* it by storing `tail + 1` with
//! `Release`; the consumer loads `tail` with `Acquire`, so the slot's write happens before its read.
//!
//! [`broken::channel`] publishes with `Relaxed`: on x86 it almost always works, but nothing orders
//! the slot's write before the consumer's read. loom finds the data race; shuttle runs every access
//! as `SeqCst` and real threads rarely show it, which is the lesson.

use std::mem::MaybeUninit;

use racezoo::sync::Arc;
use racezoo::sync::atomic::{AtomicUsize, Ordering};
use racezoo::sync::cell::UnsafeCell;

struct Ring<T> {
    slots: Box<[UnsafeCell<MaybeUninit<T>>]>,
    /// The next slot to read; written by the consumer only.
    head: AtomicUsize,
    /// The next slot to write; written by the producer only.
    tail: AtomicUsize,
    /// How the producer publishes a written slot: `Release` (correct) or `Relaxed` (the bug).
    publish: Ordering,
}

// SAFETY: each slot is accessed by one side at a time: the producer writes slots in
// `head + cap > i >= tail`, the consumer reads slots in `head <= i < tail`, and the indices are
// handed over with Release/Acquire (in the correct version).
unsafe impl<T: Send> Sync for Ring<T> {}

/// The sending half of an SPSC queue.
pub struct Producer<T>(Arc<Ring<T>>);

/// The receiving half of an SPSC queue.
pub struct Consumer<T>(Arc<Ring<T>>);

/// Creates an SPSC queue holding at most `cap` values.
pub fn channel<T>(cap: usize) -> (Producer<T>, Consumer<T>) {
    with_publish(cap, Ordering::Release)
}

fn with_publish<T>(cap: usize, publish: Ordering) -> (Producer<T>, Consumer<T>) {
    assert!(cap > 0, "capacity must be positive");
    let ring = Arc::new(Ring {
        slots: (0..cap)
            .map(|_| UnsafeCell::new(MaybeUninit::uninit()))
            .collect(),
        head: AtomicUsize::new(0),
        tail: AtomicUsize::new(0),
        publish,
    });
    (Producer(ring.clone()), Consumer(ring))
}

impl<T> Producer<T> {
    /// Appends `value`, or returns it if the queue is full.
    pub fn push(&mut self, value: T) -> Result<(), T> {
        let ring = &*self.0;
        let tail = ring.tail.load(Ordering::Relaxed); // our own index
        // Acquire: the consumer's reads of the slots it freed happen before we overwrite them.
        let head = ring.head.load(Ordering::Acquire);
        if tail - head == ring.slots.len() {
            return Err(value);
        }
        let slot = &ring.slots[tail % ring.slots.len()];
        // SAFETY: the slot is between head + cap and tail: the consumer does not touch it.
        slot.with_mut(|p| unsafe { (*p).write(value) });
        // Publish the slot (Release in the correct version).
        ring.tail.store(tail + 1, ring.publish);
        Ok(())
    }
}

impl<T> Consumer<T> {
    /// Removes the oldest value, or returns `None` if the queue is empty.
    pub fn pop(&mut self) -> Option<T> {
        let ring = &*self.0;
        let head = ring.head.load(Ordering::Relaxed); // our own index
        // Acquire: pairs with the producer's publishing store.
        let tail = ring.tail.load(Ordering::Acquire);
        if head == tail {
            return None;
        }
        let slot = &ring.slots[head % ring.slots.len()];
        // SAFETY: the slot is between head and tail: written and published, and the producer does
        // not touch it until we move `head` past it.
        let value = slot.with(|p| unsafe { (*p).assume_init_read() });
        // Release: our read of the slot happens before the producer reuses it.
        ring.head.store(head + 1, Ordering::Release);
        Some(value)
    }
}

impl<T> Drop for Ring<T> {
    fn drop(&mut self) {
        // Both halves are gone: drop what was pushed and never popped.
        let (head, tail) = (
            self.head.load(Ordering::Relaxed),
            self.tail.load(Ordering::Relaxed),
        );
        for i in head..tail {
            let slot = &self.slots[i % self.slots.len()];
            // SAFETY: `&mut self`; slots in head..tail hold values.
            slot.with_mut(|p| unsafe { (*p).assume_init_drop() });
        }
    }
}

/// The broken twin: the producer publishes with `Relaxed`.
pub mod broken {
    use super::{Consumer, Producer, with_publish};
    use racezoo::sync::atomic::Ordering;

    /// Creates an SPSC queue whose producer publishes slots with `Relaxed` (the bug).
    pub fn channel<T>(cap: usize) -> (Producer<T>, Consumer<T>) {
        with_publish(cap, Ordering::Relaxed)
    }
}
