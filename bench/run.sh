#!/usr/bin/env bash
# Benchmarks of the backtest loop: the whole process (CSV parsing included) against a
# hand-written C++ loop over the same file, at 1M and 10M bars, for SMA 10/30 (many orders) and
# SMA 50/200; then the bare strategy call.
# Usage: bench/run.sh [BUILD_DIR]   (the build must be Release)
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
work=${BENCH_DIR:-$build/bench-data}
mkdir -p "$work"

measure() {  # prints "wall_seconds cpu_seconds max_rss_kb" of a command
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" "$@" > "$work/out.txt" 2> "$work/err.txt" || {
    cat "$work/err.txt" >&2; exit 1; }
  read -r wall user sys kb < "$work/time.txt"
  echo "$wall $(echo "$user + $sys" | bc -l) $kb"
}

row() {  # bars what wall cpu kb [orders]
  printf "%-10s %-30s %8s %8.2f %12.0f %10.1f %8s\n" "$1" "$2" "$3" "$4" "$(echo "$1 / $3" | bc -l)" \
    "$(echo "$5 / 1024" | bc -l)" "${6:-}"
}

printf "%-10s %-30s %8s %8s %12s %10s %8s\n" bars what wall_s cpu_s bars/s peak_MiB orders
for bars in 1000000 10000000; do
  csv="$work/candles-$bars.csv"
  [ -f "$csv" ] || "$build/bin/make_candles" "$csv" "$bars" 7 1m > /dev/null
  for sma in "10 30" "50 200"; do
    read -r wall cpu kb < <(measure "$build/bin/baseline_sma" "$csv" $sma)
    row "$bars" "hand-written loop, SMA ${sma/ //}" "$wall" "$cpu" "$kb"
  done
  for pipeline in sma-backtest sma-backtest-50-200; do
    rm -f "$work/journal.db"*
    read -r wall cpu kb < <(BENCH_CSV="$csv" BENCH_JOURNAL="$work/journal.db" measure \
        "$build/bin/orchestrade" --log-level warning --log-file "$work/bench.log" \
        run "$here/pipelines/$pipeline.yaml" --quiet)
    orders=$(grep -o '[0-9]* orders' "$work/out.txt" | cut -d' ' -f1)
    row "$bars" "orchestrade, $pipeline" "$wall" "$cpu" "$kb" "$orders"
  done
done
echo
"$build/bin/bench_strategy_call" --benchmark_min_time=0.2
