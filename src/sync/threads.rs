//! The facade's threads: the backend's `spawn`, `Builder` and `JoinHandle`, plus the accounting the
//! harness needs (which threads a body spawned, which finished, where each one blocks).
//!
//! When no check records, `spawn` and `join` forward straight to the backend after one relaxed load.

use std::fmt;
use std::panic::Location;

use super::backend;
use super::trace::{self, Op};

/// An owned permission to join a thread spawned through the facade.
pub struct JoinHandle<T> {
    raw: backend::thread::JoinHandle<T>,
    /// The thread's index in the recording execution, if it was spawned while a check recorded.
    traced: Option<u32>,
}

impl<T> JoinHandle<T> {
    /// Waits for the thread to finish and returns its result, or the payload of its panic.
    #[track_caller]
    pub fn join(self) -> std::thread::Result<T> {
        if super::abandon::abandoned() {
            // The checker has given this execution up: no thread of it will finish. A running
            // thread is unwound; a destructor that joins gets an error instead of a wait.
            super::abandon::unwind_if_running();
            return Err(Box::new("racezoo: the checker abandoned this execution"));
        }
        match self.traced {
            Some(index) if trace::active() => {
                let location = Location::caller();
                trace::block(Op::Join(index), 0, location);
                let result = self.raw.join();
                trace::unblock(Op::Join(index), 0, location);
                result
            }
            _ => self.raw.join(),
        }
    }

    /// Returns the thread's handle.
    pub fn thread(&self) -> &backend::thread::Thread {
        self.raw.thread()
    }

    /// Returns `true` if the thread has finished (std only: neither checker has this query).
    #[cfg(not(any(loom, shuttle)))]
    pub fn is_finished(&self) -> bool {
        self.raw.is_finished()
    }
}

impl<T> fmt::Debug for JoinHandle<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JoinHandle").finish_non_exhaustive()
    }
}

/// Configures a thread before spawning it: its name and stack size.
#[derive(Debug, Default)]
pub struct Builder {
    name: Option<String>,
    stack_size: Option<usize>,
}

impl Builder {
    /// Creates a builder with no name and the default stack size.
    pub fn new() -> Builder {
        Builder::default()
    }

    /// Names the thread (shown in traces, and in panic messages on std).
    pub fn name(mut self, name: String) -> Builder {
        self.name = Some(name);
        self
    }

    /// Sets the thread's stack size in bytes.
    pub fn stack_size(mut self, size: usize) -> Builder {
        self.stack_size = Some(size);
        self
    }

    /// Spawns a thread running `f`.
    #[track_caller]
    pub fn spawn<F, T>(self, f: F) -> std::io::Result<JoinHandle<T>>
    where
        F: FnOnce() -> T + Send + 'static,
        T: Send + 'static,
    {
        let child = if trace::active() {
            trace::spawning(self.name.as_deref(), Location::caller())
        } else {
            None
        };
        let mut raw = backend::thread::Builder::new();
        if let Some(name) = self.name {
            raw = raw.name(name);
        }
        if let Some(size) = self.stack_size {
            raw = raw.stack_size(size);
        }
        match child {
            None => Ok(JoinHandle {
                raw: raw.spawn(f)?,
                traced: None,
            }),
            Some(child) => {
                let index = child.index();
                let raw = raw.spawn(move || {
                    let running = child.enter();
                    // A panic that escapes the thread's body is the execution's failure (one the
                    // body catches is not); it goes on unwinding, so `join` still returns it.
                    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
                        Ok(value) => {
                            // A body that caught the checker's own panic must not return into the
                            // checker that gave the execution up.
                            super::abandon::unwind_if_running();
                            value
                        }
                        Err(payload) => {
                            running.escaping(payload.as_ref());
                            // Under a model checker the execution ends on this panic, and the
                            // checker tears the rest of it down: the facade must stay out.
                            super::abandon::mark();
                            std::panic::resume_unwind(payload)
                        }
                    }
                })?;
                Ok(JoinHandle {
                    raw,
                    traced: Some(index),
                })
            }
        }
    }
}

/// Spawns a thread running `f` and returns its [`JoinHandle`].
///
/// # Panics
///
/// Panics if the operating system cannot create a thread (std flavour), as `std::thread::spawn` does.
#[track_caller]
pub fn spawn<F, T>(f: F) -> JoinHandle<T>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    if !trace::active() {
        return JoinHandle {
            raw: backend::thread::spawn(f),
            traced: None,
        };
    }
    Builder::new().spawn(f).expect("failed to spawn thread")
}

/// Blocks the current thread until it is unparked (it may also wake spuriously).
#[inline]
#[track_caller]
pub fn park() {
    if trace::active() {
        let location = Location::caller();
        trace::block(Op::Park, 0, location);
        backend::thread::park();
        trace::unblock(Op::Park, 0, location);
        return;
    }
    backend::thread::park()
}
