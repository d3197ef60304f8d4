//! Worker pools, same run: racezoo's `WorkerPool` vs `threadpool` 1.8 vs rayon's `ThreadPool::spawn`.
//!
//! * `overhead_100k_noop`: submit 100,000 no-op jobs and wait until all have run (per-job cost).
//! * `throughput_1us`: 10,000 jobs of ~1 µs of busy work each, until all have run.
//! * `submit_to_start`: one job into an idle pool, time from before `submit` to the job's first
//!   instruction (the wake-up latency).
//!
//! Every pool has the same number of workers (2, the CI machine's cores). racezoo's queue is bounded
//! (1,024): its `execute` blocks when the queue is full, the others' queues are unbounded;
//! `racezoo-q32k` is the same pool with a queue that holds a whole batch. rayon has
//! no "wait for spawned jobs", so its jobs count down an atomic that the bench spins on; racezoo uses
//! `wait_idle`, threadpool `join`.
//!
//! Run: `cargo bench --bench pool`. Ratios are in `benches/README.md`.

use std::hint::black_box;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use racezoo::pool::WorkerPool;

const WORKERS: usize = 2;
const CAPACITY: usize = 1024;

/// The pools under comparison, each able to run a batch of jobs to completion.
enum Pool {
    Racezoo(WorkerPool),
    ThreadPool(threadpool::ThreadPool),
    Rayon(rayon::ThreadPool),
}

impl Pool {
    fn all() -> Vec<(&'static str, Pool)> {
        vec![
            ("racezoo", Pool::Racezoo(WorkerPool::new(WORKERS, CAPACITY))),
            // A queue that holds a whole batch: what the bound costs when jobs outpace workers.
            (
                "racezoo-q32k",
                Pool::Racezoo(WorkerPool::new(WORKERS, 1 << 15)),
            ),
            (
                "threadpool",
                Pool::ThreadPool(threadpool::ThreadPool::new(WORKERS)),
            ),
            (
                "rayon",
                Pool::Rayon(
                    rayon::ThreadPoolBuilder::new()
                        .num_threads(WORKERS)
                        .build()
                        .unwrap(),
                ),
            ),
        ]
    }

    /// Runs `n` copies of `job` and returns once all of them have run.
    fn run_batch(&self, n: usize, job: fn()) {
        match self {
            Pool::Racezoo(p) => {
                for _ in 0..n {
                    p.execute(job).unwrap();
                }
                p.wait_idle();
            }
            Pool::ThreadPool(p) => {
                for _ in 0..n {
                    p.execute(job);
                }
                p.join();
            }
            Pool::Rayon(p) => {
                let left = Arc::new(AtomicUsize::new(n));
                for _ in 0..n {
                    let left = left.clone();
                    p.spawn(move || {
                        job();
                        left.fetch_sub(1, Ordering::Release);
                    });
                }
                while left.load(Ordering::Acquire) != 0 {
                    std::thread::yield_now();
                }
            }
        }
    }

    /// Submits one job that reports the time from `t0` to its start.
    fn submit_to_start(&self) -> Duration {
        let (tx, rx) = mpsc::sync_channel(1);
        let t0 = Instant::now();
        let job = move || tx.send(t0.elapsed()).unwrap();
        match self {
            Pool::Racezoo(p) => p.execute(job).unwrap(),
            Pool::ThreadPool(p) => p.execute(job),
            Pool::Rayon(p) => p.spawn(job),
        }
        rx.recv().unwrap()
    }
}

fn noop() {}

fn spin_1us() {
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_micros(1) {
        std::hint::spin_loop();
    }
    black_box(());
}

fn pools(c: &mut Criterion) {
    let pools = Pool::all();

    let mut group = c.benchmark_group("pool/overhead_100k_noop");
    for (name, pool) in &pools {
        group.bench_with_input(BenchmarkId::from_parameter(name), pool, |b, pool| {
            b.iter(|| pool.run_batch(100_000, noop))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("pool/throughput_1us_x10k");
    for (name, pool) in &pools {
        group.bench_with_input(BenchmarkId::from_parameter(name), pool, |b, pool| {
            b.iter(|| pool.run_batch(10_000, spin_1us))
        });
    }
    group.finish();

    let mut group = c.benchmark_group("pool/submit_to_start");
    for (name, pool) in &pools {
        group.bench_with_input(BenchmarkId::from_parameter(name), pool, |b, pool| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    // Let the workers go back to sleep: the latency of waking an idle pool.
                    std::thread::sleep(Duration::from_micros(200));
                    total += pool.submit_to_start();
                }
                total
            })
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    targets = pools
}
criterion_main!(benches);
