#!/usr/bin/env bash
# Regenerates docs/report.png, the README's picture of the HTML report: the report of one scenario
# under every checker (its row of the matrix, then each finding's swimlanes), rendered in headless
# Chromium (scripts/setup.sh installs it).
set -euo pipefail
cd "$(dirname "$0")/.."
scenario="${1:-rendezvous::first_response_wins}"
page="$PWD/target/zoo/report-picture.html"
cargo run --release --quiet -- matrix --filter "$scenario" --traces --format html --out "$page" >/dev/null
bash scripts/setup.sh
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
  --disable-background-networking --disable-component-update --disable-sync \
  --user-data-dir="$profile" --hide-scrollbars --window-size=1280,1700 \
  --screenshot="$PWD/docs/report.png" "file://$page" 2>/dev/null
echo "wrote docs/report.png"
