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
//! | `context.TODO()` | [`Context::todo`] |
//! | `WithCancel(p)`, `WithCancelCause(p)` | [`Context::with_cancel`] (the [`CancelFn`] takes an optional cause) |
//! | `WithTimeout(p, d)`, `WithTimeoutCause(p, d, c)` | [`Context::with_timeout`], [`Context::with_timeout_cause`] |
//! | `WithDeadline(p, t)`, `WithDeadlineCause(p, t, c)` | [`Context::with_deadline`], [`Context::with_deadline_cause`] |
//! | `WithValue(p, k, v)`, `ctx.Value(k)` | [`Context::with_value`], [`Context::value`] (typed: the key's type and the value's) |
//! | `WithoutCancel(p)` | [`Context::without_cancel`] |
//! | `AfterFunc(ctx, f)` → `stop` | [`Context::after_func`] → [`AfterFunc::stop`] |
//! | `ctx.Done()` | [`Context::done`]: a [`Done`] handle with `wait`, `wait_timeout`, `is_closed` |
//! | `select { case <-ctx.Done(): ... }` | [`Select::done`](crate::chan::Select::done) |
//! | `ctx.Err()` | [`Context::err`]: `None` until cancelled |
//! | `ctx.Deadline()` | [`Context::deadline`] |
//! | `context.Cause(ctx)` | [`Context::cause`] |
//! | `context.Canceled`, `context.DeadlineExceeded` (a `Timeout()` error) | [`ContextError`], [`ContextError::is_timeout`] |
//! | `ctx.String()` (`context.Background.WithCancel`) | `Display` for [`Context`] |
//! | `context.CancelFunc`, `CancelCauseFunc` | [`CancelFn::cancel`], [`CancelFn::cancel_with_cause`] |
//!
//! Absent on purpose: Go's `Context` interface (custom context types); racezoo's `Context` is one
//! concrete type.
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
//! passes). A deadline that is not after the moment of the call is born expired, with no timer: for
//! a timeout, exactly a zero one. Under loom and shuttle time is not modelled: the deadline passes
//! at an arbitrary point, so a checker explores "cancelled first" and "deadline first" alike. The
//! timer thread counts against loom's thread limit. An [`Instant`] given to
//! [`with_deadline`](Context::with_deadline) is compared with the clock once, at the call; under the
//! checkers give one clearly past or clearly future (or use a timeout), since a deadline within a
//! few milliseconds of the call would make the model's path depend on how fast the machine is.
//!
//! # Misuse
//!
//! As in Go, a derived context stays registered with its parent until it is cancelled; call its
//! [`CancelFn`] once the work is done (Go's `defer cancel()`), or the child lives as long as the parent
//! (what `go vet`'s lostcancel check warns about). Waiting on [`Context::background`]'s `done` blocks
//! forever, like receiving from Go's nil channel.

use std::fmt;
use std::time::{Duration, Instant};

use crate::sync::atomic::{AtomicBool, Ordering};
use crate::sync::{Arc, Condvar, Mutex, Weak, thread};

mod after_func;
mod cause;
mod values;

pub use self::after_func::AfterFunc;
pub use self::cause::{Cause, ContextError};
use self::values::Values;

/// A handle on a context; cheap to clone, and every clone is the same context.
#[derive(Clone)]
pub struct Context {
    /// `None` for a context that is never cancelled (background, TODO, `without_cancel`).
    node: Option<Arc<Node>>,
    /// The values of this context and its ancestors, newest first.
    values: Values,
    /// How the context was derived, as Go's `String()` shows it (`context.Background.WithCancel`).
    label: std::sync::Arc<str>,
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
    /// Threads blocked on `closed`, counted under the lock before they wait, so a cancellation
    /// that finds none skips the wake-up (one scheduling point fewer under the checkers).
    waiters: usize,
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
        let (children, callbacks, cause, waiters) = {
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
                st.waiters,
            )
        };
        if waiters > 0 {
            self.closed.notify_all();
        }
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
        let mut st = self.state.lock();
        while st.err.is_none() {
            st.waiters += 1;
            st = self.closed.wait(st);
            st.waiters -= 1;
        }
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
            st.waiters += 1;
            let (guard, res) = self.closed.wait_timeout(st, left);
            st = guard;
            st.waiters -= 1;
            // Under the checkers `timed_out` means "time has passed"; the clock is not consulted.
            if res.timed_out() {
                return st.err.is_some();
            }
        }
    }
}

impl Context {
    /// Returns the root context: never cancelled, no deadline, no values (Go's
    /// `context.Background()`).
    pub fn background() -> Context {
        Context::root("context.Background")
    }

    /// Returns a root context like [`background`](Context::background), to mark code that has not
    /// decided which context to use yet (Go's `context.TODO()`).
    pub fn todo() -> Context {
        Context::root("context.TODO")
    }

    fn root(label: &str) -> Context {
        Context {
            node: None,
            values: Values::default(),
            label: label.into(),
        }
    }

    /// Returns a child of `self` with `node` and a label extended by `suffix`.
    fn child(&self, node: Option<Arc<Node>>, suffix: &str) -> Context {
        Context {
            node,
            values: self.values.clone(),
            label: format!("{}{suffix}", self.label).into(),
        }
    }

    /// Derives a child that is cancelled when `cancel` is called or when `parent` is cancelled,
    /// whichever happens first (Go's `WithCancel` and `WithCancelCause`).
    ///
    /// If `parent` is already cancelled the child is born cancelled with the parent's error and cause.
    pub fn with_cancel(parent: &Context) -> (Context, CancelFn) {
        let deadline = parent.deadline();
        let node = Self::derive(parent, deadline);
        (
            parent.child(Some(node.clone()), ".WithCancel"),
            CancelFn { node },
        )
    }

    /// Derives a child that is also cancelled with [`ContextError::DeadlineExceeded`] once `timeout`
    /// has elapsed (Go's `WithTimeout`): [`with_deadline`](Context::with_deadline) at now + `timeout`.
    pub fn with_timeout(parent: &Context, timeout: Duration) -> (Context, CancelFn) {
        let now = Instant::now();
        Self::with_deadline_at(parent, now + timeout, now, None)
    }

    /// Like [`with_timeout`](Context::with_timeout), and an expiry sets `cause` as the context's cause
    /// (Go's `WithTimeoutCause`).
    pub fn with_timeout_cause(
        parent: &Context,
        timeout: Duration,
        cause: Cause,
    ) -> (Context, CancelFn) {
        let now = Instant::now();
        Self::with_deadline_at(parent, now + timeout, now, Some(cause))
    }

    /// Derives a child that is also cancelled with [`ContextError::DeadlineExceeded`] once `deadline`
    /// passes (Go's `WithDeadline`).
    ///
    /// As in Go: if the parent's deadline is earlier, the parent's governs and the child is a plain
    /// [`with_cancel`](Context::with_cancel) child; if the parent is already cancelled, the child is
    /// born cancelled with the parent's error and cause (Go propagates the parent's cancellation
    /// first); otherwise a deadline that is not after the moment of the call is born expired, done at
    /// once with [`ContextError::DeadlineExceeded`]. A later deadline is enforced by a timer thread
    /// that exits as soon as the child is cancelled (it counts against loom's thread limit).
    pub fn with_deadline(parent: &Context, deadline: Instant) -> (Context, CancelFn) {
        Self::with_deadline_cause(parent, deadline, None)
    }

    /// Like [`with_deadline`](Context::with_deadline), and an expiry sets `cause` as the context's
    /// cause (Go's `WithDeadlineCause`).
    pub fn with_deadline_cause(
        parent: &Context,
        deadline: Instant,
        cause: impl Into<Option<Cause>>,
    ) -> (Context, CancelFn) {
        Self::with_deadline_at(parent, deadline, Instant::now(), cause.into())
    }

    /// [`with_deadline_cause`](Context::with_deadline_cause), with the clock read once by the caller
    /// as `now`: a timeout's deadline is born expired exactly when the timeout is zero, however long
    /// the thread took to get here. Under the checkers that keeps every execution of a model on the
    /// same path (loom refuses a model whose paths depend on anything but its schedule).
    fn with_deadline_at(
        parent: &Context,
        deadline: Instant,
        now: Instant,
        cause: Option<Cause>,
    ) -> (Context, CancelFn) {
        if parent.deadline().is_some_and(|current| current < deadline) {
            return Self::with_cancel(parent);
        }
        let node = Self::derive(parent, Some(deadline));
        if deadline <= now {
            node.cancel(ContextError::DeadlineExceeded, cause, true);
        } else if !node.is_cancelled() {
            let timer = node.clone();
            let timeout = deadline - now;
            thread::spawn(move || {
                // Wait for cancellation or the deadline; the deadline cancels.
                if !timer.wait_timeout(timeout) {
                    timer.cancel(ContextError::DeadlineExceeded, cause, true);
                }
            });
        }
        let suffix = format!(
            ".WithDeadline(in {:?})",
            deadline.saturating_duration_since(now)
        );
        (parent.child(Some(node.clone()), &suffix), CancelFn { node })
    }

    /// Derives a child that carries `value` under `key`, and otherwise is `parent` (Go's
    /// `WithValue`). [`value`](Context::value) finds the newest value stored under an equal key of the
    /// same type; as in Go, use a key type of your own so that packages cannot collide.
    pub fn with_value<K, V>(parent: &Context, key: K, value: V) -> Context
    where
        K: PartialEq + fmt::Debug + Send + Sync + 'static,
        V: Send + Sync + 'static,
    {
        let suffix = format!(".WithValue({key:?}, {})", std::any::type_name::<V>());
        let mut child = parent.child(parent.node.clone(), &suffix);
        child.values = parent.values.with(key, value);
        child
    }

    /// Returns the value stored under `key` by this context or its nearest ancestor that has one, if
    /// it is a `V` (Go's `ctx.Value(key)`).
    pub fn value<K, V>(&self, key: &K) -> Option<&V>
    where
        K: PartialEq + 'static,
        V: 'static,
    {
        self.values.get(key)
    }

    /// Returns a context with `parent`'s values that is never cancelled and has no deadline, even
    /// when `parent` is (Go's `WithoutCancel`): for work that must outlive the request that started it.
    pub fn without_cancel(parent: &Context) -> Context {
        parent.child(None, ".WithoutCancel")
    }

    /// Arranges for `f` to run on its own thread once `ctx` is done (at once if it is already), and
    /// returns the handle that can stop it (Go's `context.AfterFunc`).
    pub fn after_func<F>(ctx: &Context, f: F) -> AfterFunc
    where
        F: FnOnce() + Send + 'static,
    {
        AfterFunc::new(&ctx.done(), f)
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

/// How the context was derived, as Go's `String()` shows it:
/// `context.Background.WithCancel.WithValue("user", alloc::string::String)`.
impl fmt::Display for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label)
    }
}

impl fmt::Debug for Context {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.node {
            None => write!(f, "{}", self.label),
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

impl Subscription {
    /// Lets the callback stay registered for good: dropping the result unregisters nothing.
    pub(crate) fn detach(mut self) {
        self.node = Weak::new();
    }
}

impl Drop for Subscription {
    fn drop(&mut self) {
        // Safe in an execution a checker abandoned too: the facade stays out of the checker then.
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
