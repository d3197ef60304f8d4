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
//! * `job_box`: the cost of the box a queued job travels in, for a closure of three words (the
//!   largest the pool's `execute` queues inline): the pool's own inline box (`src/pool/queued.rs`,
//!   transcribed below because it is private), `smallbox` 0.8.9 and a plain `Box<dyn FnOnce>`.
//!   `same_thread`: 1,000 jobs boxed into a queue, then popped and called on the same thread.
//!   `cross_thread_100k`: 100,000 jobs boxed on one thread and called on another (through a
//!   crossbeam channel of 1,024), the pool's pattern, where a box is freed on the other core.
//!   `pool_execute_100k`: the decision end to end, in racezoo's pool (2 workers, queue of 1,024):
//!   100,000 `execute`s of a three-word closure (queued inline) against a four-word one (one word
//!   more, so the pool boxes it: what every job would cost with `Box` alone), until all have run.
//!
//! Run: `cargo bench --bench pool` (`-- job_box` for that group alone). Ratios are in
//! `benches/README.md`.

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

/// A job box under comparison: made from a closure on one thread, called (and freed) on another.
trait JobBox: Send + 'static {
    fn make<F: FnOnce() + Send + 'static>(f: F) -> Self;
    fn call(self);
}

impl JobBox for Box<dyn FnOnce() + Send> {
    fn make<F: FnOnce() + Send + 'static>(f: F) -> Self {
        Box::new(f)
    }
    fn call(self) {
        self()
    }
}

/// smallbox cannot call a `dyn FnOnce` in place (a `SmallBox<dyn FnOnce()>` cannot be moved out of),
/// so the closure sits in an `Option` behind a `&mut self` call: one more word, so 4 words of room.
trait CallOnce {
    fn call_once(&mut self);
}

impl<F: FnOnce()> CallOnce for Option<F> {
    fn call_once(&mut self) {
        if let Some(f) = self.take() {
            f()
        }
    }
}

type Small4 = smallbox::SmallBox<dyn CallOnce + Send, smallbox::space::S4>;

impl JobBox for Small4 {
    fn make<F: FnOnce() + Send + 'static>(f: F) -> Self {
        smallbox::smallbox!(Some(f))
    }
    fn call(mut self) {
        self.call_once()
    }
}

/// The pool's inline box (`src/pool/queued.rs`, `Small`), transcribed: three words of room, the
/// closure's type kept in two function pointers. Falls back to a `Box` for a larger closure, as the
/// pool does.
mod inline {
    use std::mem::{MaybeUninit, align_of, size_of};

    type Words = MaybeUninit<[usize; 3]>;

    pub enum Inline {
        Small {
            words: Words,
            run: unsafe fn(*mut Words),
        },
        Boxed(Box<dyn FnOnce() + Send>),
    }

    // SAFETY: an `Inline` is only built from an `F: Send`, and owns nothing else.
    unsafe impl Send for Inline {}

    unsafe fn run<F: FnOnce()>(words: *mut Words) {
        // SAFETY: `words` holds an `F`, read exactly once (`call` consumes the box).
        let f = unsafe { words.cast::<F>().read() };
        f()
    }

    impl super::JobBox for Inline {
        fn make<F: FnOnce() + Send + 'static>(f: F) -> Self {
            if size_of::<F>() <= size_of::<Words>() && align_of::<F>() <= align_of::<Words>() {
                let mut words = Words::uninit();
                // SAFETY: large and aligned enough for an `F`, checked just above.
                unsafe { words.as_mut_ptr().cast::<F>().write(f) };
                Inline::Small {
                    words,
                    run: run::<F>,
                }
            } else {
                Inline::Boxed(Box::new(f))
            }
        }
        fn call(self) {
            match self {
                // SAFETY: `words` holds the `F` that `run` was instantiated with; the box is
                // consumed, so nothing reads it again. (Every bench job is called, none dropped
                // unrun, so this transcription leaves out the pool's drop path.)
                Inline::Small { mut words, run } => unsafe { run(&mut words) },
                Inline::Boxed(f) => f(),
            }
        }
    }
}

/// A three-word job: an `Arc` and two numbers.
fn three_words(sum: &Arc<AtomicUsize>, i: usize) -> impl FnOnce() + Send + 'static {
    let (sum, a, b) = (sum.clone(), i, i.rotate_left(7));
    move || {
        sum.fetch_add(a ^ b, Ordering::Relaxed);
    }
}

fn same_thread<B: JobBox>(sum: &Arc<AtomicUsize>, queue: &mut std::collections::VecDeque<B>) {
    for i in 0..1_000 {
        queue.push_back(B::make(three_words(sum, i)));
    }
    while let Some(job) = queue.pop_front() {
        job.call();
    }
}

fn cross_thread<B: JobBox>(sum: &Arc<AtomicUsize>) {
    let (tx, rx) = crossbeam_channel::bounded::<B>(1024);
    let consumer = std::thread::spawn(move || {
        for job in rx {
            job.call();
        }
    });
    for i in 0..100_000 {
        tx.send(B::make(three_words(sum, i))).unwrap();
    }
    drop(tx);
    consumer.join().unwrap();
}

fn job_box(c: &mut Criterion) {
    type Plain = Box<dyn FnOnce() + Send>;
    assert!(size_of_val(&three_words(&Arc::default(), 0)) == 3 * size_of::<usize>());
    let sum = Arc::new(AtomicUsize::new(0));
    let mut group = c.benchmark_group("pool/job_box/same_thread");
    group.bench_function("inline", |b| {
        let mut q = Default::default();
        b.iter(|| same_thread::<inline::Inline>(&sum, &mut q))
    });
    group.bench_function("smallbox", |b| {
        let mut q = Default::default();
        b.iter(|| same_thread::<Small4>(&sum, &mut q))
    });
    group.bench_function("box", |b| {
        let mut q = Default::default();
        b.iter(|| same_thread::<Plain>(&sum, &mut q))
    });
    group.finish();
    let mut group = c.benchmark_group("pool/job_box/cross_thread_100k");
    group.bench_function("inline", |b| {
        b.iter(|| cross_thread::<inline::Inline>(&sum))
    });
    group.bench_function("smallbox", |b| b.iter(|| cross_thread::<Small4>(&sum)));
    group.bench_function("box", |b| b.iter(|| cross_thread::<Plain>(&sum)));
    group.finish();
    let pool = WorkerPool::new(WORKERS, CAPACITY);
    let mut group = c.benchmark_group("pool/job_box/pool_execute_100k");
    group.bench_function("inline_3_words", |b| {
        b.iter(|| {
            for i in 0..100_000 {
                pool.execute(three_words(&sum, i)).unwrap();
            }
            pool.wait_idle();
        })
    });
    group.bench_function("boxed_4_words", |b| {
        b.iter(|| {
            for i in 0..100_000 {
                let (job, extra) = (three_words(&sum, i), i);
                pool.execute(move || {
                    job();
                    black_box(extra);
                })
                .unwrap();
            }
            pool.wait_idle();
        })
    });
    group.finish();
    black_box(sum.load(Ordering::Relaxed));
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
    targets = pools, job_box
}
criterion_main!(benches);
