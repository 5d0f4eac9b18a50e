#!/usr/bin/env bash
# ABI compatibility through the installed binary: libraries of other ABI versions, built against
# the installed SDK, are loaded or refused as the versioning rules say, and `orchestrade
# plugins` / `describe` show each library's ABI version and every refusal's reason.
#   abi_compat_test.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build_dir=$1 source_dir=$2 work=$3
. "$(dirname "$0")/lib.sh"

fresh_dir "$work"
logged "$work/install.log" cmake --install "$build_dir" --prefix "$work/prefix"
prefix=$(cd "$work/prefix" && pwd -P)
logged "$work/configure.log" cmake -S "$source_dir/tests/package/abi_fixtures" -B "$work/build" \
    -G Ninja -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix"
logged "$work/build.log" cmake --build "$work/build"
dir=$work/build
bin=$prefix/bin/orchestrade
minor=$(sed -n 's/^#define OT_ABI_MINOR \([0-9]*\)$/\1/p' "$prefix/include/orchestrade/ot_plugin.h")
[ -n "$minor" ] || fail "no OT_ABI_MINOR in the installed header"

"$bin" --plugin-dir "$dir" plugins > "$work/plugins.txt"
rejected() {
    grep -qxF "  $dir/$1.so: $2" "$work/plugins.txt" ||
        fail "$1.so is not refused with '$2': $(sed -n '/^rejected:/,$p' "$work/plugins.txt")"
}
rejected needs_host "needs a newer host: the library requires ABI minor $((minor + 1)),\
 this host implements 1.$minor"
rejected major_2 "no ot_module_entry_v1: not an Orchestrade plugin, built for another ABI\
 major, or the symbol is not exported (OT_EXPORT / extern \"C\"; check with nm -D\
 --defined-only)"
rejected major_2_v1 "ABI major mismatch: the library was built for ABI 2, this host implements\
 ABI 1"

# name, ABI it was built with, capabilities as the host must read them
for expected in "newer_minor 1.$((minor + 1)) [\"short\"]" "older_minor 1.$minor []"; do
    read -r name abi caps <<< "$expected"
    "$bin" --plugin-dir "$dir" describe "$name" --json > "$work/$name.json" ||
        fail "$name was not loaded: $(cat "$work/plugins.txt")"
    tr -d ' \n' < "$work/$name.json" > "$work/$name.compact.json"
    grep -qF "\"abi\":\"$abi\"" "$work/$name.compact.json" || fail "$name: abi is not $abi"
    grep -qF "\"capabilities\":$caps" "$work/$name.compact.json" ||
        fail "$name: capabilities are not $caps"
    # Both specs read with the library's own stride.
    grep -qF '"default":0.5' "$work/$name.compact.json" || fail "$name: min_move's default"
    grep -qF '"default":3,' "$work/$name.compact.json" || fail "$name: the second spec"
    "$bin" --plugin-dir "$dir" describe "$name" | grep -Eq "^  abi: +$abi\$" ||
        fail "describe $name shows no ABI $abi"

    mkdir -p "$work/$name"
    cat > "$work/$name/pipeline.yaml" << YAML
version: 1
name: $name
mode: backtest
journal: $name.db
universe: [BTC/USDT]
feed:     { use: synthetic, params: { bars: 2000, seed: 5 } }
strategy: { use: $name, params: { min_move: 20 } }
executor: { use: mock, params: { starting_cash: 10000 } }
YAML
    (cd "$work/$name" && "$bin" --plugin-dir "$dir" --log-file run.log run pipeline.yaml --quiet \
        > run.out) || fail "$name: the run failed: $(cat "$work/$name/run.out")"
    "$bin" report --journal "$work/$name/$name.db" --json > "$work/$name/report.json"
    grep -Eq '"trades": [1-9]' "$work/$name/report.json" || fail "$name: no trades"
done
echo "ABI compatibility through the installed binary: ok"
