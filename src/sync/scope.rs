//! Scoped threads, `std::thread::scope`'s API on the facade's `spawn`, so that loom (which has no
//! scoped threads) and shuttle model them and a check traces them like any other thread.
//!
//! The protocol: every spawn counts a running thread under `running` (a facade `Mutex`); a scoped
//! thread's last act on the scope is to drop everything it borrowed (its closure, its result if no
//! handle wants it) and then decrement the count and notify `all_done`. [`scope`] runs its closure,
//! then waits for the count to reach zero before it returns or resumes the closure's panic, so no
//! scoped thread touches borrowed data after `scope` is gone. A panic in a scoped thread still
//! escapes that thread (the checkers see the original failure, with its message); `join` returns it,
//! and if nobody joined the thread, `scope` panics afterwards, as std's does. Before it returns or
//! panics, `scope` also joins every thread nobody joined, so that a thread's own failure is on record
//! before the scope's.

use std::marker::PhantomData;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::sync::Arc as StdArc;
use std::sync::Mutex as StdMutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use super::threads::{self, JoinHandle};
use super::{Condvar, Mutex};

/// A scope to spawn threads in that may borrow from outside it; see [`scope`].
pub struct Scope<'scope, 'env: 'scope> {
    data: StdArc<ScopeData>,
    /// Invariant in `'scope` and `'env`, as std's `Scope`.
    scope: PhantomData<&'scope mut &'scope ()>,
    env: PhantomData<&'env mut &'env ()>,
}

/// What a scope shares with its threads. It is `'static` (an `Arc`), so a thread may touch it after
/// `scope` has returned, in the instant between its notify and its exit.
struct ScopeData {
    /// Scoped threads that have not finished with the scope's borrowed data.
    running: Mutex<usize>,
    all_done: Condvar,
    /// Scoped threads that panicked and whose panic no `join` has returned. Only counted here: the
    /// facade's `running` lock orders these updates before the owner's read.
    unjoined_panics: AtomicUsize,
    /// Every thread's facade handle, until its `ScopedJoinHandle` joins it. std's lock: it is held
    /// for a push or a take, never across a facade operation, so no checker needs to see it.
    handles: StdMutex<Vec<Slot>>,
}

/// A scoped thread's facade handle, shared by the scope and the thread's `ScopedJoinHandle`.
type Slot = StdArc<StdMutex<Option<JoinHandle<()>>>>;

fn take(slot: &Slot) -> Option<JoinHandle<()>> {
    slot.lock().unwrap_or_else(|e| e.into_inner()).take()
}

impl ScopeData {
    #[track_caller]
    fn finished(&self) {
        let mut running = self.running.lock();
        *running -= 1;
        if *running == 0 {
            self.all_done.notify_all();
        }
    }
}

/// An owned permission to join a scoped thread.
pub struct ScopedJoinHandle<'scope, T> {
    raw: Slot,
    thread: super::thread::Thread,
    /// Where the thread leaves its result; `std`'s lock, since the facade's `join` already orders
    /// the thread's write before the read here.
    result: StdArc<StdMutex<Option<T>>>,
    data: StdArc<ScopeData>,
    scope: PhantomData<&'scope ()>,
}

/// Runs `f` with a [`Scope`] whose threads may borrow non-`'static` data, and joins every thread
/// spawned in it before returning, as `std::thread::scope` does.
///
/// # Panics
///
/// If `f` panics, that panic is resumed once every scoped thread has finished. Otherwise, if a
/// scoped thread panicked and its handle was not joined, `scope` panics after they have all
/// finished.
#[track_caller]
pub fn scope<'env, F, T>(f: F) -> T
where
    F: for<'scope> FnOnce(&'scope Scope<'scope, 'env>) -> T,
{
    let scope = Scope {
        data: StdArc::new(ScopeData {
            running: Mutex::new(0),
            all_done: Condvar::new(),
            unjoined_panics: AtomicUsize::new(0),
            handles: StdMutex::new(Vec::new()),
        }),
        scope: PhantomData,
        env: PhantomData,
    };
    let result = catch_unwind(AssertUnwindSafe(|| f(&scope)));
    // Wait until no scoped thread can touch borrowed data any more.
    let _ = scope
        .data
        .all_done
        .wait_while(scope.data.running.lock(), |running| *running > 0);
    // Nobody joins any more (every scoped thread is done, `f` has returned): join the rest, so that
    // a thread's panic is recorded as its own before the scope raises one.
    let unjoined =
        std::mem::take(&mut *scope.data.handles.lock().unwrap_or_else(|e| e.into_inner()));
    for slot in &unjoined {
        if let Some(raw) = take(slot) {
            let _ = raw.join();
        }
    }
    match result {
        Err(payload) => resume_unwind(payload),
        Ok(_) if scope.data.unjoined_panics.load(Ordering::SeqCst) > 0 => {
            panic!("a scoped thread panicked")
        }
        Ok(value) => value,
    }
}

impl<'scope> Scope<'scope, '_> {
    /// Spawns a thread running `f` that may borrow from outside the scope; it is joined at the
    /// latest when the scope ends.
    #[track_caller]
    pub fn spawn<F, T>(&'scope self, f: F) -> ScopedJoinHandle<'scope, T>
    where
        F: FnOnce() -> T + Send + 'scope,
        T: Send + 'scope,
    {
        let result = StdArc::new(StdMutex::new(None));
        let data = self.data.clone();
        *data.running.lock() += 1;
        let body = {
            let result = result.clone();
            let data = data.clone();
            move || {
                let outcome = catch_unwind(AssertUnwindSafe(f));
                let panicked = match outcome {
                    Ok(value) => {
                        *result.lock().unwrap_or_else(|e| e.into_inner()) = Some(value);
                        None
                    }
                    Err(payload) => {
                        data.unjoined_panics.fetch_add(1, Ordering::SeqCst);
                        Some(payload)
                    }
                };
                // Everything that may borrow from the scope is dropped before the count says so:
                // `f` was consumed above, and the result goes with the last `Arc` if no handle
                // holds it any more.
                drop(result);
                data.finished();
                drop(data);
                // The panic escapes the thread as it would have without the scope, so that the
                // checkers see the original failure. Its payload is `'static`.
                if let Some(payload) = panicked {
                    resume_unwind(payload);
                }
            }
        };
        let body: Box<dyn FnOnce() + Send + 'scope> = Box::new(body);
        // SAFETY: only the lifetime changes. `body` borrows data that lives for `'scope`, and
        // `scope` neither returns nor resumes a panic before `running` is back to zero, which this
        // thread makes so only after `body` has dropped every borrowed value (above). If the
        // thread cannot be spawned, `spawn` drops `body` unrun, here, within `'scope`, and the count
        // is taken back below. (In an execution a checker has abandoned, `scope`'s wait returns at
        // once; the checker never resumes the scoped threads again and tears their stacks down
        // itself: see "what the checkers cannot see" in the `sync` module docs.)
        let body: Box<dyn FnOnce() + Send + 'static> = unsafe {
            std::mem::transmute::<Box<dyn FnOnce() + Send + 'scope>, Box<dyn FnOnce() + Send>>(body)
        };
        let raw = match threads::Builder::new().spawn(body) {
            Ok(raw) => raw,
            Err(e) => {
                // The closure was dropped unrun inside `spawn`; the thread will not count down.
                data.finished();
                panic!("failed to spawn a scoped thread: {e}");
            }
        };
        let thread = raw.thread().clone();
        let slot: Slot = StdArc::new(StdMutex::new(Some(raw)));
        self.data
            .handles
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(slot.clone());
        ScopedJoinHandle {
            raw: slot,
            thread,
            result,
            data,
            scope: PhantomData,
        }
    }
}

impl<T> ScopedJoinHandle<'_, T> {
    /// Waits for the thread to finish and returns its result, or the payload of its panic.
    #[track_caller]
    pub fn join(self) -> std::thread::Result<T> {
        // Only the scope's end takes the handle otherwise, and it runs after every handle is gone.
        let raw = take(&self.raw).expect("a scoped thread is joined once");
        match raw.join() {
            Ok(()) => Ok(self
                .result
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take()
                .expect("a scoped thread that returned left its result")),
            Err(payload) => {
                // This panic is handled now; `scope` need not raise it again. (An abandoned
                // execution's join fails without a panic: never go below zero.)
                let _ = self.data.unjoined_panics.fetch_update(
                    Ordering::SeqCst,
                    Ordering::SeqCst,
                    |n| n.checked_sub(1),
                );
                Err(payload)
            }
        }
    }

    /// Returns the thread's handle.
    pub fn thread(&self) -> &super::thread::Thread {
        &self.thread
    }
}

impl<T> std::fmt::Debug for ScopedJoinHandle<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ScopedJoinHandle").finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Scope<'_, '_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scope").finish_non_exhaustive()
    }
}
