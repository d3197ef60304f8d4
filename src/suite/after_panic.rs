//! What a pool owes after a job panicked: `join` counts the panicked job once (not never: `join`
//! hangs; not twice: `join` returns while later jobs still run), and its handle reports the panic
//! while the pool keeps every worker.

use super::helpers::{Gate, Tally, panicking_job, submit_open, violation};
use super::{Job, JobEnd, Params, SuitePool};
use crate::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::sync::{Arc, Mutex, thread};

/// After a panicking job, `join` returns; then, with one more job held at a gate, a second `join`
/// waits until the gate opens.
pub fn join_after_panic<P: SuitePool>(p: &Params) {
    let w = p.workers;
    let pool = Arc::new(P::create(w, p.capacity));
    submit_open(&*pool, panicking_job(), "the panicking job");
    let first = Tally::new();
    let go = Tally::new();
    let second = Tally::new();
    let joiner = {
        let (pool, first, go, second) = (pool.clone(), first.clone(), go.clone(), second.clone());
        thread::spawn(move || {
            pool.join();
            first.bump();
            go.wait_for(1, None);
            pool.join();
            second.bump();
        })
    };
    if !first.wait_for(1, p.patience) {
        violation(
            "join did not return after a job panicked: the panicked job was never counted as finished"
                .to_string(),
        );
    }
    let gate = Gate::new();
    let held = {
        let gate = gate.clone();
        Job::new(move || gate.wait())
    };
    submit_open(&*pool, held, "the job after the panic");
    go.bump();
    thread::sleep(p.settle);
    let early = second.get() > 0;
    gate.open();
    if early {
        violation(
            "join returned while the job submitted after a panicking one was still running: the \
             panicked job was counted as finished twice"
                .to_string(),
        );
    }
    if !second.wait_for(1, p.patience) {
        violation("join did not return once the job after the panic had finished".to_string());
    }
    joiner.join().expect("the joiner thread");
    pool.shutdown();
}

/// A panicking job's handle reports `Panicked`; then `workers` jobs that can only finish together
/// all run (no worker was lost) and their handles report `Returned`.
pub fn handle_after_panic<P: SuitePool>(p: &Params) {
    let w = p.workers;
    let pool = Arc::new(P::create(w, p.capacity));
    let handle = match pool.submit_handle(panicking_job()) {
        Ok(h) => h,
        Err(_) => violation("the pool refused the panicking job before shutdown".to_string()),
    };
    // Wait on a helper, so that a handle that never completes is a reason, not a hang.
    let end = Arc::new(Mutex::new(None::<JobEnd>));
    let ended = Tally::new();
    let waiter = {
        let (end, ended) = (end.clone(), ended.clone());
        thread::spawn(move || {
            *end.lock() = Some(handle.wait());
            ended.bump();
        })
    };
    if !ended.wait_for(1, p.patience) {
        violation("the handle of a panicking job never completed".to_string());
    }
    waiter.join().expect("the handle's waiter thread");
    let end = end.lock().take();
    if end != Some(JobEnd::Panicked) {
        violation(format!(
            "the handle of a panicking job reported {end:?}, not Panicked"
        ));
    }
    let arrived = Tally::new();
    let together = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..w)
        .map(|i| {
            let (arrived, together, patience) = (arrived.clone(), together.clone(), p.patience);
            let job = Job::new(move || {
                arrived.bump();
                if arrived.wait_for(w, patience) {
                    together.fetch_add(1, SeqCst);
                }
            });
            match pool.submit_handle(job) {
                Ok(h) => h,
                Err(_) => violation(format!("the pool refused job {i} after a panic")),
            }
        })
        .collect();
    for (i, h) in handles.into_iter().enumerate() {
        let end = h.wait();
        if end != JobEnd::Returned {
            violation(format!(
                "job {i} after a panic returned, and its handle reported {end:?}"
            ));
        }
    }
    pool.shutdown();
    let together = together.load(SeqCst);
    if together != w {
        violation(format!(
            "after a job panicked, only {together} of {w} jobs could run at once: a worker was lost"
        ));
    }
}
