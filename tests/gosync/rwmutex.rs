//! RwMutex on real threads: Go's `rwmutex_test.go` behaviours (parallel readers, writer exclusion,
//! try-locks) and writer preference. The interleaving tests are in `tests/gosync/rwmutex_model.rs`.
#![cfg(not(any(loom, shuttle)))]

use std::sync::atomic::{AtomicBool, AtomicI32, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::Duration;

use racezoo::rwmutex::RwMutex;

// Ported from TestParallelReaders: n readers hold the lock at the same time.
#[test]
fn readers_hold_the_lock_in_parallel() {
    let n = 4;
    let rw = Arc::new(RwMutex::new(()));
    let all_in = Arc::new(Barrier::new(n));
    let threads: Vec<_> = (0..n)
        .map(|_| {
            let (rw, all_in) = (rw.clone(), all_in.clone());
            thread::spawn(move || {
                let _g = rw.read();
                // Deadlocks unless every reader is inside at once.
                all_in.wait();
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
}

// Ported from HammerRWMutex: writers are exclusive with everyone, readers only with writers.
#[test]
fn writers_exclude_readers_and_writers() {
    let rw = Arc::new(RwMutex::new(0u64));
    let activity = Arc::new(AtomicI32::new(0));
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let (rw, activity) = (rw.clone(), activity.clone());
            thread::spawn(move || {
                for _ in 0..2000 {
                    if i == 0 {
                        let mut g = rw.write();
                        let n = activity.fetch_add(10_000, Ordering::SeqCst);
                        assert_eq!(n, 0, "writer entered with activity {n}");
                        *g += 1;
                        activity.fetch_sub(10_000, Ordering::SeqCst);
                    } else {
                        let _g = rw.read();
                        let n = activity.fetch_add(1, Ordering::SeqCst);
                        assert!(n < 10_000, "reader entered during a write");
                        activity.fetch_sub(1, Ordering::SeqCst);
                    }
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(*rw.read(), 2000);
}

// Ported from TestRWMutex's TryLock/TryRLock checks.
#[test]
fn try_read_and_try_write_follow_the_lock_state() {
    let rw = RwMutex::new(1);
    {
        let _w = rw.try_write().expect("free lock");
        assert!(rw.try_read().is_none());
        assert!(rw.try_write().is_none());
    }
    {
        let r1 = rw.try_read().expect("free lock");
        let r2 = rw.try_read().expect("readers share");
        assert!(rw.try_write().is_none());
        assert_eq!(*r1 + *r2, 2);
    }
    assert!(rw.try_write().is_some());
}

// Go's rule: once a writer waits, try_read fails and read blocks until the writer has run.
#[test]
fn a_waiting_writer_blocks_new_readers() {
    let rw = Arc::new(RwMutex::new(Vec::new()));
    let first = rw.read();
    let writer = {
        let rw = rw.clone();
        thread::spawn(move || rw.write().push("writer"))
    };
    // Wait until the writer is pending: from then on try_read fails.
    while let Some(g) = rw.try_read() {
        drop(g);
        thread::sleep(Duration::from_millis(1));
    }
    let (tx, rx) = mpsc::channel();
    let reader = {
        let rw = rw.clone();
        thread::spawn(move || {
            let g = rw.read();
            tx.send(g.clone()).unwrap();
        })
    };
    // The late reader stays parked behind the writer while the first reader holds on.
    assert!(rx.recv_timeout(Duration::from_millis(50)).is_err());
    drop(first);
    assert_eq!(rx.recv().unwrap(), vec!["writer"]);
    writer.join().unwrap();
    reader.join().unwrap();
}

#[test]
fn readers_parked_behind_a_writer_get_in_before_the_next_writer() {
    let rw = Arc::new(RwMutex::new(0));
    let w1 = rw.write();
    let reader_in = Arc::new(AtomicBool::new(false));
    let reader = {
        let (rw, reader_in) = (rw.clone(), reader_in.clone());
        thread::spawn(move || {
            let g = rw.read();
            reader_in.store(true, Ordering::SeqCst);
            *g
        })
    };
    thread::sleep(Duration::from_millis(20));
    let writer2 = {
        let rw = rw.clone();
        thread::spawn(move || *rw.write() = 2)
    };
    thread::sleep(Duration::from_millis(20));
    drop(w1);
    // The reader that parked during the first write sees its result, not the second writer's.
    assert_eq!(reader.join().unwrap(), 0);
    writer2.join().unwrap();
    assert!(reader_in.load(Ordering::SeqCst));
    assert_eq!(*rw.read(), 2);
}

#[test]
fn get_mut_and_into_inner_need_no_lock() {
    let mut rw = RwMutex::new(String::from("a"));
    rw.get_mut().push('b');
    assert_eq!(format!("{rw:?}"), "RwMutex { data: \"ab\" }");
    assert_eq!(rw.into_inner(), "ab");
}
