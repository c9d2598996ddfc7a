#!/usr/bin/env bash
# Installs the Debian packages the project needs, only those missing.
#   scripts/install-deps.sh build   what `make` and `make run` need
#   scripts/install-deps.sh test    … plus what `make test` needs
set -euo pipefail

build_pkgs=(gcc pkg-config meson ninja-build libmicrohttpd-dev libjson-c-dev libsqlite3-dev
            libpq-dev libcurl4-openssl-dev libssl-dev uuid-dev libinih-dev zlib1g-dev)
test_pkgs=(libcmocka-dev postgresql python3 python3-pytest curl wrk haproxy
           clang-14 libclang-rt-14-dev valgrind cppcheck clang-tidy-14)

# The web assets come from npm packages (package.json); the browser tests drive
# Debian's Chromium.  A Node.js from elsewhere (its npm included) is kept as it is.
command -v node >/dev/null || build_pkgs+=(nodejs)
command -v npm >/dev/null || build_pkgs+=(npm)
test_pkgs+=(chromium)

wanted=("${build_pkgs[@]}")
[ "${1:-build}" = test ] && wanted+=("${test_pkgs[@]}")

missing=()
for p in "${wanted[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing missing packages: ${missing[*]}"
sudo=""
[ "$(id -u)" -ne 0 ] && sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
