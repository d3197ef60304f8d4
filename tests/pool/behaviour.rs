//! `WorkerPool` on real threads: the contract of `racezoo::pool`, one behaviour per test. The same
//! behaviours on small workloads under loom and shuttle are in `pool_model.rs`.
#![cfg(not(any(loom, shuttle)))]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::Duration;

use racezoo::pool::{JobError, RejectReason, Results, WorkerPool};

/// Silences the panic messages of jobs that panic on purpose (they are caught by the pool).
fn quiet_deliberate_panics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .copied()
                .unwrap_or_default();
            if !msg.starts_with("deliberate") {
                previous(info)
            }
        }));
    });
}

#[test]
fn handles_return_each_jobs_value() {
    let pool = WorkerPool::new(3, 4);
    let handles: Vec<_> = (0..50u64)
        .map(|j| pool.submit(move || j * 2).unwrap())
        .collect();
    for (j, h) in handles.into_iter().enumerate() {
        assert_eq!(h.join().unwrap(), j as u64 * 2);
    }
}

#[test]
fn panicking_job_is_reported_through_its_handle_and_the_worker_survives() {
    quiet_deliberate_panics();
    let pool = WorkerPool::new(1, 4);
    let bad = pool
        .submit(|| -> u32 { panic!("deliberate: job 0 fails") })
        .unwrap();
    let good = pool.submit(|| 7u32).unwrap();
    let err = bad.join().unwrap_err();
    assert!(err.is_panic());
    assert_eq!(err.panic_message(), Some("deliberate: job 0 fails"));
    // The single worker survived the panic and ran the next job.
    assert_eq!(good.join().unwrap(), 7);
    pool.shutdown();
    let s = pool.stats();
    assert_eq!((s.completed, s.panicked), (1, 1));
}

#[test]
fn submit_blocks_while_the_queue_is_full() {
    let pool = Arc::new(WorkerPool::new(1, 2));
    let (gate_tx, gate_rx) = mpsc::channel::<()>();
    let (started_tx, started_rx) = mpsc::channel();
    // Occupy the worker, then fill the queue.
    pool.execute(move || {
        started_tx.send(()).unwrap();
        gate_rx.recv().unwrap();
    })
    .unwrap();
    started_rx.recv().unwrap();
    pool.execute(|| {}).unwrap();
    pool.execute(|| {}).unwrap();
    let returned = Arc::new(AtomicUsize::new(0));
    let submitter = {
        let (pool, returned) = (pool.clone(), returned.clone());
        thread::spawn(move || {
            pool.execute(|| {}).unwrap();
            returned.store(1, Ordering::SeqCst);
        })
    };
    thread::sleep(Duration::from_millis(50));
    assert_eq!(
        returned.load(Ordering::SeqCst),
        0,
        "submit returned while the queue was full"
    );
    gate_tx.send(()).unwrap();
    submitter.join().unwrap();
    pool.shutdown();
    assert_eq!(pool.stats().completed, 4);
}

#[test]
fn try_submit_gives_the_job_back_when_full() {
    let pool = WorkerPool::new(1, 1);
    let (gate_tx, gate_rx) = mpsc::channel::<()>();
    let (started_tx, started_rx) = mpsc::channel();
    pool.execute(move || {
        started_tx.send(()).unwrap();
        gate_rx.recv().unwrap();
    })
    .unwrap();
    started_rx.recv().unwrap();
    pool.try_submit(|| 1).unwrap();
    let rejected = pool.try_submit(|| 2).unwrap_err();
    assert_eq!(rejected.reason, RejectReason::Full);
    assert_eq!((rejected.into_job())(), 2, "the job comes back intact");
    gate_tx.send(()).unwrap();
    pool.shutdown();
    let s = pool.stats();
    assert_eq!((s.submitted, s.rejected, s.completed), (2, 1, 2));
}

#[test]
fn submit_after_shutdown_returns_the_job_with_an_error() {
    let pool = WorkerPool::new(2, 2);
    pool.shutdown();
    let rejected = pool.submit(|| 5).unwrap_err();
    assert_eq!(rejected.reason, RejectReason::ShutDown);
    assert_eq!(rejected.to_string(), "job rejected: the pool is shut down");
    assert_eq!((rejected.job)(), 5);
    assert!(pool.execute(|| {}).is_err());
    assert_eq!(pool.stats().rejected, 2);
}

#[test]
fn blocked_submitter_gets_its_job_back_when_the_pool_shuts_down() {
    let pool = Arc::new(WorkerPool::new(1, 1));
    let (gate_tx, gate_rx) = mpsc::channel::<()>();
    let (started_tx, started_rx) = mpsc::channel();
    pool.execute(move || {
        started_tx.send(()).unwrap();
        gate_rx.recv().unwrap();
    })
    .unwrap();
    started_rx.recv().unwrap();
    pool.execute(|| {}).unwrap();
    let submitter = {
        let pool = pool.clone();
        thread::spawn(move || pool.submit(|| 9).map(|_| ()).map_err(|r| r.reason))
    };
    thread::sleep(Duration::from_millis(20));
    let shutter = {
        let pool = pool.clone();
        thread::spawn(move || pool.shutdown())
    };
    // Either the submitter was refused by the shutdown, or it got in before it; never lost.
    let outcome = submitter.join().unwrap();
    gate_tx.send(()).unwrap();
    shutter.join().unwrap();
    let s = pool.stats();
    match outcome {
        Err(reason) => {
            assert_eq!(reason, RejectReason::ShutDown);
            assert_eq!(s.completed, 2);
        }
        Ok(()) => assert_eq!(s.completed, 3),
    }
}

#[test]
fn shutdown_runs_every_accepted_job() {
    let pool = WorkerPool::new(2, 100);
    let ran = Arc::new(AtomicUsize::new(0));
    for _ in 0..100 {
        let ran = ran.clone();
        pool.execute(move || {
            thread::sleep(Duration::from_micros(100));
            ran.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
    }
    pool.shutdown();
    assert_eq!(ran.load(Ordering::SeqCst), 100);
}

#[test]
fn drop_is_a_graceful_shutdown() {
    let ran = Arc::new(AtomicUsize::new(0));
    {
        let pool = WorkerPool::new(2, 50);
        for _ in 0..50 {
            let ran = ran.clone();
            pool.execute(move || {
                thread::sleep(Duration::from_micros(200));
                ran.fetch_add(1, Ordering::SeqCst);
            })
            .unwrap();
        }
    }
    assert_eq!(ran.load(Ordering::SeqCst), 50);
}

/// Counts live threads that registered through `register_thread`; decremented by a thread-local
/// destructor when the thread exits.
struct Alive(Arc<AtomicUsize>);
impl Drop for Alive {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}
thread_local! { static ALIVE: std::cell::RefCell<Option<Alive>> = const { std::cell::RefCell::new(None) }; }
fn register_thread(count: &Arc<AtomicUsize>) {
    ALIVE.with(|a| {
        let mut a = a.borrow_mut();
        if a.is_none() {
            count.fetch_add(1, Ordering::SeqCst);
            *a = Some(Alive(count.clone()));
        }
    });
}

#[test]
fn no_worker_thread_is_alive_after_shutdown_returns() {
    let alive = Arc::new(AtomicUsize::new(0));
    let pool = WorkerPool::new(4, 8);
    let barrier = Arc::new(Barrier::new(4));
    for _ in 0..4 {
        let (alive, barrier) = (alive.clone(), barrier.clone());
        pool.execute(move || {
            register_thread(&alive);
            barrier.wait(); // all four workers are registered
        })
        .unwrap();
    }
    pool.wait_idle();
    assert_eq!(alive.load(Ordering::SeqCst), 4);
    pool.shutdown();
    assert_eq!(alive.load(Ordering::SeqCst), 0);
}

#[test]
fn shutdown_now_cancels_queued_jobs_through_their_handles() {
    let pool = WorkerPool::new(1, 8);
    let (started_tx, started_rx) = mpsc::channel();
    let running = pool
        .submit_ctx(move |ctx| {
            started_tx.send(()).unwrap();
            // A long job that honours cancellation.
            while !ctx.is_cancelled() {
                thread::sleep(Duration::from_millis(1));
            }
            "stopped early"
        })
        .unwrap();
    started_rx.recv().unwrap();
    let queued: Vec<_> = (0..5).map(|i| pool.submit(move || i).unwrap()).collect();
    let results = Results::new();
    pool.submit_into(&results, || 99).unwrap();
    assert_eq!(pool.shutdown_now(), 6);
    assert_eq!(running.join().unwrap(), "stopped early");
    for h in queued {
        assert!(h.join().unwrap_err().is_cancelled());
    }
    let (_, outcome) = results.recv().unwrap();
    assert!(matches!(outcome, Err(JobError::Cancelled)));
    assert!(results.recv().is_none());
    let s = pool.stats();
    assert_eq!((s.submitted, s.completed, s.cancelled), (7, 1, 6));
    assert_eq!(s.in_flight, 0);
}

#[test]
fn results_channel_collects_every_outcome_after_shutdown() {
    // The seeds' `results <- j * 2`, collected after the pool is done: no deadlock, since the
    // results buffer never blocks a worker.
    quiet_deliberate_panics();
    let pool = WorkerPool::new(3, 2);
    let results = Results::new();
    for j in 0..20u64 {
        pool.submit_into(&results, move || {
            if j == 13 {
                panic!("deliberate: unlucky job");
            }
            j * 2
        })
        .unwrap();
    }
    pool.shutdown();
    let mut values = Vec::new();
    let mut panics = 0;
    for (_, outcome) in results.iter() {
        match outcome {
            Ok(v) => values.push(v),
            Err(e) => {
                assert!(e.is_panic());
                panics += 1;
            }
        }
    }
    values.sort_unstable();
    let expected: Vec<u64> = (0..20).filter(|&j| j != 13).map(|j| j * 2).collect();
    assert_eq!(values, expected);
    assert_eq!(panics, 1);
}

#[test]
fn peak_running_never_exceeds_the_worker_count() {
    let pool = WorkerPool::new(3, 4);
    let now = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    for _ in 0..60 {
        let (now, peak) = (now.clone(), peak.clone());
        pool.execute(move || {
            let n = now.fetch_add(1, Ordering::SeqCst) + 1;
            peak.fetch_max(n, Ordering::SeqCst);
            thread::sleep(Duration::from_micros(300));
            now.fetch_sub(1, Ordering::SeqCst);
        })
        .unwrap();
    }
    pool.shutdown();
    let s = pool.stats();
    assert!(peak.load(Ordering::SeqCst) <= 3);
    assert!(s.peak_running <= 3 && s.peak_running >= 1);
    assert!(s.peak_in_flight <= 3 + 4, "{s:?}");
    assert_eq!(s.completed, 60);
}

#[test]
fn concurrent_shutdowns_all_return_after_the_workers_are_joined() {
    let pool = Arc::new(WorkerPool::new(2, 16));
    let ran = Arc::new(AtomicUsize::new(0));
    for _ in 0..16 {
        let ran = ran.clone();
        pool.execute(move || {
            thread::sleep(Duration::from_micros(500));
            ran.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
    }
    let joiners: Vec<_> = (0..3)
        .map(|_| {
            let (pool, ran) = (pool.clone(), ran.clone());
            thread::spawn(move || {
                pool.shutdown();
                ran.load(Ordering::SeqCst)
            })
        })
        .collect();
    for j in joiners {
        assert_eq!(
            j.join().unwrap(),
            16,
            "a joiner returned before the jobs ran"
        );
    }
}

#[test]
fn concurrent_wait_idle_callers_and_new_submissions_all_finish() {
    // reproduces the shape of threadpool PR #89: several joiners while jobs keep arriving
    let pool = Arc::new(WorkerPool::new(2, 4));
    let joiners: Vec<_> = (0..3)
        .map(|_| {
            let pool = pool.clone();
            thread::spawn(move || {
                for _ in 0..20 {
                    pool.wait_idle();
                }
            })
        })
        .collect();
    for _ in 0..200 {
        pool.execute(thread::yield_now).unwrap();
    }
    for j in joiners {
        j.join().unwrap();
    }
    pool.wait_idle();
    assert_eq!(pool.stats().completed, 200);
}

#[test]
fn a_job_can_submit_another_job_while_the_queue_has_room() {
    let pool = Arc::new(WorkerPool::new(1, 2));
    let (tx, rx) = mpsc::channel();
    let inner_pool = pool.clone();
    pool.execute(move || {
        inner_pool
            .execute(move || tx.send("inner ran").unwrap())
            .unwrap();
    })
    .unwrap();
    assert_eq!(
        rx.recv_timeout(Duration::from_secs(5)).unwrap(),
        "inner ran"
    );
    pool.shutdown();
}

#[test]
fn shutdown_from_inside_a_job_closes_the_pool_without_waiting_for_itself() {
    let pool = Arc::new(WorkerPool::new(2, 4));
    let inner = pool.clone();
    let h = pool
        .submit(move || {
            inner.shutdown();
            inner.is_open()
        })
        .unwrap();
    assert!(!h.join().unwrap());
    assert!(pool.submit(|| ()).is_err());
    pool.shutdown(); // from outside: joins everyone
}

#[test]
#[should_panic(expected = "would wait for itself")]
fn wait_idle_from_inside_a_job_panics_instead_of_deadlocking() {
    let pool = Arc::new(WorkerPool::new(1, 1));
    let inner = pool.clone();
    let h = pool.submit(move || inner.wait_idle()).unwrap();
    if let Err(e) = h.join() {
        panic!("{}", e.panic_message().unwrap_or_default());
    }
}

#[test]
fn zero_workers_is_refused_with_a_message() {
    let err = std::panic::catch_unwind(|| WorkerPool::new(0, 1)).unwrap_err();
    assert_eq!(
        err.downcast_ref::<&str>().copied(),
        Some("WorkerPool needs at least one worker")
    );
}

#[test]
fn cancelling_the_parent_context_reaches_running_jobs() {
    use racezoo::context::Context;
    let (parent, cancel) = Context::with_cancel(&Context::background());
    let pool = WorkerPool::builder()
        .workers(1)
        .queue_capacity(1)
        .context(&parent)
        .build();
    let (started_tx, started_rx) = mpsc::channel();
    let h = pool
        .submit_ctx(move |ctx| {
            started_tx.send(()).unwrap();
            ctx.done().wait();
            ctx.is_cancelled()
        })
        .unwrap();
    started_rx.recv().unwrap();
    cancel.cancel();
    assert!(h.join().unwrap());
    // The pool itself is still open: the parent only cancels what jobs see.
    assert!(pool.is_open());
}

#[test]
fn graceful_shutdown_cancels_the_pool_context_only_after_every_job() {
    let pool = WorkerPool::new(1, 4);
    let ctx = pool.context();
    let seen: Vec<_> = (0..4)
        .map(|_| pool.submit_ctx(|ctx| ctx.is_cancelled()).unwrap())
        .collect();
    pool.shutdown();
    assert!(seen.into_iter().all(|h| !h.join().unwrap()));
    assert!(ctx.is_cancelled());
}

#[test]
fn a_hold_keeps_the_results_channel_open_until_dropped() {
    let pool = Arc::new(WorkerPool::new(2, 4));
    let results = Results::new();
    let hold = results.hold();
    let producer = {
        let (pool, results) = (pool.clone(), results.clone());
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(20));
            for j in 0..3u32 {
                pool.submit_into(&results, move || j).unwrap();
            }
            drop(hold);
        })
    };
    // recv waits for the producer instead of returning None at once.
    let mut got: Vec<u32> = results.iter().map(|(_, r)| r.unwrap()).collect();
    got.sort_unstable();
    assert_eq!(got, [0, 1, 2]);
    producer.join().unwrap();
}

#[test]
fn a_job_waiting_for_the_job_queued_behind_it_finishes() {
    // Both workers are held busy while `a` and `b` are queued, so the first worker released takes
    // both in one batch (a queue of 64 with 2 workers: batches of up to 16). `a` then waits for
    // `b`, which sits in that worker's hand: the other worker must steal it.
    for _ in 0..20 {
        // Not dropped on failure: a stuck job would make the graceful drop hang the test.
        let pool = std::mem::ManuallyDrop::new(WorkerPool::new(2, 64));
        let gate = Arc::new(Barrier::new(3));
        for _ in 0..2 {
            let gate = gate.clone();
            pool.execute(move || {
                gate.wait();
            })
            .unwrap();
        }
        // Let both workers start their gate job before `a` and `b` arrive (the gate jobs, too,
        // may have been taken as one batch).
        let t0 = std::time::Instant::now();
        while pool.stats().queued > 0 {
            assert!(
                t0.elapsed() < Duration::from_secs(10),
                "a gate job waited 10 s in a worker's hand while the other worker was free"
            );
            thread::yield_now();
        }
        let (tx, rx) = mpsc::channel();
        let a = pool
            .submit(move || rx.recv_timeout(Duration::from_secs(10)).is_ok())
            .unwrap();
        let b = pool.submit(move || tx.send(()).unwrap()).unwrap();
        gate.wait();
        assert!(
            a.join().unwrap(),
            "a waited 10 s for b, which sat behind it in the same worker's batch"
        );
        b.join().unwrap();
        std::mem::ManuallyDrop::into_inner(pool).shutdown();
    }
}

#[test]
fn execute_jobs_drop_their_captures_exactly_once_whether_cancelled_or_refused() {
    // Closures of one word (queued inline, without a box) and of nine words (boxed) alike.
    let token = Arc::new(());
    let pool = WorkerPool::new(1, 8);
    let (started_tx, started_rx) = mpsc::channel();
    pool.submit_ctx(move |ctx| {
        started_tx.send(()).unwrap();
        ctx.done().wait();
    })
    .unwrap();
    started_rx.recv().unwrap();
    for _ in 0..3 {
        let t = token.clone();
        pool.execute(move || drop(t)).unwrap();
        let (t, pad) = (token.clone(), [7u64; 8]);
        pool.execute(move || {
            std::hint::black_box(pad);
            drop(t)
        })
        .unwrap();
    }
    assert_eq!(Arc::strong_count(&token), 7);
    assert_eq!(pool.shutdown_now(), 6);
    assert_eq!(
        Arc::strong_count(&token),
        1,
        "a cancelled job's capture leaked"
    );
    let t = token.clone();
    let back = pool.execute(move || drop(t)).unwrap_err().into_job();
    assert_eq!(
        Arc::strong_count(&token),
        2,
        "the refused closure lost its capture"
    );
    drop(back);
    assert_eq!(Arc::strong_count(&token), 1);
}

#[test]
fn execute_jobs_run_exactly_once_and_their_panics_are_counted() {
    quiet_deliberate_panics();
    let pool = WorkerPool::new(2, 4);
    let ran = Arc::new(AtomicUsize::new(0));
    for i in 0..100 {
        let r = ran.clone();
        pool.execute(move || {
            r.fetch_add(1, Ordering::SeqCst);
            if i % 10 == 0 {
                panic!("deliberate: an execute job panics");
            }
        })
        .unwrap();
    }
    pool.wait_idle();
    assert_eq!(ran.load(Ordering::SeqCst), 100);
    assert_eq!(
        Arc::strong_count(&ran),
        1,
        "a finished job's capture leaked"
    );
    let s = pool.stats();
    assert_eq!((s.completed, s.panicked, s.in_flight), (90, 10, 0));
}
