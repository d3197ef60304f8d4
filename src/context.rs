//! Go's `context`: cancellation that flows from a parent to every context derived from it.
//!
//! A [`Context`] is a handle on a node of a tree. [`Context::background`] is the root that is never
//! cancelled; [`Context::with_cancel`] and [`Context::with_timeout`] derive a child together with a
//! [`CancelFn`]. Cancelling a context cancels all its descendants, never its parent or siblings.
//! Cancelling twice is a no-op: the first cancellation's error and cause stay.
//!
//! | Go | racezoo |
//! |---|---|
//! | `context.Background()` | [`Context::background`] |
//! | `WithCancel(p)`, `WithCancelCause(p)` | [`Context::with_cancel`] (the [`CancelFn`] takes an optional cause) |
//! | `WithTimeout(p, d)` | [`Context::with_timeout`] |
//! | `ctx.Done()` | [`Context::done`]: a [`Done`] handle with `wait`, `wait_timeout`, `is_closed` |
//! | `select { case <-ctx.Done(): ... }` | [`Select::done`](crate::chan::Select::done) |
//! | `ctx.Err()` | [`Context::err`]: `None` until cancelled |
//! | `context.Cause(ctx)` | [`Context::cause`] |
//!
//! ```
//! use racezoo::check::{self, Verdict};
//! use racezoo::context::{Context, ContextError};
//! use racezoo::sync::thread;
//!
//! // Runs on real threads here, and under loom or shuttle in their builds.
//! let report = check::run_default(|| {
//!     let (ctx, cancel) = Context::with_cancel(&Context::background());
//!     let worker = {
//!         let ctx = ctx.clone();
//!         thread::spawn(move || {
//!             ctx.done().wait(); // Go: <-ctx.Done()
//!             ctx.err()
//!         })
//!     };
//!     cancel.cancel();
//!     assert_eq!(worker.join().unwrap(), Some(ContextError::Canceled));
//! });
//! assert_eq!(report.verdict, Verdict::Pass, "{report}");
//! ```
//!
//! # Synchronization
//!
//! A cancellation happens before every observation of it: a thread that sees [`Context::is_cancelled`]
//! return `true`, or whose [`Done::wait`] returns, sees everything the cancelling thread did before
//! calling [`CancelFn::cancel`].
//!
//! # Timeouts
//!
//! A [`Context::with_timeout`] context is cancelled with [`ContextError::DeadlineExceeded`] by a timer
//! thread (one facade thread per timeout, gone as soon as the context is cancelled or the deadline
//! passes). Under loom and shuttle time is not modelled: the deadline passes at an arbitrary point, so
//! a checker explores "cancelled first" and "deadline first" alike. The timer thread counts against
//! loom's thread limit.
//!
//! # Misuse
//!
//! As in Go, a derived context stays registered with its parent until it is cancelled; call its
//! [`CancelFn`] once the work is done (Go's `defer cancel()`), or the child lives as long as the parent
//! (what `go vet`'s lostcancel check warns about). Waiting on [`Context::background`]'s `done` blocks
//! forever, like receiving from Go's nil channel.

use std::error::Error;
use std::fmt;
use std::time::{Duration, Instant};

use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::{Arc, Condvar, Mutex, Weak, thread};

/// Why a context was cancelled; Go's `context.Canceled` and `context.DeadlineExceeded`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContextError {
    /// The context (or an ancestor) was cancelled through its [`CancelFn`].
    Canceled,
    /// The context's (or an ancestor's) deadline passed.
    DeadlineExceeded,
}

impl fmt::Display for ContextError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ContextError::Canceled => "context canceled",
            ContextError::DeadlineExceeded => "context deadline exceeded",
        })
    }
}

impl Error for ContextError {}

/// The reason given for a cancellation (Go's `context.Cause`): a shared, type-erased error.
///
/// Without an explicit cause it is the [`ContextError`] itself.
#[derive(Clone)]
pub struct Cause(Arc<dyn Error + Send + Sync + 'static>);

impl Cause {
    /// Wraps `error` as a cause.
    pub fn new<E: Error + Send + Sync + 'static>(error: E) -> Self {
        // `From<Box<dyn …>>`: the facade's `Arc` cannot coerce to `dyn` (see `sync::Arc`).
        Cause(Arc::from(Box::new(error) as Box<dyn Error + Send + Sync>))
    }

    /// Makes a cause from a message.
    pub fn msg(message: impl Into<String>) -> Self {
        Cause::new(Message(message.into()))
    }

    /// Returns the cause as a `T`, if it is one.
    pub fn downcast_ref<T: Error + 'static>(&self) -> Option<&T> {
        self.0.downcast_ref::<T>()
    }

    /// Returns `true` if both causes are the very same value (Go's `==` on an error pointer).
    pub fn ptr_eq(&self, other: &Cause) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl fmt::Debug for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for Cause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl Error for Cause {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        Some(&*self.0)
    }
}

impl From<ContextError> for Cause {
    fn from(e: ContextError) -> Self {
        Cause::new(e)
    }
}

/// A cause made from a plain message.
#[derive(Debug)]
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Error for Message {}

/// A handle on a context; cheap to clone, and every clone is the same context.
#[derive(Clone)]
pub struct Context {
    /// `None` for the background context, which is never cancelled.
    node: Option<Arc<Node>>,
}

/// Cancels the context it came with (and all its descendants); cheap to clone.
#[derive(Clone)]
pub struct CancelFn {
    node: Arc<Node>,
}

/// The done signal of a context: closed once, when the context is cancelled.
///
/// It is the receive side of Go's `ctx.Done()` channel: [`wait`](Done::wait) is `<-ctx.Done()`,
/// [`is_closed`](Done::is_closed) is a non-blocking receive, and it is a select case through
/// [`Select::done`](crate::chan::Select::done) (Go's `case <-ctx.Done():`), which waits on it together
/// with channel and timer cases using the registration [`on_close`](Done::on_close).
///
/// ```
/// use racezoo::chan::{channel, select};
/// use racezoo::check::{self, Verdict};
/// use racezoo::context::Context;
/// use racezoo::sync::thread;
///
/// // Real threads in a plain build; loom or shuttle in theirs.
/// let report = check::run_default(|| {
///     let (ctx, cancel) = Context::with_cancel(&Context::background());
///     let (_tx, rx) = channel::<i32>(0);
///     let canceller = thread::spawn(move || cancel.cancel());
///     // Go: select { case v := <-rx: ...; case <-ctx.Done(): ... }
///     let stopped = select().recv(&rx, |_| false).done(&ctx.done(), || true).wait();
///     assert!(stopped);
///     canceller.join().unwrap();
/// });
/// assert_eq!(report.verdict, Verdict::Pass, "{report}");
/// ```
#[derive(Clone)]
pub struct Done {
    node: Option<Arc<Node>>,
}

/// A callback registered with [`Done::on_close`]; dropping it unregisters the callback.
#[must_use = "dropping a Subscription unregisters its callback"]
pub struct Subscription {
    node: Weak<Node>,
    id: u64,
}

type Callback = Box<dyn FnOnce() + Send + 'static>;

struct Node {
    /// Mirrors `state.err.is_some()` for the lock-free [`Context::is_cancelled`]; set under the lock.
    cancelled: AtomicBool,
    state: Mutex<State>,
    /// Signalled (`notify_all`) when the node is cancelled.
    closed: Condvar,
    /// The parent and this node's key among its children, to unregister on cancellation.
    parent: Option<(Weak<Node>, u64)>,
    deadline: Option<Instant>,
}

#[derive(Default)]
struct State {
    err: Option<ContextError>,
    cause: Option<Cause>,
    next_id: u64,
    children: Vec<(u64, Arc<Node>)>,
    callbacks: Vec<(u64, Callback)>,
}

impl State {
    fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }
}

impl Node {
    /// Cancels this node and, outside its lock, its children and callbacks. A second call is a no-op.
    fn cancel(&self, err: ContextError, cause: Option<Cause>, unregister: bool) {
        let (children, callbacks, cause) = {
            let mut st = self.state.lock();
            if st.err.is_some() {
                return;
            }
            let cause = cause.unwrap_or_else(|| err.into());
            st.err = Some(err);
            st.cause = Some(cause.clone());
            // Release: pairs with the Acquire in `is_cancelled`, so an observer of the flag sees
            // what the canceller did before. Stored under the lock so it never runs ahead of `err`.
            self.cancelled.store(true, Ordering::Release);
            (
                std::mem::take(&mut st.children),
                std::mem::take(&mut st.callbacks),
                cause,
            )
        };
        self.closed.notify_all();
        // Children are cancelled after our lock is released: no two node locks are ever held at
        // once, so the order of locking between parents and children cannot deadlock.
        for (_, child) in children {
            child.cancel(err, Some(cause.clone()), false);
        }
        for (_, callback) in callbacks {
            callback();
        }
        if let (true, Some((parent, id))) = (unregister, &self.parent) {
            if let Some(parent) = parent.upgrade() {
                parent.state.lock().children.retain(|(k, _)| k != id);
            }
        }
    }

    fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
    }

    #[track_caller]
    fn wait(&self) {
        let st = self.state.lock();
        drop(self.closed.wait_while(st, |st| st.err.is_none()));
    }

    /// Waits until cancelled or `dur` elapsed; returns whether it is cancelled.
    #[track_caller]
    fn wait_timeout(&self, dur: Duration) -> bool {
        let start = Instant::now();
        let mut st = self.state.lock();
        loop {
            if st.err.is_some() {
                return true;
            }
            let left = dur.saturating_sub(start.elapsed());
            let (guard, res) = self.closed.wait_timeout(st, left);
            st = guard;
            // Under the checkers `timed_out` means "time has passed"; the clock is not consulted.
            if res.timed_out() {
                return st.err.is_some();
            }
        }
    }
}

impl Context {
    /// Returns the root context: never cancelled, no deadline (Go's `context.Background()`).
    pub fn background() -> Context {
        Context { node: None }
    }

    /// Derives a child that is cancelled when `cancel` is called or when `parent` is cancelled,
    /// whichever happens first (Go's `WithCancel` and `WithCancelCause`).
    ///
    /// If `parent` is already cancelled the child is born cancelled with the parent's error and cause.
    pub fn with_cancel(parent: &Context) -> (Context, CancelFn) {
        let deadline = parent.deadline();
        let node = Self::derive(parent, deadline);
        (
            Context {
                node: Some(node.clone()),
            },
            CancelFn { node },
        )
    }

    /// Derives a child that is also cancelled with [`ContextError::DeadlineExceeded`] once `timeout`
    /// has elapsed (Go's `WithTimeout`).
    ///
    /// The deadline is enforced by a timer thread that exits as soon as the child is cancelled. If the
    /// parent's deadline is earlier, the parent's deadline governs and no timer is started.
    pub fn with_timeout(parent: &Context, timeout: Duration) -> (Context, CancelFn) {
        let deadline = Instant::now() + timeout;
        if parent.deadline().is_some_and(|d| d <= deadline) {
            return Self::with_cancel(parent);
        }
        let node = Self::derive(parent, Some(deadline));
        if !node.is_cancelled() {
            let timer = node.clone();
            thread::spawn(move || {
                // Wait for cancellation or the deadline; the deadline cancels.
                if !timer.wait_timeout(timeout) {
                    timer.cancel(ContextError::DeadlineExceeded, None, true);
                }
            });
        }
        (
            Context {
                node: Some(node.clone()),
            },
            CancelFn { node },
        )
    }

    /// Creates a node under `parent`: cancelled at once if the parent is, registered with it otherwise.
    fn derive(parent: &Context, deadline: Option<Instant>) -> Arc<Node> {
        let Some(p) = &parent.node else {
            return Arc::new(Self::new_node(None, deadline));
        };
        let mut st = p.state.lock();
        if let Some(err) = st.err {
            let cause = st.cause.clone();
            drop(st);
            let node = Arc::new(Self::new_node(None, deadline));
            node.cancel(err, cause, false);
            return node;
        }
        // Registering under the parent's lock: a concurrent parent cancellation either sees this child
        // in its list or ran before we locked (and then we saw its error above).
        let id = st.next_id();
        let node = Arc::new(Self::new_node(Some((Arc::downgrade(p), id)), deadline));
        st.children.push((id, node.clone()));
        node
    }

    fn new_node(parent: Option<(Weak<Node>, u64)>, deadline: Option<Instant>) -> Node {
        Node {
            cancelled: AtomicBool::new(false),
            state: Mutex::new(State::default()),
            closed: Condvar::new(),
            parent,
            deadline,
        }
    }

    /// Returns `true` once the context is cancelled (a non-blocking `<-ctx.Done()`).
    pub fn is_cancelled(&self) -> bool {
        self.node.as_ref().is_some_and(|n| n.is_cancelled())
    }

    /// Returns `None` while the context is live, and why it was cancelled afterwards (Go's `ctx.Err()`).
    pub fn err(&self) -> Option<ContextError> {
        self.node.as_ref().and_then(|n| n.state.lock().err)
    }

    /// Returns the cause given to the first cancellation, or the [`ContextError`] itself if none was
    /// given; `None` while the context is live (Go's `context.Cause`).
    pub fn cause(&self) -> Option<Cause> {
        self.node
            .as_ref()
            .and_then(|n| n.state.lock().cause.clone())
    }

    /// Returns the context's deadline, if it or an ancestor has one (Go's `ctx.Deadline()`).
    pub fn deadline(&self) -> Option<Instant> {
        self.node.as_ref().and_then(|n| n.deadline)
    }

    /// Returns the context's done signal (Go's `ctx.Done()`), to wait on alone or as a select case.
    pub fn done(&self) -> Done {
        Done {
            node: self.node.clone(),
        }
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.node {
            None => f.write_str("Context::background"),
            Some(n) => f
                .debug_struct("Context")
                .field("err", &n.state.lock().err)
                .field("deadline", &n.deadline)
                .finish(),
        }
    }
}

impl CancelFn {
    /// Cancels the context with [`ContextError::Canceled`]; a no-op if it is already cancelled.
    pub fn cancel(&self) {
        self.node.cancel(ContextError::Canceled, None, true);
    }

    /// Cancels the context with [`ContextError::Canceled`] and `cause` (Go's `CancelCauseFunc`); a
    /// no-op, cause included, if it is already cancelled.
    pub fn cancel_with_cause(&self, cause: Cause) {
        self.node.cancel(ContextError::Canceled, Some(cause), true);
    }
}

impl fmt::Debug for CancelFn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("CancelFn")
    }
}

impl Done {
    /// Returns `true` once the context is cancelled; never blocks.
    pub fn is_closed(&self) -> bool {
        self.node.as_ref().is_some_and(|n| n.is_cancelled())
    }

    /// Blocks until the context is cancelled; forever for [`Context::background`].
    #[track_caller]
    pub fn wait(&self) {
        match &self.node {
            Some(n) => n.wait(),
            // Go's nil channel: block forever. A condvar nobody signals is how the checkers see it.
            None => {
                let never = Mutex::new(());
                let cv = Condvar::new();
                let g = never.lock();
                drop(cv.wait_while(g, |_| true));
            }
        }
    }

    /// Blocks until the context is cancelled or `dur` has elapsed; returns `true` if cancelled.
    ///
    /// Under the checkers the duration elapses after a scheduling point.
    #[track_caller]
    pub fn wait_timeout(&self, dur: Duration) -> bool {
        match &self.node {
            Some(n) => n.wait_timeout(dur),
            None => {
                thread::sleep(dur);
                false
            }
        }
    }

    /// Registers `callback` to run once, on the cancelling thread, when the context is cancelled.
    ///
    /// Returns `None`, dropping `callback` uncalled, if the context is already cancelled: the caller
    /// (a `select`) then treats the case as ready. The callback runs after the context's lock is
    /// released, and may run concurrently with the [`Subscription`]'s drop; a selector must therefore
    /// tolerate a late call. Never returns `None` for [`Context::background`], whose callbacks never run.
    pub fn on_close(&self, callback: impl FnOnce() + Send + 'static) -> Option<Subscription> {
        let Some(n) = &self.node else {
            return Some(Subscription {
                node: Weak::new(),
                id: 0,
            });
        };
        let mut st = n.state.lock();
        if st.err.is_some() {
            return None;
        }
        let id = st.next_id();
        st.callbacks.push((id, Box::new(callback)));
        Some(Subscription {
            node: Arc::downgrade(n),
            id,
        })
    }
}

impl fmt::Debug for Done {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Done")
            .field("closed", &self.is_closed())
            .finish()
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // While unwinding, the callback is left registered (a selector tolerates a late call): after
        // a model checker has declared a deadlock, taking a lock would panic inside this drop.
        if thread::panicking() {
            return;
        }
        if let Some(n) = self.node.upgrade() {
            n.state.lock().callbacks.retain(|(k, _)| *k != self.id);
        }
    }
}

impl fmt::Debug for Subscription {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Subscription")
            .field("id", &self.id)
            .finish()
    }
}
