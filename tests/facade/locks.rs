//! The facade's std-shaped primitives, `RwLock`, `OnceLock`, `LazyLock` and `Barrier`, under the
//! flavour's native checker (stress on std, loom under `--cfg loom`, shuttle under `--cfg shuttle`).

use racezoo::check::{self, Verdict};
use racezoo::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use racezoo::sync::{Arc, Barrier, LazyLock, OnceLock, RwLock, thread};

#[test]
fn rwlock_readers_never_see_half_a_write() {
    check::expect_pass(check::run_default(|| {
        let pair = Arc::new(RwLock::new((0, 0)));
        let writer = {
            let pair = pair.clone();
            thread::spawn(move || {
                let mut w = pair.write();
                w.0 += 1;
                w.1 += 1;
            })
        };
        let (a, b) = *pair.read();
        assert_eq!(a, b, "a reader saw half a write");
        writer.join().unwrap();
        assert_eq!(*pair.read(), (1, 1));
    }));
}

#[test]
fn rwlock_readers_share_and_writers_exclude() {
    check::expect_pass(check::run_default(|| {
        let lock = Arc::new(RwLock::new(5));
        let r1 = lock.read();
        let other = {
            let lock = lock.clone();
            // Another thread: loom cannot model one thread holding two read locks of one lock.
            thread::spawn(move || *lock.try_read().expect("readers share the lock"))
        };
        assert_eq!(*r1 + other.join().unwrap(), 10);
        assert!(lock.try_write().is_none(), "a writer must wait for readers");
        drop(r1);
        let mut w = lock.try_write().expect("free once the readers are gone");
        *w += 1;
        assert!(
            lock.try_read().is_none(),
            "a reader must wait for the writer"
        );
        drop(w);
        assert_eq!(*lock.read(), 6);
    }));
}

#[test]
fn rwlock_two_read_guards_on_one_thread_are_refused_under_the_checkers_by_name() {
    let report = check::run_default(|| {
        let lock = RwLock::new(1);
        let a = lock.read();
        let b = lock.read();
        assert_eq!(*a + *b, 2);
    });
    // loom would corrupt its state, shuttle would call it a deadlock: neither is the truth.
    if racezoo::sync::FLAVOUR != racezoo::sync::Flavour::Std {
        assert_eq!(report.verdict, Verdict::Panic, "{report}");
        assert!(
            report
                .message
                .iter()
                .any(|m| m.contains("racezoo::sync::RwLock")),
            "{report}"
        );
    } else {
        assert_eq!(report.verdict, Verdict::Pass, "{report}");
    }
}

#[test]
fn once_lock_runs_one_initializer_and_everyone_sees_its_value() {
    check::expect_pass(check::run_default(|| {
        let cell = Arc::new(OnceLock::new());
        let runs = Arc::new(AtomicUsize::new(0));
        let init = |cell: &OnceLock<usize>, runs: &AtomicUsize, v| {
            *cell.get_or_init(|| {
                runs.fetch_add(1, Ordering::Relaxed);
                v
            })
        };
        let t = {
            let (cell, runs) = (cell.clone(), runs.clone());
            thread::spawn(move || init(&cell, &runs, 1))
        };
        let here = init(&cell, &runs, 2);
        let there = t.join().unwrap();
        assert_eq!(here, there, "both threads see the same value");
        assert_eq!(
            runs.load(Ordering::Relaxed),
            1,
            "exactly one initializer ran"
        );
        assert_eq!(cell.get(), Some(&here));
    }));
}

#[test]
fn once_lock_set_fails_once_full_and_a_panicking_initializer_leaves_it_empty() {
    check::expect_pass(check::run_default(|| {
        let cell = OnceLock::new();
        assert_eq!(cell.get(), None);
        assert_eq!(cell.set(1), Ok(()));
        assert_eq!(cell.set(2), Err(2));
        let mut cell = cell;
        assert_eq!(cell.take(), Some(1));
        assert_eq!(cell.get(), None);
    }));
    // On real threads, outside a check: a caught panic in the initializer (under loom the facade's
    // lock would poison, see the facade's docs).
    if racezoo::sync::FLAVOUR == racezoo::sync::Flavour::Std {
        let cell = OnceLock::new();
        let failed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            cell.get_or_init(|| -> u8 { panic!("initializer failed") })
        }));
        assert!(failed.is_err());
        assert_eq!(cell.get_or_init(|| 7), &7);
    }
}

#[test]
fn once_lock_get_after_another_thread_published_sees_the_value() {
    check::expect_pass(check::run_default(|| {
        let cell = Arc::new(OnceLock::new());
        let t = {
            let cell = cell.clone();
            thread::spawn(move || cell.set(String::from("ready")).unwrap())
        };
        // Either empty or the whole value: never a torn one (loom checks the cell for races).
        if let Some(v) = cell.get() {
            assert_eq!(v, "ready");
        }
        t.join().unwrap();
        assert_eq!(cell.get().map(String::as_str), Some("ready"));
    }));
}

#[test]
fn lazy_lock_initializes_once_across_threads() {
    check::expect_pass(check::run_default(|| {
        let runs = Arc::new(AtomicUsize::new(0));
        let lazy = {
            let runs = runs.clone();
            Arc::new(LazyLock::new(move || {
                runs.fetch_add(1, Ordering::Relaxed);
                vec![1, 2, 3]
            }))
        };
        let t = {
            let lazy = lazy.clone();
            thread::spawn(move || lazy.len())
        };
        assert_eq!(lazy.iter().sum::<i32>(), 6);
        assert_eq!(t.join().unwrap(), 3);
        assert_eq!(runs.load(Ordering::Relaxed), 1);
    }));
}

#[test]
fn barrier_releases_nobody_before_everyone_arrived_and_elects_one_leader() {
    check::expect_pass(check::run_default(|| {
        let barrier = Arc::new(Barrier::new(2));
        let arrived = Arc::new([AtomicBool::new(false), AtomicBool::new(false)]);
        let leaders = Arc::new(AtomicUsize::new(0));
        let party =
            |i: usize, barrier: &Barrier, arrived: &[AtomicBool; 2], leaders: &AtomicUsize| {
                for _round in 0..2 {
                    arrived[i].store(true, Ordering::Relaxed);
                    if barrier.wait().is_leader() {
                        leaders.fetch_add(1, Ordering::Relaxed);
                    }
                    // The barrier orders the other's arrival before this point.
                    assert!(arrived[1 - i].load(Ordering::Relaxed), "released too early");
                }
            };
        let t = {
            let (barrier, arrived, leaders) = (barrier.clone(), arrived.clone(), leaders.clone());
            thread::spawn(move || party(1, &barrier, &arrived, &leaders))
        };
        party(0, &barrier, &arrived, &leaders);
        t.join().unwrap();
        assert_eq!(leaders.load(Ordering::Relaxed), 2, "one leader per round");
    }));
}

#[test]
fn barrier_for_more_threads_than_arrive_is_a_deadlock() {
    let report = check::run_default(|| {
        let barrier = Barrier::new(2);
        barrier.wait();
    });
    let expected = match racezoo::sync::FLAVOUR {
        racezoo::sync::Flavour::Std => Verdict::Hang,
        _ => Verdict::Deadlock,
    };
    assert_eq!(report.verdict, expected, "{report}");
}
