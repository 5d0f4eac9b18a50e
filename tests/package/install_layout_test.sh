#!/usr/bin/env bash
# `cmake --install` into a staging prefix lays out the binary, the plugins, the SDK, the examples
# and the docs, and the installed binary finds its plugins and the demo data with no flags.
#   install_layout_test.sh BUILD_DIR SOURCE_DIR WORK_DIR
set -euo pipefail
build_dir=$1 source_dir=$2 work=$3
. "$(dirname "$0")/lib.sh"

fresh_dir "$work"
logged "$work/install.log" cmake --install "$build_dir" --prefix "$work/prefix"
check_layout "$work/prefix" "$source_dir"
check_staged_host "$work/prefix" "$work"
echo "install layout and the installed binary's search paths: ok"
