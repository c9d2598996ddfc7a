#!/usr/bin/env bash
# The whole test suite, as `make test` runs it:
#   1. build with ASan+UBSan and -Werror,
#   2. unit tests (cmocka via meson test; storage tests on SQLite),
#   3. a throwaway PostgreSQL server, the storage tests again on it (with test_kinds' kind),
#   4. browser tests (node --test tests/browser/, headless Chromium) against running servers,
#   5. HTTP integration tests (pytest) against running servers, on SQLite and PostgreSQL,
#   6. static analysis (scripts/lint.sh: cppcheck, clang-tidy) — run first, it fails fast,
#      and every locked npm package's engines.node against the Node.js in use and the
#      lowest one supported (scripts/check-engines.mjs, Debian 12's Node 18),
#   7. every fuzz target for FUZZ_SECONDS (default 30) s (scripts/fuzz.sh, clang-14),
#   8. the unit tests and a cross-section of the HTTP tests under valgrind memcheck
#      (scripts/valgrind.sh; `make test-valgrind` runs the whole suite under it).
# Build directories of steps 7 and 8: FUZZ_BUILD (build-fuzz), VG_BUILD (build-valgrind).
# A failing stage does not stop the later ones (but for the build); the run ends
# with a one-screen summary of every stage, passed or failed, and its time, and
# exits non-zero if any failed.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-asan}

summary=()
failed=0
# stage NAME COMMAND…: runs one stage, records its outcome and time.
stage() {
  local name=$1 start status=0
  shift
  echo "== $name"
  start=$(date +%s)
  "$@" || status=$?
  local result=passed
  [ "$status" -eq 0 ] || { result="FAILED (exit $status)"; failed=$((failed + 1)); }
  summary+=("$(printf '%-58s %-18s %4ds' "$name" "$result" $(( $(date +%s) - start )))")
}
print_summary() {
  echo
  echo "== summary"
  printf '%s\n' "${summary[@]}"
  echo "stages: $(( ${#summary[@]} - failed )) passed, $failed failed"
}

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" -Dtests=enabled -Db_sanitize=address,undefined -Dwerror=true --buildtype=debug
fi
stage "build (ASan+UBSan, -Werror)" ninja -C "$build"
[ "$failed" -eq 0 ] || { print_summary; exit 1; }

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=0:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export STATS_BIN="$PWD/$build/stats-service"

stage "static analysis (cppcheck, clang-tidy)" scripts/lint.sh "$build"
engines_check() { node --test tests/scripts/ && node scripts/check-engines.mjs; }
stage "npm packages admit this Node.js ($(node --version)) and the lowest supported" engines_check
stage "unit tests (storage on SQLite)" meson test -C "$build" --print-errorlogs

pgdir=$(mktemp -d /tmp/stats-pg.XXXXXX)
cleanup() { tests/pg.sh stop "$pgdir/data" >/dev/null 2>&1 || true; rm -rf "$pgdir"; }
trap cleanup EXIT
STATS_TEST_DATABASE_URI=$(tests/pg.sh start "$pgdir/data" | tail -n 1)
export STATS_TEST_DATABASE_URI

stage "storage, processor and kinds tests on PostgreSQL" meson test -C "$build" --print-errorlogs store processors kinds
stage "browser tests (headless Chromium)" node --test tests/browser/
stage "HTTP and command-line tests (SQLite and PostgreSQL)" /usr/bin/python3 -m pytest -q tests/integration
stage "fuzzing: ${FUZZ_SECONDS:-30} s per target" scripts/fuzz.sh "${FUZZ_SECONDS:-30}"

# The whole integration suite under valgrind takes about an hour on 2 cores (run it
# with `make test-valgrind`); within CI's budget, make test runs every unit test and
# a cross-section of the HTTP tests (every route family) on SQLite under memcheck.
stage "valgrind memcheck: unit tests" scripts/valgrind.sh unit
stage "valgrind memcheck: HTTP tests, a cross-section" scripts/valgrind.sh integration -k sqlite \
  tests/integration/test_api_http.py tests/integration/test_api_stats_list.py \
  tests/integration/test_api_scoping.py tests/integration/test_api_clients.py \
  tests/integration/test_processed.py tests/integration/test_public.py \
  tests/integration/test_map.py tests/integration/test_admin.py tests/integration/test_ops.py

print_summary
[ "$failed" -eq 0 ]
