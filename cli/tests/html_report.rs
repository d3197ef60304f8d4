//! The HTML report, for real: render one with the tool, load it in headless Chromium, check the DOM
//! for the matrix and the swimlanes, and keep a screenshot as an artifact
//! (`target/zoo/report-screenshot.png`). Chromium is installed by `scripts/setup.sh` (which the test
//! command runs). Where it is missing the test says so in one loud line; under CI it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

const CHROMIUM: [&str; 2] = ["/usr/bin/chromium", "/usr/bin/chromium-browser"];

fn chromium() -> Option<&'static str> {
    CHROMIUM.into_iter().find(|p| Path::new(p).is_file())
}

/// Runs Chromium headless on `page` with `extra` flags, in a fresh profile; gives up after two
/// minutes (a watchdog: a browser that never returns fails the test instead of hanging it).
fn headless(chromium: &str, page: &Path, extra: &[String]) -> Output {
    let profile = std::env::temp_dir().join(format!(
        "racezoo-chromium-{}-{}",
        std::process::id(),
        extra.len()
    ));
    let child = Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("chromium starts");
    // Drain its output while it runs (a DOM larger than a pipe's buffer would otherwise block it),
    // on a thread, so that a browser that never returns can be killed.
    let pid = child.id();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    let out = match rx.recv_timeout(Duration::from_secs(120)) {
        Ok(out) => out.expect("chromium's output"),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("chromium did not finish within two minutes");
        }
    };
    let _ = std::fs::remove_dir_all(&profile);
    out
}

#[test]
fn the_html_report_shows_the_matrix_and_swimlanes_in_a_real_browser() {
    let Some(chromium) = chromium() else {
        let line = "BROWSER TEST NOT RUN: no Chromium at /usr/bin/chromium; \
                    `bash scripts/setup.sh` installs it (Debian package `chromium`)";
        if std::env::var_os("CI").is_some() {
            panic!("{line}");
        }
        eprintln!("{line}");
        println!("{line}");
        return;
    };
    let root = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/.."));
    let out_dir = root.join("target/zoo");
    std::fs::create_dir_all(&out_dir).unwrap();
    let page = out_dir.join("report-under-test.html");
    // `--here`: this build's checkers only, so that the test builds nothing.
    let status = Command::new(env!("CARGO_BIN_EXE_racezoo"))
        .args([
            "matrix",
            "--here",
            "--filter",
            "counter::",
            "--format",
            "html",
            "--out",
        ])
        .arg(&page)
        .stdout(Stdio::null())
        .status()
        .expect("racezoo runs");
    assert!(status.success(), "racezoo matrix --format html: {status}");
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "the page fetches nothing"
    );

    let dom = headless(chromium, &page, &["--dump-dom".to_string()]);
    let dom_text = String::from_utf8_lossy(&dom.stdout);
    assert!(
        dom_text.contains("id=\"matrix\""),
        "no matrix in the DOM Chromium built; stderr: {}",
        String::from_utf8_lossy(&dom.stderr)
    );
    assert!(
        dom_text.contains("counter::lost_update"),
        "the matrix lists the scenarios"
    );
    assert!(
        dom_text.contains("class=\"swimlanes\""),
        "at least one swimlane diagram"
    );
    assert!(
        dom_text.contains("class=\"lanehead\">main<"),
        "a lane per thread, main first"
    );
    assert!(
        dom_text.contains("data-status=\"found\""),
        "a found bug is coloured as such"
    );
    assert!(
        dom_text.contains("class=\"lesson\""),
        "each found bug's lesson"
    );

    let shot = out_dir.join("report-screenshot.png");
    let _ = std::fs::remove_file(&shot);
    let taken = headless(
        chromium,
        &page,
        &[
            format!("--screenshot={}", shot.display()),
            "--window-size=1280,1600".to_string(),
            "--hide-scrollbars".to_string(),
        ],
    );
    let png = std::fs::read(&shot).unwrap_or_else(|e| {
        panic!(
            "no screenshot at {} ({e}); chromium said: {}",
            shot.display(),
            String::from_utf8_lossy(&taken.stderr)
        )
    });
    assert!(png.starts_with(b"\x89PNG"), "the screenshot is a PNG");
    assert!(
        png.len() > 10_000,
        "the screenshot has content ({} bytes)",
        png.len()
    );
}
