//! `WorkerPool` under every checker of the build's flavour (loom, shuttle random and PCT, or real-thread
//! stress): small workloads, at most two workers plus one helper thread plus main, inside loom's
//! five-thread limit.

use racezoo::check::{Checker, Config, Verdict};
use racezoo::pool::{JobError, RejectReason, Results, WorkerPool};
use racezoo::sync::atomic::{AtomicUsize, Ordering};
use racezoo::sync::{Arc, Condvar, Mutex, thread};

fn config() -> Config {
    Config {
        runs: 50,
        iterations: 300,
        ..Config::default()
    }
}

/// Runs `body` under every available checker and asserts a pass.
fn passes_everywhere(body: fn()) {
    for checker in Checker::available() {
        let report = checker.run(&config(), body).unwrap();
        assert_eq!(report.verdict, Verdict::Pass, "{report}");
        assert!(report.complete, "{report}");
        eprintln!("{report}");
    }
}

#[test]
fn panicking_job_loses_no_other_job_under_every_checker() {
    passes_everywhere(|| {
        let pool = WorkerPool::new(2, 2);
        let bad = pool
            .submit(|| -> u8 { panic!("deliberate: job panics") })
            .unwrap();
        let good = pool.submit(|| 1u8).unwrap();
        assert!(bad.join().unwrap_err().is_panic());
        assert_eq!(good.join().unwrap(), 1);
        pool.shutdown();
        let s = pool.stats();
        assert_eq!((s.completed, s.panicked, s.in_flight), (1, 1, 0));
    });
}

#[test]
fn shutdown_now_runs_or_cancels_every_job_under_every_checker() {
    passes_everywhere(|| {
        let pool = WorkerPool::new(1, 2);
        let a = pool.submit(|| 1u8).unwrap();
        let b = pool.submit(|| 2u8).unwrap();
        let cancelled = pool.shutdown_now();
        let mut seen_cancelled = 0;
        for (h, v) in [(a, 1), (b, 2)] {
            match h.join() {
                Ok(got) => assert_eq!(got, v),
                Err(JobError::Cancelled) => seen_cancelled += 1,
                Err(e) => panic!("unexpected outcome {e}"),
            }
        }
        assert_eq!(seen_cancelled, cancelled);
        let s = pool.stats();
        assert_eq!(s.completed + s.cancelled, 2);
    });
}

#[test]
fn submit_racing_shutdown_is_run_or_refused_never_lost_under_every_checker() {
    passes_everywhere(|| {
        let pool = Arc::new(WorkerPool::new(1, 1));
        let ran = Arc::new(AtomicUsize::new(0));
        let shutter = {
            let pool = pool.clone();
            thread::spawn(move || pool.shutdown())
        };
        let r = ran.clone();
        let accepted = match pool.submit(move || r.fetch_add(1, Ordering::SeqCst)) {
            Ok(_) => 1,
            Err(rejected) => {
                assert_eq!(rejected.reason, RejectReason::ShutDown);
                0
            }
        };
        shutter.join().unwrap();
        pool.shutdown();
        assert_eq!(ran.load(Ordering::SeqCst), accepted);
    });
}

#[test]
fn try_submit_accepts_at_most_capacity_plus_workers_under_every_checker() {
    passes_everywhere(|| {
        let pool = WorkerPool::new(1, 1);
        let ran = Arc::new(AtomicUsize::new(0));
        let mut accepted = 0;
        for _ in 0..3 {
            let r = ran.clone();
            match pool.try_submit(move || r.fetch_add(1, Ordering::SeqCst)) {
                Ok(_) => accepted += 1,
                Err(rejected) => assert_eq!(rejected.reason, RejectReason::Full),
            }
        }
        assert!(accepted >= 1);
        drop(pool); // graceful
        assert_eq!(ran.load(Ordering::SeqCst), accepted);
    });
}

#[test]
fn results_channel_delivers_every_outcome_after_drop_under_every_checker() {
    passes_everywhere(|| {
        let pool = WorkerPool::new(2, 1);
        let results = Results::new();
        pool.submit_into(&results, || 10u8).unwrap();
        pool.submit_into(&results, || 20u8).unwrap();
        drop(pool);
        let mut got: Vec<u8> = results.iter().map(|(_, r)| r.unwrap()).collect();
        got.sort_unstable();
        assert_eq!(got, [10, 20]);
    });
}

#[test]
fn two_concurrent_shutdowns_both_wait_for_the_jobs_under_every_checker() {
    passes_everywhere(|| {
        let pool = Arc::new(WorkerPool::new(1, 1));
        let ran = Arc::new(AtomicUsize::new(0));
        let r = ran.clone();
        pool.execute(move || {
            r.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
        let other = {
            let (pool, ran) = (pool.clone(), ran.clone());
            thread::spawn(move || {
                pool.shutdown();
                assert_eq!(ran.load(Ordering::SeqCst), 1);
            })
        };
        pool.shutdown();
        assert_eq!(ran.load(Ordering::SeqCst), 1);
        other.join().unwrap();
    });
}

#[test]
fn shutdown_now_cancels_the_jobs_a_worker_took_in_a_batch_under_every_checker() {
    passes_everywhere(|| {
        // One worker and a queue of 4: the worker takes up to 2 jobs at a time, so it may hold the
        // second job in its hand, taken but not started, when shutdown_now comes. The first job
        // returns only once shutdown_now cancels the pool's context (after it has emptied the
        // queue and the hands), so neither later job may start: both must be cancelled.
        let pool = WorkerPool::new(1, 4);
        let ran = Arc::new(AtomicUsize::new(0));
        let started = Arc::new((Mutex::new(false), Condvar::new()));
        let s = started.clone();
        let first = pool
            .submit_ctx(move |ctx| {
                *s.0.lock() = true;
                s.1.notify_all();
                ctx.done().wait();
            })
            .unwrap();
        let later: Vec<_> = (0..2)
            .map(|bit| {
                let ran = ran.clone();
                pool.submit(move || {
                    ran.fetch_or(1 << bit, Ordering::SeqCst);
                })
                .unwrap()
            })
            .collect();
        let mut is_started = started.0.lock();
        while !*is_started {
            is_started = started.1.wait(is_started);
        }
        drop(is_started);
        assert_eq!(pool.shutdown_now(), 2);
        first.join().unwrap();
        for h in later {
            assert!(h.join().unwrap_err().is_cancelled());
        }
        assert_eq!(
            ran.load(Ordering::SeqCst),
            0,
            "a job started after shutdown_now"
        );
        let s = pool.stats();
        assert_eq!((s.completed, s.cancelled), (1, 2));
        assert_eq!((s.in_flight, s.queued, s.running), (0, 0, 0));
    });
}

#[test]
fn a_job_waiting_for_the_job_behind_it_in_a_batch_finishes_under_every_checker() {
    passes_everywhere(|| {
        // Two workers and a queue of 8: a worker takes up to 2 jobs at a time. If one worker takes
        // both, the first waits for the second, which sits in that worker's hand: the other worker
        // must steal it (and be woken to, if it sleeps).
        let pool = WorkerPool::new(2, 8);
        let flag = Arc::new((Mutex::new(false), Condvar::new()));
        let f = flag.clone();
        let waiter = pool
            .submit(move || {
                let mut set = f.0.lock();
                while !*set {
                    set = f.1.wait(set);
                }
            })
            .unwrap();
        let setter = pool
            .submit(move || {
                *flag.0.lock() = true;
                flag.1.notify_all();
            })
            .unwrap();
        waiter.join().unwrap();
        setter.join().unwrap();
        pool.shutdown();
    });
}

#[test]
fn an_execute_job_racing_shutdown_now_runs_or_is_dropped_exactly_once_under_every_checker() {
    passes_everywhere(|| {
        // A one-word closure: queued inline, without a box.
        let pool = WorkerPool::new(1, 2);
        let ran = Arc::new(AtomicUsize::new(0));
        let r = ran.clone();
        pool.execute(move || {
            r.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
        let cancelled = pool.shutdown_now();
        assert_eq!(ran.load(Ordering::SeqCst) + cancelled, 1);
        assert_eq!(Arc::strong_count(&ran), 1, "the job's capture leaked");
        let s = pool.stats();
        assert_eq!((s.completed + s.cancelled, s.in_flight), (1, 0));
    });
}

/// A cell the job writes and main reads with plain (non-atomic) accesses: loom reports a data race
/// unless the pool orders the job's write before main's read.
struct Slot(racezoo::sync::cell::UnsafeCell<u64>);

// SAFETY: the test's accesses are ordered by the pool (that is what it checks); loom reports any
// that are not as a data race instead of letting them happen.
unsafe impl Sync for Slot {}

#[test]
fn an_inline_execute_job_moves_its_three_words_to_the_worker_intact_under_every_checker() {
    // Covers the pool's one `unsafe` (`src/pool/queued.rs`): a closure of up to three words is
    // copied into the queue's inline words and read back on the worker exactly once, or dropped
    // exactly once by shutdown_now.
    passes_everywhere(|| {
        let pool = WorkerPool::new(1, 2);
        let slots: Vec<Arc<Slot>> = (0..2)
            .map(|_| Arc::new(Slot(racezoo::sync::cell::UnsafeCell::new(0))))
            .collect();
        for (i, slot) in slots.iter().enumerate() {
            let (slot, value) = (slot.clone(), 42 + i as u64);
            let job = move || {
                // SAFETY: the only write to this slot; main reads it after shutdown_now joined the
                // worker.
                slot.0.with_mut(|p| unsafe { *p = value });
            };
            // Queued inline: at most three words (the facade's `Arc` is one word, two under loom).
            assert!(std::mem::size_of_val(&job) <= 3 * std::mem::size_of::<usize>());
            pool.execute(job).unwrap();
        }
        let cancelled = pool.shutdown_now();
        let mut ran = 0;
        for (i, slot) in slots.iter().enumerate() {
            // SAFETY: the worker is joined; its write (if any) happened before.
            let v = slot.0.with(|p| unsafe { *p });
            assert!(v == 0 || v == 42 + i as u64, "job {i} wrote {v}");
            ran += usize::from(v != 0);
            assert_eq!(Arc::strong_count(slot), 1, "job {i}'s capture leaked");
        }
        assert_eq!(ran + cancelled, 2);
    });
}
