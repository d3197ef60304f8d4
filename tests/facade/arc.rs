//! The facade's `Arc` makes its drops visible to loom: the last drop of a value synchronizes with
//! every earlier one, so a destructor that touches what another thread wrote is no false data race
//! (trust issue, item 4). And no false negative: a real race is still one.
//!
//! Runs under the flavour's native checker (loom, shuttle, or stress on std); the false alarms were
//! loom's, the other flavours keep the bodies honest.

use racezoo::chan::channel;
use racezoo::check::{self, Config, Verdict};
use racezoo::sync::cell::UnsafeCell;
use racezoo::sync::{Arc, FLAVOUR, Flavour, thread};

fn config() -> Config {
    Config {
        preemptions: Some(2),
        iterations: 500,
        runs: 50,
        seed: Some(11),
        ..Config::default()
    }
}

fn run(body: fn()) -> check::Report {
    let report = match FLAVOUR {
        Flavour::Std => check::stress(&config(), body),
        Flavour::Loom => check::loom(&config(), body),
        Flavour::Shuttle => check::shuttle_random(&config(), body),
    };
    report.unwrap()
}

/// The reported shape: the sender's thread writes the slot; main drops the last handle, and the
/// channel's destructor drops the buffered value in that slot.
#[test]
fn last_channel_handle_dropped_on_another_thread_than_the_sender_passes() {
    let report = run(|| {
        let (tx, rx) = channel::<i32>(1);
        thread::spawn(move || tx.send(1).unwrap());
        thread::yield_now();
        drop(rx);
    });
    assert_eq!(report.verdict, Verdict::Pass, "{report}");
    assert!(report.complete, "{report}");
}

/// A cell whose only synchronization is the reference count.
struct Slot(UnsafeCell<Box<u32>>);

// SAFETY: the bodies below write the cell only while holding the only handle that touches it, and
// the destructor runs after every handle is dropped.
unsafe impl Sync for Slot {}

impl Drop for Slot {
    fn drop(&mut self) {
        // SAFETY: the last handle is gone: nobody else can access the cell.
        self.0.with_mut(|p| unsafe { **p = 0 });
    }
}

/// A second correct shape: a thread writes through its handle and drops it; main drops the other
/// handle, and whichever drop is last runs the destructor, which writes the cell again.
#[test]
fn destructor_after_a_write_on_another_thread_passes() {
    let report = run(|| {
        let slot = Arc::new(Slot(UnsafeCell::new(Box::new(0))));
        let t = {
            let slot = slot.clone();
            thread::spawn(move || {
                // SAFETY: main never touches the cell before its handle's drop; see `Slot`.
                slot.0.with_mut(|p| unsafe { **p = 1 });
            })
        };
        // Let the thread run first, so that main's drop can be the last one.
        thread::yield_now();
        drop(slot);
        drop(t);
    });
    assert_eq!(report.verdict, Verdict::Pass, "{report}");
    assert!(report.complete, "{report}");
}

/// Writes to a shared cell from two threads with nothing between them but `Arc` clones: a real race.
struct Racy(UnsafeCell<u32>);

// SAFETY: deliberately not: this type exists to be caught racing.
unsafe impl Sync for Racy {}

#[test]
fn a_real_race_next_to_an_arc_is_still_a_data_race() {
    if FLAVOUR != Flavour::Loom {
        // Only loom detects data races on cells.
        return;
    }
    let report = run(|| {
        let cell = Arc::new(Racy(UnsafeCell::new(0)));
        let t = {
            let cell = cell.clone();
            // SAFETY: none; the race is the point.
            thread::spawn(move || cell.0.with_mut(|p| unsafe { *p += 1 }))
        };
        // SAFETY: as above.
        cell.0.with_mut(|p| unsafe { *p += 1 });
        t.join().unwrap();
    });
    assert_eq!(report.verdict, Verdict::DataRace, "{report}");
}

#[test]
fn an_access_after_dropping_a_clone_still_races_with_the_dropper() {
    if FLAVOUR != Flavour::Loom {
        return;
    }
    // The drop of a clone that is not the last one releases, but acquires nothing: main's write
    // after its own drop races with the thread's write before the thread's drop.
    let report = run(|| {
        let keep = Arc::new(Racy(UnsafeCell::new(0)));
        let shared: &'static Racy = Box::leak(Box::new(Racy(UnsafeCell::new(0))));
        let t = {
            let keep = keep.clone();
            thread::spawn(move || {
                // SAFETY: none; the race is the point.
                shared.0.with_mut(|p| unsafe { *p += 1 });
                drop(keep);
            })
        };
        let extra = keep.clone();
        drop(extra);
        // SAFETY: as above.
        shared.0.with_mut(|p| unsafe { *p += 1 });
        drop(t);
    });
    assert_eq!(report.verdict, Verdict::DataRace, "{report}");
}

#[test]
fn arc_api_works_inside_and_outside_a_check() {
    // Outside any check: a plain reference-counted pointer.
    let a = Arc::new(5);
    let b = a.clone();
    assert!(Arc::ptr_eq(&a, &b));
    assert_eq!(Arc::strong_count(&a), 2);
    let w = Arc::downgrade(&a);
    drop(b);
    assert_eq!(Arc::try_unwrap(a).ok(), Some(5));
    assert!(w.upgrade().is_none());
    let d: Arc<dyn std::fmt::Display + Send + Sync> = Arc::from(Box::new(7) as Box<_>);
    assert_eq!(d.to_string(), "7");
    // Captured by a body and used across executions, then dropped after the check.
    // (Not a loom cell: those exist only inside an execution.)
    let captured = Arc::new(vec![3u8]);
    let report = run_with(move || {
        let mine = captured.clone();
        let t = {
            let other = captured.clone();
            thread::spawn(move || drop(other))
        };
        let mut unique = Arc::new(1u8);
        *Arc::get_mut(&mut unique).unwrap() += 1;
        assert_eq!(Arc::into_inner(unique), Some(2));
        drop(mine);
        drop(t);
    });
    assert_eq!(report.verdict, Verdict::Pass, "{report}");
}

fn run_with(body: impl Fn() + Send + Sync + 'static) -> check::Report {
    let report = match FLAVOUR {
        Flavour::Std => check::stress(&config(), body),
        Flavour::Loom => check::loom(&config(), body),
        Flavour::Shuttle => check::shuttle_random(&config(), body),
    };
    report.unwrap()
}
