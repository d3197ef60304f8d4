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

mod escapes;
mod hooks;

pub(crate) use self::hooks::{block, record, record_unlocated, unblock};
pub use self::hooks::{blocking, event, operation};

pub(crate) use self::escapes::{
    Escape, PanicOrigin, describe, escaping, next_panic_is_misuse, note_panic, payload_message,
};

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
    /// A read (`false`) or write (`true`) of a facade `UnsafeCell` (loom and shuttle).
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

/// One recorded operation, before the harness words it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct RawEvent {
    pub(crate) thread: u32,
    pub(crate) op: Op,
    pub(crate) object: usize,
    pub(crate) location: Option<&'static Location<'static>>,
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
    pub(super) fn escaped_from_hook(&self, escape: Escape) {
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

    /// Copies the current execution's log, raw: the harness labels and words it (`check::Trace`).
    pub(crate) fn snapshot(&self) -> Snapshot {
        let shared = self.shared();
        let slots: Vec<_> = shared.threads.iter().map(|t| t.slot()).collect();
        let mut events: Vec<(u64, RawEvent)> = slots
            .iter()
            .flat_map(|s| s.events.iter().copied())
            .collect();
        events.sort_by_key(|(seq, _)| *seq);
        Snapshot {
            threads: slots
                .iter()
                .map(|slot| RawThread {
                    name: slot.name.clone(),
                    state: slot.state,
                    blocked: slot.blocked,
                })
                .collect(),
            events: events.into_iter().map(|(_, e)| e).collect(),
            dropped: slots.iter().map(|s| s.dropped).sum(),
            main_returned: shared.main_returned,
        }
    }
}

/// One thread of a [`Snapshot`].
pub(crate) struct RawThread {
    /// `main`, the `Builder` name, or `t<index>`.
    pub(crate) name: String,
    /// Whether it finished.
    pub(crate) state: ThreadState,
    /// What it was blocked in when the snapshot was taken.
    pub(crate) blocked: Option<RawEvent>,
}

/// An execution's log as recorded: threads in index order, events in execution order.
pub(crate) struct Snapshot {
    pub(crate) threads: Vec<RawThread>,
    pub(crate) events: Vec<RawEvent>,
    pub(crate) dropped: usize,
    pub(crate) main_returned: bool,
}
