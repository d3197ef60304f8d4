//! Every class of bad input gets one clear line on stderr and exit code 2, before any long work
//! starts: never a panic, a backtrace, a hang or a silent default.

use std::process::{Command, Output};

use racezoo::sync::{FLAVOUR, Flavour};

/// Runs the tool with `args`, the environment cleaned of the variables it validates, plus `env`.
fn racezoo(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_racezoo"));
    cmd.args(args);
    for (name, _) in std::env::vars() {
        if name.starts_with("RACEZOO_") || name.starts_with("LOOM_") {
            cmd.env_remove(name);
        }
    }
    cmd.envs(env.iter().copied());
    cmd.output().expect("the racezoo binary runs")
}

/// Asserts exit code 2 and exactly one line on stderr that contains `needle`; returns the line.
#[track_caller]
fn rejected(out: &Output, needle: &str) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "exit code; stderr: {stderr}");
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "one line on stderr, got: {stderr}");
    assert!(lines[0].starts_with("racezoo: "), "{stderr}");
    assert!(lines[0].contains(needle), "{needle:?} not in {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        out.stdout.is_empty(),
        "nothing on stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    lines[0].to_string()
}

#[test]
fn an_unknown_scenario_id_suggests_the_closest_ids() {
    let line = rejected(
        &racezoo(&["run", "counter::lost_updat"], &[]),
        "no scenario",
    );
    assert!(line.contains("did you mean counter::lost_update"), "{line}");
    rejected(
        &racezoo(&["explain", "waitgroup::nope"], &[]),
        "no scenario",
    );
    rejected(
        &racezoo(&["replay", "loom:preemptions=2:execution=1", "nope"], &[]),
        "no scenario",
    );
}

#[test]
fn a_filter_that_matches_nothing_is_rejected_before_any_build() {
    rejected(
        &racezoo(&["matrix", "--filter", "nosuchthing"], &[]),
        "no scenario matches --filter \"nosuchthing\"",
    );
    rejected(&racezoo(&["list", "--pattern", "nope"], &[]), "no pattern");
}

#[test]
fn an_unknown_checker_names_the_valid_ones() {
    let line = rejected(
        &racezoo(&["run", "counter::lost_update", "--checker", "lom"], &[]),
        "invalid value 'lom'",
    );
    assert!(
        line.contains("loom, shuttle-random, shuttle-pct, stress"),
        "{line}"
    );
}

#[test]
fn a_malformed_seed_or_count_is_rejected() {
    rejected(
        &racezoo(&["run", "counter::lost_update", "--seed", "x"], &[]),
        "--seed",
    );
    rejected(
        &racezoo(&["run", "counter::lost_update", "--iterations", "0"], &[]),
        "--iterations",
    );
}

#[test]
fn a_malformed_replay_handle_is_rejected() {
    rejected(
        &racezoo(&["replay", "nonsense", "counter::lost_update"], &[]),
        "not a replay handle",
    );
    rejected(
        &racezoo(
            &[
                "replay",
                "loom:preemptions=2:execution=0",
                "counter::lost_update",
            ],
            &[],
        ),
        "not a replay handle",
    );
}

#[test]
fn a_handle_from_another_flavour_is_rejected_where_it_cannot_run() {
    // --here keeps the tool in its own flavour: a handle of another one cannot run there.
    let foreign = match FLAVOUR {
        Flavour::Loom => "shuttle-pct:rz1:5eed:0*6.1*8.2*4.0*6.2*3",
        _ => "loom:preemptions=2:execution=1",
    };
    rejected(
        &racezoo(&["replay", foreign, "counter::lost_update", "--here"], &[]),
        "flavour",
    );
}

#[test]
fn a_bad_value_in_the_environment_is_named() {
    for (name, value) in [
        ("RACEZOO_STRESS_RUNS", "lots"),
        ("RACEZOO_SHUTTLE_ITERATIONS", "1e3"),
        ("LOOM_MAX_PREEMPTIONS", "-1"),
        ("LOOM_MAX_PERMUTATIONS", "many"),
    ] {
        rejected(&racezoo(&["list"], &[(name, value)]), name);
    }
    rejected(
        &racezoo(&["list"], &[("RACEZOO_STRES_RUNS", "5")]),
        "unknown variable RACEZOO_STRES_RUNS",
    );
}

#[test]
fn an_unwritable_out_is_rejected_before_the_matrix_runs() {
    let dir = std::env::temp_dir().join(format!("racezoo-out-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("file");
    std::fs::write(&file, "x").unwrap();
    // A path under a regular file cannot be created, even by root.
    let under_a_file = file.join("matrix.html");
    rejected(
        &racezoo(
            &[
                "matrix",
                "--format",
                "html",
                "--out",
                under_a_file.to_str().unwrap(),
            ],
            &[],
        ),
        "cannot write --out",
    );
    rejected(
        &racezoo(
            &["matrix", "--out", dir.to_str().unwrap(), "--format", "md"],
            &[],
        ),
        "it is a directory",
    );
    rejected(
        &racezoo(&["matrix", "--out", "matrix.txt"], &[]),
        "cannot tell the format",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn missing_cargo_is_one_line_when_a_flavour_must_be_built() {
    let out = racezoo(
        &["run", "counter::lost_update", "--checker", "loom"],
        &[("CARGO", "/nonexistent/cargo"), ("PATH", "/nonexistent")],
    );
    if FLAVOUR == Flavour::Std {
        rejected(&out, "cannot run cargo");
    } else {
        // A loom or shuttle build runs its own checkers and builds nothing.
        assert_ne!(out.status.code(), Some(101), "{out:?}");
    }
}

#[test]
fn unknown_commands_and_flags_are_one_line() {
    rejected(&racezoo(&["frobnicate"], &[]), "unrecognized subcommand");
    rejected(&racezoo(&["list", "--frob"], &[]), "--frob");
}

#[test]
fn help_lists_every_command_with_examples() {
    let out = racezoo(&["--help"], &[]);
    assert_eq!(out.status.code(), Some(0));
    let help = String::from_utf8_lossy(&out.stdout);
    for command in ["list", "explain", "run", "replay", "matrix", "suite"] {
        assert!(help.contains(command), "{command} missing from:\n{help}");
    }
    for command in ["list", "explain", "run", "replay", "matrix", "suite"] {
        let out = racezoo(&[command, "--help"], &[]);
        let help = String::from_utf8_lossy(&out.stdout);
        assert!(
            help.contains("Examples:"),
            "{command} --help has no examples:\n{help}"
        );
    }
}

#[test]
fn a_shuttle_check_writes_nothing_of_shuttles_own_to_stderr() {
    // Only a shuttle-flavoured tool runs shuttle in its own process (the std one delegates to it, and
    // building it here would rebuild the workspace inside the test).
    if FLAVOUR != Flavour::Shuttle {
        return;
    }
    for checker in ["shuttle-random", "shuttle-pct"] {
        let out = racezoo(
            &[
                "run",
                "rendezvous::no_receiver",
                "--checker",
                checker,
                "--here",
            ],
            &[],
        );
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(0), "{stdout}\n{stderr}");
        assert!(stdout.contains("Deadlock"), "{stdout}");
        assert!(
            !stderr.contains("test panicked in task") && !stderr.contains("Test deadlocked"),
            "shuttle's own lines reached stderr:\n{stderr}"
        );
        assert!(!stderr.contains("WARNING"), "{stderr}");
    }
}

#[test]
fn an_unknown_pool_suggests_the_closest_one() {
    let line = rejected(
        &racezoo(&["suite", "mutant:check_then_act"], &[]),
        "no pool \"mutant:check_then_act\"",
    );
    assert!(
        line.contains("did you mean mutant:check_then_act_on_queue_length"),
        "{line}"
    );
    let out = racezoo(&["suite", "--list"], &[]);
    let list = String::from_utf8_lossy(&out.stdout);
    for pool in [
        "racezoo",
        "threadpool",
        "rusty_pool",
        "rayon",
        "mutant:dies_on_panic",
    ] {
        assert!(list.lines().any(|l| l == pool), "{pool} not in:\n{list}");
    }
}
