//! The suite's first checks, one per bug class real pools have shipped: each creates a fresh pool,
//! drives one workload and panics with a `violation:` message naming what went wrong. They are
//! written against [`crate::sync`], so the same body runs on real threads (under
//! [`crate::check::stress`]'s watchdog) and under loom or shuttle; every difference between the two
//! is a field of [`Params`] (a timed wait on real threads, an untimed one under the checkers, where
//! a stuck wait is a deadlock the checker reports).

pub use super::helpers::DELIBERATE_PANIC;
use super::helpers::{
    Tally, ThreadCount, catch, occupy_workers, panicking_job, submit_open, violation, work_for,
};
use super::{Job, Params, Skip, SuitePool};
use crate::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use crate::sync::{Arc, thread};

/// Every accepted job runs exactly once; none is refused while the pool is open.
pub fn exactly_once<P: SuitePool>(p: &Params) {
    let pool = P::create(p.workers, p.capacity);
    let runs: Arc<Vec<AtomicUsize>> = Arc::new((0..p.jobs).map(|_| AtomicUsize::new(0)).collect());
    for i in 0..p.jobs {
        let (runs, t) = (runs.clone(), p.job_time);
        submit_open(
            &pool,
            Job::new(move || {
                runs[i].fetch_add(1, SeqCst);
                work_for(t);
            }),
            &format!("job {i}"),
        );
    }
    pool.shutdown();
    let counts: Vec<usize> = runs.iter().map(|r| r.load(SeqCst)).collect();
    if let Some((i, n)) = counts.iter().enumerate().find(|(_, n)| **n != 1) {
        violation(format!(
            "job {i} ran {n} times (runs per job: {counts:?}); every accepted job must run exactly once"
        ));
    }
}

/// Never more than `workers` jobs run at once.
pub fn bounded<P: SuitePool>(p: &Params) {
    let pool = P::create(p.workers, p.capacity);
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    // One job more than workers is enough to see a thread per job.
    let jobs = p.jobs.max(p.workers + 1);
    for i in 0..jobs {
        let (running, peak, t) = (running.clone(), peak.clone(), p.job_time);
        submit_open(
            &pool,
            Job::new(move || {
                let now = running.fetch_add(1, SeqCst) + 1;
                peak.fetch_max(now, SeqCst);
                work_for(t);
                running.fetch_sub(1, SeqCst);
            }),
            &format!("job {i}"),
        );
    }
    pool.shutdown();
    let peak = peak.load(SeqCst);
    if peak > p.workers {
        violation(format!(
            "{peak} jobs ran at once in a pool of {} workers",
            p.workers
        ));
    }
}

/// `shutdown` returns, and only after every accepted job has finished.
pub fn shutdown_waits<P: SuitePool>(p: &Params) {
    let pool = P::create(p.workers, p.capacity);
    let done = Arc::new(AtomicUsize::new(0));
    for i in 0..p.jobs {
        let (done, t) = (done.clone(), p.job_time);
        submit_open(
            &pool,
            Job::new(move || {
                work_for(t);
                done.fetch_add(1, SeqCst);
            }),
            &format!("job {i}"),
        );
    }
    pool.shutdown();
    let done = done.load(SeqCst);
    if done != p.jobs {
        violation(format!(
            "shutdown returned when {done} of {} accepted jobs had finished",
            p.jobs
        ));
    }
}

/// Jobs that panic ([`Params::panicking`], at most one per worker) lose no other job, leave the full
/// capacity (`workers` jobs at once) and let shutdown return.
pub fn panic_isolation<P: SuitePool>(p: &Params) {
    let pool = P::create(p.workers, p.capacity);
    let panics = p.panicking();
    for i in 0..panics {
        submit_open(&pool, panicking_job(), &format!("panicking job {i}"));
    }
    // Then, from a helper (so that a queue nobody drains shows up as a reason, not a hang):
    // `workers` jobs that can only finish together (the pool still has its full capacity), and
    // ordinary jobs.
    let pool = Arc::new(pool);
    let arrived = Tally::new();
    let together = Arc::new(AtomicUsize::new(0));
    let done = Arc::new(AtomicUsize::new(0));
    let submitted = Tally::new();
    let normal = p.follow_up_jobs;
    let submitter = {
        let (pool, arrived, together, done, submitted) = (
            pool.clone(),
            arrived.clone(),
            together.clone(),
            done.clone(),
            submitted.clone(),
        );
        let (w, patience) = (p.workers, p.patience);
        thread::spawn(move || {
            for i in 0..w {
                let (arrived, together) = (arrived.clone(), together.clone());
                submit_open(
                    &*pool,
                    Job::new(move || {
                        arrived.bump();
                        if arrived.wait_for(w, patience) {
                            together.fetch_add(1, SeqCst);
                        }
                    }),
                    &format!("capacity job {i}"),
                );
            }
            for i in 0..normal {
                let done = done.clone();
                submit_open(
                    &*pool,
                    Job::new(move || {
                        done.fetch_add(1, SeqCst);
                    }),
                    &format!("job {i} after the panics"),
                );
            }
            submitted.bump();
        })
    };
    if !submitted.wait_for(1, p.patience.map(|d| d * 2)) {
        violation(format!(
            "after {panics} jobs panicked, submissions blocked for good: the queue no longer drains ({} of {} capacity jobs started)",
            arrived.get(),
            p.workers
        ));
    }
    if submitter.join().is_err() {
        violation("a submission after the panics panicked".to_string());
    }
    if let Err(msg) = catch(|| pool.shutdown()) {
        violation(format!("shutdown panicked after jobs panicked: {msg:?}"));
    }
    let (arrived, together, done) = (arrived.get(), together.load(SeqCst), done.load(SeqCst));
    if done != normal || arrived != p.workers {
        violation(format!(
            "after {panics} jobs panicked, {done} of {normal} later jobs and {arrived} of {} capacity jobs ran",
            p.workers
        ));
    }
    if together != p.workers {
        violation(format!(
            "after {panics} jobs panicked, only {} of {} jobs could run at once: capacity was lost",
            p.workers - together.min(p.workers),
            p.workers
        ));
    }
}

/// Submitting after shutdown gives the job back; it neither panics nor is accepted.
pub fn reject_after_shutdown<P: SuitePool>(p: &Params) {
    let pool = P::create(p.workers, p.capacity);
    pool.shutdown();
    let ran = Arc::new(AtomicUsize::new(0));
    let job = {
        let ran = ran.clone();
        Job::new(move || {
            ran.fetch_add(1, SeqCst);
        })
    };
    // A panic here (Go's "send on closed channel") propagates: the checker reports it as such.
    if pool.submit(job).is_ok() {
        thread::sleep(p.settle);
        pool.join();
        if ran.load(SeqCst) == 0 {
            violation(
                "submit after shutdown reported success but the job never ran: silently dropped"
                    .to_string(),
            );
        }
        violation(
            "submit after shutdown was accepted (and ran): the pool never stops accepting"
                .to_string(),
        );
    }
}

/// Dropping the pool returns after every accepted job has finished, and leaves no worker thread
/// alive (std: every thread that ran a job has exited). With `panics`, jobs panic first
/// ([`Params::panicking`]), so a pool that replaces panicked workers must join the replacements too.
pub fn drop_joins<P: SuitePool>(p: &Params, panics: bool) {
    let pool = P::create(p.workers, p.capacity);
    let alive = ThreadCount::new();
    if panics {
        for i in 0..p.panicking() {
            submit_open(&pool, panicking_job(), &format!("panicking job {i}"));
        }
    }
    if p.count_threads {
        // Warm-up: one job per worker, all running at once, so that every worker thread is
        // registered as alive. (If the pool cannot run them together, fewer threads are counted.)
        let arrived = Tally::new();
        for i in 0..p.workers {
            let (alive, arrived, w, patience) =
                (alive.clone(), arrived.clone(), p.workers, p.patience);
            submit_open(
                &pool,
                Job::new(move || {
                    alive.register();
                    arrived.bump();
                    arrived.wait_for(w, patience);
                }),
                &format!("warm-up job {i}"),
            );
        }
        arrived.wait_for(p.workers, p.patience);
    }
    let done = Arc::new(AtomicUsize::new(0));
    // Two jobs per worker (so each worker has one queued behind the one it runs), within the
    // workload's job count; after panics, one per worker.
    let jobs = if panics {
        p.workers
    } else {
        (2 * p.workers).min(p.jobs.max(p.workers))
    };
    for i in 0..jobs {
        let (alive, done, t, count) =
            (alive.clone(), done.clone(), p.job_time * 5, p.count_threads);
        submit_open(
            &pool,
            Job::new(move || {
                if count {
                    alive.register();
                }
                work_for(t);
                done.fetch_add(1, SeqCst);
            }),
            &format!("job {i}"),
        );
    }
    drop(pool);
    let (done, alive) = (done.load(SeqCst), alive.alive());
    if done != jobs || alive != 0 {
        let threads = if p.count_threads {
            format!(
                ", with {alive} worker thread{} still alive",
                if alive == 1 { "" } else { "s" }
            )
        } else {
            String::new()
        };
        let after = if panics {
            format!(" (after {} jobs panicked)", p.panicking())
        } else {
            String::new()
        };
        violation(format!(
            "drop returned when {done} of {jobs} accepted jobs had finished{threads}{after}"
        ));
    }
}

/// With every worker busy, `capacity` submissions return and the next one blocks (if the pool
/// claims a bounded queue; otherwise the check is skipped with what it saw).
pub fn backpressure<P: SuitePool>(p: &Params) -> Result<(), Skip> {
    let pool = Arc::new(P::create(p.workers, p.capacity));
    let bounded = P::CLAIMS.bounded_queue;
    let gate = occupy_workers(&*pool, p.workers, p.patience);
    // Every worker is busy. A helper submits `capacity` jobs plus more; count what returns.
    let attempts = if bounded {
        p.capacity + 1
    } else {
        p.probe_submissions
    };
    let returned = Arc::new(AtomicUsize::new(0));
    let submitter = {
        let (pool, returned) = (pool.clone(), returned.clone());
        thread::spawn(move || {
            for _ in 0..attempts {
                let _ = pool.submit(Job::new(|| {}));
                returned.fetch_add(1, SeqCst);
            }
        })
    };
    thread::sleep(p.settle);
    let seen = returned.load(SeqCst);
    gate.open();
    submitter.join().expect("the submitter thread");
    pool.shutdown();
    if !bounded {
        return Err(Skip(format!(
            "no bounded queue claimed; {seen} of {attempts} submissions returned while all {} workers were busy",
            p.workers
        )));
    }
    if seen > p.capacity {
        violation(format!(
            "{seen} submissions returned while all {} workers were busy and the queue bound is {}: no backpressure",
            p.workers, p.capacity
        ));
    }
    Ok(())
}

/// Several threads calling `join` while jobs keep arriving all return, and every job ran.
pub fn concurrent_joiners<P: SuitePool>(p: &Params) {
    let pool = Arc::new(P::create(p.workers, p.capacity));
    let done = Arc::new(AtomicUsize::new(0));
    let rounds = p.join_rounds;
    let joiners: Vec<_> = (0..p.joiners)
        .map(|_| {
            let pool = pool.clone();
            thread::spawn(move || {
                for _ in 0..rounds {
                    pool.join();
                }
            })
        })
        .collect();
    let jobs = p.joined_jobs;
    let half = jobs / 2;
    for i in 0..jobs {
        let (done, t) = (done.clone(), p.job_time);
        submit_open(
            &*pool,
            Job::new(move || {
                work_for(t);
                done.fetch_add(1, SeqCst);
            }),
            &format!("job {i}"),
        );
        if i + 1 == half {
            pool.join();
        }
    }
    pool.join();
    let after_join = done.load(SeqCst);
    for j in joiners {
        j.join().expect("a joiner thread");
    }
    pool.shutdown();
    if after_join != jobs {
        violation(format!(
            "join returned when {after_join} of {jobs} jobs had finished"
        ));
    }
}

/// A job that submits another job, on a one-worker pool with room in its queue, does not deadlock,
/// and the inner job runs.
pub fn nested_submit<P: SuitePool>(p: &Params) {
    let pool = Arc::new(P::create(1, p.capacity.max(2)));
    // 0: outer job not run yet, 1: inner accepted, 2: inner refused.
    let submitted = Arc::new(AtomicUsize::new(0));
    let inner_ran = Arc::new(AtomicUsize::new(0));
    let returned = Tally::new();
    let outer_started = Arc::new(AtomicUsize::new(0));
    let outer = {
        let (inner_pool, submitted, inner_ran, returned, started) = (
            pool.clone(),
            submitted.clone(),
            inner_ran.clone(),
            returned.clone(),
            outer_started.clone(),
        );
        Job::new(move || {
            started.store(1, SeqCst);
            let inner_ran = inner_ran.clone();
            let accepted = inner_pool
                .submit(Job::new(move || {
                    inner_ran.fetch_add(1, SeqCst);
                }))
                .is_ok();
            submitted.store(if accepted { 1 } else { 2 }, SeqCst);
            returned.bump();
        })
    };
    submit_open(&*pool, outer, "the outer job");
    // Shut down only once the outer job's own submit has returned (a refusal after shutdown
    // would be correct, and is not what this check asks).
    if !returned.wait_for(1, p.patience) {
        let why = if submitted.load(SeqCst) == 0 && outer_started.load(SeqCst) == 0 {
            "the outer job never started on an idle worker: a lost wake-up"
        } else {
            "a job's submit of another job did not return although the queue had room: deadlock"
        };
        violation(why.to_string());
    }
    pool.shutdown();
    match submitted.load(SeqCst) {
        0 => violation("shutdown returned before the outer job ran".to_string()),
        2 => violation(
            "the pool refused a job submitted from inside a job while its queue had room"
                .to_string(),
        ),
        _ => {}
    }
    if inner_ran.load(SeqCst) != 1 {
        violation("the job submitted from inside a job was accepted but never ran".to_string());
    }
}
