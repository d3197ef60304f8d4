//! Replay handles: how a report names its failing execution, and how [`super::replay`] runs it again.
//!
//! A handle is a value ([`ReplayHandle`]) that prints as one line and parses back from it:
//!
//! | checker | printed as | what it holds |
//! |---|---|---|
//! | loom | `loom:preemptions=3:execution=17` | loom's exploration is deterministic: the preemption bound and the 1-based index of the failing execution are enough to reach it again |
//! | shuttle | `shuttle-random:rz1:<seed>:<steps>` / `shuttle-pct:…` | the failing schedule itself: every thread switch and every random value (a `select`'s choice among ready cases, say) |

use std::fmt;
use std::str::FromStr;

use super::{CheckError, Checker, Unavailable};

/// A failing execution, as a report names it: print it, parse it back, pass it to
/// [`replay`](super::replay).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum ReplayHandle {
    /// loom: explore again, in the same order, up to the failing execution.
    Loom {
        /// The preemption bound of the exploration (`None`: loom's default).
        preemptions: Option<usize>,
        /// The 1-based index of the failing execution.
        execution: u64,
    },
    /// shuttle: run the recorded schedule once.
    Shuttle {
        /// The checker that found it ([`Checker::ShuttleRandom`] or [`Checker::ShuttlePct`]).
        checker: Checker,
        /// The encoded schedule (`rz1:…`).
        schedule: String,
    },
}

impl ReplayHandle {
    /// Returns the checker that replays this handle.
    pub fn checker(&self) -> Checker {
        match self {
            ReplayHandle::Loom { .. } => Checker::Loom,
            ReplayHandle::Shuttle { checker, .. } => *checker,
        }
    }
}

impl fmt::Display for ReplayHandle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayHandle::Loom {
                preemptions,
                execution,
            } => {
                write!(f, "loom:preemptions=")?;
                match preemptions {
                    Some(p) => write!(f, "{p}")?,
                    None => write!(f, "default")?,
                }
                write!(f, ":execution={execution}")
            }
            ReplayHandle::Shuttle { checker, schedule } => write!(f, "{checker}:{schedule}"),
        }
    }
}

impl FromStr for ReplayHandle {
    type Err = ReplayError;

    fn from_str(text: &str) -> Result<Self, ReplayError> {
        let malformed = |why: &str| ReplayError::Malformed {
            handle: text.to_string(),
            why: why.to_string(),
        };
        let (checker, rest) = text
            .trim()
            .split_once(':')
            .ok_or_else(|| malformed("expected `loom:…`, `shuttle-random:…` or `shuttle-pct:…`"))?;
        match checker {
            "loom" => {
                let rest = rest
                    .strip_prefix("preemptions=")
                    .ok_or_else(|| malformed("expected `loom:preemptions=N:execution=M`"))?;
                let (preemptions, execution) = rest
                    .split_once(":execution=")
                    .ok_or_else(|| malformed("expected `loom:preemptions=N:execution=M`"))?;
                let preemptions = match preemptions {
                    "default" => None,
                    p => Some(
                        p.parse()
                            .map_err(|_| malformed("the preemption bound is not a number"))?,
                    ),
                };
                let execution: u64 = execution
                    .parse()
                    .map_err(|_| malformed("the execution is not a number"))?;
                if execution == 0 {
                    return Err(malformed("executions are counted from 1"));
                }
                Ok(ReplayHandle::Loom {
                    preemptions,
                    execution,
                })
            }
            "shuttle-random" | "shuttle-pct" => {
                let checker = if checker == "shuttle-random" {
                    Checker::ShuttleRandom
                } else {
                    Checker::ShuttlePct
                };
                if !rest.starts_with("rz1:") || rest.len() <= "rz1:".len() {
                    return Err(malformed("expected a schedule `rz1:<seed>:<steps>`"));
                }
                Ok(ReplayHandle::Shuttle {
                    checker,
                    schedule: rest.to_string(),
                })
            }
            _ => Err(malformed(
                "expected `loom:…`, `shuttle-random:…` or `shuttle-pct:…`",
            )),
        }
    }
}

/// A handle serializes as its printed form, so a JSON report carries the same text a user pastes.
#[cfg(feature = "serde")]
mod serde_impls {
    use super::ReplayHandle;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    impl Serialize for ReplayHandle {
        fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
            serializer.collect_str(self)
        }
    }

    impl<'de> Deserialize<'de> for ReplayHandle {
        fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
            let text = String::deserialize(deserializer)?;
            text.parse().map_err(serde::de::Error::custom)
        }
    }
}

/// What [`replay`](super::replay) accepts: a [`ReplayHandle`], or its printed form.
pub trait IntoHandle {
    /// Returns the handle, or why the text is not one.
    fn into_handle(self) -> Result<ReplayHandle, ReplayError>;
}

impl IntoHandle for ReplayHandle {
    fn into_handle(self) -> Result<ReplayHandle, ReplayError> {
        Ok(self)
    }
}

impl IntoHandle for &ReplayHandle {
    fn into_handle(self) -> Result<ReplayHandle, ReplayError> {
        Ok(self.clone())
    }
}

impl IntoHandle for &str {
    fn into_handle(self) -> Result<ReplayHandle, ReplayError> {
        self.parse()
    }
}

impl IntoHandle for &String {
    fn into_handle(self) -> Result<ReplayHandle, ReplayError> {
        self.parse()
    }
}

/// Why [`replay`](super::replay) could not run a handle.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReplayError {
    /// The handle's checker is not in this build's flavour.
    Unavailable(Unavailable),
    /// The text is not a handle that a report gives.
    Malformed {
        /// The text.
        handle: String,
        /// What is wrong with it.
        why: String,
    },
    /// The schedule does not fit the body: it was recorded on another body (or the body changed so
    /// much that the recorded thread switches are no longer possible).
    DoesNotFit {
        /// The handle.
        handle: String,
        /// What the checker said.
        why: String,
    },
    /// The checker could not judge the body (a limit of its own).
    Check(CheckError),
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayError::Unavailable(u) => u.fmt(f),
            ReplayError::Malformed { handle, why } => {
                write!(f, "not a replay handle: {handle:?} ({why})")
            }
            ReplayError::DoesNotFit { handle, why } => write!(
                f,
                "the schedule {handle} does not fit this body ({}); it was recorded on another body",
                why.lines().next().unwrap_or_default()
            ),
            ReplayError::Check(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for ReplayError {}

impl From<Unavailable> for ReplayError {
    fn from(u: Unavailable) -> Self {
        ReplayError::Unavailable(u)
    }
}

impl From<CheckError> for ReplayError {
    fn from(e: CheckError) -> Self {
        match e {
            CheckError::Unavailable(u) => ReplayError::Unavailable(u),
            e => ReplayError::Check(e),
        }
    }
}
