//! WaitGroup and Counter on real threads: the behaviours of Go's `sync/waitgroup_test.go` and the
//! misuse panics. The interleaving tests are in `tests/gosync/waitgroup_model.rs`.
#![cfg(not(any(loom, shuttle)))]

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::thread;
use std::time::Duration;

use racezoo::counter::Counter;
use racezoo::misuse;
use racezoo::waitgroup::WaitGroup;

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// Ported from Go's testWaitGroup: wg2 must not release anyone before all n `done`s.
fn wait_group_round(wg1: &Arc<WaitGroup>, wg2: &Arc<WaitGroup>) {
    let n = 16;
    wg1.add(n);
    wg2.add(n);
    let (exited_tx, exited) = mpsc::channel();
    for _ in 0..n {
        let (wg1, wg2, exited_tx) = (wg1.clone(), wg2.clone(), exited_tx.clone());
        thread::spawn(move || {
            wg1.done();
            wg2.wait();
            exited_tx.send(()).unwrap();
        });
    }
    wg1.wait();
    for _ in 0..n {
        assert!(
            exited.try_recv().is_err(),
            "WaitGroup released group too soon"
        );
        wg2.done();
    }
    for _ in 0..n {
        exited.recv().unwrap();
    }
}

// Ported from TestWaitGroup, which also reuses both groups for a second round.
#[test]
fn wait_returns_only_after_every_done_and_groups_are_reusable() {
    let (wg1, wg2) = (Arc::new(WaitGroup::new()), Arc::new(WaitGroup::new()));
    for _ in 0..8 {
        wait_group_round(&wg1, &wg2);
    }
}

// Ported from TestWaitGroupMisuse.
#[test]
fn negative_counter_panics_with_gos_message() {
    let wg = WaitGroup::new();
    wg.add(1);
    wg.done();
    let payload = catch_unwind(AssertUnwindSafe(|| wg.done())).unwrap_err();
    assert_eq!(panic_message(&*payload), misuse::NEGATIVE_WAITGROUP_COUNTER);
}

#[test]
fn negative_add_panics_with_gos_message() {
    let wg = WaitGroup::new();
    let payload = catch_unwind(AssertUnwindSafe(|| wg.add(-2))).unwrap_err();
    assert_eq!(panic_message(&*payload), misuse::NEGATIVE_WAITGROUP_COUNTER);
}

// Ported from TestWaitGroupRace.
#[test]
fn done_happens_before_wait_returns() {
    for _ in 0..1000 {
        let wg = Arc::new(WaitGroup::new());
        let n = Arc::new(AtomicUsize::new(0));
        wg.add(2);
        for _ in 0..2 {
            let (wg, n) = (wg.clone(), n.clone());
            thread::spawn(move || {
                n.fetch_add(1, Ordering::Relaxed);
                wg.done();
            });
        }
        wg.wait();
        assert_eq!(n.load(Ordering::Relaxed), 2, "spurious wakeup from wait");
    }
}

#[test]
fn wait_on_a_zero_group_returns_at_once() {
    WaitGroup::new().wait();
}

// Ported from TestWaitGroupGo (Go 1.25).
#[test]
fn go_adds_spawns_and_marks_done() {
    let wg = Arc::new(WaitGroup::new());
    let n = Arc::new(AtomicUsize::new(0));
    for _ in 0..8 {
        let n = n.clone();
        WaitGroup::go(&wg, move || {
            thread::sleep(Duration::from_millis(1));
            n.fetch_add(1, Ordering::Relaxed);
        });
    }
    wg.wait();
    assert_eq!(n.load(Ordering::Relaxed), 8);
}

#[test]
fn a_panicking_go_task_is_resumed_by_wait_after_the_others_finish() {
    let wg = Arc::new(WaitGroup::new());
    let finished = Arc::new(AtomicUsize::new(0));
    let f = finished.clone();
    WaitGroup::go(&wg, move || {
        thread::sleep(Duration::from_millis(20));
        f.fetch_add(1, Ordering::SeqCst);
    });
    WaitGroup::go(&wg, || panic!("worker exploded"));
    let payload = catch_unwind(AssertUnwindSafe(|| wg.wait())).unwrap_err();
    assert_eq!(panic_message(&*payload), "worker exploded");
    assert_eq!(finished.load(Ordering::SeqCst), 1);
    // The panic is reported once; the group is usable again.
    WaitGroup::go(&wg, || {});
    wg.wait();
}

// Ported from TestWaitGroupMisuse3's reuse half: a new round starts (add) between the release of a
// waiter and its return. The window is real-time dependent, so like Go we retry until it is hit.
#[test]
fn reuse_before_wait_returned_panics_with_gos_message() {
    for _ in 0..200 {
        let wg = Arc::new(WaitGroup::new());
        wg.add(1);
        let waiter = {
            let wg = wg.clone();
            thread::spawn(move || catch_unwind(AssertUnwindSafe(|| wg.wait())))
        };
        // Give the waiter time to register and block.
        thread::sleep(Duration::from_millis(1));
        wg.done();
        wg.add(1);
        // A waiter woken by that `done` finds the new round begun and panics (the window this test
        // is after). A waiter that had not registered yet joined the new round instead (legal in
        // Go too): the second `done` releases it. Joining before that `done` would hang then.
        thread::sleep(Duration::from_millis(1));
        wg.done();
        let outcome = waiter.join().unwrap();
        if let Err(payload) = outcome {
            assert_eq!(panic_message(&*payload), misuse::WAITGROUP_REUSED);
            return;
        }
    }
    panic!("the reuse window was never hit in 200 tries");
}

#[test]
fn counter_counts_every_increment_of_every_thread() {
    let c = Arc::new(Counter::new());
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let c = c.clone();
            thread::spawn(move || {
                for _ in 0..1000 {
                    c.inc();
                }
                c.add(10);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(c.get(), 4 * 1010);
}
