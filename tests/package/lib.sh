# shellcheck shell=bash
# Helpers of the packaging tests, sourced by them. Each test works in its own folder; a failing
# check prints what it expected and exits non-zero.

# What an installed system has: no search-path or data-dir overrides.
unset ORCHESTRADE_PLUGIN_PATH ORCHESTRADE_DATA_DIR

fail() {
    echo "FAIL: $*" >&2
    exit 1
}

fresh_dir() {
    rm -rf "$1" && mkdir -p "$1"
}

# Runs a command with its output in a log file, shown only when it fails.
logged() {
    local log=$1
    shift
    "$@" > "$log" 2>&1 || { cat "$log" >&2; fail "$* (log: $log)"; }
}

# The source tree's first-party plugins, by the name they are installed under.
first_party_plugins() {
    sed -n 's/^orchestrade_install_plugin(\([a-z0-9_]*\))$/\1/p' "$1"/plugins/*/CMakeLists.txt
}

# The files an install under ROOT (a prefix, or usr/ of the unpacked packages) must hold.
check_layout() {
    local root=$1 source_dir=$2 f
    for f in bin/orchestrade \
        include/orchestrade/ot_plugin.h include/orchestrade/sdk.hpp \
        lib/cmake/Orchestrade/OrchestradeConfig.cmake \
        lib/cmake/Orchestrade/OrchestradeConfigVersion.cmake \
        lib/cmake/Orchestrade/OrchestradeTargets.cmake \
        lib/cmake/Orchestrade/OrchestradePlugin.cmake \
        lib/cmake/Orchestrade/orchestrade_plugin.map \
        share/orchestrade/examples/data/btcusdt-1m.csv \
        share/orchestrade/examples/pipelines/sma-backtest.yaml \
        share/orchestrade/examples/third_party_plugin/CMakeLists.txt \
        share/orchestrade/examples/c_plugin/CMakeLists.txt \
        share/orchestrade/examples/rust_plugin/Cargo.toml \
        share/doc/orchestrade/README.md \
        share/doc/orchestrade/plugin-guide.md \
        share/doc/orchestrade/third_party/lightweight-charts/LICENSE; do
        [ -f "$root/$f" ] || fail "$root/$f is missing"
    done
    [ -x "$root/bin/orchestrade" ] || fail "$root/bin/orchestrade is not executable"
    for f in $(first_party_plugins "$source_dir"); do
        [ -f "$root/lib/orchestrade/plugins/$f.so" ] || fail "plugin $f.so is not installed"
        check_exports "$root/lib/orchestrade/plugins/$f.so"
    done
    check_plugin_docs "$root" "$source_dir"
}

# Each first-party plugin's README is installed as share/doc/orchestrade/plugins/<folder>/README.md,
# where the installed README's links lead; the plugin READMEs' own relative links, and every
# share/doc/orchestrade/... path the installed docs and example pipelines name, lead to an
# installed file.
check_plugin_docs() {
    local root=$1 source_dir=$2 doc=$1/share/doc/orchestrade readme folder link path
    for readme in "$source_dir"/plugins/*/README.md; do
        folder=$(basename "$(dirname "$readme")")
        cmp -s "$readme" "$doc/plugins/$folder/README.md" ||
            fail "$doc/plugins/$folder/README.md is missing or not plugins/$folder/README.md"
    done
    while read -r link; do
        [ -f "$doc/$link" ] || fail "README.md links $link, which is not installed"
    done < <(grep -o '](plugins/[^)#]*' "$doc/README.md" | cut -c3- | sort -u)
    for readme in "$doc"/plugins/*/README.md; do
        while read -r link; do
            [ -e "$(dirname "$readme")/$link" ] ||
                fail "$readme links $link, which is not installed"
        done < <(grep -oE '\]\([^)]+\)' "$readme" | sed 's/^](//; s/)$//; s/#.*//' |
            grep -v -e : -e '^$' | sort -u)
    done
    while read -r path; do
        [ -e "$root/$path" ] || fail "$path is named in the installed docs, but not installed"
    done < <(grep -rhoE 'share/doc/orchestrade/[A-Za-z0-9_./-]*[A-Za-z0-9_]' "$doc" \
        "$root/share/orchestrade/examples" | sort -u)
}

# The binary under ROOT, run with no flags from an empty folder, must use ROOT's plugins and
# ROOT's demo data (not the build or source tree's).
check_staged_host() {
    local root work bin csv plugins
    root=$(cd "$1" && pwd -P)
    work=$2
    bin=$root/bin/orchestrade
    mkdir -p "$work/demo"
    "$bin" describe sma_cross --json > "$work/sma_cross.json" || fail "sma_cross was not found"
    plugins=$root/lib/orchestrade/plugins
    grep -q "\"path\": \"$plugins/sma_cross.so\"" "$work/sma_cross.json" ||
        fail "sma_cross is not from $plugins: $(grep path "$work/sma_cross.json")"
    # Cut the staged sample data to 1,000 bars: the demo must see exactly those.
    csv=$root/share/orchestrade/examples/data/btcusdt-1m.csv
    head -n 1001 "$csv" > "$csv.cut" && mv "$csv.cut" "$csv"
    (cd "$work/demo" && "$bin" --log-file "$work/demo/run.log" run --quiet > run.out) ||
        fail "the embedded demo failed: $(cat "$work/demo/run.out")"
    grep -Eq '^  bars +1000 ' "$work/demo/run.out" ||
        fail "the demo did not read the staged data: $(grep bars "$work/demo/run.out")"
    [ -f "$work/demo/var/demo.db" ] || fail "the demo's journal is not in the working folder"
}

# Only the entry point may be exported.
check_exports() {
    local exports
    exports=$(nm -D --defined-only "$1" | awk '{print $3}')
    [ "$exports" = "ot_module_entry_v1" ] || fail "$1 exports: ${exports//$'\n'/ }"
}

# Builds the example project EXAMPLE against the SDK under PREFIX (and nothing else), loads it
# with PREFIX's binary, and runs its pipeline as a backtest. CARGO is needed for a Rust project.
build_and_run_example() {
    local example=$1 prefix=$2 work=$3 id=$4 cargo=${5:-} plugin_dir libraries library journal found
    local bin=$prefix/bin/orchestrade
    mkdir -p "$work"
    if [ -f "$example/Cargo.toml" ]; then
        # A copy: cargo writes Cargo.lock and target/ next to Cargo.toml.
        cp -r "$example" "$work/src" && rm -rf "$work/src/target" "$work/src/Cargo.lock"
        (
            cd "$work/src" || exit
            export RUSTFLAGS="-D warnings"
            logged "$work/test.log" "$cargo" test --release --offline
            logged "$work/build.log" "$cargo" build --release --offline
        )
        plugin_dir=$work/src/target/release
    else
        logged "$work/configure.log" cmake -S "$example" -B "$work/build" -G Ninja \
            -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
            -DCMAKE_C_FLAGS=-Werror -DCMAKE_CXX_FLAGS=-Werror
        found=$(grep "^Orchestrade_DIR:" "$work/build/CMakeCache.txt")
        [ "$found" = "Orchestrade_DIR:PATH=$prefix/lib/cmake/Orchestrade" ] ||
            fail "the SDK is not from $prefix: $found"
        logged "$work/build.log" cmake --build "$work/build"
        plugin_dir=$work/build
    fi
    libraries=$(find "$plugin_dir" -maxdepth 1 -name '*.so')
    [ "$(echo "$libraries" | grep -c .)" -eq 1 ] ||
        fail "expected one library in $plugin_dir, found: $libraries"
    library=$libraries
    check_exports "$library"

    "$bin" --plugin-dir "$plugin_dir" describe "$id" --json > "$work/describe.json" ||
        fail "$id was not loaded"
    grep -q "\"path\": \"$library\"" "$work/describe.json" || fail "$id is not from $library"
    grep -Eq '"abi": "1\.[0-9]+"' "$work/describe.json" || fail "no ABI version for $id"
    "$bin" --plugin-dir "$plugin_dir" describe "$id" | grep -Eq '^  abi: +1\.[0-9]+$' ||
        fail "describe $id shows no ABI version"
    # Nothing from the example or the staged tree is refused.
    "$bin" --plugin-dir "$plugin_dir" plugins > "$work/plugins.txt"
    sed -n '/^rejected:/,$p' "$work/plugins.txt" | grep -F -e "$plugin_dir/" -e "$prefix/" &&
        fail "rejected: $(sed -n '/^rejected:/,$p' "$work/plugins.txt")"

    # Dropped into a plugins/ folder next to the pipeline, the library needs no flag.
    mkdir -p "$work/run/plugins"
    cp "$example/pipeline.yaml" "$work/run/"
    cp "$library" "$work/run/plugins/"
    (cd "$work/run" && "$bin" --log-file "$work/run/run.log" run pipeline.yaml --quiet > run.out) ||
        fail "the run failed: $(cat "$work/run/run.out")"
    grep -q "completed (backtest)" "$work/run/run.out" || fail "not completed: $work/run/run.out"
    journal=$(awk '$1 == "journal" {print $2}' "$work/run/run.out")
    "$bin" report --journal "$journal" --json > "$work/report.json" || fail "no report"
    grep -Eq '"trades": [1-9]' "$work/report.json" || fail "no trades in $work/report.json"
}

# Installs the CMake example project EXAMPLE into PREFIX with orchestrade_install_plugin(), built
# with a CMAKE_INSTALL_LIBDIR (Debian's multiarch one) other than the host's: the module must land
# in PREFIX's plugin folder all the same, where PREFIX's binary finds it with no flags.
install_example_into_prefix() {
    local example=$1 prefix=$2 work=$3 id=$4 plugins installed
    local bin=$prefix/bin/orchestrade
    plugins=$prefix/lib/orchestrade/plugins
    mkdir -p "$work"
    logged "$work/configure.log" cmake -S "$example" -B "$work/build" -G Ninja \
        -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$prefix" \
        -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib/x86_64-linux-gnu
    logged "$work/build.log" cmake --build "$work/build"
    logged "$work/install.log" cmake --install "$work/build"
    installed=$(sed -n 's/^-- Installing: //p' "$work/install.log" | grep '\.so$') ||
        fail "nothing installed: $(cat "$work/install.log")"
    [ "$(dirname "$installed")" = "$plugins" ] ||
        fail "installed as $installed, not in the host's plugin folder $plugins"
    "$bin" describe "$id" --json > "$work/describe.json" || fail "$id is not found with no flags"
    grep -q "\"path\": \"$installed\"" "$work/describe.json" ||
        fail "$id is not from $installed: $(grep path "$work/describe.json")"
}
