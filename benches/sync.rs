//! Benches of the Go sync primitives against their Rust counterparts, in the same run:
//!
//! * `waitgroup/{racezoo,crossbeam}/{2,4}`: one add/done/wait cycle with 2 or 4 persistent workers
//!   (racezoo: `add(n)`, each worker `done()`, `wait()`; crossbeam: a clone per worker, each worker
//!   drops its clone, `wait()`), workers released by a generation counter.
//! * `counter/{racezoo,atomic,mutex}/{1,2}`: increments by 1 or 2 threads.
//! * `rwmutex/{racezoo,std}/{1,2}`: read-heavy (1 write per 100 operations) by 1 or 2 threads.
//! * `errgroup/{racezoo,scope}`: 1,000 trivial tasks, `go` + `wait` against `std::thread::scope`.
//! * `facade/...`: the sync facade against std when no check runs (`mutex`: an uncontended lock and
//!   unlock; `atomic`: a `fetch_add` and a `load`; `facade/condvar`: a two-thread ping-pong through
//!   a `Mutex<bool>` and a `Condvar`, 100 round trips per iteration, 50 samples over 5 s; then
//!   `facade/paired`, printed: for each of the three, 31 back-to-back pairs of a facade batch and a
//!   std batch, giving the median and spread of the per-pair ratio), and `facade/tracing`: 10,000
//!   facade lock/unlock pairs called directly and as the body of one stress run (which records each
//!   of them), to say what tracing costs inside a check; an empty body in a stress run gives the
//!   run's fixed cost (a thread, a watchdog) to subtract.
//!
//! Only the std flavour has benches; the checkers' primitives cannot run outside a model.
#![cfg_attr(any(loom, shuttle), allow(unused))]

#[cfg(not(any(loom, shuttle)))]
mod sync {
    use std::hint::black_box;
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::{Arc, Barrier, Mutex, RwLock};
    use std::thread;
    use std::time::{Duration, Instant};

    use criterion::{BenchmarkId, Criterion};
    use racezoo::counter::Counter;
    use racezoo::errgroup::ErrGroup;
    use racezoo::rwmutex::RwMutex;
    use racezoo::waitgroup::WaitGroup;

    /// Released workers see a new generation; `u64::MAX` stops them.
    const STOP: u64 = u64::MAX;

    fn await_generation(generation: &AtomicU64, seen: u64) -> u64 {
        loop {
            let g = generation.load(Ordering::Acquire);
            if g != seen {
                return g;
            }
            thread::yield_now();
        }
    }

    /// What one wait group needs for the cycle bench: the worker's part, main's preparation of a
    /// round, and main's wait for it.
    struct Cycle<S> {
        work: fn(&S, usize),
        prepare: fn(&S, usize),
        wait: fn(&S),
    }

    /// Runs `iters` rounds with `n` persistent workers, each running `work` once per round.
    fn cycles<S: Send + Sync + 'static>(
        n: usize,
        iters: u64,
        shared: Arc<S>,
        cycle: Cycle<S>,
    ) -> Duration {
        let generation = Arc::new(AtomicU64::new(0));
        let work = cycle.work;
        let workers: Vec<_> = (0..n)
            .map(|i| {
                let (generation, shared) = (generation.clone(), shared.clone());
                thread::spawn(move || {
                    let mut seen = 0;
                    loop {
                        seen = await_generation(&generation, seen);
                        if seen == STOP {
                            return;
                        }
                        work(&shared, i);
                    }
                })
            })
            .collect();
        let start = Instant::now();
        for g in 1..=iters {
            (cycle.prepare)(&shared, n);
            generation.store(g, Ordering::Release);
            (cycle.wait)(&shared);
        }
        let elapsed = start.elapsed();
        generation.store(STOP, Ordering::Release);
        for w in workers {
            w.join().unwrap();
        }
        elapsed
    }

    type CbWg = crossbeam_utils::sync::WaitGroup;

    /// crossbeam's wait group is handed out as clones: one slot per worker, one for main.
    struct CbSlots {
        workers: Vec<Mutex<Option<CbWg>>>,
        main: Mutex<Option<CbWg>>,
    }

    fn bench_waitgroup(c: &mut Criterion) {
        let mut group = c.benchmark_group("waitgroup");
        for n in [2usize, 4] {
            group.bench_with_input(BenchmarkId::new("racezoo", n), &n, |b, &n| {
                b.iter_custom(|iters| {
                    let cycle = Cycle {
                        work: |wg: &WaitGroup, _| wg.done(),
                        prepare: |wg, n| wg.add(n as i32),
                        wait: |wg| wg.wait(),
                    };
                    cycles(n, iters, Arc::new(WaitGroup::new()), cycle)
                })
            });
            group.bench_with_input(BenchmarkId::new("crossbeam", n), &n, |b, &n| {
                b.iter_custom(|iters| {
                    let slots = CbSlots {
                        workers: (0..n).map(|_| Mutex::new(None)).collect(),
                        main: Mutex::new(None),
                    };
                    let cycle = Cycle {
                        work: |s: &CbSlots, i| drop(s.workers[i].lock().unwrap().take()),
                        prepare: |s, _| {
                            let wg = CbWg::new();
                            for slot in &s.workers {
                                *slot.lock().unwrap() = Some(wg.clone());
                            }
                            *s.main.lock().unwrap() = Some(wg);
                        },
                        wait: |s| s.main.lock().unwrap().take().unwrap().wait(),
                    };
                    cycles(n, iters, Arc::new(slots), cycle)
                })
            });
        }
        group.finish();
    }

    /// Runs `op(i)` `iters` times on each of `threads` threads, started together; returns the time.
    fn parallel<S: Send + Sync + 'static>(
        threads: usize,
        iters: u64,
        shared: Arc<S>,
        op: fn(&S, u64),
    ) -> Duration {
        let barrier = Arc::new(Barrier::new(threads + 1));
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                let (barrier, shared) = (barrier.clone(), shared.clone());
                thread::spawn(move || {
                    barrier.wait();
                    for i in 0..iters {
                        op(&shared, i);
                    }
                })
            })
            .collect();
        barrier.wait();
        let start = Instant::now();
        for h in handles {
            h.join().unwrap();
        }
        start.elapsed()
    }

    fn bench_counter(c: &mut Criterion) {
        let mut group = c.benchmark_group("counter");
        for t in [1usize, 2] {
            group.bench_with_input(BenchmarkId::new("racezoo", t), &t, |b, &t| {
                b.iter_custom(|iters| parallel(t, iters, Arc::new(Counter::new()), |c, _| c.inc()))
            });
            group.bench_with_input(BenchmarkId::new("atomic", t), &t, |b, &t| {
                b.iter_custom(|iters| {
                    parallel(t, iters, Arc::new(AtomicU64::new(0)), |c, _| {
                        c.fetch_add(1, Ordering::Relaxed);
                    })
                })
            });
            group.bench_with_input(BenchmarkId::new("mutex", t), &t, |b, &t| {
                b.iter_custom(|iters| {
                    parallel(t, iters, Arc::new(Mutex::new(0u64)), |c, _| {
                        *c.lock().unwrap() += 1
                    })
                })
            });
        }
        group.finish();
    }

    fn bench_rwmutex(c: &mut Criterion) {
        let mut group = c.benchmark_group("rwmutex");
        for t in [1usize, 2] {
            group.bench_with_input(BenchmarkId::new("racezoo", t), &t, |b, &t| {
                b.iter_custom(|iters| {
                    parallel(t, iters, Arc::new(RwMutex::new(0u64)), |rw, i| {
                        if i % 100 == 0 {
                            *rw.write() += 1;
                        } else {
                            black_box(*rw.read());
                        }
                    })
                })
            });
            group.bench_with_input(BenchmarkId::new("std", t), &t, |b, &t| {
                b.iter_custom(|iters| {
                    parallel(t, iters, Arc::new(RwLock::new(0u64)), |rw, i| {
                        if i % 100 == 0 {
                            *rw.write().unwrap() += 1;
                        } else {
                            black_box(*rw.read().unwrap());
                        }
                    })
                })
            });
        }
        group.finish();
    }

    fn bench_errgroup(c: &mut Criterion) {
        const TASKS: usize = 1_000;
        let mut group = c.benchmark_group("errgroup");
        group.sample_size(10);
        group.bench_function("racezoo", |b| {
            b.iter(|| {
                let g: ErrGroup<String> = ErrGroup::new();
                for i in 0..TASKS {
                    g.go(move || {
                        black_box(i);
                        Ok(())
                    });
                }
                g.wait().unwrap();
            })
        });
        group.bench_function("scope", |b| {
            b.iter(|| {
                thread::scope(|s| {
                    for i in 0..TASKS {
                        s.spawn(move || {
                            black_box(i);
                        });
                    }
                })
            })
        });
        group.finish();
    }

    /// Round trips per iteration of the condvar hand-off bench.
    const HANDOFFS: u64 = 100;

    /// `rounds` round trips of a ball between main and a peer thread through a facade
    /// `Mutex<bool>` and `Condvar` (main sets it and waits until the peer has cleared it); returns
    /// main's time for them.
    fn handoff_facade(rounds: u64) -> Duration {
        use racezoo::sync as facade;
        let pair = Arc::new((facade::Mutex::new(false), facade::Condvar::new()));
        let peer = {
            let pair = pair.clone();
            thread::spawn(move || {
                for _ in 0..rounds {
                    let mut ball = pair.1.wait_while(pair.0.lock(), |ball| !*ball);
                    *ball = false;
                    pair.1.notify_one();
                }
            })
        };
        let start = Instant::now();
        for _ in 0..rounds {
            *pair.0.lock() = true;
            pair.1.notify_one();
            drop(pair.1.wait_while(pair.0.lock(), |ball| *ball));
        }
        let elapsed = start.elapsed();
        peer.join().unwrap();
        elapsed
    }

    /// [`handoff_facade`] on `std::sync::Mutex<bool>` and `std::sync::Condvar`.
    fn handoff_std(rounds: u64) -> Duration {
        let pair = Arc::new((Mutex::new(false), std::sync::Condvar::new()));
        let peer = {
            let pair = pair.clone();
            thread::spawn(move || {
                for _ in 0..rounds {
                    let guard = pair.0.lock().unwrap();
                    let mut ball = pair.1.wait_while(guard, |ball| !*ball).unwrap();
                    *ball = false;
                    pair.1.notify_one();
                }
            })
        };
        let start = Instant::now();
        for _ in 0..rounds {
            *pair.0.lock().unwrap() = true;
            pair.1.notify_one();
            let guard = pair.0.lock().unwrap();
            drop(pair.1.wait_while(guard, |ball| *ball).unwrap());
        }
        let elapsed = start.elapsed();
        peer.join().unwrap();
        elapsed
    }

    /// Runs `facade` and `std` back to back `PAIRS` times (the order alternating), so both sides of
    /// each pair see the same load, and prints the median, minimum and maximum of the per-pair ratio
    /// std time / facade time.
    fn paired(name: &str, what: &str, facade: impl Fn() -> Duration, std: impl Fn() -> Duration) {
        const PAIRS: usize = 31;
        let mut ratios: Vec<f64> = (0..PAIRS)
            .map(|i| {
                let (f, s) = if i % 2 == 0 {
                    let f = facade();
                    (f, std())
                } else {
                    let s = std();
                    (facade(), s)
                };
                s.as_secs_f64() / f.as_secs_f64()
            })
            .collect();
        ratios.sort_by(f64::total_cmp);
        println!(
            "{name} paired: {PAIRS} pairs of {what}, std time / facade time: median {:.3}x, \
             min {:.3}x, max {:.3}x",
            ratios[PAIRS / 2],
            ratios[0],
            ratios[PAIRS - 1]
        );
    }

    /// `n` uncontended lock/unlock pairs of a facade mutex and of a std one, and `n` atomic
    /// `fetch_add` + `load` pairs of each, then the condvar hand-off, all through [`paired`].
    fn facade_pairs() {
        use racezoo::sync as facade;
        const OPS: u64 = 1_000_000;
        let timed = |f: &dyn Fn()| {
            let start = Instant::now();
            f();
            start.elapsed()
        };
        let fm = facade::Mutex::new(0u64);
        let sm = Mutex::new(0u64);
        paired(
            "facade/mutex",
            "1,000,000 lock/unlock",
            || timed(&|| (0..OPS).for_each(|_| *black_box(&fm).lock() += 1)),
            || timed(&|| (0..OPS).for_each(|_| *black_box(&sm).lock().unwrap() += 1)),
        );
        let fa = facade::atomic::AtomicU64::new(0);
        let sa = AtomicU64::new(0);
        let op = |a: &AtomicU64| {
            a.fetch_add(1, Ordering::AcqRel);
            black_box(a.load(Ordering::Acquire));
        };
        paired(
            "facade/atomic",
            "1,000,000 fetch_add + load",
            || timed(&|| (0..OPS).for_each(|_| op(black_box(&fa)))),
            || timed(&|| (0..OPS).for_each(|_| op(black_box(&sa)))),
        );
        paired(
            "facade/condvar",
            "2,000 round trips",
            || handoff_facade(2_000),
            || handoff_std(2_000),
        );
    }

    fn bench_facade(c: &mut Criterion) {
        use racezoo::sync as facade;

        let mut group = c.benchmark_group("facade");
        let m = facade::Mutex::new(0u64);
        group.bench_function("mutex/racezoo", |b| b.iter(|| *black_box(&m).lock() += 1));
        let m = Mutex::new(0u64);
        group.bench_function("mutex/std", |b| {
            b.iter(|| *black_box(&m).lock().unwrap() += 1)
        });
        let a = facade::atomic::AtomicU64::new(0);
        group.bench_function("atomic/racezoo", |b| {
            b.iter(|| {
                let a = black_box(&a);
                a.fetch_add(1, Ordering::AcqRel);
                a.load(Ordering::Acquire)
            })
        });
        let a = AtomicU64::new(0);
        group.bench_function("atomic/std", |b| {
            b.iter(|| {
                let a = black_box(&a);
                a.fetch_add(1, Ordering::AcqRel);
                a.load(Ordering::Acquire)
            })
        });
        group.finish();

        // The hand-off: `HANDOFFS` round trips per iteration, so a sample is many futex
        // sleep/wake pairs rather than one, and more samples over a longer window.
        let mut group = c.benchmark_group("facade/condvar");
        group
            .sample_size(50)
            .measurement_time(Duration::from_secs(5));
        group.throughput(criterion::Throughput::Elements(HANDOFFS));
        group.bench_function("racezoo", |b| {
            b.iter_custom(|iters| handoff_facade(iters * HANDOFFS))
        });
        group.bench_function("std", |b| {
            b.iter_custom(|iters| handoff_std(iters * HANDOFFS))
        });
        group.finish();

        const OPS: u64 = 10_000;
        fn body() {
            let m = facade::Mutex::new(0u64);
            for _ in 0..OPS {
                *black_box(&m).lock() += 1;
            }
        }
        let mut group = c.benchmark_group("facade/tracing");
        group.sample_size(10);
        group.bench_function("10k_locks/direct", |b| b.iter(body));
        let config = racezoo::check::Config {
            runs: 1,
            ..racezoo::check::Config::default()
        };
        group.bench_function("empty_body/in_stress_check", |b| {
            b.iter(|| {
                let report = racezoo::check::stress(&config, || {}).unwrap();
                assert!(report.passed(), "{report}");
            })
        });
        group.bench_function("10k_locks/in_stress_check", |b| {
            b.iter(|| {
                let report = racezoo::check::stress(&config, body).unwrap();
                assert!(report.passed(), "{report}");
            })
        });
        group.finish();
    }

    /// All the groups, with short measurement windows (the machine is shared).
    pub fn benches() {
        let mut c = Criterion::default()
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(2))
            .sample_size(20)
            .configure_from_args();
        bench_waitgroup(&mut c);
        bench_counter(&mut c);
        bench_rwmutex(&mut c);
        bench_errgroup(&mut c);
        bench_facade(&mut c);
        // criterion cannot be asked whether its filter matches a name outside its groups: run the
        // pairs without a filter or with one that is a part of `facade/paired`.
        let filters: Vec<String> = std::env::args()
            .skip(1)
            .filter(|a| !a.starts_with('-') && a.parse::<f64>().is_err())
            .collect();
        if filters.is_empty() || filters.iter().any(|f| "facade/paired".contains(f.as_str())) {
            facade_pairs();
        }
        c.final_summary();
    }
}

#[cfg(not(any(loom, shuttle)))]
fn main() {
    sync::benches();
}

#[cfg(any(loom, shuttle))]
fn main() {}
