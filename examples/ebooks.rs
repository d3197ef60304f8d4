//! Background processing of e-book uploads, the seeds' example: upload → extract metadata →
//! generate cover → index for search → update statistics, each stage a bounded `WorkerPool`, the
//! stages wired by results channels, an `ErrGroup` with its `Context` for the first failure and for
//! cancellation, and a progress line.
//!
//! ```text
//! cargo run --example ebooks
//! ```
//!
//! It runs two uploads. The first, 48 clean books, goes through every stage. In the second, one
//! book has a damaged header: its extraction fails, the group's context is cancelled, every stage
//! stops taking new work (queued jobs return early, the drivers stop forwarding), and the program
//! reports the first error and how far each stage got. Either way it exits 0. The books are
//! generated in the program; nothing touches the network or the disk.

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use racezoo::context::Context;
use racezoo::errgroup::ErrGroup;
use racezoo::pool::{JobError, Results, Stats, WorkerPool};

/// An uploaded file: an id and the raw bytes of a (toy) EPUB.
struct Upload {
    id: usize,
    bytes: Vec<u8>,
}

/// What extraction finds in a book.
#[derive(Clone, Debug)]
struct Metadata {
    id: usize,
    title: String,
    author: String,
    text: String,
}

/// A book with its cover.
#[derive(Clone, Debug)]
struct Covered {
    meta: Metadata,
    /// An 8×8 "thumbnail" derived from the text, as 64 bits.
    cover: u64,
}

/// A book that has been indexed.
#[derive(Clone, Debug)]
struct Indexed {
    meta: Metadata,
    cover: u64,
    words: usize,
}

/// Why the upload stopped.
#[derive(Clone, Debug)]
enum UploadError {
    /// The book's header could not be parsed.
    Damaged { id: usize, reason: String },
    /// A stage's job panicked.
    Panicked {
        stage: &'static str,
        message: String,
    },
}

impl fmt::Display for UploadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            UploadError::Damaged { id, reason } => write!(f, "book {id} is damaged: {reason}"),
            UploadError::Panicked { stage, message } => {
                write!(f, "the {stage} stage panicked: {message}")
            }
        }
    }
}

/// A small deterministic generator, so the books are the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, words: &[&'a str]) -> &'a str {
        words[(self.next() % words.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "goroutine",
    "channel",
    "worker",
    "kitchen",
    "ticket",
    "rail",
    "cook",
    "order",
    "select",
    "mutex",
    "context",
    "cancel",
    "deadline",
    "queue",
    "bounded",
    "pool",
    "wait",
    "group",
    "panic",
    "recover",
    "race",
    "lock",
    "signal",
    "buffer",
];
const AUTHORS: &[&str] = &[
    "A. Hoare",
    "R. Pike",
    "B. Kernighan",
    "M. Bos",
    "E. Dijkstra",
];

/// Generates `n` uploads; the book `damaged` (if any) gets a broken header.
fn generate(n: usize, damaged: Option<usize>) -> Vec<Upload> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    (0..n)
        .map(|id| {
            let title = format!("{} {}", rng.pick(WORDS), rng.pick(WORDS));
            let author = rng.pick(AUTHORS);
            let body: Vec<&str> = (0..200 + rng.next() % 300)
                .map(|_| rng.pick(WORDS))
                .collect();
            let header = if Some(id) == damaged {
                "tit\u{0}le?? corrupted".to_string()
            } else {
                format!("title: {title}\nauthor: {author}")
            };
            Upload {
                id,
                bytes: format!("EPUB\n{header}\n\n{}", body.join(" ")).into_bytes(),
            }
        })
        .collect()
}

/// Stage 1: parses the header.
fn extract_metadata(upload: &Upload) -> Result<Metadata, UploadError> {
    let damaged = |reason: &str| UploadError::Damaged {
        id: upload.id,
        reason: reason.to_string(),
    };
    let text = std::str::from_utf8(&upload.bytes).map_err(|_| damaged("not UTF-8"))?;
    let rest = text
        .strip_prefix("EPUB\n")
        .ok_or_else(|| damaged("no EPUB magic"))?;
    let (header, body) = rest
        .split_once("\n\n")
        .ok_or_else(|| damaged("no header"))?;
    let mut title = None;
    let mut author = None;
    for line in header.lines() {
        match line.split_once(": ") {
            Some(("title", v)) => title = Some(v.to_string()),
            Some(("author", v)) => author = Some(v.to_string()),
            _ => return Err(damaged(&format!("unreadable header line {line:?}"))),
        }
    }
    std::thread::sleep(Duration::from_millis(2)); // unzipping, in real life
    Ok(Metadata {
        id: upload.id,
        title: title.ok_or_else(|| damaged("no title"))?,
        author: author.ok_or_else(|| damaged("no author"))?,
        text: body.to_string(),
    })
}

/// Stage 2: renders a thumbnail (here: 64 bits folded from the text).
fn generate_cover(meta: Metadata) -> Covered {
    let mut cover = 0u64;
    for (i, b) in meta.text.bytes().enumerate() {
        cover = cover.rotate_left(5) ^ (b as u64) ^ i as u64;
    }
    std::thread::sleep(Duration::from_millis(3)); // image work, in real life
    Covered { meta, cover }
}

/// Stage 3: adds the book to the search index.
fn index(book: Covered, search: &Mutex<HashMap<String, Vec<usize>>>) -> Indexed {
    let mut words = 0;
    let mut local: BTreeMap<&str, ()> = BTreeMap::new();
    for w in book.meta.text.split_whitespace() {
        words += 1;
        local.insert(w, ());
    }
    let mut search = search.lock().unwrap();
    for w in local.keys() {
        search.entry(w.to_string()).or_default().push(book.meta.id);
    }
    drop(search);
    std::thread::sleep(Duration::from_millis(1));
    Indexed {
        meta: book.meta,
        cover: book.cover,
        words,
    }
}

/// Stage 4's state: reading statistics of the library.
#[derive(Default)]
struct Library {
    books: usize,
    words: usize,
    by_author: BTreeMap<String, usize>,
    titles: std::collections::BTreeSet<String>,
    covers: u64,
}

/// Progress of each stage, for the display.
#[derive(Default)]
struct Progress {
    uploaded: AtomicUsize,
    extracted: AtomicUsize,
    covered: AtomicUsize,
    indexed: AtomicUsize,
    counted: AtomicUsize,
}

impl Progress {
    fn line(&self, total: usize) -> String {
        let get = |a: &AtomicUsize| a.load(Ordering::Relaxed);
        format!(
            "uploaded {:>2}/{total}  extracted {:>2}  covered {:>2}  indexed {:>2}  counted {:>2}",
            get(&self.uploaded),
            get(&self.extracted),
            get(&self.covered),
            get(&self.indexed),
            get(&self.counted),
        )
    }
}

/// Converts a job's outcome into the stage's result: a panic becomes an error, a cancellation
/// (the job never ran) `None`.
fn outcome<T>(stage: &'static str, r: Result<T, JobError>) -> Result<Option<T>, UploadError> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(JobError::Cancelled) => Ok(None),
        Err(e) => Err(UploadError::Panicked {
            stage,
            message: e.panic_message().unwrap_or("?").to_string(),
        }),
    }
}

/// Unpacks an extraction result: a damaged book is the upload's error.
fn unpack_extracted(
    r: Result<Option<Result<Metadata, UploadError>>, JobError>,
) -> Result<Option<Metadata>, UploadError> {
    outcome("extract", r)?.flatten().transpose()
}

/// Unpacks a cover job's result.
fn unpack_covered(r: Result<Option<Covered>, JobError>) -> Result<Option<Covered>, UploadError> {
    Ok(outcome("cover", r)?.flatten())
}

/// Unpacks an index job's result.
fn unpack_indexed(r: Result<Option<Indexed>, JobError>) -> Result<Option<Indexed>, UploadError> {
    Ok(outcome("index", r)?.flatten())
}

/// Starts a group task that reads `from` and submits `work` on each item to `pool`, with the
/// outcome going to `to`; it stops at the first error (returned to the group) or cancellation.
fn forward<X, I, O>(
    group: &ErrGroup<UploadError>,
    ctx: &Context,
    from: &Results<X>,
    pool: &Arc<WorkerPool>,
    to: &Results<Option<O>>,
    unpack: fn(Result<X, JobError>) -> Result<Option<I>, UploadError>,
    work: impl Fn(I) -> O + Send + Sync + 'static,
) where
    X: Send + 'static,
    I: Send + 'static,
    O: Send + 'static,
{
    let (from, pool, to, hold, ctx) = (
        from.clone(),
        pool.clone(),
        to.clone(),
        to.hold(),
        ctx.clone(),
    );
    let work = Arc::new(work);
    group.go(move || {
        let _hold = hold; // `to` stays open until this driver has forwarded its last item
        for (_, r) in from.iter() {
            let Some(item) = unpack(r)? else {
                continue;
            };
            if ctx.is_cancelled() {
                break;
            }
            let (ctx, work) = (ctx.clone(), work.clone());
            let submitted = pool.submit_into(&to, move || {
                // A job queued before the failure returns at once.
                if ctx.is_cancelled() {
                    return None;
                }
                Some(work(item))
            });
            if submitted.is_err() {
                break;
            }
        }
        Ok(())
    });
}

/// Runs one upload through the four stages and prints what happened.
fn run_upload(label: &str, uploads: Vec<Upload>) {
    println!("== {label}: {} books", uploads.len());
    let total = uploads.len();
    let start = Instant::now();
    let (group, ctx) = ErrGroup::<UploadError>::with_context(&Context::background());
    // One bounded pool per stage; each pool's jobs see the group's context.
    let stage = |name: &str, workers| {
        Arc::new(
            WorkerPool::builder()
                .workers(workers)
                .queue_capacity(8)
                .name(name)
                .context(&ctx)
                .build(),
        )
    };
    let (extract_pool, cover_pool, index_pool, stats_pool) = (
        stage("extract", 3),
        stage("cover", 2),
        stage("index", 2),
        stage("stats", 1), // one worker: statistics are updated one book at a time
    );
    let extracted = Results::<Option<Result<Metadata, UploadError>>>::new();
    let covered = Results::<Option<Covered>>::new();
    let indexed = Results::<Option<Indexed>>::new();
    let progress = Arc::new(Progress::default());
    let search = Arc::new(Mutex::new(HashMap::new()));
    let library = Arc::new(Mutex::new(Library::default()));

    // The uploader: hands every book to the extract pool (blocking when its queue is full).
    {
        let (pool, out, hold, ctx, progress) = (
            extract_pool.clone(),
            extracted.clone(),
            extracted.hold(),
            ctx.clone(),
            progress.clone(),
        );
        group.go(move || {
            let _hold = hold;
            for upload in uploads {
                if ctx.is_cancelled() {
                    break;
                }
                let (p, ctx) = (progress.clone(), ctx.clone());
                let submitted = pool.submit_into(&out, move || {
                    if ctx.is_cancelled() {
                        return None;
                    }
                    let r = extract_metadata(&upload);
                    p.extracted.fetch_add(r.is_ok() as usize, Ordering::Relaxed);
                    Some(r)
                });
                if submitted.is_err() {
                    break;
                }
                progress.uploaded.fetch_add(1, Ordering::Relaxed);
            }
            Ok(())
        });
    }
    // A driver per stage: read the previous stage's results, forward each to the next pool. The
    // first error is returned to the group, which cancels the context.
    {
        let progress = progress.clone();
        forward(
            &group,
            &ctx,
            &extracted,
            &cover_pool,
            &covered,
            unpack_extracted,
            move |meta| {
                let c = generate_cover(meta);
                progress.covered.fetch_add(1, Ordering::Relaxed);
                c
            },
        );
    }
    {
        let (search, progress) = (search.clone(), progress.clone());
        forward(
            &group,
            &ctx,
            &covered,
            &index_pool,
            &indexed,
            unpack_covered,
            move |book| {
                let i = index(book, &search);
                progress.indexed.fetch_add(1, Ordering::Relaxed);
                i
            },
        );
    }
    // The last stage: statistics, into a channel nobody forwards from.
    let counted = Results::<Option<()>>::new();
    {
        let (library, progress) = (library.clone(), progress.clone());
        forward(
            &group,
            &ctx,
            &indexed,
            &stats_pool,
            &counted,
            unpack_indexed,
            move |book| {
                let mut lib = library.lock().unwrap();
                lib.books += 1;
                lib.words += book.words;
                *lib.by_author.entry(book.meta.author.clone()).or_default() += 1;
                lib.covers ^= book.cover;
                lib.titles.insert(book.meta.title.clone());
                drop(lib);
                progress.counted.fetch_add(1, Ordering::Relaxed);
            },
        );
    }
    // The collector: the group's `wait` returns only once every book has been counted (the
    // group cancels its context when `wait` returns, which would stop jobs still queued).
    {
        let counted = counted.clone();
        group.go(move || {
            for (_, r) in counted.iter() {
                outcome("stats", r)?;
            }
            Ok(())
        });
    }

    // Progress display while the group works.
    let finished = Arc::new(AtomicBool::new(false));
    let display = {
        let (progress, finished) = (progress.clone(), finished.clone());
        let tty = std::io::stdout().is_terminal();
        std::thread::spawn(move || {
            let mut last = String::new();
            while !finished.load(Ordering::Acquire) {
                let line = progress.line(total);
                if line != last {
                    if tty {
                        print!("\r  {line}");
                        let _ = std::io::stdout().flush();
                    } else if last.is_empty() || line.contains(&format!("counted {:>2}", total)) {
                        println!("  {line}");
                    }
                    last = line;
                }
                std::thread::sleep(Duration::from_millis(25));
            }
            if tty {
                println!();
            }
        })
    };

    let result = group.wait();
    finished.store(true, Ordering::Release);
    display.join().unwrap();
    let stats: Vec<(&str, Stats)> = [
        ("extract", &extract_pool),
        ("cover", &cover_pool),
        ("index", &index_pool),
        ("stats", &stats_pool),
    ]
    .into_iter()
    .map(|(name, pool)| {
        pool.shutdown(); // graceful: every accepted job runs (cancelled ones return at once)
        (name, pool.stats())
    })
    .collect();
    println!("  {}", progress.line(total));
    match result {
        Ok(()) => {
            let lib = library.lock().unwrap();
            let search = search.lock().unwrap();
            println!(
                "  done in {:.0?}: {} books, {} words, {} distinct words indexed",
                start.elapsed(),
                lib.books,
                lib.words,
                search.len()
            );
            println!(
                "  {} distinct titles; books per author: {:?}; books mentioning \"deadline\": {}",
                lib.titles.len(),
                lib.by_author,
                search.get("deadline").map_or(0, Vec::len)
            );
            assert_eq!(lib.books, total, "every book reached the statistics");
        }
        Err(e) => {
            println!(
                "  upload stopped after {:.0?}: {e}; context: {:?}",
                start.elapsed(),
                ctx.err()
            );
        }
    }
    for (name, s) in stats {
        println!(
            "  pool {name:<7} submitted {:>2} completed {:>2} panicked {} cancelled {} rejected {} peak running {}/{} peak in flight {}",
            s.submitted,
            s.completed,
            s.panicked,
            s.cancelled,
            s.rejected,
            s.peak_running,
            s.workers,
            s.peak_in_flight
        );
    }
}

fn main() {
    run_upload("upload 1 (clean)", generate(48, None));
    println!();
    run_upload("upload 2 (book 17 is damaged)", generate(48, Some(17)));
}
