//! The README's code blocks outside its downstream section, verbatim (indented into test
//! functions; `tests/facade/readme.rs` fails if any README block is not, character for character,
//! in this file or in `examples/downstream/tests/readme.rs`), run as tests. They use real threads
//! (`std::thread`, `threadpool`) outside any check, so they run in the std flavour only.
#![cfg(not(any(loom, shuttle)))]
#![cfg_attr(rustfmt, rustfmt::skip)]

/// "The patterns": a rendezvous channel read through `select` with a timeout.
#[test]
fn readme_patterns_select_with_a_timeout() {
    use racezoo::chan::{channel, select, after};
    use std::time::Duration;

    let (tx, rx) = channel::<u32>(0);                  // unbuffered: send returns once received
    std::thread::spawn(move || { tx.send(7).unwrap(); tx.close(); });
    let timeout = after(Duration::from_secs(1));
    select()
        .recv(&rx, |v| println!("got {v:?}"))
        .after(&timeout, |_| println!("timed out"))
        .wait();
}

/// "The suite: run any pool through it": a four-method adapter run through three checks.
#[test]
fn readme_suite_runs_a_fire_and_forget_pool() {
    use racezoo::suite::{Check, Job, Suite, SuitePool};

    // A fire-and-forget pool: four methods, no capability declared.
    struct MyPool(threadpool::ThreadPool);

    impl SuitePool for MyPool {
        fn create(workers: usize, _capacity: usize) -> Self { MyPool(threadpool::ThreadPool::new(workers)) }
        fn submit(&self, job: Job) -> Result<(), Job> { self.0.execute(move || job.run()); Ok(()) }
        fn join(&self) { self.0.join() }
        fn shutdown(&self) { self.0.join() } // threadpool has no shutdown
    }

    let report = Suite::new()
        .with_checks(&[Check::ExactlyOnce, Check::PanicIsolation, Check::HandleAfterPanic])
        .run::<MyPool>("my pool");
    println!("{report}");   // one row per check: pass / FAIL / skip, verdict, reason
    report.assert_passed(); // a failing check fails your test, with the table
    assert_eq!(report.skipped(), [Check::HandleAfterPanic]); // needs `Claims::handles`
}
