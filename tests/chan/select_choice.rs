//! Which of several ready cases a `select` takes, in each flavour (`racezoo::sync::choice`):
//!
//! * on real threads, uniformly at random, as Go does: chi-square and binomial bounds over many
//!   selects, each at a false-failure probability of about 1e-9 (no timing involved);
//! * under shuttle, a decision of the schedule: random and PCT schedules take every ready case, and
//!   replaying a failure that needs one particular choice makes the same choice again;
//! * under loom, always the first ready case in the order the cases were listed: loom cannot branch
//!   on a value, so a bug that needs another choice is invisible to it (the documented limitation).
//!
//! The same holds for a select made only of context-done cases (and, on real threads, of expired
//! timers): its choice used to be the same in every run, even on real threads.

#[cfg(any(loom, shuttle))]
use std::sync::atomic::AtomicUsize as StdAtomicUsize;
#[cfg(any(loom, shuttle))]
use std::sync::atomic::Ordering::Relaxed as StdRelaxed;

#[cfg(any(loom, shuttle))]
use racezoo::chan::{channel, select};
#[cfg(any(loom, shuttle))]
use racezoo::context::Context;
#[cfg(any(loom, shuttle))]
use racezoo::sync::thread;

/// Two capacity-1 channels with one value each (sent from two spawned threads, so that every
/// checker, PCT included, sees concurrency), then `select().recv(&ra, 0).recv(&rb, 1)`: returns the case
/// taken. The reproduction of the trust issue's item 1.
#[cfg(any(loom, shuttle))]
fn choose_between_two_ready_receives() -> usize {
    let (ta, ra) = channel::<u32>(1);
    let (tb, rb) = channel::<u32>(1);
    let a = thread::spawn(move || ta.send(1).unwrap());
    let b = thread::spawn(move || tb.send(2).unwrap());
    a.join().unwrap();
    b.join().unwrap();
    select().recv(&ra, |_| 0).recv(&rb, |_| 1).wait()
}

/// Two cancelled contexts, then a select of their done cases alone: returns the case taken.
#[cfg(any(loom, shuttle))]
fn choose_between_two_done_cases() -> usize {
    let (a, cancel_a) = Context::with_cancel(&Context::background());
    let (b, cancel_b) = Context::with_cancel(&Context::background());
    let first = thread::spawn(move || cancel_a.cancel());
    let second = thread::spawn(move || cancel_b.cancel());
    first.join().unwrap();
    second.join().unwrap();
    let (done_a, done_b) = (a.done(), b.done());
    select().done(&done_a, || 0).done(&done_b, || 1).wait()
}

#[cfg(not(any(loom, shuttle)))]
mod real_threads {
    use std::time::Duration;

    use racezoo::chan::{after, channel, select};
    use racezoo::context::Context;

    /// The chi-square statistic of `counts` against a uniform distribution.
    fn chi_square(counts: &[u64]) -> f64 {
        let total: u64 = counts.iter().sum();
        let expected = total as f64 / counts.len() as f64;
        counts
            .iter()
            .map(|&c| (c as f64 - expected).powi(2) / expected)
            .sum()
    }

    /// The value a chi-square statistic with 1 degree of freedom exceeds with probability 1e-9
    /// (6.11², the two-sided normal bound).
    const CHI2_1DOF_1E9: f64 = 37.33;
    /// The same with 3 degrees of freedom: Q(x) = erfc(√(x/2)) + √(2x/π)·e^(−x/2) = 1e-9.
    const CHI2_3DOF_1E9: f64 = 44.85;

    const SELECTS: u64 = 20_000;

    #[test]
    fn select_takes_each_of_four_ready_cases_uniformly_at_random() {
        // Two receives that find a value and two sends that find room, all ready every time.
        let chans: Vec<_> = (0..4).map(|_| channel::<u32>(1)).collect();
        for (tx, _) in &chans[..2] {
            tx.send(0).unwrap();
        }
        let mut counts = [0u64; 4];
        for _ in 0..SELECTS {
            let case = select()
                .recv(&chans[0].1, |_| 0)
                .recv(&chans[1].1, |_| 1)
                .send(&chans[2].0, 0, |_| 2)
                .send(&chans[3].0, 0, |_| 3)
                .wait();
            counts[case] += 1;
            // Put the taken case back in its ready state.
            match case {
                0 | 1 => chans[case].0.send(0).unwrap(),
                _ => {
                    chans[case].1.recv().unwrap();
                }
            }
        }
        let chi2 = chi_square(&counts);
        assert!(chi2 < CHI2_3DOF_1E9, "counts {counts:?}, chi² {chi2}");
    }

    #[test]
    fn select_takes_each_ready_case_uniformly_and_never_one_that_is_not_ready() {
        let (ta, ra) = channel::<u32>(1);
        let (_tb, rb) = channel::<u32>(1);
        let (tc, rc) = channel::<u32>(1);
        ta.send(0).unwrap();
        tc.send(0).unwrap();
        let mut counts = [0u64; 3];
        for _ in 0..SELECTS {
            let case = select()
                .recv(&ra, |_| 0)
                .recv(&rb, |_| 1)
                .recv(&rc, |_| 2)
                .wait();
            counts[case] += 1;
            [&ta, &ta, &tc][case].send(0).unwrap();
        }
        assert_eq!(counts[1], 0, "an empty channel's case was taken");
        let chi2 = chi_square(&[counts[0], counts[2]]);
        assert!(chi2 < CHI2_1DOF_1E9, "counts {counts:?}, chi² {chi2}");
    }

    #[test]
    fn select_of_done_cases_only_takes_each_cancelled_one_uniformly() {
        let (a, cancel_a) = Context::with_cancel(&Context::background());
        let (b, cancel_b) = Context::with_cancel(&Context::background());
        cancel_a.cancel();
        cancel_b.cancel();
        let (done_a, done_b) = (a.done(), b.done());
        let mut counts = [0u64; 2];
        for _ in 0..SELECTS {
            counts[select().done(&done_a, || 0).done(&done_b, || 1).wait()] += 1;
        }
        let chi2 = chi_square(&counts);
        assert!(chi2 < CHI2_1DOF_1E9, "counts {counts:?}, chi² {chi2}");
    }

    #[test]
    fn select_of_expired_timers_only_takes_each_uniformly() {
        let mut counts = [0u64; 2];
        for _ in 0..SELECTS {
            // Both deadlines have passed when the select polls: both cases are ready.
            let (t0, t1) = (after(Duration::ZERO), after(Duration::ZERO));
            counts[select().after(&t0, |_| 0).after(&t1, |_| 1).wait()] += 1;
        }
        let chi2 = chi_square(&counts);
        assert!(chi2 < CHI2_1DOF_1E9, "counts {counts:?}, chi² {chi2}");
    }
}

/// Runs `body` (which returns the case taken) under `run` and returns how often each of two cases
/// was taken across the executions.
#[cfg(any(loom, shuttle))]
fn counts_under(
    run: impl FnOnce(Box<dyn Fn() + Send + Sync>) -> racezoo::check::Report,
    body: fn() -> usize,
) -> [usize; 2] {
    static COUNTS: [StdAtomicUsize; 2] = [StdAtomicUsize::new(0), StdAtomicUsize::new(0)];
    // Tests of this file run one at a time through this lock (they share `COUNTS`).
    static SERIAL: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    for c in &COUNTS {
        c.store(0, StdRelaxed);
    }
    let report = run(Box::new(move || {
        COUNTS[body()].fetch_add(1, StdRelaxed);
    }));
    eprintln!("{report}");
    assert!(report.passed(), "{report}");
    [COUNTS[0].load(StdRelaxed), COUNTS[1].load(StdRelaxed)]
}

#[cfg(shuttle)]
mod shuttle_schedules {
    use racezoo::check::{self, Config, Verdict};

    use super::*;

    const ITERATIONS: usize = 200;

    fn config() -> Config {
        Config {
            iterations: ITERATIONS,
            ..Config::default()
        }
    }

    /// Asserts that both cases were taken, each at least 40 times in 200 (a fair coin falls below
    /// that with probability about 1e-18).
    fn assert_both_explored(counts: [usize; 2]) {
        assert_eq!(counts[0] + counts[1], ITERATIONS, "{counts:?}");
        assert!(counts.iter().all(|&c| c >= 40), "counts {counts:?}");
    }

    #[test]
    fn shuttle_random_explores_both_ready_receives_of_a_select() {
        assert_both_explored(counts_under(
            |body| check::shuttle_random(&config(), body).unwrap(),
            choose_between_two_ready_receives,
        ));
    }

    #[test]
    fn shuttle_pct_explores_both_ready_receives_of_a_select() {
        assert_both_explored(counts_under(
            |body| check::shuttle_pct(&config(), body).unwrap(),
            choose_between_two_ready_receives,
        ));
    }

    #[test]
    fn shuttle_random_and_pct_explore_both_cancelled_done_cases_of_a_select() {
        assert_both_explored(counts_under(
            |body| check::shuttle_random(&config(), body).unwrap(),
            choose_between_two_done_cases,
        ));
        assert_both_explored(counts_under(
            |body| check::shuttle_pct(&config(), body).unwrap(),
            choose_between_two_done_cases,
        ));
    }

    /// A bug that shows only when the select takes case `bad` of two ready ones.
    fn fails_on_case<const BAD: usize>() {
        assert_ne!(
            choose_between_two_ready_receives(),
            BAD,
            "violation: the select took ready case {BAD}"
        );
    }

    /// Whichever case a bug needs, both schedulers find it, and replaying the failing schedule makes
    /// the same choice again (the handle holds the schedule's decisions).
    #[test]
    fn a_failure_that_needs_either_ready_case_is_found_and_replayed_exactly() {
        let bodies: [fn(); 2] = [fails_on_case::<0>, fails_on_case::<1>];
        for body in bodies {
            for report in [
                check::shuttle_random(&config(), body).unwrap(),
                check::shuttle_pct(&config(), body).unwrap(),
            ] {
                eprintln!("{report}");
                assert_eq!(report.verdict, Verdict::Violation, "{report}");
                let handle = report
                    .replay
                    .clone()
                    .expect("shuttle gives a replay handle");
                for _ in 0..5 {
                    let again = check::replay(&handle, body).unwrap();
                    assert_eq!(again.verdict, Verdict::Violation, "{again}");
                    assert_eq!(again.message, report.message, "{again}");
                }
            }
        }
    }
}

#[cfg(loom)]
mod loom_limitation {
    use racezoo::check::{self, Config};

    use super::*;

    /// loom cannot branch on a value (`racezoo::sync::choice`): in every execution it explores, the
    /// select takes the first ready case as listed, and a bug that needs the other one stays hidden.
    #[test]
    fn loom_always_takes_the_first_ready_case_listed_and_never_explores_the_other() {
        let counts = counts_under(
            |body| check::loom(&Config::default(), body).unwrap(),
            choose_between_two_ready_receives,
        );
        assert!(counts[0] > 0 && counts[1] == 0, "counts {counts:?}");
        let counts = counts_under(
            |body| check::loom(&Config::default(), body).unwrap(),
            choose_between_two_done_cases,
        );
        assert!(counts[0] > 0 && counts[1] == 0, "counts {counts:?}");
    }

    /// Listing the cases the other way round makes loom take the other one: the choice follows the
    /// listing order, not the channels.
    #[test]
    fn under_loom_the_choice_follows_the_listing_order() {
        let counts = counts_under(
            |body| check::loom(&Config::default(), body).unwrap(),
            || {
                let (ta, ra) = channel::<u32>(1);
                let (tb, rb) = channel::<u32>(1);
                let a = thread::spawn(move || ta.send(1).unwrap());
                let b = thread::spawn(move || tb.send(2).unwrap());
                a.join().unwrap();
                b.join().unwrap();
                select().recv(&rb, |_| 1).recv(&ra, |_| 0).wait()
            },
        );
        assert!(counts[1] > 0 && counts[0] == 0, "counts {counts:?}");
    }
}
