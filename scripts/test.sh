#!/usr/bin/env bash
# The whole test suite, as `make test` runs it:
#   1. build with ASan+UBSan and -Werror,
#   2. unit tests (cmocka via meson test; storage tests on SQLite),
#   3. a throwaway PostgreSQL server, the storage tests again on it,
#   4. browser tests (node --test tests/browser/, headless Chromium) against running servers,
#   5. HTTP integration tests (pytest) against running servers, on SQLite and PostgreSQL,
#   6. static analysis (scripts/lint.sh: cppcheck, clang-tidy) — run first, it fails fast,
#   7. every fuzz target for FUZZ_SECONDS (default 30) s (scripts/fuzz.sh, clang-14),
#   8. the unit tests and a cross-section of the HTTP tests under valgrind memcheck
#      (scripts/valgrind.sh; `make test-valgrind` runs the whole suite under it).
# Build directories of steps 7 and 8: FUZZ_BUILD (build-fuzz), VG_BUILD (build-valgrind).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-asan}

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" -Dtests=enabled -Db_sanitize=address,undefined -Dwerror=true --buildtype=debug
fi
ninja -C "$build"

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export STATS_BIN="$PWD/$build/stats-service"

echo "== static analysis"
scripts/lint.sh "$build"

echo "== unit tests (storage on SQLite)"
meson test -C "$build" --print-errorlogs

pgdir=$(mktemp -d /tmp/stats-pg.XXXXXX)
cleanup() { tests/pg.sh stop "$pgdir/data" >/dev/null 2>&1 || true; rm -rf "$pgdir"; }
trap cleanup EXIT
STATS_TEST_DATABASE_URI=$(tests/pg.sh start "$pgdir/data" | tail -n 1)
export STATS_TEST_DATABASE_URI

echo "== storage and processor tests on PostgreSQL ($STATS_TEST_DATABASE_URI)"
meson test -C "$build" --print-errorlogs store processors

echo "== browser tests (headless Chromium: pages, charts, downloads, languages, phone width)"
node --test tests/browser/

echo "== HTTP and command-line integration tests (SQLite and PostgreSQL)"
/usr/bin/python3 -m pytest -q tests/integration

echo "== fuzzing: ${FUZZ_SECONDS:-30} s per target"
scripts/fuzz.sh "${FUZZ_SECONDS:-30}"

# The whole integration suite under valgrind takes about an hour on 2 cores (run it
# with `make test-valgrind`); within CI's budget, make test runs every unit test and
# a cross-section of the HTTP tests (every route family) on SQLite under memcheck.
echo "== valgrind memcheck: unit tests and a cross-section of the HTTP tests"
scripts/valgrind.sh unit
scripts/valgrind.sh integration -k sqlite \
  tests/integration/test_api_http.py tests/integration/test_api_stats_list.py \
  tests/integration/test_api_scoping.py tests/integration/test_api_clients.py \
  tests/integration/test_processed.py tests/integration/test_public.py \
  tests/integration/test_map.py tests/integration/test_admin.py tests/integration/test_ops.py
