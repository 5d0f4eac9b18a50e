#!/usr/bin/env bash
# Installs the Debian packages Orchestrade builds and tests with; does nothing when they are all
# present. Runs apt-get as root (through sudo when needed).
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config
  libboost-dev libboost-program-options-dev libboost-filesystem-dev
  libyaml-cpp-dev libsqlitecpp-dev libsqlite3-dev libspdlog-dev libfmt-dev
  libcurl4-openssl-dev libssl-dev nlohmann-json3-dev libhowardhinnant-date-dev tzdata
  libgtest-dev libgmock-dev libbenchmark-dev libcpp-httplib-dev bc time
  chromium
  dpkg-dev file   # cpack's .deb dependencies (dpkg-shlibdeps)
)
# The Rust example plugin needs cargo; one from rustup (~/.cargo/bin) is as good.
command -v cargo > /dev/null || [ -x "$HOME/.cargo/bin/cargo" ] || packages+=(cargo)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing: ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
