//! Rendering a [`Trace`] as a table: one column per thread, one row per event in execution order, and
//! the blocking point of every stuck thread marked in a last row, as JetBrains Lincheck shows a failing
//! interleaving.

use std::fmt;

use super::{ThreadState, Trace, TraceEvent};

impl TraceEvent {
    /// Returns the event as one table cell: `lock Mutex#1 @ tests/abba.rs:12`, or
    /// `load Atomic#2 Relaxed = 1 @ tests/mp.rs:20`.
    pub fn cell(&self) -> String {
        let mut cell = self.op.clone();
        for part in [&self.object, &self.detail].into_iter().flatten() {
            cell.push(' ');
            cell.push_str(part);
        }
        if let Some(location) = &self.location {
            cell.push_str(" @ ");
            cell.push_str(location);
        }
        cell
    }
}

/// How a thread that did not finish ended: a cell of a trace's last row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending<'a> {
    /// It was blocked in this facade operation when the execution ended.
    Blocked(&'a TraceEvent),
    /// It was still running, but not blocked in the facade (spinning, or blocked elsewhere).
    NotFinished,
    /// It panicked.
    Panicked,
}

impl Trace {
    /// Returns the failing steps, as indices into [`events`](Trace::events): the last event of each
    /// thread that panicked (its failed assertion came right after it).
    pub fn failing_steps(&self) -> Vec<usize> {
        self.threads
            .iter()
            .filter(|t| t.state == ThreadState::Panicked)
            .filter_map(|t| self.events.iter().rposition(|e| e.thread == t.index))
            .collect()
    }

    /// Returns how each unfinished thread ended, as `(thread index, ending)` in thread order: the
    /// trace's last row. Empty when every thread finished.
    pub fn endings(&self) -> Vec<(usize, Ending<'_>)> {
        self.threads
            .iter()
            .filter_map(|t| {
                let ending = match (t.state, &t.blocked) {
                    (ThreadState::Running, Some(b)) => Ending::Blocked(b),
                    (ThreadState::Running, None) => Ending::NotFinished,
                    (ThreadState::Panicked, _) => Ending::Panicked,
                    (ThreadState::Finished, _) => return None,
                };
                Some((t.index, ending))
            })
            .collect()
    }

    /// Renders the trace as a table with one column per thread; stuck threads end with a
    /// `BLOCKED in …` cell, panicked ones with `PANICKED`.
    pub fn render(&self) -> String {
        let columns = self.threads.len().max(1);
        let mut rows: Vec<(String, Vec<String>)> = Vec::new();
        for (i, e) in self.events.iter().enumerate() {
            let mut cells = vec![String::new(); columns];
            if let Some(cell) = cells.get_mut(e.thread) {
                *cell = e.cell();
            }
            rows.push(((i + 1).to_string(), cells));
        }
        let endings = self.endings();
        if !endings.is_empty() {
            let mut last = vec![String::new(); columns];
            for (index, ending) in endings {
                if let Some(slot) = last.get_mut(index) {
                    *slot = match ending {
                        Ending::Blocked(b) => format!("BLOCKED in {}", b.cell()),
                        Ending::NotFinished => "NOT FINISHED (not blocked in the facade)".into(),
                        Ending::Panicked => "PANICKED".into(),
                    };
                }
            }
            rows.push(("end".into(), last));
        }
        let names: Vec<String> = self
            .threads
            .iter()
            .map(|t| t.name.clone())
            .chain(std::iter::repeat_n(
                String::new(),
                columns - self.threads.len().min(columns),
            ))
            .collect();
        let index_width = rows.iter().map(|r| r.0.len()).max().unwrap_or(1).max(3);
        let widths: Vec<usize> = (0..columns)
            .map(|c| {
                rows.iter()
                    .map(|r| r.1[c].chars().count())
                    .chain(std::iter::once(names[c].chars().count()))
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let mut out = String::new();
        let line = |out: &mut String, first: &str, cells: &[String]| {
            out.push_str(&format!("{first:>index_width$}"));
            for (c, cell) in cells.iter().enumerate() {
                out.push_str(&format!(" | {cell:<w$}", w = widths[c]));
            }
            // Empty cells at the end of a row are left out, separators included.
            loop {
                let trimmed = out.trim_end_matches(' ').len();
                out.truncate(trimmed);
                if out.ends_with(" |") {
                    out.truncate(out.len() - 2);
                } else {
                    break;
                }
            }
            out.push('\n');
        };
        line(&mut out, "#", &names);
        out.push_str(&"-".repeat(index_width));
        for w in &widths {
            out.push_str("-+-");
            out.push_str(&"-".repeat(*w));
        }
        out.push('\n');
        for (first, cells) in &rows {
            line(&mut out, first, cells);
        }
        out
    }
}

impl fmt::Display for Trace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render())
    }
}
