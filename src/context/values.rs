//! The values a context carries (Go's `WithValue`): an immutable chain, newest first, shared by every
//! context derived from the one that added a value.

use std::any::Any;
// Immutable once built and never waited on: std's `Arc` (which coerces to a trait object).
use std::sync::Arc;

/// A context's values: `None` when it carries none.
#[derive(Clone, Default)]
pub(super) struct Values(Option<Arc<Link>>);

struct Link {
    key: Box<dyn Any + Send + Sync>,
    /// Compares `key` with a candidate of any type (false when the types differ).
    same_key: fn(&(dyn Any + Send + Sync), &dyn Any) -> bool,
    value: Box<dyn Any + Send + Sync>,
    next: Values,
}

fn same_key<K: PartialEq + 'static>(stored: &(dyn Any + Send + Sync), candidate: &dyn Any) -> bool {
    match (stored.downcast_ref::<K>(), candidate.downcast_ref::<K>()) {
        (Some(a), Some(b)) => a == b,
        _ => false,
    }
}

impl Values {
    /// Returns these values with `value` added under `key`, in front of the others.
    pub(super) fn with<K, V>(&self, key: K, value: V) -> Values
    where
        K: PartialEq + Send + Sync + 'static,
        V: Send + Sync + 'static,
    {
        Values(Some(Arc::new(Link {
            key: Box::new(key),
            same_key: same_key::<K>,
            value: Box::new(value),
            next: self.clone(),
        })))
    }

    /// Returns the newest value under a key equal to `key`, if it is a `V`.
    pub(super) fn get<K: PartialEq + 'static, V: 'static>(&self, key: &K) -> Option<&V> {
        let mut link = self.0.as_deref();
        while let Some(l) = link {
            if (l.same_key)(&*l.key, key) {
                return l.value.downcast_ref::<V>();
            }
            link = l.next.0.as_deref();
        }
        None
    }
}
