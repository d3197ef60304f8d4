//! Nondeterministic choices a primitive makes (which ready `select` case runs, say), made where
//! each checker can see them.
//!
//! Go picks among ready cases uniformly at random. racezoo's primitives ask [`choose`] for every
//! such pick, and the flavour decides who answers:
//!
//! | flavour | who chooses | explored? | replayed? |
//! |---|---|---|---|
//! | std | a per-thread xorshift generator seeded from the OS (`RandomState`) | uniformly random | no |
//! | shuttle | shuttle's own random source, a decision of the schedule | yes, by every scheduler | yes: the replay handle holds it |
//! | loom | nobody: always `0`, the first candidate | **no** | yes (it never varies) |
//!
//! loom has no nondeterministic-choice primitive: its exploration branches only on the order of
//! threads and on which store a load reads, and a value that differed between two executions of the
//! same schedule would break its replay. So under loom a `select` with several ready cases always
//! takes the first of them in the order the caller listed them; a bug that needs another choice is
//! invisible to loom and must be found with shuttle. `tests/chan/select_choice.rs` shows both halves.

/// Returns a choice in `0..n`: uniformly random on real threads, a decision of the schedule under
/// shuttle, `0` under loom (see the module docs). `n` must be at least 1.
#[inline]
pub fn choose(n: usize) -> usize {
    debug_assert!(n > 0, "choose among no candidates");
    if n <= 1 {
        return 0;
    }
    super::backend::choose(n)
}

/// Reduces a uniformly random 64-bit value to `0..n` without a division (Lemire's multiply-high;
/// the bias is below `n / 2^64`).
#[cfg_attr(loom, allow(dead_code))]
#[inline]
pub(super) fn reduce(random: u64, n: usize) -> usize {
    ((u128::from(random) * n as u128) >> 64) as usize
}
