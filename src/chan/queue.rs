//! A FIFO queue of blocked operations that lets any member leave in O(1): Go's `waitq` with
//! `dequeueSudoG` (`runtime/select.go`, `runtime/chan.go`), as an index-linked list in one vector.
//!
//! A `select` that loses on some channels, a timed-out send or receive, and close all take entries
//! out of the middle of a channel's queue. Scanning the queue for them made a select that leaves `n`
//! queues of `n` waiters cost `O(n)` each, so Go's `chanlinear` workload (`n` blocked selects, each
//! woken in turn) grew quadratically. Here a push returns a [`Ticket`] naming the entry's node, and
//! [`Queue::remove`] unlinks that node directly. A ticket may outlive its node: a partner may already
//! have popped the entry (and the node been reused by another push), which the node's generation
//! tells apart, so removing with a stale ticket does nothing.
//!
//! The queue is plain sequential data; the channel's lock protects it.

/// "No node": the end of a list.
const NIL: usize = usize::MAX;

/// One place in the queue's vector.
#[derive(Debug)]
struct Node<E> {
    /// The queued item, `None` while the node is free.
    item: Option<E>,
    /// Bumped each time the node is freed, so a ticket of an earlier occupant no longer matches.
    generation: u64,
    /// The previous node in queue order (or, for a free node, unused).
    prev: usize,
    /// The next node in queue order, or the next free node.
    next: usize,
}

/// Where a pushed item sits, to take it out again with [`Queue::remove`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Ticket {
    index: usize,
    generation: u64,
}

/// A FIFO queue with O(1) push, pop and removal of any member by its [`Ticket`].
#[derive(Debug)]
pub(crate) struct Queue<E> {
    nodes: Vec<Node<E>>,
    head: usize,
    tail: usize,
    /// The first free node (a list through `next`).
    free: usize,
    len: usize,
    /// Nodes read or written by every operation so far: the deterministic cost measure of the tests.
    #[cfg(test)]
    touched: usize,
}

impl<E> Queue<E> {
    /// Creates an empty queue (it allocates on the first push).
    pub(crate) const fn new() -> Self {
        Queue {
            nodes: Vec::new(),
            head: NIL,
            tail: NIL,
            free: NIL,
            len: 0,
            #[cfg(test)]
            touched: 0,
        }
    }

    /// Counts one node visited (tests only).
    #[inline(always)]
    fn touch(&mut self) {
        #[cfg(test)]
        {
            self.touched += 1;
        }
    }

    /// Returns `true` if nothing is queued.
    pub(crate) fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Returns the number of queued items.
    #[cfg(test)]
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Appends `item`; returns its ticket.
    pub(crate) fn push_back(&mut self, item: E) -> Ticket {
        // Take a free node, or grow the vector by one.
        let index = if self.free != NIL {
            let index = self.free;
            self.free = self.nodes[index].next;
            index
        } else {
            self.nodes.push(Node {
                item: None,
                generation: 0,
                prev: NIL,
                next: NIL,
            });
            self.nodes.len() - 1
        };
        self.touch();
        let tail = self.tail;
        let node = &mut self.nodes[index];
        node.item = Some(item);
        node.prev = tail;
        node.next = NIL;
        let generation = node.generation;
        // Link it after the tail.
        if tail == NIL {
            self.head = index;
        } else {
            self.touch();
            self.nodes[tail].next = index;
        }
        self.tail = index;
        self.len += 1;
        Ticket { index, generation }
    }

    /// Returns the first item, if any.
    pub(crate) fn front(&self) -> Option<&E> {
        if self.head == NIL {
            return None;
        }
        self.nodes[self.head].item.as_ref()
    }

    /// Takes the first item out, if any.
    pub(crate) fn pop_front(&mut self) -> Option<E> {
        if self.head == NIL {
            return None;
        }
        Some(self.unlink(self.head))
    }

    /// Takes the item of `ticket` out if it is still queued; returns `None` (touching at most one
    /// node) if it has left already.
    pub(crate) fn remove(&mut self, ticket: Ticket) -> Option<E> {
        self.touch();
        let node = self.nodes.get(ticket.index)?;
        if node.generation != ticket.generation || node.item.is_none() {
            return None;
        }
        Some(self.unlink(ticket.index))
    }

    /// Unlinks the occupied node `index` and frees it; returns its item.
    fn unlink(&mut self, index: usize) -> E {
        self.touch();
        let node = &mut self.nodes[index];
        let item = node.item.take().expect("an unlinked node is occupied");
        let (prev, next) = (node.prev, node.next);
        // A later occupant gets another generation, so this occupant's tickets go stale.
        node.generation = node.generation.wrapping_add(1);
        node.next = self.free;
        self.free = index;
        // Join its neighbours.
        if prev == NIL {
            self.head = next;
        } else {
            self.touch();
            self.nodes[prev].next = next;
        }
        if next == NIL {
            self.tail = prev;
        } else {
            self.touch();
            self.nodes[next].prev = prev;
        }
        self.len -= 1;
        item
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Takes everything out in order.
    fn drain(q: &mut Queue<u32>) -> Vec<u32> {
        std::iter::from_fn(|| q.pop_front()).collect()
    }

    #[test]
    fn items_leave_in_arrival_order_around_removals() {
        let mut q = Queue::new();
        let tickets: Vec<Ticket> = (0..6).map(|i| q.push_back(i)).collect();
        assert_eq!(q.remove(tickets[0]), Some(0));
        assert_eq!(q.remove(tickets[3]), Some(3));
        assert_eq!(q.remove(tickets[5]), Some(5));
        assert_eq!(q.remove(tickets[3]), None, "a second removal finds nothing");
        assert_eq!(q.len(), 3);
        q.push_back(6);
        assert_eq!(drain(&mut q), [1, 2, 4, 6]);
        assert!(q.is_empty() && q.front().is_none());
    }

    #[test]
    fn a_stale_ticket_does_not_remove_the_node_s_next_occupant() {
        let mut q = Queue::new();
        let old = q.push_back(1);
        assert_eq!(q.pop_front(), Some(1));
        let new = q.push_back(2);
        assert_eq!(new.index, old.index, "the freed node is reused");
        assert_eq!(q.remove(old), None);
        assert_eq!(q.remove(new), Some(2));
    }

    /// Go's `chanlinear` in miniature, by count instead of by clock: `n` waiters sit in a queue, and
    /// each in turn leaves from wherever it is and queues again at the back (a select woken by its
    /// own channel). A queue that scans for the leaver touches about `n` nodes per departure, `n^2`
    /// in all; this one touches a constant number per operation, whatever `n` is.
    #[test]
    fn a_waiter_leaves_from_the_middle_without_a_scan() {
        for n in [16u32, 256, 4096] {
            let mut q = Queue::new();
            let mut tickets: Vec<Ticket> = (0..n).map(|i| q.push_back(i)).collect();
            let before = q.touched;
            for round in 0..3 {
                // Leave in an order that is neither the queue's nor its reverse.
                for k in 0..n {
                    let i = ((k * 7919 + round) % n) as usize;
                    assert_eq!(q.remove(tickets[i]), Some(i as u32));
                    tickets[i] = q.push_back(i as u32);
                }
            }
            // A removal touches its node, its node again to unlink it, and its two neighbours; a
            // push touches its node and the old tail: at most 6 per departure and return, the same
            // bound for every `n`. A scan would touch about `n / 2` nodes per removal.
            let ops = 3 * 2 * n as usize;
            let touched = q.touched - before;
            assert!(
                touched <= 3 * ops,
                "n = {n}: {touched} nodes for {ops} operations"
            );
            assert_eq!(q.len(), n as usize);
        }
    }
}
