//! Minimal bodies, one per verdict class, shared by the harness tests (`tests/check/`). Lines the trace tests look
//! for are tagged with a `// @name` comment.
#![allow(dead_code)]

use std::time::Duration;

use racezoo::misuse;
use racezoo::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering};
use racezoo::sync::cell::UnsafeCell;
use racezoo::sync::{Arc, Condvar, Mutex, thread};

/// ABBA: main takes A then B, the worker B then A; a pause between the two locks lets real threads
/// (stress) meet in the middle, and is a scheduling point under the checkers.
pub fn abba() {
    let a = Arc::new(Mutex::new(()));
    let b = Arc::new(Mutex::new(()));
    let worker = {
        let (a, b) = (a.clone(), b.clone());
        thread::spawn(move || {
            let _b = b.lock(); // @worker_b
            thread::sleep(Duration::from_millis(20));
            let _a = a.lock(); // @worker_a
        })
    };
    {
        let _a = a.lock(); // @main_a
        thread::sleep(Duration::from_millis(20));
        let _b = b.lock(); // @main_b
    }
    worker.join().unwrap(); // @main_join
}

/// A one-slot rendezvous built on the facade: `recv` waits until a value is there.
pub struct Slot {
    value: Mutex<Option<u32>>,
    ready: Condvar,
}

impl Slot {
    pub fn new() -> Self {
        Slot {
            value: Mutex::new(None),
            ready: Condvar::new(),
        }
    }

    pub fn send(&self, v: u32) {
        *self.value.lock() = Some(v);
        self.ready.notify_one();
    }

    #[track_caller]
    pub fn recv(&self) -> u32 {
        let mut value = self.value.lock();
        loop {
            if let Some(v) = value.take() {
                return v;
            }
            value = self.ready.wait(value);
        }
    }
}

/// Leak: a worker waits for a value nobody sends, and main returns without joining it.
pub fn leak() {
    let slot = Arc::new(Slot::new());
    let worker = {
        let slot = slot.clone();
        thread::spawn(move || {
            let _ = slot.recv(); // @worker_recv
        })
    };
    drop(worker);
}

/// Correct twin of [`leak`]: main sends, then joins.
pub fn handoff() {
    let slot = Arc::new(Slot::new());
    let worker = {
        let slot = slot.clone();
        thread::spawn(move || slot.recv())
    };
    slot.send(7);
    assert_eq!(worker.join().unwrap(), 7);
}

/// A cell that claims to be shareable, as racy code does.
pub struct Racy(UnsafeCell<u32>);

// SAFETY: it is not; this is the bug under test. Only the model checkers run [`data_race`]: loom
// catches the conflicting accesses, shuttle runs every model thread on one OS thread, and no test
// runs it on real threads.
unsafe impl Sync for Racy {}

/// Data race: two threads write an `UnsafeCell` with no synchronization. Model checkers only.
pub fn data_race() {
    let cell = Arc::new(Racy(UnsafeCell::new(0u32)));
    let worker = {
        let cell = cell.clone();
        // SAFETY: none, see `Racy`.
        thread::spawn(move || cell.0.with_mut(|p| unsafe { *p += 1 })) // @race_worker
    };
    // SAFETY: none, see `Racy`.
    cell.0.with_mut(|p| unsafe { *p += 1 }); // @race_main
    worker.join().unwrap();
}

/// Lost update: an atomic load followed by a separate store.
pub fn lost_update() {
    let n = Arc::new(AtomicUsize::new(0));
    let worker = {
        let n = n.clone();
        thread::spawn(move || {
            let seen = n.load(Ordering::SeqCst);
            n.store(seen + 1, Ordering::SeqCst);
        })
    };
    let seen = n.load(Ordering::SeqCst);
    n.store(seen + 1, Ordering::SeqCst);
    worker.join().unwrap();
    assert_eq!(n.load(Ordering::SeqCst), 2, "lost update");
}

/// Message passing with `Relaxed` on both sides: the reader may see the flag and not the data.
pub fn relaxed_message_passing() {
    message_passing(Ordering::Relaxed, Ordering::Relaxed);
}

/// Correct twin: `Release` publishes, `Acquire` observes.
pub fn release_acquire_message_passing() {
    message_passing(Ordering::Release, Ordering::Acquire);
}

fn message_passing(store: Ordering, load: Ordering) {
    let data = Arc::new(AtomicUsize::new(0));
    let flag = Arc::new(AtomicBool::new(false));
    let writer = {
        let (data, flag) = (data.clone(), flag.clone());
        thread::spawn(move || {
            data.store(42, Ordering::Relaxed); // @mp_data_store
            flag.store(true, store); // @mp_flag_store
        })
    };
    if flag.load(load) {
        // @mp_flag_load is the line above
        let seen = data.load(Ordering::Relaxed); // @mp_data_load
        assert_eq!(seen, 42, "saw the flag but not the data");
    }
    writer.join().unwrap();
}

/// A WaitGroup counter as small as it gets, with Go's misuse panic.
pub struct Counter(AtomicIsize);

impl Counter {
    pub fn done(&self) {
        if self.0.fetch_sub(1, Ordering::SeqCst) - 1 < 0 {
            misuse::misuse(misuse::NEGATIVE_WAITGROUP_COUNTER);
        }
    }
}

/// Misuse: `add(1)`, then `done()` twice (worker and main).
pub fn negative_waitgroup() {
    let wg = Arc::new(Counter(AtomicIsize::new(1)));
    let worker = {
        let wg = wg.clone();
        thread::spawn(move || wg.done())
    };
    wg.done();
    let _ = worker.join();
}

/// Any other panic.
pub fn plain_panic() {
    panic!("boom");
}

/// Correct: two threads increment a mutex-guarded counter.
pub fn mutex_counter() {
    let n = Arc::new(Mutex::new(0));
    let worker = {
        let n = n.clone();
        thread::spawn(move || *n.lock() += 1)
    };
    *n.lock() += 1;
    worker.join().unwrap();
    assert_eq!(*n.lock(), 2);
}

/// Returns the 1-based line of this file tagged `// @tag`, as `tests/check/bodies.rs:<line>`.
pub fn line_of(tag: &str) -> String {
    let source = include_str!("bodies.rs");
    let marker = format!("// @{tag}");
    let line = source
        .lines()
        .position(|l| l.trim_end().ends_with(&marker))
        .unwrap_or_else(|| panic!("no line tagged {marker}"));
    format!("{}:{}", file!(), line + 1)
}

/// A worker catches a job's panic and carries on, as a pool does; the body is correct.
pub fn caught_panic() {
    let n = Arc::new(Mutex::new(0));
    let worker = {
        let n = n.clone();
        thread::spawn(move || {
            let job = std::panic::catch_unwind(|| panic!("job failed"));
            assert!(job.is_err());
            *n.lock() += 1;
        })
    };
    *n.lock() += 1;
    worker.join().unwrap();
    assert_eq!(*n.lock(), 2);
}

/// Main catches a panic, then deadlocks with a worker: the deadlock is the failure.
pub fn caught_panic_then_abba() {
    let _ = std::panic::catch_unwind(|| panic!("handled"));
    abba();
}
