//! Event recording for the checker harness: what each thread did, on which object, from which line.
//!
//! While a check runs, the facade's blocking operations (lock, wait, join, park, …) and signals
//! (unlock, notify, spawn) append an event to the current execution's log, with the
//! `#[track_caller]` location of the call. Each thread also has a *blocked-on* slot, set before it
//! blocks and cleared when it resumes: when a checker reports a deadlock, a leak or a hang, those slots
//! say which threads are stuck and where. The facade also counts the threads it spawned and the ones
//! that finished, which is how the harness tells a leak (main returned, a worker never will) from a
//! deadlock (main is stuck too).
//!
//! **Cost when no check runs.** Every hook first reads one process-wide counter with a relaxed load
//! ([`active`]); it is zero unless some check is running, and then nothing else happens. While a check
//! runs, a thread finds its execution's log through a thread-local: loom and shuttle run all model
//! threads on the checking OS thread, and the facade's `spawn` hands the log to real threads in the
//! stress checker.
//!
//! Other modules may record their own operations (a channel's send and receive, say) with [`event`]
//! and [`blocking`]; the harness renders them beside the facade's own.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::panic::Location;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

use super::backend;

/// How many recorders are installed anywhere in the process; zero means every hook is a no-op.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);

thread_local! {
    /// The recorder of the check running on (or spawned from) this OS thread.
    static CURRENT: RefCell<Option<Arc<Recorder>>> = const { RefCell::new(None) };
    /// std only: this real thread's own log in that recorder.
    static MINE: RefCell<Option<(Arc<Recorder>, Arc<ThreadLog>)>> = const { RefCell::new(None) };
}

/// Returns `true` if some check is recording somewhere in the process. One relaxed load: this is the
/// whole cost of tracing when no check runs.
#[inline(always)]
pub fn active() -> bool {
    ACTIVE.load(Ordering::Relaxed) != 0
}

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
    let location = Location::caller();
    block(Op::User(op), object, location);
    let r = f();
    unblock(Op::User(op), object, location);
    r
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
    let location = Location::caller();
    let traced = Op::Operation(op, kind);
    block(traced, object, location);
    let r = {
        let _inside = Opaque::enter();
        f()
    };
    unblock(traced, object, location);
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

/// What a recorded event did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    /// Spawned the thread with this index.
    Spawn(u32),
    /// Joined (or blocks joining) the thread with this index.
    Join(u32),
    /// A whole operation of a higher-level primitive: (verb, kind of object).
    Operation(&'static str, &'static str),
    /// Acquired (or blocks acquiring) a mutex.
    Lock,
    /// Tried a mutex; `true` if it was acquired.
    TryLock(bool),
    /// Released a mutex.
    Unlock,
    /// Released the mutex and started waiting on a condition variable.
    Wait,
    /// Woke from a condition-variable wait with the mutex re-acquired.
    Woken,
    /// A timed wait ended because its time passed.
    TimedOut,
    /// Notified one waiter.
    NotifyOne,
    /// Notified every waiter.
    NotifyAll,
    /// Parked (or blocks parked).
    Park,
    /// Let time pass (`sleep`, `park_timeout`).
    Sleep,
    /// Returned from its body.
    Finish,
    /// An operation recorded by another module through [`event`] or [`blocking`].
    User(&'static str),
    /// A read (`false`) or write (`true`) of a facade `UnsafeCell` (loom only).
    #[cfg_attr(not(loom), allow(dead_code))]
    Access(bool),
    /// An atomic access (loom and shuttle only): its operands and the value it saw.
    #[cfg_attr(not(any(loom, shuttle)), allow(dead_code))]
    Atomic {
        /// `load`, `store`, `fetch_add`, `compare_exchange`, …
        op: &'static str,
        /// Its (success) ordering.
        order: std::sync::atomic::Ordering,
        /// Its operands (the value stored or added; a compare-exchange's expected and new value).
        arg: [Option<i128>; 2],
        /// The value it read, if it reads.
        result: Option<i128>,
        /// Whether a compare-exchange or update succeeded.
        ok: Option<bool>,
    },
}

impl Op {
    fn verb(self, names: &[String]) -> String {
        let name = |i: u32| {
            names
                .get(i as usize)
                .map_or_else(|| format!("t{i}"), Clone::clone)
        };
        match self {
            Op::Spawn(i) => format!("spawn {}", name(i)),
            Op::Join(i) => format!("join {}", name(i)),
            Op::Lock => "lock".into(),
            Op::TryLock(true) => "try_lock (ok)".into(),
            Op::TryLock(false) => "try_lock (busy)".into(),
            Op::Unlock => "unlock".into(),
            Op::Wait => "wait".into(),
            Op::Woken => "woken".into(),
            Op::TimedOut => "timed out".into(),
            Op::NotifyOne => "notify_one".into(),
            Op::NotifyAll => "notify_all".into(),
            Op::Park => "park".into(),
            Op::Sleep => "sleep".into(),
            Op::Finish => "return".into(),
            Op::User(op) | Op::Operation(op, _) => op.into(),
            Op::Atomic { op, .. } => op.into(),
            Op::Access(false) => "read".into(),
            Op::Access(true) => "write".into(),
        }
    }

    /// What an atomic access did besides its name: operands, ordering, the value seen.
    fn detail(self) -> Option<String> {
        let Op::Atomic {
            op,
            order,
            arg,
            result,
            ok,
        } = self
        else {
            return None;
        };
        let mut s = String::new();
        match arg {
            [Some(a), Some(b)] => s.push_str(&format!("{a}->{b} ")),
            [Some(a), None] => s.push_str(&format!("{a} ")),
            _ => {}
        }
        s.push_str(&format!("{order:?}"));
        match (ok, result) {
            (Some(ok), Some(r)) => {
                s.push_str(if ok { " ok" } else { " failed" });
                s.push_str(&format!(" (was {r})"));
            }
            (Some(ok), None) => s.push_str(if ok { " ok" } else { " failed" }),
            (None, Some(r)) if op == "load" => s.push_str(&format!(" = {r}")),
            (None, Some(r)) => s.push_str(&format!(" (was {r})")),
            (None, None) => {}
        }
        Some(s)
    }

    /// The kind of object the operation acts on, used to label it (`Mutex#1`).
    fn kind(self) -> Option<&'static str> {
        match self {
            Op::Lock | Op::TryLock(_) | Op::Unlock => Some("Mutex"),
            Op::Wait | Op::Woken | Op::TimedOut | Op::NotifyOne | Op::NotifyAll => Some("Condvar"),
            Op::User(_) => Some("obj"),
            Op::Operation(_, kind) => Some(kind),
            Op::Atomic { .. } => Some("Atomic"),
            Op::Access(_) => Some("Cell"),
            _ => None,
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct RawEvent {
    thread: u32,
    op: Op,
    object: usize,
    location: Option<&'static Location<'static>>,
}

/// How many events each thread keeps; older ones are dropped (the end of a long stress run is what
/// explains its hang).
const EVENTS_PER_THREAD: usize = 4096;

/// One thread of the recorded execution. Each thread appends to its own log, so real threads
/// (stress) do not contend on one lock; a global sequence number keeps the execution order.
struct ThreadLog {
    index: u32,
    slot: std::sync::Mutex<Slot>,
}

struct Slot {
    id: Option<backend::thread::ThreadId>,
    name: String,
    state: ThreadState,
    blocked: Option<RawEvent>,
    /// Whether its end has been counted in [`Shared::unfinished`].
    counted: bool,
    events: VecDeque<(u64, RawEvent)>,
    dropped: usize,
    /// Depth of [`operation`]s the thread is inside; while positive, nothing is recorded.
    opaque: u32,
}

impl ThreadLog {
    fn new(index: u32, id: Option<backend::thread::ThreadId>, name: String) -> Arc<ThreadLog> {
        Arc::new(ThreadLog {
            index,
            slot: std::sync::Mutex::new(Slot {
                id,
                name,
                state: ThreadState::Running,
                blocked: None,
                counted: false,
                events: VecDeque::new(),
                dropped: 0,
                opaque: 0,
            }),
        })
    }

    fn slot(&self) -> std::sync::MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Whether a thread of the traced execution finished.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "lowercase"))]
pub enum ThreadState {
    /// Still running or blocked when the execution ended.
    Running,
    /// Returned from its body.
    Finished,
    /// Unwound from a panic.
    Panicked,
}

/// Who raised a panic, as the harness's panic hook saw it (see `note_panic`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanicOrigin {
    /// The body or the code under test: an assertion, an `unwrap`, any other `panic!`.
    Body,
    /// racezoo's [`crate::misuse::misuse`], with one of Go's misuse messages.
    Misuse,
    /// The model checker itself, from its own sources: a deadlock, a causality violation, a limit.
    Checker,
}

/// A panic that escaped a thread of the execution (main's body or a spawned thread's closure): the
/// only kind of panic that is a failure. A panic the code under test catches never becomes one.
#[derive(Clone, Debug)]
pub(crate) struct Escape {
    /// The panic message.
    pub(crate) message: String,
    /// Where it was raised, as `file:line:col`, if the hook saw it.
    pub(crate) location: Option<String>,
    /// Who raised it.
    pub(crate) origin: PanicOrigin,
}

#[derive(Default)]
struct Shared {
    threads: Vec<Arc<ThreadLog>>,
    unfinished: usize,
    main_returned: bool,
    escapes: Vec<Escape>,
}

/// The log of one check's current execution, shared by every thread of that execution.
pub(crate) struct Recorder {
    /// Orders events across threads.
    seq: AtomicU64,
    /// Set when a panic escapes a thread (the execution's failure) or by [`Recorder::freeze`]:
    /// what the failure saw stays as it was.
    frozen: AtomicBool,
    /// Set by [`Recorder::freeze`]: nothing is recorded any more.
    stopped: AtomicBool,
    shared: std::sync::Mutex<Shared>,
    changed: std::sync::Condvar,
}

/// Keeps a recorder installed on the current OS thread (and the process-wide counter raised) until
/// dropped.
pub(crate) struct Installed {
    previous: Option<Arc<Recorder>>,
}

impl Drop for Installed {
    fn drop(&mut self) {
        let previous = self.previous.take();
        let _ = CURRENT.try_with(|c| *c.borrow_mut() = previous);
        ACTIVE.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Installs `recorder` as the current OS thread's recorder until the returned guard is dropped.
pub(crate) fn install(recorder: Arc<Recorder>) -> Installed {
    ACTIVE.fetch_add(1, Ordering::Relaxed);
    let previous = CURRENT.with(|c| c.borrow_mut().replace(recorder));
    Installed { previous }
}

/// Returns the current OS thread's recorder, if a check is recording.
#[inline]
pub(crate) fn current() -> Option<Arc<Recorder>> {
    if !active() {
        return None;
    }
    CURRENT
        .try_with(|c| c.try_borrow().ok().and_then(|c| c.clone()))
        .ok()
        .flatten()
}

fn current_id() -> backend::thread::ThreadId {
    backend::thread::current().id()
}

/// Real threads (std) remember their own log; loom and shuttle run every model thread on one OS
/// thread, so there a thread is looked up by its id.
fn remember(recorder: &Arc<Recorder>, log: &Arc<ThreadLog>) {
    if super::FLAVOUR == super::Flavour::Std {
        let _ = MINE.try_with(|m| *m.borrow_mut() = Some((recorder.clone(), log.clone())));
    }
}

/// Returns `true` if the calling thread's operation is to be recorded: no failure froze the log,
/// the thread is not unwinding (a panicking thread's destructors are not part of what it did), and
/// the checker has not abandoned the execution (then even asking it which thread runs panics).
fn recording(recorder: &Arc<Recorder>) -> bool {
    !recorder.frozen.load(Ordering::Relaxed)
        && !std::thread::panicking()
        && !super::abandon::abandoned()
}

/// Returns the calling thread's log in `recorder`, registering the thread if it is unknown.
fn me(recorder: &Arc<Recorder>) -> Arc<ThreadLog> {
    if super::FLAVOUR == super::Flavour::Std {
        let mine = MINE
            .try_with(|m| {
                m.borrow()
                    .as_ref()
                    .filter(|(r, _)| Arc::ptr_eq(r, recorder))
                    .map(|(_, log)| log.clone())
            })
            .ok()
            .flatten();
        if let Some(log) = mine {
            return log;
        }
    }
    let id = current_id();
    let log = {
        let mut shared = recorder.shared();
        let known = shared
            .threads
            .iter()
            .find(|t| t.slot().id == Some(id))
            .cloned();
        match known {
            Some(log) => log,
            None => {
                let index = shared.threads.len() as u32;
                let log = ThreadLog::new(index, Some(id), format!("t{index}"));
                shared.threads.push(log.clone());
                log
            }
        }
    };
    remember(recorder, &log);
    log
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

impl Slot {
    fn push(&mut self, seq: u64, event: RawEvent) {
        if self.events.len() == EVENTS_PER_THREAD {
            self.events.pop_front();
            self.dropped += 1;
        }
        self.events.push_back((seq, event));
    }
}

/// A thread spawned through the facade while a check records: its log, claimed when it starts.
pub(crate) struct Child {
    recorder: Arc<Recorder>,
    log: Arc<ThreadLog>,
}

/// Registers a thread about to be spawned by the calling thread (named `name`, if given) and records
/// the spawn. Returns `None` when no check records.
pub(crate) fn spawning(name: Option<&str>, location: &'static Location<'static>) -> Option<Child> {
    let recorder = current()?;
    if !recording(&recorder) {
        return None;
    }
    let parent = me(&recorder);
    let log = {
        let mut shared = recorder.shared();
        let index = shared.threads.len() as u32;
        let name = name.map_or_else(|| format!("t{index}"), str::to_string);
        let log = ThreadLog::new(index, None, name);
        shared.threads.push(log.clone());
        shared.unfinished += 1;
        log
    };
    let seq = recorder.seq.fetch_add(1, Ordering::Relaxed);
    parent.slot().push(
        seq,
        RawEvent {
            thread: parent.index,
            op: Op::Spawn(log.index),
            object: 0,
            location: Some(location),
        },
    );
    Some(Child { recorder, log })
}

impl Child {
    /// Returns the index of the spawned thread.
    pub(crate) fn index(&self) -> u32 {
        self.log.index
    }

    /// Runs in the spawned thread before its body: installs the log and claims the index.
    pub(crate) fn enter(self) -> Running {
        let Child { recorder, log } = self;
        log.slot().id = Some(current_id());
        // loom and shuttle run every model thread on the checking OS thread, where the recorder is
        // installed already; a real thread (stress) needs it installed.
        let here = CURRENT
            .try_with(|c| {
                c.try_borrow()
                    .ok()
                    .and_then(|c| c.as_ref().map(|r| Arc::ptr_eq(r, &recorder)))
            })
            .ok()
            .flatten()
            .unwrap_or(false);
        let installed = (!here).then(|| install(recorder.clone()));
        remember(&recorder, &log);
        Running {
            recorder,
            index: log.index,
            _installed: installed,
        }
    }
}

/// Marks a spawned thread finished (or panicked) when dropped at the end of its body.
pub(crate) struct Running {
    recorder: Arc<Recorder>,
    index: u32,
    _installed: Option<Installed>,
}

impl Running {
    /// Records a panic escaping the spawned thread's body: the execution's failure.
    pub(crate) fn escaping(&self, payload: &(dyn std::any::Any + Send)) {
        escaping(&self.recorder, payload);
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.recorder.finish(self.index, std::thread::panicking());
    }
}

impl Recorder {
    /// Creates an empty recorder.
    pub(crate) fn new() -> Arc<Recorder> {
        Arc::new(Recorder {
            seq: AtomicU64::new(0),
            frozen: AtomicBool::new(false),
            stopped: AtomicBool::new(false),
            // Main counts as unfinished from the start, so that a wait for the execution to end
            // cannot return before main even began.
            shared: std::sync::Mutex::new(Shared {
                unfinished: 1,
                ..Shared::default()
            }),
            changed: std::sync::Condvar::new(),
        })
    }

    fn shared(&self) -> std::sync::MutexGuard<'_, Shared> {
        self.shared.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Starts a new execution: forgets the previous one and registers the caller as its main thread.
    pub(crate) fn begin_execution(self: &Arc<Self>) {
        let main = ThreadLog::new(0, Some(current_id()), "main".into());
        {
            let mut shared = self.shared();
            *shared = Shared {
                threads: vec![main.clone()],
                unfinished: 1,
                ..Shared::default()
            };
        }
        self.seq.store(0, Ordering::Relaxed);
        self.frozen.store(false, Ordering::Relaxed);
        self.stopped.store(false, Ordering::Relaxed);
        remember(self, &main);
    }

    /// Marks main (index 0) as returned, or panicked.
    pub(crate) fn main_returned(&self, panicked: bool) {
        self.finish(0, panicked);
        if !panicked {
            self.shared().main_returned = true;
        }
    }

    fn finish(&self, index: u32, panicked: bool) {
        let frozen = self.frozen.load(Ordering::Relaxed);
        let mut shared = self.shared();
        let Some(log) = shared.threads.get(index as usize).cloned() else {
            return;
        };
        {
            let mut slot = log.slot();
            if slot.counted {
                return;
            }
            slot.counted = true;
            // Once a failure froze the log, what it saw stays as it was, except that a panicking
            // thread is marked as such. A thread unwound while blocked, or while the checker abandons
            // the execution (loom unwinds every stuck or spinning thread), stays as it was.
            let torn_down = frozen && (slot.blocked.is_some() || super::abandon::abandoned());
            if (!frozen || panicked) && !torn_down {
                slot.state = if panicked {
                    ThreadState::Panicked
                } else {
                    ThreadState::Finished
                };
                slot.blocked = None;
            }
            if !frozen && !panicked {
                let seq = self.seq.fetch_add(1, Ordering::Relaxed);
                slot.push(
                    seq,
                    RawEvent {
                        thread: index,
                        op: Op::Finish,
                        object: 0,
                        location: None,
                    },
                );
            }
        }
        shared.unfinished = shared.unfinished.saturating_sub(1);
        drop(shared);
        self.changed.notify_all();
    }

    /// Records a panic that escaped a thread of the current execution; the first one freezes the
    /// log, so that what the failure saw is what the report shows.
    pub(crate) fn escaped(&self, escape: Escape) {
        self.frozen.store(true, Ordering::Relaxed);
        self.shared().escapes.push(escape);
    }

    /// As [`Recorder::escaped`], from inside the panic hook: never waits for the recorder's lock
    /// (the panicking thread might hold it), and drops the note if it cannot have it.
    fn escaped_from_hook(&self, escape: Escape) {
        self.frozen.store(true, Ordering::Relaxed);
        if let Ok(mut shared) = self.shared.try_lock() {
            shared.escapes.push(escape);
        }
    }

    /// Returns the panics that escaped a thread of the current execution, first first.
    pub(crate) fn escapes(&self) -> Vec<Escape> {
        self.shared().escapes.clone()
    }

    /// Returns `true` if main's body has returned (normally).
    pub(crate) fn main_has_returned(&self) -> bool {
        self.shared().main_returned
    }

    /// Returns how many of the execution's threads (main included) have not finished.
    pub(crate) fn unfinished(&self) -> usize {
        self.shared().unfinished
    }

    /// Waits until every thread of the execution has finished, or `deadline` passes; returns `true`
    /// in the first case.
    pub(crate) fn wait_finished(&self, deadline: Instant) -> bool {
        let mut shared = self.shared();
        while shared.unfinished > 0 {
            let now = Instant::now();
            if now >= deadline {
                return false;
            }
            shared = self
                .changed
                .wait_timeout(shared, deadline - now)
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        true
    }

    /// Stops recording events; the log stays as it is.
    pub(crate) fn freeze(&self) {
        self.stopped.store(true, Ordering::Relaxed);
        self.frozen.store(true, Ordering::Relaxed);
    }

    /// Copies the current execution's log into a [`Trace`].
    pub(crate) fn snapshot(&self) -> Trace {
        let shared = self.shared();
        let slots: Vec<_> = shared.threads.iter().map(|t| t.slot()).collect();
        let names: Vec<String> = slots.iter().map(|s| s.name.clone()).collect();
        let mut events: Vec<(u64, RawEvent)> = slots
            .iter()
            .flat_map(|s| s.events.iter().copied())
            .collect();
        events.sort_by_key(|(seq, _)| *seq);
        let mut labels: Vec<(&'static str, usize)> = Vec::new();
        let mut label = |op: Op, object: usize| -> Option<String> {
            let kind = op.kind()?;
            let n = match labels.iter().position(|&(k, o)| k == kind && o == object) {
                Some(i) => labels[..=i].iter().filter(|(k, _)| *k == kind).count(),
                None => {
                    labels.push((kind, object));
                    labels.iter().filter(|(k, _)| *k == kind).count()
                }
            };
            Some(match op {
                Op::User(_) => format!("#{n}"),
                _ => format!("{kind}#{n}"),
            })
        };
        let mut convert = |e: &RawEvent| TraceEvent {
            thread: e.thread as usize,
            op: e.op.verb(&names),
            object: label(e.op, e.object),
            detail: e.op.detail(),
            location: e.location.map(|l| format!("{}:{}", l.file(), l.line())),
        };
        let events = events.iter().map(|(_, e)| convert(e)).collect();
        let threads = slots
            .iter()
            .enumerate()
            .map(|(index, slot)| TraceThread {
                index,
                name: slot.name.clone(),
                state: slot.state,
                blocked: slot.blocked.as_ref().map(&mut convert),
            })
            .collect();
        Trace {
            threads,
            events,
            dropped: slots.iter().map(|s| s.dropped).sum(),
            main_returned: shared.main_returned,
        }
    }
}

thread_local! {
    /// The last panics raised on this OS thread, newest last, as the harness's hook saw them.
    static RECENT: RefCell<VecDeque<Escape>> = const { RefCell::new(VecDeque::new()) };
    /// Set by [`crate::misuse::misuse`] just before it panics.
    static MISUSE_NEXT: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// How many recent panics an OS thread remembers (model threads share their OS thread).
const RECENT_PANICS: usize = 16;

/// Called by racezoo's misuse panics just before they panic: the next panic on this thread is a
/// [`PanicOrigin::Misuse`].
pub(crate) fn next_panic_is_misuse() {
    let _ = MISUSE_NEXT.try_with(|m| m.set(true));
}

/// Called from the harness's panic hook for every panic on this OS thread: remembers its message,
/// location and origin, so that if it escapes a thread its report can say where and who. It is not
/// a failure by itself: only [`escaping`] makes one. `from_checker` says the location is in a model
/// checker's own sources.
pub(crate) fn note_panic(message: String, location: Option<String>, from_checker: bool) {
    let misuse = MISUSE_NEXT.try_with(|m| m.replace(false)).unwrap_or(false);
    let origin = if from_checker {
        PanicOrigin::Checker
    } else if misuse {
        PanicOrigin::Misuse
    } else {
        PanicOrigin::Body
    };
    let escape = Escape {
        message,
        location,
        origin,
    };
    // The checker's own panic is the execution's failure even if the body catches it (a pool or an
    // errgroup catching what it takes for a job's panic): the checker has given the execution up.
    if origin == PanicOrigin::Checker {
        if let Some(recorder) = current() {
            recorder.escaped_from_hook(escape.clone());
        }
    }
    let _ = RECENT.try_with(|r| {
        if let Ok(mut recent) = r.try_borrow_mut() {
            if recent.len() == RECENT_PANICS {
                recent.pop_front();
            }
            recent.push_back(escape);
        }
    });
}

/// Describes a panic payload that is escaping a thread: its message, and where and by whom it was
/// raised if the hook saw it on this OS thread (the newest panic with the same message).
pub(crate) fn describe(payload: &(dyn std::any::Any + Send)) -> Escape {
    let message = payload_message(payload);
    let seen = RECENT
        .try_with(|r| {
            r.try_borrow()
                .ok()
                .and_then(|recent| recent.iter().rev().find(|e| e.message == message).cloned())
        })
        .ok()
        .flatten();
    seen.unwrap_or(Escape {
        message,
        location: None,
        origin: PanicOrigin::Body,
    })
}

/// Records, in `recorder`, a panic escaping one of its threads. Once the checker has abandoned the
/// execution, only its own panic is a failure: the other threads' stacks are then unwound by the
/// checker tearing the execution down, and that is not something they did.
pub(crate) fn escaping(recorder: &Recorder, payload: &(dyn std::any::Any + Send)) {
    let escape = describe(payload);
    if escape.origin != PanicOrigin::Checker && super::abandon::abandoned() {
        return;
    }
    recorder.escaped(escape);
}

/// Extracts the message of a panic payload (`&str` or `String`), or a placeholder.
pub(crate) fn payload_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "<non-string panic payload>".to_string()
    }
}

/// One recorded operation.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TraceEvent {
    /// Index of the thread that performed it (into [`Trace::threads`]).
    pub thread: usize,
    /// What it did (`lock`, `wait`, `spawn t1`, …).
    pub op: String,
    /// The object it acted on, labelled in order of first appearance (`Mutex#1`, `Condvar#1`).
    pub object: Option<String>,
    /// For an atomic access: its operands, ordering and the value it saw (`Relaxed = 1`).
    #[cfg_attr(feature = "serde", serde(default))]
    pub detail: Option<String>,
    /// The source location of the call, as `file:line`.
    pub location: Option<String>,
}

/// One thread of a traced execution.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TraceThread {
    /// Its index; main is 0, spawned threads count up in spawn order.
    pub index: usize,
    /// Its name: `main`, the `Builder` name, or `t<index>`.
    pub name: String,
    /// Whether it finished.
    pub state: ThreadState,
    /// The operation it was blocked in when the execution ended, if any.
    pub blocked: Option<TraceEvent>,
}

/// The events of one execution (the failing one, in a report), in execution order.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct Trace {
    /// The execution's threads, main first.
    pub threads: Vec<TraceThread>,
    /// Its events, in the order they happened.
    pub events: Vec<TraceEvent>,
    /// How many of the oldest events were dropped (each thread keeps its last 4,096).
    #[cfg_attr(feature = "serde", serde(default))]
    pub dropped: usize,
    /// Whether main returned from the body.
    pub main_returned: bool,
}
