//! `thread::scope` on the facade: scoped threads borrow, are joined by the scope, and their failures
//! are reported as the failure they are, under the flavour's native checker.

use racezoo::check::{self, Verdict};
use racezoo::sync::atomic::{AtomicUsize, Ordering};
use racezoo::sync::{FLAVOUR, Flavour, Mutex, thread};

#[test]
fn scoped_threads_borrow_and_are_joined_by_the_scope() {
    check::expect_pass(check::run_default(|| {
        let hits = AtomicUsize::new(0);
        let names = Mutex::new(Vec::new());
        thread::scope(|s| {
            s.spawn(|| {
                hits.fetch_add(1, Ordering::Relaxed);
                names.lock().push("a");
            });
            s.spawn(|| {
                hits.fetch_add(1, Ordering::Relaxed);
                names.lock().push("b");
            });
        });
        // Both threads are done once the scope returns: nothing needs joining.
        assert_eq!(hits.load(Ordering::Relaxed), 2);
        assert_eq!(names.lock().len(), 2);
    }));
}

#[test]
fn join_returns_a_result_that_borrows_from_outside() {
    check::expect_pass(check::run_default(|| {
        let words = [String::from("left"), String::from("right")];
        let (a, b) = thread::scope(|s| {
            let a = s.spawn(|| words[0].as_str());
            let b = s.spawn(|| words[1].len());
            (a.join().unwrap(), b.join().unwrap())
        });
        assert_eq!((a, b), ("left", 5));
    }));
}

#[test]
fn a_scoped_thread_may_spawn_into_the_same_scope() {
    check::expect_pass(check::run_default(|| {
        let hits = AtomicUsize::new(0);
        thread::scope(|s| {
            s.spawn(|| {
                s.spawn(|| hits.fetch_add(1, Ordering::Relaxed));
                hits.fetch_add(1, Ordering::Relaxed);
            });
        });
        assert_eq!(hits.load(Ordering::Relaxed), 2);
    }));
}

#[test]
fn a_joined_panic_is_returned_to_the_joiner() {
    // Real threads only: under the checkers any panic that escapes a thread ends the execution,
    // joined or not (`a_failing_scoped_thread_is_the_reported_failure`).
    if FLAVOUR != Flavour::Std {
        return;
    }
    let caught = thread::scope(|s| s.spawn(|| panic!("scoped job failed")).join());
    assert!(caught.is_err());
    let unjoined = std::panic::catch_unwind(|| {
        thread::scope(|s| {
            s.spawn(|| panic!("nobody joins me"));
        })
    });
    let payload = unjoined.expect_err("the scope panics for an unjoined panicked thread");
    assert_eq!(
        payload.downcast_ref::<&str>(),
        Some(&"a scoped thread panicked")
    );
}

#[test]
fn a_failing_scoped_thread_is_the_reported_failure() {
    let report = check::run_default(|| {
        let value = 41;
        thread::scope(|s| {
            s.spawn(|| assert_eq!(value + 1, 43, "the scoped thread's check"));
        });
    });
    assert_eq!(report.verdict, Verdict::Violation, "{report}");
    assert!(
        report
            .message
            .iter()
            .any(|m| m.contains("the scoped thread's check")),
        "{report}"
    );
}

/// Two scoped threads increment a borrowed counter with a load and a separate store.
fn lost_update() {
    let n = AtomicUsize::new(0);
    thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                let seen = n.load(Ordering::SeqCst);
                n.store(seen + 1, Ordering::SeqCst);
            });
        }
    });
    assert_eq!(n.load(Ordering::SeqCst), 2, "lost update");
}

#[test]
fn a_lost_update_between_scoped_threads_is_found_by_the_model_checkers() {
    let report = check::run_default(lost_update);
    match FLAVOUR {
        // Real threads find it only by luck: a two-instruction window.
        Flavour::Std => assert!(
            matches!(report.verdict, Verdict::Pass | Verdict::Violation),
            "{report}"
        ),
        Flavour::Loom | Flavour::Shuttle => {
            assert_eq!(report.verdict, Verdict::Violation, "{report}")
        }
    }
}
