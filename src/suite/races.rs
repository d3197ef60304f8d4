//! The checks that race two operations on purpose: submitters contending for the last free slot,
//! submissions racing shutdown, and shutdown called from inside a job.
//!
//! Each states a bound that a correct pool keeps at *every* moment, so a model checker finds the
//! interleaving that breaks it and a real-thread run needs no timing to judge it: only the chance
//! to meet the window depends on timing, never the verdict.

use super::helpers::{Tally, Tickets, submit_open, violation};
use super::{Job, Params, SuitePool};
use crate::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::sync::{Arc, Mutex, thread};

/// Several threads submit at once into a bounded queue whose jobs cannot finish until a ticket
/// lets them: the pool never holds more accepted jobs than `workers` running, `capacity` waiting
/// and the ones let through. (A check-then-act on the queue length lets two submitters take the
/// last slot.)
pub fn contended_slot<P: SuitePool>(p: &Params) {
    let racers = p.racers;
    let w = p.workers;
    let c = p.capacity;
    let pool = Arc::new(P::create(w, c));
    let tickets = Tickets::new();
    let ran = Arc::new(AtomicUsize::new(0));
    let job = {
        let (tickets, ran) = (tickets.clone(), ran.clone());
        move || {
            let (tickets, ran) = (tickets.clone(), ran.clone());
            Job::new(move || {
                tickets.take();
                ran.fetch_add(1, SeqCst);
            })
        }
    };
    // Fill the pool to one free slot: `w` jobs for the workers, `c - 1` waiting.
    let prefill = w + c - 1;
    for i in 0..prefill {
        submit_open(&*pool, job(), &format!("prefill job {i}"));
    }
    let accepted = Arc::new(AtomicUsize::new(prefill));
    let overflow = Arc::new(Mutex::new(None::<String>));
    let per = p.contended_rounds + 1;
    let handles: Vec<_> = (0..racers)
        .map(|r| {
            let (pool, tickets, accepted, overflow, job) = (
                pool.clone(),
                tickets.clone(),
                accepted.clone(),
                overflow.clone(),
                job.clone(),
            );
            thread::spawn(move || {
                for i in 0..per {
                    if pool.submit(job()).is_err() {
                        *overflow.lock() =
                            Some(format!("the pool refused racer {r}'s job {i} before shutdown"));
                        return;
                    }
                    // `granted` is read after the submit returned: every job that finished
                    // before it took a ticket counted there first.
                    let n = accepted.fetch_add(1, SeqCst) + 1;
                    let bound = (w + c).saturating_add(tickets.granted());
                    if n > bound {
                        let mut o = overflow.lock();
                        if o.is_none() {
                            *o = Some(format!(
                                "{n} jobs were accepted while at most {bound} could be ({w} running, \
                                 {c} queued, {} let through): submitters racing for the last slot \
                                 overfilled the queue",
                                bound - w - c
                            ));
                        }
                    }
                }
            })
        })
        .collect();
    // Free one slot at a time while the racers are blocked on a full queue.
    for _ in 0..p.contended_rounds {
        thread::sleep(p.job_time * 2);
        tickets.grant();
    }
    thread::sleep(p.job_time * 2);
    tickets.open();
    for h in handles {
        h.join().expect("a racer thread");
    }
    pool.shutdown();
    if let Some(why) = overflow.lock().take() {
        violation(why);
    }
    let total = prefill + racers * per;
    let ran = ran.load(SeqCst);
    if ran != total {
        violation(format!(
            "{ran} of {total} accepted jobs ran by the time shutdown returned"
        ));
    }
}

/// Threads submit while main shuts the pool down: each submission is accepted or refused; every
/// accepted job has run exactly once when shutdown returns, and a refused one never runs.
pub fn submit_races_shutdown<P: SuitePool>(p: &Params) {
    let racers = p.racers;
    let w = p.workers;
    let per = (p.jobs / racers).max(1);
    let pool = Arc::new(P::create(w, p.capacity));
    let runs: Arc<Vec<AtomicUsize>> =
        Arc::new((0..racers * per).map(|_| AtomicUsize::new(0)).collect());
    // 0: not decided, 1: accepted, 2: refused.
    let fate: Arc<Vec<AtomicUsize>> =
        Arc::new((0..racers * per).map(|_| AtomicUsize::new(0)).collect());
    let handles: Vec<_> = (0..racers)
        .map(|r| {
            let (pool, runs, fate) = (pool.clone(), runs.clone(), fate.clone());
            thread::spawn(move || {
                for i in r * per..(r + 1) * per {
                    let runs2 = runs.clone();
                    let ok = pool
                        .submit(Job::new(move || {
                            runs2[i].fetch_add(1, SeqCst);
                        }))
                        .is_ok();
                    fate[i].store(if ok { 1 } else { 2 }, SeqCst);
                }
            })
        })
        .collect();
    thread::sleep(p.job_time);
    pool.shutdown();
    let after_shutdown: Vec<usize> = runs.iter().map(|r| r.load(SeqCst)).collect();
    for h in handles {
        h.join().expect("a racer thread");
    }
    for (i, &ran) in after_shutdown.iter().enumerate() {
        match fate[i].load(SeqCst) {
            1 if ran != 1 => violation(format!(
                "job {i}, submitted while shutdown ran, was accepted and had run {ran} times when \
                 shutdown returned (expected exactly once)"
            )),
            2 if runs[i].load(SeqCst) != 0 => violation(format!(
                "job {i}, submitted while shutdown ran, was refused and ran anyway"
            )),
            _ => {}
        }
    }
}

/// A job calls `shutdown` on its own pool: the call returns, the pool refuses later jobs, the jobs
/// accepted before still run, and the outer shutdown waits for them.
pub fn shutdown_from_job<P: SuitePool>(p: &Params) {
    let w = p.workers;
    let pool = Arc::new(P::create(w, p.capacity));
    let returned = Tally::new();
    let inner = {
        let (pool, returned) = (pool.clone(), returned.clone());
        Job::new(move || {
            pool.shutdown();
            returned.bump();
        })
    };
    submit_open(&*pool, inner, "the job that shuts the pool down");
    let ran = Arc::new(AtomicUsize::new(0));
    let counted = |ran: &Arc<AtomicUsize>| {
        let ran = ran.clone();
        Job::new(move || {
            ran.fetch_add(1, SeqCst);
        })
    };
    // Accepted or refused, depending on whether the inner shutdown came first.
    let before = pool.submit(counted(&ran)).is_ok();
    if !returned.wait_for(1, p.patience) {
        violation(
            "shutdown called from inside a job did not return: it waits for the job that called it"
                .to_string(),
        );
    }
    if pool.submit(counted(&ran)).is_ok() {
        violation("the pool accepted a job after a job's shutdown call had returned".to_string());
    }
    pool.shutdown();
    let ran = ran.load(SeqCst);
    let expected = usize::from(before);
    if ran != expected {
        violation(format!(
            "a job accepted before a job shut the pool down ran {ran} times by the time the outer \
             shutdown returned (expected {expected})"
        ));
    }
}
