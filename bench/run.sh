#!/usr/bin/env bash
# Benchmarks of the backtest loop: the whole process (CSV parsing included) against a
# hand-written C++ loop over the same file, at 1M and 10M bars; then the bare strategy call.
# Usage: bench/run.sh [BUILD_DIR]   (the build must be Release)
set -euo pipefail
build=${1:-build}
here=$(cd "$(dirname "$0")" && pwd)
work=${BENCH_DIR:-$build/bench-data}
mkdir -p "$work"

measure() {  # prints "seconds max_rss_kb" of a command
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" > "$work/out.txt" 2> "$work/err.txt" || {
    cat "$work/err.txt" >&2; exit 1; }
  cat "$work/time.txt"
}

printf "%-10s %-22s %10s %14s %12s\n" bars what seconds bars/s peak_MiB
for bars in 1000000 10000000; do
  csv="$work/candles-$bars.csv"
  [ -f "$csv" ] || "$build/bin/make_candles" "$csv" "$bars" 7 1m > /dev/null
  read -r s kb < <(measure "$build/bin/baseline_sma" "$csv")
  printf "%-10s %-22s %10s %14.0f %12.1f\n" "$bars" "hand-written loop" "$s" "$(echo "$bars / $s" | bc -l)" "$(echo "$kb / 1024" | bc -l)"
  rm -f "$work/journal.db"*
  read -r s kb < <(BENCH_CSV="$csv" BENCH_JOURNAL="$work/journal.db" measure \
      "$build/bin/orchestrade" --log-level warning --log-file "$work/bench.log" \
      run "$here/pipelines/sma-backtest.yaml" --quiet)
  printf "%-10s %-22s %10s %14.0f %12.1f\n" "$bars" "orchestrade backtest" "$s" "$(echo "$bars / $s" | bc -l)" "$(echo "$kb / 1024" | bc -l)"
done
echo
"$build/bin/bench_strategy_call" --benchmark_min_time=0.2
