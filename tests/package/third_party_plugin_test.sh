#!/usr/bin/env bash
# Installs Orchestrade into a staging prefix, builds examples/third_party_plugin against that
# install only, and runs its pipeline with the installed binary.
set -euo pipefail
build_dir=$1 source_dir=$2 work=$3
rm -rf "$work" && mkdir -p "$work"
cmake --install "$build_dir" --prefix "$work/prefix" > "$work/install.log"
cmake -S "$source_dir/examples/third_party_plugin" -B "$work/plugin" -G Ninja \
      -DCMAKE_PREFIX_PATH="$work/prefix" -DCMAKE_BUILD_TYPE=Release > "$work/configure.log"
cmake --build "$work/plugin" > "$work/build.log"

# Only the entry symbol is exported.
exports=$(nm -D --defined-only "$work/plugin/breakout.so" | awk '{print $3}' | grep -v '^_' || true)
[ "$exports" = "ot_module_entry_v1" ] || { echo "unexpected exports: $exports"; exit 1; }

bin="$work/prefix/bin/orchestrade"
"$bin" --plugin-dir "$work/plugin" plugins --json > "$work/plugins.json"
grep -q '"com.example.breakout"' "$work/plugins.json"
grep -q '"org.orchestrade.sma_cross"' "$work/plugins.json"   # the installed plugins, no flags
cp "$source_dir/examples/third_party_plugin/pipeline.yaml" "$work/"
(cd "$work" && "$bin" --plugin-dir "$work/plugin" --log-file "$work/run.log" run pipeline.yaml --quiet > run.out)
grep -q "completed" "$work/run.out"
"$bin" report --journal "$work/breakout.db" --json > "$work/report.json"
grep -q '"trades"' "$work/report.json"
echo "third-party plugin built against the installed SDK and run: ok"
