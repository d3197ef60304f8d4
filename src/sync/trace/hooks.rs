//! The hooks: what the facade and the primitives call to record an operation. Each first asks
//! [`active`] (one relaxed load) and does nothing more when no check is recording.

use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::{Op, RawEvent, ThreadLog, active, current, me, recording};

/// Records `op` on `object` by the current thread, at the caller's location, if a check is recording.
///
/// `op` is a short verb (`"send"`, `"close"`); `object` identifies the object (its address), and is
/// shown as `op#n`, numbered in order of first appearance within the execution.
#[inline]
#[track_caller]
pub fn event<T: ?Sized>(op: &'static str, object: *const T) {
    if active() {
        record(
            Op::User(op),
            object as *const () as usize,
            Location::caller(),
        );
    }
}

/// Runs `f`, a call that may block, marking the current thread as blocked in `op` on `object` until it
/// returns; then records `op` as done. A thread that never returns from `f` is reported as stuck here.
#[inline]
#[track_caller]
pub fn blocking<T: ?Sized, R>(op: &'static str, object: *const T, f: impl FnOnce() -> R) -> R {
    if !active() {
        return f();
    }
    let object = object as *const () as usize;
    around(Op::User(op), object, Location::caller(), false, f)
}

/// Runs `f`, one whole operation of a higher-level primitive (a channel's `send`, say), as a single
/// traced step: the current thread is marked blocked in `op` on the `kind` object until `f` returns,
/// then `op` is recorded once, at the caller's location; the locks, waits and atomics `f` performs
/// inside are not recorded, so the table shows `recv Chan#1`, not the channel's internals. A thread
/// that never returns from `f` is reported as stuck in `op`.
#[inline]
#[track_caller]
pub fn operation<T: ?Sized, R>(
    op: &'static str,
    kind: &'static str,
    object: *const T,
    f: impl FnOnce() -> R,
) -> R {
    if !active() {
        return f();
    }
    let object = object as *const () as usize;
    around(Op::Operation(op, kind), object, Location::caller(), true, f)
}

/// Marks the calling thread blocked in `op` while `f` runs, then records `op` as done; when
/// `opaque`, the events `f` would record itself are left out.
fn around<R>(
    op: Op,
    object: usize,
    location: &'static Location<'static>,
    opaque: bool,
    f: impl FnOnce() -> R,
) -> R {
    block(op, object, location);
    let r = {
        let _inside = opaque.then(Opaque::enter);
        f()
    };
    unblock(op, object, location);
    r
}

/// While alive, the calling thread's events are not recorded (the inside of an [`operation`]).
struct Opaque(Option<Arc<ThreadLog>>);

impl Opaque {
    fn enter() -> Opaque {
        let log = current().map(|recorder| me(&recorder));
        if let Some(log) = &log {
            log.slot().opaque += 1;
        }
        Opaque(log)
    }
}

impl Drop for Opaque {
    fn drop(&mut self) {
        if let Some(log) = &self.0 {
            log.slot().opaque -= 1;
        }
    }
}

/// Appends an event of the calling thread.
pub(crate) fn record(op: Op, object: usize, location: &'static Location<'static>) {
    push(op, object, Some(location), None)
}

/// Appends an event of the calling thread that has no meaningful source location (an unlock by a
/// guard's destructor).
pub(crate) fn record_unlocated(op: Op, object: usize) {
    push(op, object, None, None)
}

/// Marks the calling thread as blocked in `op` until [`unblock`].
pub(crate) fn block(op: Op, object: usize, location: &'static Location<'static>) {
    let Some(recorder) = current() else { return };
    if !recording(&recorder) {
        return;
    }
    let log = me(&recorder);
    let mut slot = log.slot();
    if slot.opaque > 0 {
        return;
    }
    slot.blocked = Some(RawEvent {
        thread: log.index,
        op,
        object,
        location: Some(location),
    });
}

/// Clears the calling thread's blocked-on slot and records `op` as done.
pub(crate) fn unblock(op: Op, object: usize, location: &'static Location<'static>) {
    push(op, object, Some(location), Some(()))
}

fn push(op: Op, object: usize, location: Option<&'static Location<'static>>, unblock: Option<()>) {
    let Some(recorder) = current() else { return };
    if !recording(&recorder) {
        return;
    }
    let log = me(&recorder);
    let mut slot = log.slot();
    if slot.opaque > 0 {
        return;
    }
    let seq = recorder.seq.fetch_add(1, Ordering::Relaxed);
    if unblock.is_some() {
        slot.blocked = None;
    }
    slot.push(
        seq,
        RawEvent {
            thread: log.index,
            op,
            object,
            location,
        },
    );
}
