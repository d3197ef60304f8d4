#!/usr/bin/env bash
# The spread of racezoo's channel throughput against crossbeam-channel over repeated runs, with and
# without a competing CPU load (benches/README.md, "Spread over runs").
#
#   bash benches/spread.sh                 # 5 quiet runs + 5 runs beside a busy loop on one core
#   RUNS=7 bash benches/spread.sh
#   FILTER='^select_rx/' bash benches/spread.sh
#   BENCH_BIN=/path/to/chan-binary bash benches/spread.sh   # a prebuilt `cargo bench --no-run` binary
#   MODES=quiet bash benches/spread.sh      # only quiet runs (or MODES=loaded)
#
# Every criterion run measures racezoo and crossbeam in the same process, one case after the other;
# the ratio of one run is crossbeam's median time / racezoo's (> 1: racezoo is faster). The table
# gives the median and the minimum of that ratio over the runs, per workload and capacity. Needs jq.
# Prints the table on stdout (Markdown) and keeps every run's ratios in $OUT/ratios.tsv.
set -euo pipefail
cd "$(dirname "$0")/.."

RUNS="${RUNS:-5}"
MODES="${MODES:-quiet loaded}"
FILTER="${FILTER:-^(spsc|mpsc|mpmc|select_rx|select_both)/cap(0|1|64)/(racezoo|crossbeam)\$}"
SAMPLES="${SAMPLES:-20}"
MEASURE="${MEASURE:-2}"
OUT="${OUT:-target/spread}"

if [ -z "${BENCH_BIN:-}" ]; then
  BENCH_BIN=$(cargo bench --bench chan --no-run --message-format=json 2>/dev/null |
    jq -r 'select(.executable != null and .target.name == "chan") | .executable' | tail -1)
fi
mkdir -p "$OUT"
: >"$OUT/ratios.tsv"

busy_pid=""
stop_busy() { if [ -n "$busy_pid" ]; then kill "$busy_pid" 2>/dev/null || true; wait "$busy_pid" 2>/dev/null || true; busy_pid=""; fi; }
trap stop_busy EXIT

for mode in $MODES; do
  for run in $(seq 1 "$RUNS"); do
    if [ "$mode" = loaded ]; then
      # A busy loop pinned to core 0 (where taskset exists): the bench's threads share what is left.
      if command -v taskset >/dev/null; then
        taskset -c 0 bash -c 'while :; do :; done' &
      else
        bash -c 'while :; do :; done' &
      fi
      busy_pid=$!
    fi
    dir="$OUT/criterion-$mode-$run"
    rm -rf "$dir"
    load=$(cut -d' ' -f1 /proc/loadavg)
    echo "[$(date -u +%H:%M:%S)] $mode run $run (load average $load)" >&2
    CRITERION_HOME="$dir" "$BENCH_BIN" --bench --sample-size "$SAMPLES" --measurement-time "$MEASURE" \
      --warm-up-time 0.5 "$FILTER" >"$OUT/log-$mode-$run.txt" 2>&1
    stop_busy
    # criterion names a group's directory after its id with `/` turned into `_`: `spsc_cap64`.
    for group in "$dir"/*_cap*; do
      [ -f "$group/racezoo/new/estimates.json" ] && [ -f "$group/crossbeam/new/estimates.json" ] || continue
      rz=$(jq '.median.point_estimate' "$group/racezoo/new/estimates.json")
      cb=$(jq '.median.point_estimate' "$group/crossbeam/new/estimates.json")
      name="${group#"$dir"/}"
      name="${name%_cap*}/cap${name##*_cap}"
      printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$mode" "$run" "$name" "$rz" "$cb" "$load" >>"$OUT/ratios.tsv"
    done
  done
done

# Median and minimum of crossbeam / racezoo per mode and case.
echo "| workload/cap | mode | runs | racezoo median time | crossbeam median time | ratio median | ratio min | ratio max |"
echo "|---|---|---|---|---|---|---|---|"
sort -k3,3 -k1,1r "$OUT/ratios.tsv" | awk -F'\t' '
  function fmt(ns) { return ns >= 1000 ? sprintf("%.2f µs", ns / 1000) : sprintf("%.0f ns", ns) }
  function median(a, n,   i, j, t) {
    for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j >= 1 && a[j] > t; j--) a[j + 1] = a[j]; a[j + 1] = t }
    return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
  }
  function flush() {
    if (n == 0) return
    for (i = 1; i <= n; i++) { r2[i] = r[i]; z2[i] = z[i]; c2[i] = c[i] }
    printf "| %s | %s | %d | %s | %s | %.2f× | %.2f× | %.2f× |\n", key, mode, n, fmt(median(z2, n)), fmt(median(c2, n)), median(r2, n), lo, hi
    n = 0
  }
  { k = $3 "\t" $1 }
  k != cur { flush(); cur = k; key = $3; mode = $1; lo = 1e9; hi = 0 }
  { n++; z[n] = $4; c[n] = $5; r[n] = $5 / $4; if (r[n] < lo) lo = r[n]; if (r[n] > hi) hi = r[n] }
  END { flush() }'
