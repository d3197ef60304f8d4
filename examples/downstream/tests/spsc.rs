//! The SPSC queue under the build's checker: stress on real threads (`cargo test`), loom under
//! `--cfg loom`, shuttle under `--cfg shuttle`.

use downstream::spsc::{self, Consumer, Producer};
use racezoo::check::{self, Verdict};
use racezoo::sync::{FLAVOUR, Flavour, thread};

/// Sends 1, 2, 3 through a queue of capacity 2 and checks they arrive in order.
fn in_order(channel: fn(usize) -> (Producer<u32>, Consumer<u32>)) {
    let (mut tx, mut rx) = channel(2);
    let producer = thread::spawn(move || {
        for v in 1..=3 {
            let mut v = v;
            while let Err(back) = tx.push(v) {
                v = back;
                thread::yield_now();
            }
        }
    });
    let mut got = Vec::new();
    while got.len() < 3 {
        match rx.pop() {
            Some(v) => got.push(v),
            None => thread::yield_now(),
        }
    }
    producer.join().unwrap();
    assert_eq!(got, [1, 2, 3], "values lost, duplicated or reordered");
}

#[test]
fn spsc_delivers_every_value_in_order() {
    let report = check::run_default(|| in_order(spsc::channel));
    assert_eq!(report.verdict, Verdict::Pass, "{report}");
}

#[test]
fn spsc_publishing_with_relaxed_is_a_data_race_that_loom_finds() {
    let report = check::run_default(|| in_order(spsc::broken::channel));
    match FLAVOUR {
        // loom models the weak memory: the consumer may read the slot before the producer's write.
        Flavour::Loom => assert_eq!(report.verdict, Verdict::DataRace, "{report}"),
        // shuttle runs every access as SeqCst and cannot see it: a documented blind spot.
        Flavour::Shuttle => assert_eq!(report.verdict, Verdict::Pass, "{report}"),
        // Real threads see it only if the compiler or the CPU reorders (rare on x86).
        Flavour::Std => assert!(
            matches!(report.verdict, Verdict::Pass | Verdict::Violation),
            "{report}"
        ),
    }
}

#[test]
fn spsc_drops_what_was_never_popped() {
    let report = check::run_default(|| {
        let (mut tx, rx) = spsc::channel(2);
        let item = racezoo::sync::Arc::new(());
        tx.push(item.clone()).unwrap();
        drop((tx, rx));
        assert_eq!(racezoo::sync::Arc::strong_count(&item), 1);
    });
    assert_eq!(report.verdict, Verdict::Pass, "{report}");
}
