//! Why a context ended: Go's `context.Canceled` / `context.DeadlineExceeded`, and the cause given.

use std::any::Any;
use std::error::Error;
use std::fmt;
// An immutable value shared by handles: nothing to model, so std's `Arc` (which also coerces to a
// trait object).
use std::sync::Arc;

/// Why a context was cancelled; Go's `context.Canceled` and `context.DeadlineExceeded`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContextError {
    /// The context (or an ancestor) was cancelled through its [`CancelFn`](super::CancelFn).
    Canceled,
    /// The context's (or an ancestor's) deadline passed.
    DeadlineExceeded,
}

impl ContextError {
    /// Returns `true` for [`ContextError::DeadlineExceeded`], as Go's `DeadlineExceeded` reports
    /// `Timeout() == true` (and `Temporary() == true`), so code that asks an error whether it is a
    /// timeout treats an expired context like a network timeout.
    pub fn is_timeout(&self) -> bool {
        matches!(self, ContextError::DeadlineExceeded)
    }
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

/// What a cause can hold: any value that can be shown, shared and downcast.
trait CauseValue: fmt::Display + fmt::Debug + Send + Sync + 'static {
    fn as_any(&self) -> &dyn Any;
}

impl<T: fmt::Display + fmt::Debug + Send + Sync + 'static> CauseValue for T {
    fn as_any(&self) -> &dyn Any {
        self
    }
}

/// The reason given for a cancellation (Go's `context.Cause`): a shared, type-erased value.
///
/// Without an explicit cause it is the [`ContextError`] itself. Any `Display + Debug` value can be a
/// cause (an error type, a `String`), and [`downcast_ref`](Cause::downcast_ref) gets it back.
#[derive(Clone)]
pub struct Cause(Arc<dyn CauseValue>);

impl Cause {
    /// Wraps `value` as a cause.
    pub fn new<E: fmt::Display + fmt::Debug + Send + Sync + 'static>(value: E) -> Self {
        Cause(Arc::new(value))
    }

    /// Makes a cause from a message.
    pub fn msg(message: impl Into<String>) -> Self {
        Cause(Arc::new(Message(message.into())))
    }

    /// Returns the cause as a `T`, if it is one.
    pub fn downcast_ref<T: 'static>(&self) -> Option<&T> {
        // `(*self.0)`: the `Arc` is itself a `CauseValue`; ask the value inside.
        (*self.0).as_any().downcast_ref::<T>()
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

impl Error for Cause {}

impl From<ContextError> for Cause {
    fn from(e: ContextError) -> Self {
        Cause::new(e)
    }
}

/// A cause made from a plain message.
struct Message(String);

impl fmt::Display for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Message {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}
