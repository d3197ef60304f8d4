//! Keeping shuttle's own lines off stderr (shuttle flavour only).
//!
//! shuttle prints a line for every failing execution it meets ("test panicked in task 'main'",
//! "Test deadlocked, and SHUTTLE_CAPTURE_BACKTRACE is not set …") with `eprintln!`, whatever its
//! configuration says. racezoo reports the same failure as a verdict with a replay handle, and a
//! search of thousands of schedules would otherwise scroll them past the user. Under `cargo test`
//! the test harness captures them; anywhere else (the `racezoo` tool, a user's own binary) they would
//! reach the terminal.
//!
//! While a shuttle check runs, [`quiet`] points file descriptor 2 at a pipe; a relay thread copies
//! every line it reads to the real stderr except shuttle's own, and when the last check ends fd 2 is
//! restored and the relay drains the pipe. Nothing else is dropped: a panic message, racezoo's
//! `RACEZOO_DEBUG_PANICS` output or the user's own lines pass through, in order. Checks running at
//! once (parallel tests) share one redirection. Where the redirection cannot be made (not a Unix, no
//! file descriptors left) the lines simply stay.

use std::sync::Mutex;

/// Returns `true` for a line that shuttle prints by itself about a failing execution.
pub(crate) fn is_shuttle_noise(line: &str) -> bool {
    const NOISE: [&str; 6] = [
        "test panicked in task '",
        "Test deadlocked, and ",
        "Task failed, serializing schedule",
        "failing schedule persisted to file",
        "test panicked while dropping the tasks",
        "test panicked in a task that was still unwinding",
    ];
    NOISE.iter().any(|n| line.starts_with(n))
}

/// While alive, shuttle's own lines do not reach stderr.
pub(crate) struct Quiet(());

/// How many [`Quiet`]s are alive, and the redirection they share.
static STATE: Mutex<(usize, Option<imp::Redirect>)> = Mutex::new((0, None));

/// Starts keeping shuttle's lines off stderr, until the returned guard is dropped.
pub(crate) fn quiet() -> Quiet {
    let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
    state.0 += 1;
    if state.0 == 1 {
        state.1 = imp::Redirect::install();
    }
    Quiet(())
}

impl Drop for Quiet {
    fn drop(&mut self) {
        let mut state = STATE.lock().unwrap_or_else(|e| e.into_inner());
        state.0 -= 1;
        if state.0 == 0 {
            if let Some(redirect) = state.1.take() {
                redirect.restore();
            }
        }
    }
}

#[cfg(unix)]
mod imp {
    use std::fs::File;
    use std::io::{BufRead, BufReader, Write};
    use std::os::fd::OwnedFd;
    use std::thread::JoinHandle;

    /// fd 2 pointed at a pipe, the original stderr kept, and the thread relaying the pipe to it.
    pub(super) struct Redirect {
        saved: OwnedFd,
        relay: JoinHandle<()>,
    }

    impl Redirect {
        pub(super) fn install() -> Option<Redirect> {
            let saved = rustix::io::dup(std::io::stderr()).ok()?;
            let out = File::from(saved.try_clone().ok()?);
            let (reader, writer) = rustix::pipe::pipe().ok()?;
            let relay = std::thread::Builder::new()
                .name("racezoo-stderr".into())
                .spawn(move || relay(File::from(reader), out))
                .ok()?;
            if rustix::stdio::dup2_stderr(&writer).is_err() {
                drop(writer);
                let _ = relay.join();
                return None;
            }
            // fd 2 now holds the pipe's write end; when it is pointed back at `saved`, the pipe
            // closes and the relay ends.
            drop(writer);
            Some(Redirect { saved, relay })
        }

        pub(super) fn restore(self) {
            let _ = rustix::stdio::dup2_stderr(&self.saved);
            let _ = self.relay.join();
        }
    }

    fn relay(pipe: File, mut out: File) {
        let mut lines = BufReader::new(pipe);
        let mut line = Vec::new();
        loop {
            line.clear();
            match lines.read_until(b'\n', &mut line) {
                Ok(0) | Err(_) => return,
                Ok(_) => {
                    if !super::is_shuttle_noise(&String::from_utf8_lossy(&line)) {
                        let _ = out.write_all(&line);
                    }
                }
            }
        }
    }
}

#[cfg(not(unix))]
mod imp {
    /// No redirection off Unix: shuttle's lines stay.
    pub(super) struct Redirect;

    impl Redirect {
        pub(super) fn install() -> Option<Redirect> {
            None
        }

        pub(super) fn restore(self) {}
    }
}
