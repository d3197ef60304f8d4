//! Channel throughput: racezoo's Go channels against crossbeam-channel, `std::sync::mpsc::sync_channel`
//! and flume, in the same run.
//!
//! The workloads are crossbeam-channel's benchmark workloads scaled for a 2-core machine: `seq` (one
//! thread sends a buffer-full, then receives it), `spsc` (1 → 1), `mpsc` (2 → 1), `mpmc` (2 → 2),
//! `select_rx` (2 senders on 2 channels, 1 receiver selecting over both) and `select_both` (2 threads
//! selecting a send over 2 channels, 2 selecting a receive), each at capacity 0, 1 and 64 (`seq` only
//! for capacity > 0). std's receiver cannot be shared or selected, so std is absent from `mpmc` and the
//! select workloads; flume sits out `select_both` (its `Selector` hung there, see below). Thread start-up is outside the timed region: every thread waits on a barrier and
//! the clock starts when the barrier opens. One criterion iteration is one message per sending
//! thread. Run with `cargo bench --bench chan`; the table is in `benches/README.md`.
#![cfg_attr(any(loom, shuttle), allow(dead_code, unused_imports))]

use std::sync::Barrier;
use std::thread;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

/// Runs `senders` and `receivers` on their own threads, started together behind a barrier, and
/// returns the time from the barrier to the last thread's end.
fn timed(
    senders: Vec<Box<dyn FnOnce() + Send + '_>>,
    receivers: Vec<Box<dyn FnOnce() + Send + '_>>,
) -> Duration {
    let barrier = Barrier::new(senders.len() + receivers.len() + 1);
    thread::scope(|s| {
        let handles: Vec<_> = senders
            .into_iter()
            .chain(receivers)
            .map(|job| {
                let barrier = &barrier;
                s.spawn(move || {
                    barrier.wait();
                    job();
                })
            })
            .collect();
        barrier.wait();
        let start = Instant::now();
        for h in handles {
            h.join().unwrap();
        }
        start.elapsed()
    })
}

/// The per-library operations the point-to-point workloads need.
macro_rules! p2p {
    ($lib:ident, $bounded:expr, $send:expr, $recv:expr, mpmc: $mpmc:tt) => {
        mod $lib {
            use super::*;

            #[allow(clippy::redundant_closure_call)]
            pub fn seq(cap: usize, iters: u64) -> Duration {
                let (tx, rx) = ($bounded)(cap);
                let start = Instant::now();
                let mut left = iters;
                while left > 0 {
                    let n = (cap as u64).min(left);
                    for i in 0..n {
                        ($send)(&tx, i);
                    }
                    for _ in 0..n {
                        ($recv)(&rx);
                    }
                    left -= n;
                }
                start.elapsed()
            }

            #[allow(clippy::redundant_closure_call)]
            pub fn spsc(cap: usize, iters: u64) -> Duration {
                let (tx, rx) = ($bounded)(cap);
                timed(
                    vec![Box::new(move || (0..iters).for_each(|i| ($send)(&tx, i)))],
                    vec![Box::new(move || (0..iters).for_each(|_| { ($recv)(&rx); }))],
                )
            }

            #[allow(clippy::redundant_closure_call)]
            pub fn mpsc(cap: usize, iters: u64) -> Duration {
                let (tx, rx) = ($bounded)(cap);
                let tx2 = tx.clone();
                timed(
                    vec![
                        Box::new(move || (0..iters).for_each(|i| ($send)(&tx, i))),
                        Box::new(move || (0..iters).for_each(|i| ($send)(&tx2, i))),
                    ],
                    vec![Box::new(move || (0..2 * iters).for_each(|_| { ($recv)(&rx); }))],
                )
            }

            p2p!(@mpmc $mpmc, $bounded, $send, $recv);
        }
    };
    (@mpmc true, $bounded:expr, $send:expr, $recv:expr) => {
        #[allow(clippy::redundant_closure_call)]
        pub fn mpmc(cap: usize, iters: u64) -> Option<Duration> {
            let (tx, rx) = ($bounded)(cap);
            let (tx2, rx2) = (tx.clone(), rx.clone());
            Some(timed(
                vec![
                    Box::new(move || (0..iters).for_each(|i| ($send)(&tx, i))),
                    Box::new(move || (0..iters).for_each(|i| ($send)(&tx2, i))),
                ],
                vec![
                    Box::new(move || (0..iters).for_each(|_| { ($recv)(&rx); })),
                    Box::new(move || (0..iters).for_each(|_| { ($recv)(&rx2); })),
                ],
            ))
        }
    };
    (@mpmc false, $bounded:expr, $send:expr, $recv:expr) => {
        pub fn mpmc(_cap: usize, _iters: u64) -> Option<Duration> {
            None
        }
    };
}

p2p!(
    rz,
    racezoo::chan::channel::<u64>,
    |tx: &racezoo::chan::Sender<u64>, v| tx.send(v).unwrap(),
    |rx: &racezoo::chan::Receiver<u64>| rx.recv().unwrap(),
    mpmc: true
);
p2p!(
    crossbeam,
    crossbeam_channel::bounded::<u64>,
    |tx: &crossbeam_channel::Sender<u64>, v| tx.send(v).unwrap(),
    |rx: &crossbeam_channel::Receiver<u64>| rx.recv().unwrap(),
    mpmc: true
);
p2p!(
    flume_,
    flume::bounded::<u64>,
    |tx: &flume::Sender<u64>, v| tx.send(v).unwrap(),
    |rx: &flume::Receiver<u64>| rx.recv().unwrap(),
    mpmc: true
);
p2p!(
    std_,
    std::sync::mpsc::sync_channel::<u64>,
    |tx: &std::sync::mpsc::SyncSender<u64>, v| tx.send(v).unwrap(),
    |rx: &std::sync::mpsc::Receiver<u64>| rx.recv().unwrap(),
    mpmc: false
);

/// `select_rx`: two senders on two channels, one receiver selecting over both.
fn select_rx(lib: &str, cap: usize, iters: u64) -> Option<Duration> {
    match lib {
        "racezoo" => {
            let (t1, r1) = racezoo::chan::channel::<u64>(cap);
            let (t2, r2) = racezoo::chan::channel::<u64>(cap);
            Some(timed(
                vec![
                    Box::new(move || (0..iters).for_each(|i| t1.send(i).unwrap())),
                    Box::new(move || (0..iters).for_each(|i| t2.send(i).unwrap())),
                ],
                vec![Box::new(move || {
                    for _ in 0..2 * iters {
                        racezoo::chan::select()
                            .recv(&r1, |v| v)
                            .recv(&r2, |v| v)
                            .wait()
                            .unwrap();
                    }
                })],
            ))
        }
        "crossbeam" => {
            let (t1, r1) = crossbeam_channel::bounded::<u64>(cap);
            let (t2, r2) = crossbeam_channel::bounded::<u64>(cap);
            // Rust channels disconnect when the last sender drops; keep one alive for the run.
            let _keep = (t1.clone(), t2.clone());
            Some(timed(
                vec![
                    Box::new(move || (0..iters).for_each(|i| t1.send(i).unwrap())),
                    Box::new(move || (0..iters).for_each(|i| t2.send(i).unwrap())),
                ],
                vec![Box::new(move || {
                    for _ in 0..2 * iters {
                        crossbeam_channel::select! {
                            recv(r1) -> v => { v.unwrap(); }
                            recv(r2) -> v => { v.unwrap(); }
                        }
                    }
                })],
            ))
        }
        "flume" => {
            let (t1, r1) = flume::bounded::<u64>(cap);
            let (t2, r2) = flume::bounded::<u64>(cap);
            // Rust channels disconnect when the last sender drops; keep one alive for the run.
            let _keep = (t1.clone(), t2.clone());
            Some(timed(
                vec![
                    Box::new(move || (0..iters).for_each(|i| t1.send(i).unwrap())),
                    Box::new(move || (0..iters).for_each(|i| t2.send(i).unwrap())),
                ],
                vec![Box::new(move || {
                    for _ in 0..2 * iters {
                        flume::Selector::new()
                            .recv(&r1, |v| v.unwrap())
                            .recv(&r2, |v| v.unwrap())
                            .wait();
                    }
                })],
            ))
        }
        _ => None,
    }
}

/// Whether flume runs `select_both` (see the note at its arm).
const SELECT_BOTH_FLUME: bool = false;

/// `select_both`: two threads select a send over two channels, two select a receive over both.
fn select_both(lib: &str, cap: usize, iters: u64) -> Option<Duration> {
    match lib {
        "racezoo" => {
            use racezoo::chan::{channel, select};
            let (t1, r1) = channel::<u64>(cap);
            let (t2, r2) = channel::<u64>(cap);
            let sender = |t1: racezoo::chan::Sender<u64>, t2: racezoo::chan::Sender<u64>| {
                Box::new(move || {
                    for i in 0..iters {
                        select()
                            .send(&t1, i, |r| r.unwrap())
                            .send(&t2, i, |r| r.unwrap())
                            .wait();
                    }
                }) as Box<dyn FnOnce() + Send>
            };
            let receiver = |r1: racezoo::chan::Receiver<u64>, r2: racezoo::chan::Receiver<u64>| {
                Box::new(move || {
                    for _ in 0..iters {
                        select().recv(&r1, |v| v).recv(&r2, |v| v).wait().unwrap();
                    }
                }) as Box<dyn FnOnce() + Send>
            };
            Some(timed(
                vec![sender(t1.clone(), t2.clone()), sender(t1, t2)],
                vec![receiver(r1.clone(), r2.clone()), receiver(r1, r2)],
            ))
        }
        "crossbeam" => {
            use crossbeam_channel::{Receiver, Sender, bounded, select};
            let (t1, r1) = bounded::<u64>(cap);
            let (t2, r2) = bounded::<u64>(cap);
            // Rust channels disconnect when the last end drops; keep both alive for the run.
            let _keep = (t1.clone(), t2.clone(), r1.clone(), r2.clone());
            let sender = |t1: Sender<u64>, t2: Sender<u64>| {
                Box::new(move || {
                    for i in 0..iters {
                        select! {
                            send(t1, i) -> r => r.unwrap(),
                            send(t2, i) -> r => r.unwrap(),
                        }
                    }
                }) as Box<dyn FnOnce() + Send>
            };
            let receiver = |r1: Receiver<u64>, r2: Receiver<u64>| {
                Box::new(move || {
                    for _ in 0..iters {
                        select! {
                            recv(r1) -> v => { v.unwrap(); }
                            recv(r2) -> v => { v.unwrap(); }
                        }
                    }
                }) as Box<dyn FnOnce() + Send>
            };
            Some(timed(
                vec![sender(t1.clone(), t2.clone()), sender(t1, t2)],
                vec![receiver(r1.clone(), r2.clone()), receiver(r1, r2)],
            ))
        }
        // flume 0.12's `Selector` with send cases hung in this workload at capacity 0 and 1 (one
        // thread blocked for good, 0% CPU; not investigated further), so flume sits it out.
        "flume" if SELECT_BOTH_FLUME => {
            use flume::{Receiver, Selector, Sender, bounded};
            let (t1, r1) = bounded::<u64>(cap);
            let (t2, r2) = bounded::<u64>(cap);
            // Rust channels disconnect when the last end drops; keep both alive for the run.
            let _keep = (t1.clone(), t2.clone(), r1.clone(), r2.clone());
            let sender = |t1: Sender<u64>, t2: Sender<u64>| {
                Box::new(move || {
                    for i in 0..iters {
                        Selector::new()
                            .send(&t1, i, |r| r.unwrap())
                            .send(&t2, i, |r| r.unwrap())
                            .wait();
                    }
                }) as Box<dyn FnOnce() + Send>
            };
            let receiver = |r1: Receiver<u64>, r2: Receiver<u64>| {
                Box::new(move || {
                    for _ in 0..iters {
                        Selector::new()
                            .recv(&r1, |v| v.unwrap())
                            .recv(&r2, |v| v.unwrap())
                            .wait();
                    }
                }) as Box<dyn FnOnce() + Send>
            };
            Some(timed(
                vec![sender(t1.clone(), t2.clone()), sender(t1, t2)],
                vec![receiver(r1.clone(), r2.clone()), receiver(r1, r2)],
            ))
        }
        _ => None,
    }
}

const LIBS: [&str; 4] = ["racezoo", "crossbeam", "flume", "std"];

/// Runs workload `f` of library `lib`, or `None` if the library cannot run it.
fn run(workload: &str, lib: &str, cap: usize, iters: u64) -> Option<Duration> {
    macro_rules! pick {
        ($w:ident) => {
            match lib {
                "racezoo" => rz::$w(cap, iters).into(),
                "crossbeam" => crossbeam::$w(cap, iters).into(),
                "flume" => flume_::$w(cap, iters).into(),
                _ => std_::$w(cap, iters).into(),
            }
        };
    }
    match workload {
        "seq" => pick!(seq),
        "spsc" => pick!(spsc),
        "mpsc" => pick!(mpsc),
        "mpmc" => match lib {
            "racezoo" => rz::mpmc(cap, iters),
            "crossbeam" => crossbeam::mpmc(cap, iters),
            "flume" => flume_::mpmc(cap, iters),
            _ => std_::mpmc(cap, iters),
        },
        "select_rx" => select_rx(lib, cap, iters),
        _ => select_both(lib, cap, iters),
    }
}

fn channels(c: &mut Criterion) {
    for workload in ["seq", "spsc", "mpsc", "mpmc", "select_rx", "select_both"] {
        for cap in [0usize, 1, 64] {
            if workload == "seq" && cap == 0 {
                continue;
            }
            let mut group = c.benchmark_group(format!("{workload}/cap{cap}"));
            for lib in LIBS {
                if run(workload, lib, cap, 1).is_none() {
                    continue;
                }
                group.bench_with_input(BenchmarkId::from_parameter(lib), &cap, |b, &cap| {
                    b.iter_custom(|iters| run(workload, lib, cap, iters).unwrap())
                });
            }
            group.finish();
        }
    }
}

/// Go's `chanlinear` workload (`test/chanlinear.go`), on OS threads: `n` threads each select over
/// one channel they all share and one of their own, `CHANLINEAR_ROUNDS` times; the main thread wakes
/// each in turn through its own channel, so every wake-up makes a select leave the shared channel's
/// queue of about `n` waiters and join it again. Time must grow linearly with `n`: a select that
/// scans the shared queue to leave it makes the whole run quadratic. Timed from the moment every
/// thread has started to the last join; thread creation is outside.
fn chanlinear(n: usize) -> Duration {
    use racezoo::chan::{channel, select};
    let (_shared_tx, shared_rx) = channel::<()>(0);
    let own: Vec<_> = (0..n).map(|_| channel::<()>(0)).collect();
    let started = std::sync::atomic::AtomicUsize::new(0);
    thread::scope(|s| {
        let mut senders = Vec::with_capacity(n);
        for (tx, rx) in &own {
            senders.push(tx);
            let (shared_rx, started) = (&shared_rx, &started);
            thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn_scoped(s, move || {
                    started.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    for _ in 0..CHANLINEAR_ROUNDS {
                        select().recv(shared_rx, |_| ()).recv(rx, |_| ()).wait();
                    }
                })
                .expect("spawn a chanlinear thread");
        }
        while started.load(std::sync::atomic::Ordering::Relaxed) < n {
            thread::yield_now();
        }
        let start = Instant::now();
        for _ in 0..CHANLINEAR_ROUNDS {
            for tx in &senders {
                tx.send(()).unwrap();
            }
        }
        // The scope joins every thread before it returns; each has returned once its last
        // rendezvous is done, so the clock stops at the last send plus the join.
        start
    })
    .elapsed()
}

/// How many times each `chanlinear` thread selects (Go's test uses 10).
const CHANLINEAR_ROUNDS: usize = 10;

/// The `chanlinear` group: `n` blocked selects for `n` doubling from 250 to 2,000.
/// `benches/chanlinear.sh` reports the time ratio per doubling.
fn linear(c: &mut Criterion) {
    let mut group = c.benchmark_group("chanlinear");
    for n in [250usize, 500, 1000, 2000] {
        group.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, &n| {
            b.iter_custom(|iters| (0..iters).map(|_| chanlinear(n)).sum())
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_millis(1200));
    targets = channels
}
criterion_group! {
    name = linear_benches;
    config = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2));
    targets = linear
}
criterion_main!(benches, linear_benches);
