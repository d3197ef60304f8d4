//! Every atomic width, `AtomicPtr`, `thread_local!` and `static` synchronization objects through
//! `racezoo::lazy_static!`, under the flavour's native checker.

use std::cell::Cell;

use racezoo::check;
use racezoo::sync::atomic::{
    AtomicBool, AtomicI8, AtomicI16, AtomicI32, AtomicI64, AtomicIsize, AtomicPtr, AtomicU8,
    AtomicU16, AtomicU32, AtomicU64, AtomicUsize, Ordering,
};
use racezoo::sync::{Arc, Mutex, thread};

racezoo::lazy_static! {
    /// A `static` atomic: under loom and shuttle a fresh one in every execution.
    static ref HITS: AtomicUsize = AtomicUsize::new(0);
    static ref LOG: Mutex<Vec<u8>> = Mutex::new(Vec::new());
}

racezoo::thread_local! {
    static MINE: Cell<u32> = const { Cell::new(0) };
    static OTHER: Cell<u32> = Cell::new(10);
}

/// One of each width, each starting one below its maximum.
#[derive(Default)]
struct Widths {
    u8: AtomicU8,
    i8: AtomicI8,
    u16: AtomicU16,
    i16: AtomicI16,
    u32: AtomicU32,
    i32: AtomicI32,
    u64: AtomicU64,
    i64: AtomicI64,
    usize: AtomicUsize,
    isize: AtomicIsize,
}

macro_rules! each_width {
    ($w:ident, $body:ident) => {
        [
            $body!($w.u8, u8),
            $body!($w.i8, i8),
            $body!($w.u16, u16),
            $body!($w.i16, i16),
            $body!($w.u32, u32),
            $body!($w.i32, i32),
            $body!($w.u64, u64),
            $body!($w.i64, i64),
            $body!($w.usize, usize),
            $body!($w.isize, isize),
        ]
    };
}

/// Adds one to every width; returns the values seen, widened.
fn add_one(w: &Widths) -> [i128; 10] {
    macro_rules! add {
        ($a:expr, $t:ty) => {
            $a.fetch_add(1, Ordering::AcqRel) as i128
        };
    }
    each_width!(w, add)
}

#[test]
fn every_integer_width_is_atomic() {
    check::expect_pass(check::run_default(|| {
        let w = Arc::new(Widths::default());
        macro_rules! start {
            ($a:expr, $t:ty) => {
                $a.store(<$t>::MAX - 1, Ordering::Relaxed)
            };
        }
        let _ = each_width!(w, start);
        let t = {
            let w = w.clone();
            thread::spawn(move || add_one(&w))
        };
        let mine = add_one(&w);
        let theirs = t.join().unwrap();
        // Each thread saw a different value of every atomic, and the second addition wrapped.
        for (m, t) in mine.iter().zip(theirs.iter()) {
            assert_ne!(m, t);
        }
        macro_rules! wrapped {
            ($a:expr, $t:ty) => {
                $a.load(Ordering::Acquire) == <$t>::MIN
            };
        }
        assert_eq!(each_width!(w, wrapped), [true; 10]);
        let flag = AtomicBool::new(false);
        assert!(!flag.fetch_or(true, Ordering::Relaxed));
        assert!(flag.into_inner());
    }));
}

#[test]
fn atomic_ptr_publishes_a_value() {
    check::expect_pass(check::run_default(|| {
        let slot = Arc::new(AtomicPtr::<u64>::new(std::ptr::null_mut()));
        let t = {
            let slot = slot.clone();
            thread::spawn(move || {
                let boxed = Box::into_raw(Box::new(42u64));
                slot.store(boxed, Ordering::Release);
            })
        };
        t.join().unwrap();
        let p = slot.swap(std::ptr::null_mut(), Ordering::Acquire);
        assert!(!p.is_null());
        // SAFETY: the thread published a `Box` with Release; the swap took it out with Acquire, so
        // this is its only owner.
        let value = unsafe { Box::from_raw(p) };
        assert_eq!(*value, 42);
    }));
}

#[test]
fn a_lazy_static_is_fresh_in_every_execution() {
    check::expect_pass(check::run_default(|| {
        let t = thread::spawn(|| {
            HITS.fetch_add(1, Ordering::Relaxed);
            LOG.lock().push(1);
        });
        HITS.fetch_add(1, Ordering::Relaxed);
        LOG.lock().push(0);
        t.join().unwrap();
        // Under loom and shuttle each execution starts from 0; on real threads the static lives
        // across runs, so there only the count's parity is fixed.
        let hits = HITS.load(Ordering::Relaxed);
        match racezoo::sync::FLAVOUR {
            racezoo::sync::Flavour::Std => assert_eq!(hits % 2, 0),
            _ => {
                assert_eq!(hits, 2, "a static kept its value from an earlier execution");
                assert_eq!(LOG.lock().len(), 2);
            }
        }
    }));
}

#[test]
fn thread_locals_belong_to_one_thread() {
    check::expect_pass(check::run_default(|| {
        MINE.with(|m| m.set(1));
        let t = thread::spawn(|| {
            assert_eq!(
                MINE.with(Cell::get),
                0,
                "a new thread starts with the initial value"
            );
            MINE.with(|m| m.set(2));
            OTHER.with(Cell::get)
        });
        assert_eq!(t.join().unwrap(), 10);
        assert_eq!(MINE.with(Cell::get), 1);
        MINE.with(|m| m.set(0));
    }));
}
