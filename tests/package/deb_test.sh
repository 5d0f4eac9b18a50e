#!/usr/bin/env bash
# The Debian packages: cpack in the build tree makes orchestrade and orchestrade-dev; their
# contents and declared dependencies are checked, they are unpacked into a staging root with
# dpkg-deb -x, the unpacked binary runs the demo with its own plugins and data, and the C example
# is built against the unpacked -dev package and run.
#   deb_test.sh BUILD_DIR SOURCE_DIR WORK_DIR VERSION
set -euo pipefail
build_dir=$1 source_dir=$2 work=$3 version=$4
. "$(dirname "$0")/lib.sh"

fresh_dir "$work"
logged "$work/cpack.log" cpack --config "$build_dir/CPackConfig.cmake" -B "$work/out"
arch=$(dpkg --print-architecture)
host_deb=$work/out/orchestrade_${version}_$arch.deb
dev_deb=$work/out/orchestrade-dev_${version}_all.deb
debs=$(find "$work/out" -maxdepth 1 -name '*.deb' | sort)
[ "$debs" = "$(printf '%s\n' "$dev_deb" "$host_deb")" ] ||
    fail "expected exactly $host_deb and $dev_deb, got: $debs"

field() { dpkg-deb -f "$1" "$2"; }
[ "$(field "$host_deb" Package)" = orchestrade ] || fail "host package name"
[ "$(field "$host_deb" Version)" = "$version" ] || fail "host package version"
[ "$(field "$dev_deb" Package)" = orchestrade-dev ] || fail "dev package name"
[ "$(field "$dev_deb" Depends)" = "orchestrade (= $version)" ] ||
    fail "orchestrade-dev must depend on this orchestrade: $(field "$dev_deb" Depends)"

# Nothing is in both packages (dpkg would refuse to install the second).
files() { dpkg-deb -c "$1" | awk '$1 !~ /^d/ {print $6}' | sort; }
overlap=$(comm -12 <(files "$host_deb") <(files "$dev_deb"))
[ -z "$overlap" ] || fail "in both packages: $overlap"
files "$dev_deb" | grep -Eqv '^\./usr/(include/orchestrade|lib/cmake/Orchestrade)/' &&
    fail "orchestrade-dev holds more than the SDK: $(files "$dev_deb")"

dpkg-deb -x "$host_deb" "$work/root"
dpkg-deb -x "$dev_deb" "$work/root"
usr=$work/root/usr
check_layout "$usr" "$source_dir"

# Every library the binary and the plugins load comes from a package the .deb depends on (by
# its name or a name it provides).
names() { sed 's/[,|]/\n/g' | sed 's/^ *//; s/[ (:].*//; /^$/d' | sort -u; }
depends=$(field "$host_deb" Depends | names)
sonames=$(for elf in "$usr/bin/orchestrade" "$usr"/lib/orchestrade/plugins/*.so; do
    readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'
done | sort -u)
for soname in $sonames; do
    owners=$(dpkg -S "*/$soname" 2> /dev/null | sed 's|: /.*||' | names)
    [ -n "$owners" ] || fail "no installed package provides $soname"
    # shellcheck disable=SC2016 # dpkg-query's own ${Field} syntax
    satisfied_by=$(echo "$owners" | xargs dpkg-query -W -f='${Package},${Provides}\n' | names)
    comm -12 <(echo "$satisfied_by") <(echo "$depends") | grep -q . ||
        fail "$soname (from ${owners//$'\n'/ }) is not in Depends: $(field "$host_deb" Depends)"
done

check_staged_host "$usr" "$work"
build_and_run_example "$source_dir/examples/c_plugin" "$(cd "$usr" && pwd -P)" "$work/c_plugin" \
    com.example.momentum
echo "packages: layout, dependencies, the unpacked binary and the unpacked SDK: ok"
