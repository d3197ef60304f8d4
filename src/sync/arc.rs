//! The loom flavour's `Arc` and `Weak`: std's reference counting, with every drop made visible to loom.
//!
//! loom's own `Arc` aborts the process when a deadlock is found while a model thread holds one (loom
//! issue #291), so the facade keeps `std::sync::Arc` for the memory. But std's atomics are invisible
//! to loom: the only synchronization between the last drop of a value (which runs its destructor)
//! and another thread's earlier drop would be missing from loom's model, and the destructor's
//! accesses to `UnsafeCell`s the other thread wrote are reported as races that cannot happen.
//!
//! So each handle here is a `std::sync::Arc<T>` plus a shared [`Count`] holding a loom atomic, and
//! every drop inside a live loom execution makes one read-modify-write on that atomic: `Release` for
//! every drop, `Acquire` too for the drop that is last. RMWs continue a release sequence, so the last
//! drop synchronizes with every earlier one, as `std::sync::Arc`'s own `fetch_sub(Release)` and
//! `fence(Acquire)` do on real hardware. Clones make no loom operation: std's increment is `Relaxed`
//! and orders nothing either.
//!
//! # Atomicity of the loom RMW and the std decrement
//!
//! loom runs one model thread at a time and switches only at a *branch* of its own, which an atomic
//! operation takes before it acts (`rt::Atomic::rmw` branches, then applies the RMW without
//! switching). Between the RMW returning and std's decrement there is no loom operation, so no
//! other model thread runs in between: the pair is atomic with respect to the model, and "am I the
//! last strong handle" read from std's count right after the RMW is exact.
//!
//! # When the loom atomic exists
//!
//! A loom object can only be created and used inside a running loom execution, and only in the
//! execution that created it. The atomic is therefore created lazily, when a handle is created
//! (`new`, `clone`, `downgrade`) in a live execution, and stamped with the execution it belongs to
//! ([`abandon::execution`]); a handle created in a later execution creates a fresh one. (Creating it
//! at a handle's creation, not at a drop, matters: loom reports an access that does not happen after
//! an atomic's creation as a causality violation, and a handle reaches another thread only through
//! a synchronization that follows its creation.) Outside a live execution (an `Arc` created before a check and
//! captured by its body, dropped after the last execution; any use outside a check; an execution
//! the checker abandoned), a drop makes no loom operation and is exactly std's.
//!
//! # Limitation: no unsized coercion
//!
//! A newtype cannot implement `CoerceUnsized` on stable Rust, so `let a: Arc<dyn Trait> =
//! Arc::new(x)` does not compile in the loom flavour. Write `Arc::from(Box::new(x) as Box<dyn
//! Trait>)`, which compiles in every flavour.

use std::fmt;
use std::ops::Deref;
use std::sync::Mutex as StdMutex;

use loom::sync::atomic::{AtomicUsize as LoomAtomic, Ordering};

use super::{abandon, trace};

/// The loom atomic shared by every handle of one value, created lazily per execution.
#[derive(Default)]
struct Count {
    /// The execution the atomic belongs to, and the atomic.
    slot: StdMutex<Option<(u64, LoomAtomic)>>,
}

impl Count {
    /// Makes sure this execution's atomic exists, if a loom execution is live on this OS thread.
    ///
    /// Called when a handle is created (`new`, `clone`, `downgrade`): loom reports an access to an
    /// atomic that does not happen after its creation as a causality violation, and a handle reaches
    /// another thread only through some synchronization that follows its creation.
    fn ensure(&self) {
        let Some(execution) = live_execution() else {
            return;
        };
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        if slot.as_ref().is_none_or(|(at, _)| *at != execution) {
            // Creating a loom atomic is no branch: no other model thread runs meanwhile.
            *slot = Some((execution, LoomAtomic::new(0)));
        }
    }

    /// Applies `f` to this execution's atomic if a loom execution is live on this OS thread and the
    /// atomic was created in it.
    fn with_live<R>(&self, f: impl FnOnce(&LoomAtomic) -> R) -> Option<R> {
        let execution = live_execution()?;
        let slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        let atomic: *const LoomAtomic = match slot.as_ref() {
            Some((at, atomic)) if *at == execution => atomic,
            // No handle was created in this execution (one made before the check and dropped
            // during it): nothing in this execution's model to synchronize with.
            _ => return None,
        };
        // The operations branch first, and another model thread may run and take this std lock:
        // release it before the call so that it cannot block the OS thread.
        drop(slot);
        // SAFETY: the atomic is replaced only by `ensure` in a *later* execution, which cannot begin
        // while this one is inside this call; `self` outlives the call.
        Some(f(unsafe { &*atomic }))
    }
}

/// Returns the id of the loom execution running on this OS thread, if one is live: a check is
/// recording on this thread, its execution has threads that have not finished, and the checker has
/// not abandoned it.
fn live_execution() -> Option<u64> {
    // An escaped panic marks the execution abandoned before loom tears it down (partly outside
    // the execution, where a loom RMW would panic inside this destructor); a panic the body catches
    // does not, and a drop during it is modelled like any other.
    if abandon::abandoned() {
        return None;
    }
    let recorder = trace::current()?;
    (recorder.unfinished() > 0)
        .then(abandon::execution)
        .flatten()
}

/// A thread-safe reference-counting pointer: `std::sync::Arc` whose drops loom sees (see the
/// [module docs](self)).
pub struct Arc<T: ?Sized> {
    value: std::sync::Arc<T>,
    count: std::sync::Arc<Count>,
}

/// A non-owning reference to the value of an [`Arc`], as `std::sync::Weak`.
pub struct Weak<T: ?Sized> {
    value: std::sync::Weak<T>,
    count: Option<std::sync::Arc<Count>>,
}

impl<T> Arc<T> {
    /// Creates an `Arc` holding `value`.
    pub fn new(value: T) -> Arc<T> {
        Arc::from_std(std::sync::Arc::new(value))
    }

    /// Returns the value if this is the only strong handle; otherwise returns the handle.
    pub fn try_unwrap(this: Arc<T>) -> Result<T, Arc<T>> {
        let (value, count) = this.into_parts();
        match std::sync::Arc::try_unwrap(value) {
            Ok(v) => {
                // Taking the value out is the last drop: it must see every earlier one.
                count.with_live(|a| a.fetch_add(1, Ordering::AcqRel));
                Ok(v)
            }
            Err(value) => Err(Arc { value, count }),
        }
    }

    /// Returns the value if this is the only strong handle (dropping the handle otherwise).
    pub fn into_inner(this: Arc<T>) -> Option<T> {
        Arc::try_unwrap(this).ok()
    }
}

impl<T: ?Sized> Arc<T> {
    fn from_std(value: std::sync::Arc<T>) -> Arc<T> {
        let count = std::sync::Arc::<Count>::default();
        count.ensure();
        Arc { value, count }
    }

    fn into_parts(self) -> (std::sync::Arc<T>, std::sync::Arc<Count>) {
        let this = std::mem::ManuallyDrop::new(self);
        // SAFETY: `this` is never used or dropped again; each field is read exactly once.
        unsafe { (std::ptr::read(&this.value), std::ptr::read(&this.count)) }
    }

    /// Returns `true` if both handles point to the same value.
    pub fn ptr_eq(this: &Arc<T>, other: &Arc<T>) -> bool {
        std::sync::Arc::ptr_eq(&this.value, &other.value)
    }

    /// Returns a raw pointer to the value.
    pub fn as_ptr(this: &Arc<T>) -> *const T {
        std::sync::Arc::as_ptr(&this.value)
    }

    /// Returns the number of strong handles.
    pub fn strong_count(this: &Arc<T>) -> usize {
        std::sync::Arc::strong_count(&this.value)
    }

    /// Returns the number of weak handles.
    pub fn weak_count(this: &Arc<T>) -> usize {
        std::sync::Arc::weak_count(&this.value)
    }

    /// Creates a [`Weak`] handle to the value.
    pub fn downgrade(this: &Arc<T>) -> Weak<T> {
        this.count.ensure();
        Weak {
            value: std::sync::Arc::downgrade(&this.value),
            count: Some(this.count.clone()),
        }
    }

    /// Returns a mutable reference to the value if this is the only handle (strong or weak).
    pub fn get_mut(this: &mut Arc<T>) -> Option<&mut T> {
        let value = std::sync::Arc::get_mut(&mut this.value)?;
        // Exclusive access after other handles were dropped: acquire their drops.
        this.count.with_live(|a| a.fetch_add(0, Ordering::Acquire));
        Some(value)
    }
}

impl<T: Clone> Arc<T> {
    /// Returns a mutable reference to the value, cloning it first if other handles exist.
    pub fn make_mut(this: &mut Arc<T>) -> &mut T {
        if std::sync::Arc::strong_count(&this.value) != 1
            || std::sync::Arc::weak_count(&this.value) != 0
        {
            *this = Arc::new((*this.value).clone());
        } else {
            this.count.with_live(|a| a.fetch_add(0, Ordering::Acquire));
        }
        std::sync::Arc::get_mut(&mut this.value).expect("unique after the clone")
    }
}

impl<T: ?Sized> Drop for Arc<T> {
    fn drop(&mut self) {
        // Release this handle's accesses to whoever drops last; if that is us, acquire everyone
        // else's. `strong_count` is read after the RMW: no model thread runs in between (module
        // docs), so it is exact. The std decrement follows when the fields drop.
        self.count.with_live(|a| {
            a.fetch_add(1, Ordering::Release);
            if std::sync::Arc::strong_count(&self.value) == 1 {
                a.fetch_add(0, Ordering::Acquire);
            }
        });
    }
}

impl<T: ?Sized> Clone for Arc<T> {
    fn clone(&self) -> Arc<T> {
        self.count.ensure();
        Arc {
            value: self.value.clone(),
            count: self.count.clone(),
        }
    }
}

impl<T: ?Sized> Deref for Arc<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.value
    }
}

impl<T: ?Sized> AsRef<T> for Arc<T> {
    fn as_ref(&self) -> &T {
        &self.value
    }
}

impl<T: ?Sized> std::borrow::Borrow<T> for Arc<T> {
    fn borrow(&self) -> &T {
        &self.value
    }
}

impl<T: Default> Default for Arc<T> {
    fn default() -> Arc<T> {
        Arc::new(T::default())
    }
}

impl<T> From<T> for Arc<T> {
    fn from(value: T) -> Arc<T> {
        Arc::new(value)
    }
}

impl<T: ?Sized> From<Box<T>> for Arc<T> {
    /// Moves a boxed value into an `Arc`; the way to build an `Arc<dyn Trait>` in every flavour.
    fn from(value: Box<T>) -> Arc<T> {
        Arc::from_std(std::sync::Arc::from(value))
    }
}

impl From<String> for Arc<str> {
    fn from(value: String) -> Arc<str> {
        Arc::from_std(std::sync::Arc::from(value))
    }
}

impl From<&str> for Arc<str> {
    fn from(value: &str) -> Arc<str> {
        Arc::from_std(std::sync::Arc::from(value))
    }
}

impl<T: ?Sized + fmt::Debug> fmt::Debug for Arc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.value, f)
    }
}

impl<T: ?Sized + fmt::Display> fmt::Display for Arc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.value, f)
    }
}

impl<T: ?Sized> fmt::Pointer for Arc<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Pointer::fmt(&self.value, f)
    }
}

impl<T: ?Sized + PartialEq> PartialEq for Arc<T> {
    fn eq(&self, other: &Arc<T>) -> bool {
        *self.value == *other.value
    }
}

impl<T: ?Sized + Eq> Eq for Arc<T> {}

impl<T: ?Sized + std::hash::Hash> std::hash::Hash for Arc<T> {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.value.hash(state)
    }
}

impl<T> Weak<T> {
    /// Creates a `Weak` that points to nothing; [`upgrade`](Weak::upgrade) always returns `None`.
    pub const fn new() -> Weak<T> {
        Weak {
            value: std::sync::Weak::new(),
            count: None,
        }
    }
}

impl<T: ?Sized> Weak<T> {
    /// Returns a strong handle if the value still exists.
    pub fn upgrade(&self) -> Option<Arc<T>> {
        let value = self.value.upgrade()?;
        let count = self.count.clone().expect("a live value has a count");
        Some(Arc { value, count })
    }

    /// Returns the number of strong handles to the value.
    pub fn strong_count(&self) -> usize {
        self.value.strong_count()
    }

    /// Returns `true` if both handles point to the same allocation.
    pub fn ptr_eq(&self, other: &Weak<T>) -> bool {
        self.value.ptr_eq(&other.value)
    }
}

impl<T: ?Sized> Clone for Weak<T> {
    fn clone(&self) -> Weak<T> {
        Weak {
            value: self.value.clone(),
            count: self.count.clone(),
        }
    }
}

impl<T> Default for Weak<T> {
    fn default() -> Weak<T> {
        Weak::new()
    }
}

impl<T: ?Sized> fmt::Debug for Weak<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("(Weak)")
    }
}
