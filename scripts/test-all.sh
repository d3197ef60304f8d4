#!/usr/bin/env bash
# racezoo's one test command: fmt, then clippy and the tests in each of the three flavours, each
# flavour in its own target dir so that none rebuilds another.
#
#   bash scripts/test-all.sh            # everything
#   bash scripts/test-all.sh loom       # one flavour (std | loom | shuttle), fmt included
#
# Bounds: LOOM_MAX_PREEMPTIONS defaults to 2, for CI and newcomers alike; no test depends on wall
# time, so the same command gives the same verdicts on a loaded machine. For a deeper local run:
#   LOOM_MAX_PREEMPTIONS=3 bash scripts/test-all.sh loom
set -euo pipefail
cd "$(dirname "$0")/.."

flavours=("$@")
[ ${#flavours[@]} -gt 0 ] || flavours=(std loom shuttle)

export LOOM_MAX_PREEMPTIONS="${LOOM_MAX_PREEMPTIONS:-2}"
export CARGO_TERM_COLOR="${CARGO_TERM_COLOR:-never}"

step() { printf '\n==> %s\n' "$*"; }
timed() { local t0=$SECONDS; "$@"; printf '    (%ss)\n' "$((SECONDS - t0))"; }

step "setup (Chromium for the HTML report's browser test)"
bash scripts/setup.sh

step "cargo fmt --check"
cargo fmt --all -- --check

# examples/downstream is a crate that uses racezoo as a normal dependency, the way users do. It is a
# workspace member, so every `cargo clippy`/`cargo test --workspace` below checks it in each flavour; here its
# production dependency tree must stay free of the tool's dependencies.
step "downstream: racezoo as a normal dependency brings no CLI or report dependencies"
if cargo tree --locked -p downstream -e normal --target all --prefix none | grep -E '^(clap|serde)'; then
  echo "racezoo's normal dependencies grew a CLI or report dependency (see the lines above)" >&2
  exit 1
fi

for flavour in "${flavours[@]}"; do
  case "$flavour" in
    std)     flags="";               dir="target";         profile=() ;;
    loom)    flags="--cfg loom";     dir="target/loom";    profile=(--profile model) ;;
    shuttle) flags="--cfg shuttle";  dir="target/shuttle"; profile=(--profile model) ;;
    *) echo "unknown flavour '$flavour' (std | loom | shuttle)" >&2; exit 2 ;;
  esac
  export RUSTFLAGS="$flags" CARGO_TARGET_DIR="$dir"
  step "[$flavour] cargo clippy --workspace --all-targets ${profile[*]} -- -D warnings"
  timed cargo clippy --locked --workspace --all-targets "${profile[@]}" -- -D warnings
  step "[$flavour] cargo test --workspace ${profile[*]}  (RUSTFLAGS=\"$flags\", LOOM_MAX_PREEMPTIONS=$LOOM_MAX_PREEMPTIONS)"
  timed cargo test --locked --workspace "${profile[@]}"
  if [ "$flavour" = std ]; then
    step "[std] cargo doc (broken links are errors)"
    RUSTDOCFLAGS="-D warnings" timed cargo doc --locked --workspace --no-deps --quiet
  fi
done
step "all flavours passed: ${flavours[*]}"
