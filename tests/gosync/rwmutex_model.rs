//! RwMutex under every checker of the build. Correct bodies pass everywhere; Go's recursive-read
//! deadlock is found under Go's rule; the reader-preferring twin is found breaking writer preference.

use std::time::Duration;

use crate::common::check;
use racezoo::check::Verdict;
use racezoo::rwmutex::RwMutex;
use racezoo::scenarios::Expect;
use racezoo::sync::{Arc, Condvar, FLAVOUR, Flavour, Mutex, thread};

/// One writer, two readers: the guards' accesses to the data are checked for races by loom, and
/// every thread must finish (no lost wake-up of a parked reader or writer).
fn readers_and_writer_exclude_body() {
    let rw = Arc::new(RwMutex::new((0u32, 0u32)));
    let writer = {
        let rw = rw.clone();
        thread::spawn(move || {
            let mut g = rw.write();
            g.0 += 1;
            g.1 += 1;
        })
    };
    let reader = {
        let rw = rw.clone();
        thread::spawn(move || {
            let g = rw.read();
            assert_eq!(g.0, g.1, "reader saw a half-done write");
        })
    };
    {
        let g = rw.read();
        assert_eq!(g.0, g.1, "reader saw a half-done write");
    }
    writer.join().unwrap();
    reader.join().unwrap();
    assert_eq!(*rw.read(), (1, 1));
}

#[test]
fn readers_and_writer_exclude_without_lost_wakeups() {
    check(
        readers_and_writer_exclude_body,
        Expect::Passes,
        Expect::Passes,
    );
}

/// Two writers and a reader contending: the second writer parks on the writer mutex, the reader
/// behind a pending writer; all must get through.
fn two_writers_and_a_reader_body() {
    let rw = Arc::new(RwMutex::new(0u32));
    let writers: Vec<_> = (0..2)
        .map(|_| {
            let rw = rw.clone();
            thread::spawn(move || *rw.write() += 1)
        })
        .collect();
    let seen = *rw.read();
    assert!(seen <= 2);
    for w in writers {
        w.join().unwrap();
    }
    assert_eq!(*rw.read(), 2);
}

#[test]
fn two_writers_and_a_reader_all_get_through() {
    check(
        two_writers_and_a_reader_body,
        Expect::Passes,
        Expect::Passes,
    );
}

/// How long main keeps probing for the pending writer: a few scheduling points under the checkers
/// (each `sleep` is a yield that lets the writer take at least one step), real time on std.
fn probes() -> usize {
    if FLAVOUR == Flavour::Std { 500 } else { 8 }
}

/// The two lock operations the writer-preference body needs, for the correct lock and its twin.
trait ReadWrite: Send + Sync + 'static {
    fn new() -> Self;
    /// Takes and releases a write lock.
    fn write_once(&self);
    /// Takes a read lock if possible without blocking, and holds it while `f` runs.
    fn try_read_with(&self, f: impl FnOnce()) -> bool;
    /// Takes a read lock (blocking) and holds it while `f` runs.
    fn read_with<R>(&self, f: impl FnOnce() -> R) -> R;
}

impl ReadWrite for RwMutex<()> {
    fn new() -> Self {
        RwMutex::new(())
    }
    fn write_once(&self) {
        drop(self.write());
    }
    fn try_read_with(&self, f: impl FnOnce()) -> bool {
        self.try_read().map(|_g| f()).is_some()
    }
    fn read_with<R>(&self, f: impl FnOnce() -> R) -> R {
        let _g = self.read();
        f()
    }
}

/// Writer preference: while main holds a read lock, a writer arrives; from the moment it waits, new
/// readers are refused. Main probes with `try_read` and must see a refusal.
fn writer_preference<L: ReadWrite>() {
    let rw = Arc::new(L::new());
    let writer = rw.read_with(|| {
        let writer = {
            let rw = rw.clone();
            thread::spawn(move || rw.write_once())
        };
        let mut refused = false;
        for _ in 0..probes() {
            if !rw.try_read_with(|| ()) {
                refused = true;
                break;
            }
            thread::sleep(Duration::from_millis(1));
        }
        assert!(
            refused,
            "violation: new readers kept getting in while a writer waited"
        );
        writer
    });
    writer.join().unwrap();
}

#[test]
fn a_waiting_writer_blocks_new_readers() {
    check(
        writer_preference::<RwMutex<()>>,
        Expect::Passes,
        Expect::Passes,
    );
}

/// Broken twin: a reader-preferring lock (readers wait only for a writer that is *inside*), the
/// policy std's `RwLock` may have on some platforms. It is a correct lock, but not Go's.
#[derive(Default)]
struct ReaderPreferring {
    /// (readers inside, writer inside)
    state: Mutex<(usize, bool)>,
    cv: Condvar,
}

impl ReadWrite for ReaderPreferring {
    fn new() -> Self {
        Self::default()
    }
    fn write_once(&self) {
        let mut s = self.cv.wait_while(self.state.lock(), |s| s.0 > 0 || s.1);
        s.1 = true;
        drop(s);
        self.state.lock().1 = false;
        self.cv.notify_all();
    }
    fn try_read_with(&self, f: impl FnOnce()) -> bool {
        let mut s = self.state.lock();
        // BUG (for Go's contract): a waiting writer does not stop new readers.
        if s.1 {
            return false;
        }
        s.0 += 1;
        drop(s);
        let _unlock = ReadUnlock(self);
        f();
        true
    }
    fn read_with<R>(&self, f: impl FnOnce() -> R) -> R {
        let mut s = self.cv.wait_while(self.state.lock(), |s| s.1);
        s.0 += 1;
        drop(s);
        let _unlock = ReadUnlock(self);
        f()
    }
}

/// Releases a read lock of the twin, also when the body's assertion unwinds.
struct ReadUnlock<'a>(&'a ReaderPreferring);

impl Drop for ReadUnlock<'_> {
    fn drop(&mut self) {
        self.0.state.lock().0 -= 1;
        self.0.cv.notify_all();
    }
}

#[test]
fn broken_reader_preferring_lock_is_found_breaking_writer_preference() {
    // Every checker finds it, stress included: main holds its read lock for the whole probe.
    check(
        writer_preference::<ReaderPreferring>,
        Expect::Finds(Verdict::Violation),
        Expect::Finds(Verdict::Violation),
    );
}
