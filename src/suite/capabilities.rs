//! The checks for optional capabilities: immediate shutdown and a submit that never blocks. Each
//! runs only on a pool that declares the capability (see [`Claims`](super::Claims)).
//!
//! `shutdown_now_cancels` fills the pool (every worker busy, the queue full), lets each busy job
//! try one more submission (which blocks on the full queue until the pool closes) and calls
//! `shutdown_now`. The contract: closing the pool and cancelling the jobs that have not started
//! happen at once, so no queued job starts after a submitter was refused by the close.

use super::helpers::{Tally, occupy_workers, submit_open, violation};
use super::{Job, Params, Refused, SuitePool};
use crate::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::sync::{Arc, Mutex, thread};

/// With every worker busy and the queue full, `shutdown_now` cancels every queued job (none runs,
/// and it counts them), refuses the submissions blocked on the full queue, and waits for the
/// running jobs.
pub fn shutdown_now_cancels<P: SuitePool>(p: &Params) {
    let w = p.workers;
    let c = p.capacity;
    let pool = Arc::new(P::create(w, c));
    let started = Tally::new();
    let full = Tally::new();
    let probes_accepted = Arc::new(AtomicUsize::new(0));
    let holders_done = Arc::new(AtomicUsize::new(0));
    for i in 0..w {
        let (pool2, started, full, accepted, done) = (
            pool.clone(),
            started.clone(),
            full.clone(),
            probes_accepted.clone(),
            holders_done.clone(),
        );
        submit_open(
            &*pool,
            Job::new(move || {
                started.bump();
                full.wait_for(1, None);
                // The queue is full: this blocks until shutdown_now closes the pool.
                if pool2.submit(Job::new(|| {})).is_ok() {
                    accepted.fetch_add(1, SeqCst);
                }
                done.fetch_add(1, SeqCst);
            }),
            &format!("busy job {i}"),
        );
    }
    if !started.wait_for(w, p.patience) {
        full.bump();
        violation(format!(
            "only {} of {w} jobs started on {w} idle workers",
            started.get()
        ));
    }
    let ran = Arc::new(AtomicUsize::new(0));
    for i in 0..c {
        let ran = ran.clone();
        submit_open(
            &*pool,
            Job::new(move || {
                ran.fetch_add(1, SeqCst);
            }),
            &format!("queued job {i}"),
        );
    }
    full.bump();
    let cancelled = pool.shutdown_now();
    let (ran, done, accepted) = (
        ran.load(SeqCst),
        holders_done.load(SeqCst),
        probes_accepted.load(SeqCst),
    );
    if done != w {
        violation(format!(
            "shutdown_now returned while {} of {w} running jobs had not finished",
            w - done
        ));
    }
    if accepted != 0 {
        violation(format!(
            "{accepted} submissions were accepted beyond a full queue of {c}"
        ));
    }
    if ran != 0 {
        violation(format!(
            "shutdown_now ran {ran} of the {c} jobs queued when it was called: queued jobs must be \
             cancelled, not run"
        ));
    }
    if cancelled != c {
        violation(format!(
            "shutdown_now cancelled the {c} queued jobs and reported {cancelled}"
        ));
    }
}

/// With every worker busy and the queue full, `try_submit` gives the job back as `Full` at once;
/// after shutdown it gives it back as `ShutDown`.
pub fn try_submit_full<P: SuitePool>(p: &Params) {
    let w = p.workers;
    let c = p.capacity;
    let pool = Arc::new(P::create(w, c));
    let gate = occupy_workers(&*pool, w, p.patience);
    for i in 0..c {
        submit_open(&*pool, Job::new(|| {}), &format!("queued job {i}"));
    }
    // From a helper: a try_submit that blocks is then a reason, not a hang.
    let outcome = Arc::new(Mutex::new(None::<&'static str>));
    let returned = Tally::new();
    let trier = {
        let (pool, outcome, returned) = (pool.clone(), outcome.clone(), returned.clone());
        thread::spawn(move || {
            let o = match pool.try_submit(Job::new(|| {})) {
                Ok(()) => "accepted",
                Err(Refused::Full(_)) => "full",
                Err(Refused::ShutDown(_)) => "shut down",
            };
            *outcome.lock() = Some(o);
            returned.bump();
        })
    };
    if !returned.wait_for(1, p.patience) {
        gate.open();
        violation("try_submit on a full queue blocked instead of giving the job back".to_string());
    }
    gate.open();
    trier.join().expect("the try_submit thread");
    match outcome.lock().take() {
        Some("full") => {}
        o => violation(format!(
            "try_submit on a full queue ({w} workers busy, {c} queued) returned {o:?}, expected \
             `full`"
        )),
    }
    pool.shutdown();
    match pool.try_submit(Job::new(|| {})) {
        Err(Refused::ShutDown(_)) => {}
        Err(Refused::Full(_)) => violation("try_submit after shutdown said `full`".to_string()),
        Ok(()) => violation("try_submit after shutdown accepted the job".to_string()),
    }
}
