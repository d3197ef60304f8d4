//! Soak: 10^6 jobs through a succession of `WorkerPool`s on real threads, 1% of them panicking,
//! each pool shut down (gracefully or at once) at a random point while two threads are still
//! submitting. Asserts that no accepted job is lost or run twice, that refused jobs never run, that
//! every outcome is reported, that the counters add up, that no round hangs and that no worker
//! thread outlives its pool's shutdown. Bounded: about 2 s in debug on two cores (see
//! CONTRIBUTING.md); `RACEZOO_SOAK_SEED` replays a run.
#![cfg(not(any(loom, shuttle)))]

use std::cell::RefCell;
use std::sync::atomic::{AtomicU8, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Barrier, mpsc};
use std::thread;
use std::time::{Duration, Instant};

use racezoo::pool::{JobError, Results, WorkerPool};

const TOTAL_JOBS: usize = 1_000_000;
const MESSAGE: &str = "soak: deliberate panic";

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Counts live worker threads: a thread-local guard decrements the count when its thread exits.
struct Alive(Arc<AtomicUsize>);
impl Drop for Alive {
    fn drop(&mut self) {
        self.0.fetch_sub(1, SeqCst);
    }
}
thread_local! { static ALIVE: RefCell<Option<Alive>> = const { RefCell::new(None) }; }
fn register(alive: &Arc<AtomicUsize>) {
    ALIVE.with(|a| {
        let mut a = a.borrow_mut();
        if !a.as_ref().is_some_and(|g| Arc::ptr_eq(&g.0, alive)) {
            alive.fetch_add(1, SeqCst);
            *a = Some(Alive(alive.clone()));
        }
    });
}

struct Round {
    workers: usize,
    capacity: usize,
    jobs: usize,
    shutdown_at: usize,
    now: bool,
    seed: u64,
}

/// What one round saw: (accepted, ran, cancelled, panicked).
fn run_round(r: Round) -> (usize, usize, usize, usize) {
    let pool = Arc::new(WorkerPool::new(r.workers, r.capacity));
    let runs: Arc<Vec<AtomicU8>> = Arc::new((0..r.jobs).map(|_| AtomicU8::new(0)).collect());
    let alive = Arc::new(AtomicUsize::new(0));
    let results = Results::<usize>::new();
    let submitted_so_far = Arc::new(AtomicUsize::new(0));
    let start = Arc::new(Barrier::new(3));
    // Two submitters share the job indices: even and odd.
    let submitters: Vec<_> = (0..2)
        .map(|half| {
            let (pool, runs, alive, results, so_far, start) = (
                pool.clone(),
                runs.clone(),
                alive.clone(),
                results.clone(),
                submitted_so_far.clone(),
                start.clone(),
            );
            let seed = r.seed;
            thread::spawn(move || {
                let mut rng = Rng(seed ^ (half as u64 + 1).wrapping_mul(0x9E37_79B9));
                let mut accepted = Vec::new();
                start.wait();
                for i in (half..runs.len()).step_by(2) {
                    let panics = rng.below(100) == 0;
                    let (runs, alive) = (runs.clone(), alive.clone());
                    let job = move || {
                        register(&alive);
                        runs[i].fetch_add(1, SeqCst);
                        if panics {
                            panic!("{MESSAGE}");
                        }
                        i
                    };
                    if pool.submit_into(&results, job).is_ok() {
                        accepted.push((i, panics));
                    }
                    so_far.fetch_add(1, SeqCst);
                }
                accepted
            })
        })
        .collect();
    // The shutter: waits for the random point, then shuts down while submissions continue.
    let shutter = {
        let (pool, so_far, start) = (pool.clone(), submitted_so_far.clone(), start.clone());
        let (at, now) = (r.shutdown_at, r.now);
        thread::spawn(move || {
            start.wait();
            while so_far.load(SeqCst) < at {
                thread::yield_now();
            }
            if now {
                pool.shutdown_now();
            } else {
                pool.shutdown();
            }
        })
    };
    let mut accepted = Vec::new();
    for s in submitters {
        accepted.extend(s.join().unwrap());
    }
    shutter.join().unwrap();
    pool.shutdown(); // idempotent; the shutter's call already joined the workers
    assert_eq!(alive.load(SeqCst), 0, "a worker thread outlived shutdown");

    // Every accepted job reported exactly one outcome.
    let mut outcome = vec![None; r.jobs];
    let (mut ran, mut cancelled, mut panicked) = (0, 0, 0);
    for (_, o) in results.iter() {
        match o {
            Ok(i) => {
                assert!(outcome[i].is_none(), "job {i} reported twice");
                outcome[i] = Some("ok");
                ran += 1;
            }
            Err(JobError::Cancelled) => cancelled += 1,
            Err(e) => {
                assert_eq!(e.panic_message(), Some(MESSAGE));
                panicked += 1;
                ran += 1;
            }
        }
    }
    assert_eq!(
        ran + cancelled,
        accepted.len(),
        "an accepted job reported no outcome"
    );
    let mut accepted_flags = vec![false; r.jobs];
    for &(i, _) in &accepted {
        accepted_flags[i] = true;
    }
    let mut ran_count = 0;
    for (i, run) in runs.iter().enumerate() {
        let n = run.load(SeqCst);
        assert!(n <= 1, "job {i} ran {n} times");
        if !accepted_flags[i] {
            assert_eq!(n, 0, "refused job {i} ran");
        }
        ran_count += n as usize;
    }
    assert_eq!(ran_count, ran, "runs and reported outcomes disagree");
    if !r.now {
        assert_eq!(cancelled, 0, "a graceful shutdown cancelled jobs");
    }
    let s = pool.stats();
    assert_eq!(s.submitted as usize, accepted.len());
    assert_eq!(s.completed as usize + s.panicked as usize, ran);
    assert_eq!(s.cancelled as usize, cancelled);
    assert_eq!(s.panicked as usize, panicked);
    assert_eq!(s.rejected as usize, r.jobs - accepted.len());
    assert!(s.peak_running <= r.workers);
    assert_eq!((s.in_flight, s.running, s.queued), (0, 0, 0));
    (accepted.len(), ran, cancelled, panicked)
}

#[test]
fn a_million_jobs_with_panics_and_random_shutdowns_lose_nothing() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        if info.payload().downcast_ref::<String>().map(String::as_str) != Some(MESSAGE) {
            previous(info)
        }
    }));
    let seed = std::env::var("RACEZOO_SOAK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
                | 1
        });
    println!("soak seed: {seed} (RACEZOO_SOAK_SEED={seed} replays the schedule of rounds)");
    let mut rng = Rng(seed);
    let t0 = Instant::now();
    let (mut jobs, mut rounds) = (0, 0);
    let (mut accepted, mut ran, mut cancelled, mut panicked) = (0, 0, 0, 0);
    while jobs < TOTAL_JOBS {
        let n = (TOTAL_JOBS - jobs).min(20_000 + rng.below(30_000) as usize);
        let round = Round {
            workers: 1 + rng.below(4) as usize,
            capacity: 1 + rng.below(64) as usize,
            jobs: n,
            // Mostly late shutdowns, so most jobs are accepted; sometimes early ones.
            shutdown_at: if rng.below(4) == 0 {
                rng.below(n as u64) as usize
            } else {
                n - rng.below(n as u64 / 10) as usize
            },
            now: rng.below(2) == 0,
            seed: rng.next(),
        };
        // Watchdog: a round that does not finish in 60 s is a hang.
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || tx.send(run_round(round)));
        let (a, r, c, p) = match rx.recv_timeout(Duration::from_secs(60)) {
            Ok(counts) => counts,
            Err(mpsc::RecvTimeoutError::Timeout) => panic!("round {rounds} hung (seed {seed})"),
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                panic!("round {rounds} failed (seed {seed}); see its panic above")
            }
        };
        accepted += a;
        ran += r;
        cancelled += c;
        panicked += p;
        jobs += n;
        rounds += 1;
    }
    println!(
        "soak: {jobs} jobs in {rounds} rounds, {accepted} accepted, {ran} ran ({panicked} panicked), {cancelled} cancelled, in {:.1?}",
        t0.elapsed()
    );
    assert!(panicked > 0 && accepted > jobs / 2);
}
