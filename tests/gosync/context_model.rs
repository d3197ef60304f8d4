//! Context under every checker of the build: cancellation racing with done-waiters, with a child
//! being derived, and with a deadline; and a broken twin whose child registration races with the
//! parent's cancellation.

use std::time::Duration;

use crate::common::check;
use racezoo::check::Verdict;
use racezoo::context::{Context, ContextError};
use racezoo::scenarios::Expect;
use racezoo::sync::atomic::{AtomicBool, Ordering};
use racezoo::sync::cell::UnsafeCell;
use racezoo::sync::{Arc, Condvar, Mutex, thread};

/// A value written before `cancel` and read after `done().wait()` returns: loom flags the read if
/// cancellation does not happen before the end of the wait.
struct Published(UnsafeCell<u32>);

// SAFETY: written once before the cancellation, read only after observing it (checked by loom).
unsafe impl Sync for Published {}

/// main cancels; one thread waits on the context, another derives a child concurrently and waits
/// on the child. Both must wake, see `Canceled`, and see the value published before the cancel.
fn cancel_races_with_done_waiters_body() {
    let (ctx, cancel) = Context::with_cancel(&Context::background());
    let data = Arc::new(Published(UnsafeCell::new(0)));
    let waiter = {
        let (ctx, data) = (ctx.clone(), data.clone());
        thread::spawn(move || {
            ctx.done().wait();
            assert_eq!(ctx.err(), Some(ContextError::Canceled));
            // SAFETY: the write happens before the cancellation we observed.
            assert_eq!(data.0.with(|p| unsafe { *p }), 7);
        })
    };
    let deriver = {
        let ctx = ctx.clone();
        thread::spawn(move || {
            let (child, _cancel_child) = Context::with_cancel(&ctx);
            child.done().wait();
            assert_eq!(child.err(), Some(ContextError::Canceled));
        })
    };
    // SAFETY: no reader can run before the cancellation below.
    data.0.with_mut(|p| unsafe { *p = 7 });
    cancel.cancel();
    cancel.cancel();
    waiter.join().unwrap();
    deriver.join().unwrap();
}

#[test]
fn cancel_races_with_done_waiters_and_child_derivation() {
    check(
        cancel_races_with_done_waiters_body,
        Expect::Passes,
        Expect::Passes,
    );
}

/// A deadline (fired by the timer thread at an arbitrary point under the checkers) races with an
/// explicit cancel: exactly one wins, and a child sees the winner's error.
fn timeout_races_with_cancel_body() {
    let (ctx, cancel) = Context::with_timeout(&Context::background(), Duration::from_millis(1));
    let (child, cancel_child) = Context::with_cancel(&ctx);
    let canceller = thread::spawn(move || cancel.cancel());
    child.done().wait();
    let err = ctx.err().expect("cancelled");
    assert_eq!(child.err(), Some(err), "child and parent disagree");
    canceller.join().unwrap();
    cancel_child.cancel();
}

#[test]
fn timeout_races_with_cancel_and_one_error_wins() {
    check(
        timeout_races_with_cancel_body,
        Expect::Passes,
        Expect::Passes,
    );
}

/// A child is cancelled while a grandchild is being derived from it: the grandchild ends cancelled
/// either way, and the cancellation never reaches the parent or the child's sibling.
fn cancellation_flows_down_never_up_body() {
    let (parent, cancel_parent) = Context::with_cancel(&Context::background());
    let (a, cancel_a) = Context::with_cancel(&parent);
    let (b, cancel_b) = Context::with_cancel(&parent);
    let t = thread::spawn(move || cancel_a.cancel());
    let (grandchild, _cancel_grandchild) = Context::with_cancel(&a);
    grandchild.done().wait();
    assert_eq!(grandchild.err(), Some(ContextError::Canceled));
    t.join().unwrap();
    assert_eq!(parent.err(), None, "cancellation flowed upward");
    assert_eq!(b.err(), None, "cancellation reached a sibling");
    cancel_b.cancel();
    cancel_parent.cancel();
}

#[test]
fn cancellation_never_flows_upward() {
    check(
        cancellation_flows_down_never_up_body,
        Expect::Passes,
        Expect::Passes,
    );
}

/// Broken twin of the context tree: `derive` reads the parent's cancelled flag and registers the
/// child in two separate steps. A cancellation between them sees no child, and the child, registered
/// too late, is never cancelled: its waiter sleeps forever.
#[derive(Default)]
struct Node {
    cancelled: AtomicBool,
    children: Mutex<Vec<Arc<Node>>>,
    done: Mutex<bool>,
    cv: Condvar,
}

impl Node {
    fn derive(&self) -> Arc<Node> {
        let child = Arc::new(Node::default());
        if self.cancelled.load(Ordering::SeqCst) {
            child.cancel();
        } else {
            // BUG: the parent may be cancelled, and its children drained, right here.
            self.children.lock().push(child.clone());
        }
        child
    }
    fn cancel(&self) {
        self.cancelled.store(true, Ordering::SeqCst);
        *self.done.lock() = true;
        self.cv.notify_all();
        for c in self.children.lock().drain(..) {
            c.cancel();
        }
    }
    fn wait(&self) {
        drop(self.cv.wait_while(self.done.lock(), |done| !*done));
    }
}

fn check_then_register_body() {
    let parent = Arc::new(Node::default());
    let deriver = {
        let parent = parent.clone();
        thread::spawn(move || parent.derive().wait())
    };
    parent.cancel();
    deriver.join().unwrap();
}

#[test]
fn broken_child_registration_is_found_as_deadlock() {
    check(
        check_then_register_body,
        Expect::Finds(Verdict::Deadlock),
        Expect::MayFind(Verdict::Hang),
    );
}
