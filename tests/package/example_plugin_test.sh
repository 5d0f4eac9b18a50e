#!/usr/bin/env bash
# An example plugin project as a third party builds it: install Orchestrade into a staging
# prefix, build the example against that install only, check that it exports nothing but the
# entry point, and run its pipeline with the installed binary; a CMake project is then installed
# into that prefix (with another CMAKE_INSTALL_LIBDIR) and found by the binary with no flags.
#   example_plugin_test.sh BUILD_DIR SOURCE_DIR EXAMPLE WORK_DIR PLUGIN_ID [CARGO]
# A Rust example needs cargo: without it the test is skipped (exit 77).
set -euo pipefail
build_dir=$1 source_dir=$2 example=$3 work=$4 id=$5 cargo=${6:-}
. "$(dirname "$0")/lib.sh"

if [ -f "$source_dir/examples/$example/Cargo.toml" ]; then
    [ -n "$cargo" ] || cargo=$(command -v cargo || true)
    if [ -z "$cargo" ]; then
        echo "SKIP: cargo not found (scripts/install-deps.sh installs Debian's cargo; then"\
            "configure again)"
        exit 77
    fi
fi

fresh_dir "$work"
logged "$work/install.log" cmake --install "$build_dir" --prefix "$work/prefix"
build_and_run_example "$source_dir/examples/$example" "$(cd "$work/prefix" && pwd -P)" \
    "$work/example" "$id" "$cargo"
if [ -f "$source_dir/examples/$example/CMakeLists.txt" ]; then
    install_example_into_prefix "$source_dir/examples/$example" \
        "$(cd "$work/prefix" && pwd -P)" "$work/installed" "$id"
fi
echo "$example: built against the installed SDK, loaded and run by the installed binary: ok"
