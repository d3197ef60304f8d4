//! A recorded execution, as the harness presents it: threads by name, operations as verbs (`lock`,
//! `recv`, `spawn t1`), objects labelled in order of first appearance (`Mutex#1`, `Chan#2`), atomic
//! accesses with their operands and the value they saw, and source locations relative to the crate.
//! The facade (`crate::sync::trace`) only records; everything a person reads is worded here.

use crate::sync::trace::{Op, RawEvent, Snapshot};

pub use crate::sync::trace::ThreadState;

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

impl From<Snapshot> for Trace {
    fn from(snapshot: Snapshot) -> Trace {
        let names: Vec<String> = snapshot.threads.iter().map(|t| t.name.clone()).collect();
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
            location: e
                .location
                .map(|l| format!("{}:{}", relative(l.file()), l.line())),
        };
        let events = snapshot.events.iter().map(&mut convert).collect();
        let threads = snapshot
            .threads
            .iter()
            .enumerate()
            .map(|(index, t)| TraceThread {
                index,
                name: t.name.clone(),
                state: t.state,
                blocked: t.blocked.as_ref().map(&mut convert),
            })
            .collect();
        Trace {
            threads,
            events,
            dropped: snapshot.dropped,
            main_returned: snapshot.main_returned,
        }
    }
}

/// A source path as a reader of the crate knows it: `dir/../` steps collapsed, so that the zoo's
/// `src/../scenarios/counter.rs` (it is included from `src/lib.rs`) reads `scenarios/counter.rs`.
pub(crate) fn relative(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            ".." if parts.last().is_some_and(|p| *p != ".." && !p.is_empty()) => {
                parts.pop();
            }
            "." => {}
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

/// How the harness words an [`Op`].
trait Words {
    fn verb(self, names: &[String]) -> String;
    fn detail(self) -> Option<String>;
    fn kind(self) -> Option<&'static str>;
}

impl Words for Op {
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

#[cfg(test)]
mod tests {
    use super::relative;

    #[test]
    fn locations_are_shown_relative_to_the_crate() {
        assert_eq!(
            relative("src/../scenarios/counter.rs"),
            "scenarios/counter.rs"
        );
        assert_eq!(relative("tests/abba.rs"), "tests/abba.rs");
        assert_eq!(relative("../x/./y.rs"), "../x/y.rs");
        assert_eq!(relative("/abs/a/../b.rs"), "/abs/b.rs");
    }
}
