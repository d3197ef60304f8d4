//! The worker pool of the seeds, written literally on racezoo's own [`channel`] and [`WaitGroup`].
//!
//! The Go original:
//!
//! ```go
//! jobs := make(chan int, numJobs)
//! results := make(chan int, numJobs)
//! for w := 1; w <= 3; w++ {
//!     wg.Add(1)
//!     go worker(w, jobs, results, &wg) // for j := range jobs { results <- j * 2 }; wg.Done()
//! }
//! for j := 1; j <= numJobs; j++ { jobs <- j }
//! close(jobs)
//! wg.Wait()
//! close(results)
//! for r := range results { ... }
//! ```
//!
//! A fixed number of workers range over a `jobs` channel; the sender closes `jobs` when there is no
//! more work, which ends every worker's `range`; `wait` then `close(results)` lets the collector
//! range over the results. Each bug below drops one of those steps. (The crate's
//! [`WorkerPool`](crate::pool::WorkerPool) is the hardened version; its own broken twins live in the
//! pool suite's mutants.)

use std::panic::{AssertUnwindSafe, catch_unwind};

use crate::chan::{Receiver, Sender, channel};
use crate::check::Verdict;
use crate::misuse::{self, SEND_ON_CLOSED_CHANNEL};
use crate::scenarios::{ALL_PASS, Names, Scenario, everyone_finds, models_find};
use crate::sync::atomic::{AtomicUsize, Ordering};
use crate::sync::{Arc, thread};
use crate::waitgroup::WaitGroup;

/// Jobs per scenario (small: loom explores every interleaving of them).
const JOBS: u32 = 2;
/// Workers in the pool.
const WORKERS: usize = 2;

/// The seeds' worker: doubles every job it receives until `jobs` is closed, then leaves the group.
fn worker(jobs: Receiver<u32>, results: Sender<u32>, wg: Arc<WaitGroup>) {
    for j in &jobs {
        results.send(j * 2).unwrap(); // @result_send
    }
    wg.done();
}

/// Starts [`WORKERS`] seeds' workers on `jobs`, sending to `results`, in group `wg`.
fn start_workers(jobs: &Receiver<u32>, results: &Sender<u32>, wg: &Arc<WaitGroup>) {
    for _ in 0..WORKERS {
        wg.add(1);
        let (jobs, results, wg) = (jobs.clone(), results.clone(), wg.clone());
        thread::spawn(move || worker(jobs, results, wg));
    }
}

/// Correct: the seeds' pool, line for line: buffered `jobs` and `results`, close `jobs`, wait, close
/// `results`, range over the results.
pub fn correct() {
    let (jobs_tx, jobs_rx) = channel::<u32>(JOBS as usize);
    let (results_tx, results_rx) = channel::<u32>(JOBS as usize);
    let wg = Arc::new(WaitGroup::new());
    start_workers(&jobs_rx, &results_tx, &wg);
    for j in 1..=JOBS {
        jobs_tx.send(j).unwrap();
    }
    jobs_tx.close();
    wg.wait();
    results_tx.close();
    let sum: u32 = results_rx.iter().sum();
    assert_eq!(sum, 6, "violation: a result is missing");
}

/// Bug: `results` is unbuffered, and main collects only after `wg.wait()`.
///
/// **What goes wrong.** A worker's `results <- j * 2` waits for a receiver; the receiver (main) is
/// waiting for the worker to call `done`. **What each checker reports.** loom and shuttle:
/// `Deadlock`, main stuck in `wait` and a worker in `send`, every execution. Stress: `Hang`, the same
/// threads. **The fix.** Buffer `results` for every job (the seeds do), or collect in another thread
/// while main waits.
pub fn unbuffered_results() {
    let (jobs_tx, jobs_rx) = channel::<u32>(JOBS as usize);
    let (results_tx, results_rx) = channel::<u32>(0);
    let wg = Arc::new(WaitGroup::new());
    start_workers(&jobs_rx, &results_tx, &wg);
    for j in 1..=JOBS {
        jobs_tx.send(j).unwrap();
    }
    jobs_tx.close();
    wg.wait(); // @pool_wait
    results_tx.close();
    let sum: u32 = results_rx.iter().sum();
    assert_eq!(sum, 6, "violation: a result is missing");
}

/// Bug: main never closes `jobs`; it collects one result per job and returns (the seeds' first
/// pool, without its `close(jobs)`).
///
/// **What goes wrong.** Main has every result, but the workers' `range` never ends: both stay
/// blocked in `recv` for ever, leaked. **What each checker reports.** loom and shuttle: `Leak`, the
/// workers stuck in `recv` at the worker's `for` line. Stress: `Hang` (leak suspected). **The fix.**
/// `close(jobs)` after the last job.
pub fn jobs_never_closed() {
    let (jobs_tx, jobs_rx) = channel::<u32>(JOBS as usize);
    let (results_tx, results_rx) = channel::<u32>(JOBS as usize);
    for _ in 0..WORKERS {
        let (jobs, results) = (jobs_rx.clone(), results_tx.clone());
        thread::spawn(move || {
            // @worker_range
            for j in &jobs {
                results.send(j * 2).unwrap();
            }
        });
    }
    for j in 1..=JOBS {
        jobs_tx.send(j).unwrap();
    }
    let sum: u32 = (0..JOBS).filter_map(|_| results_rx.recv()).sum();
    assert_eq!(sum, 6, "violation: a result is missing");
}

/// Bug: main hands out the jobs, closes `jobs` and reports the work as done without waiting for
/// the workers (Go: `main` returns and the process exits under the workers).
///
/// **What goes wrong.** The count main reads is whatever the workers had finished by then: work is
/// lost (in Go the process exits and the rest never runs). **What each checker reports.** loom and
/// shuttle: `Violation` in the first executions. Stress usually finds it too (the workers are still
/// starting) but cannot be relied on. **The fix.** `wg.wait()` before reading the outcome.
pub fn no_wait() {
    let (jobs_tx, jobs_rx) = channel::<u32>(JOBS as usize);
    let processed = Arc::new(AtomicUsize::new(0));
    for _ in 0..WORKERS {
        let (jobs, processed) = (jobs_rx.clone(), processed.clone());
        thread::spawn(move || {
            for _job in &jobs {
                processed.fetch_add(1, Ordering::SeqCst);
            }
        });
    }
    for j in 1..=JOBS {
        jobs_tx.send(j).unwrap();
    }
    jobs_tx.close();
    assert_eq!(
        processed.load(Ordering::SeqCst),
        JOBS as usize,
        "violation: main returned before every job was processed"
    );
}

/// Bug: a worker re-queues a failed job on `jobs`, which main may already have closed.
///
/// **What goes wrong.** Main closes `jobs` after its own last job; a retry that comes later is a
/// send on a closed channel (Go panics). **What each checker reports.** loom and shuttle: `Misuse`
/// with Go's message. Stress usually finds it too (main closes long before a worker starts) but
/// cannot be relied on. **The fix.** Only the one owner of `jobs` sends and closes: route retries
/// back to it, or count outstanding work with a `WaitGroup` and close when it reaches zero.
pub fn submit_after_close() {
    let (jobs_tx, jobs_rx) = channel::<u32>(JOBS as usize + 1);
    let workers: Vec<_> = (0..WORKERS)
        .map(|_| {
            let (jobs, retry) = (jobs_rx.clone(), jobs_tx.clone());
            thread::spawn(move || {
                for j in &jobs {
                    if j == 1 && retry.send(100 + j).is_err() {
                        misuse::misuse(SEND_ON_CLOSED_CHANNEL);
                    }
                }
            })
        })
        .collect();
    for j in 1..=JOBS {
        jobs_tx.send(j).unwrap();
    }
    jobs_tx.close();
    for w in workers {
        let _ = w.join();
    }
}

/// Bug: a thread per job (`for _, b := range books { go process(b) }`), ignoring the pool's bound of
/// two jobs at a time.
///
/// **What goes wrong.** Nothing limits how many jobs run at once: three jobs can run together where
/// the system was sized for two (the seeds' "5,000 cooks"). **What each checker reports.** loom and
/// shuttle: `Violation` (the gauge of running jobs exceeds the bound). Stress rarely has three
/// threads inside the job at once. **The fix.** A fixed number of workers ranging over a `jobs`
/// channel ([`correct`]).
pub fn thread_per_job() {
    let running = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let threads: Vec<_> = (0..=WORKERS)
        .map(|_| {
            let (running, peak) = (running.clone(), peak.clone());
            thread::spawn(move || {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(now, Ordering::SeqCst);
                running.fetch_sub(1, Ordering::SeqCst);
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert!(
        peak.load(Ordering::SeqCst) <= WORKERS,
        "violation: more jobs ran at once than the pool's bound"
    );
}

/// Bug: a job panics; the worker recovers (Go: a deferred `recover()` that logs) but its `done`
/// sits after the loop, so the panic skips it.
///
/// **What goes wrong.** The dead worker never leaves the group, and `wait` blocks for ever.
/// **What each checker reports.** loom and shuttle: `Deadlock`, main stuck in `wait`, every
/// execution (the other worker finishes the remaining job). Stress: `Hang`, same line. **The fix.**
/// `done` on every path (`defer wg.Done()` first thing in the worker; a drop guard in Rust), and
/// recover per job rather than per worker so that the worker survives.
pub fn panicking_job() {
    let (jobs_tx, jobs_rx) = channel::<u32>(JOBS as usize);
    let wg = Arc::new(WaitGroup::new());
    for _ in 0..WORKERS {
        wg.add(1);
        let (jobs, wg) = (jobs_rx.clone(), wg.clone());
        thread::spawn(move || {
            let _recovered = catch_unwind(AssertUnwindSafe(|| {
                for j in &jobs {
                    if j == 2 {
                        panic!("job {j} failed");
                    }
                }
                wg.done();
            }));
        });
    }
    for j in 1..=JOBS {
        jobs_tx.send(j).unwrap();
    }
    jobs_tx.close();
    wg.wait(); // @panicked_wait
}

/// The worker-pool scenarios.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        pattern: "pool",
        variant: "correct",
        summary: "the seeds' pool: workers range over jobs, wait, close results, collect",
        body: correct,
        expect: ALL_PASS,
        file: file!(),
        source: include_str!("pool.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "pool",
        variant: "unbuffered_results",
        summary: "results unbuffered and collected only after wait",
        body: unbuffered_results,
        expect: everyone_finds(
            Verdict::Deadlock,
            Names::Stuck(&[("wait", "pool_wait"), ("send", "result_send")]),
            Verdict::Hang,
        ),
        file: file!(),
        source: include_str!("pool.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "pool",
        variant: "jobs_never_closed",
        summary: "jobs never closed: the workers' range never ends",
        body: jobs_never_closed,
        expect: everyone_finds(
            Verdict::Leak,
            Names::Stuck(&[("recv", "worker_range")]),
            Verdict::Hang,
        ),
        file: file!(),
        source: include_str!("pool.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "pool",
        variant: "no_wait",
        summary: "main reports the work done without waiting for the workers",
        body: no_wait,
        expect: models_find(
            Verdict::Violation,
            Names::Message("before every job was processed"),
            Verdict::Violation,
        ),
        file: file!(),
        source: include_str!("pool.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "pool",
        variant: "submit_after_close",
        summary: "a worker re-queues a job after main closed jobs",
        body: submit_after_close,
        expect: models_find(
            Verdict::Misuse,
            Names::Message(SEND_ON_CLOSED_CHANNEL),
            Verdict::Misuse,
        ),
        file: file!(),
        source: include_str!("pool.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "pool",
        variant: "thread_per_job",
        summary: "a thread per job: more jobs run at once than the bound",
        body: thread_per_job,
        expect: models_find(
            Verdict::Violation,
            Names::Message("more jobs ran at once"),
            Verdict::Violation,
        ),
        file: file!(),
        source: include_str!("pool.rs"),
        pending: &[],
    },
    Scenario {
        pattern: "pool",
        variant: "panicking_job",
        summary: "a panicking job kills its worker before done: wait hangs",
        body: panicking_job,
        expect: everyone_finds(
            Verdict::Deadlock,
            Names::Stuck(&[("wait", "panicked_wait")]),
            Verdict::Hang,
        ),
        file: file!(),
        source: include_str!("pool.rs"),
        pending: &[],
    },
];
