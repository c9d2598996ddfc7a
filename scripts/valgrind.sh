#!/usr/bin/env bash
# The test suite under valgrind memcheck, on a build without sanitizers.
#   scripts/valgrind.sh [unit|integration|all] [PYTEST ARGS…]    (default: all)
# Environment: VG_BUILD (default build-valgrind), STATS_TEST_DATABASE_URI (as
# scripts/test.sh sets it: the PostgreSQL tests run too).
#   unit         every cmocka test (meson test) under memcheck
#   integration  the pytest suite with each server (and each CLI command the tests
#                run) under memcheck: STATS_WRAPPER prefixes the command
# Any memcheck error or leak (definite, indirect or possible) fails: valgrind exits
# 99 and the test that ran the program fails with its report.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${VG_BUILD:-build-valgrind}
what=${1:-all}
shift || true

if [ ! -f "$build/build.ninja" ]; then
  meson setup "$build" -Dtests=enabled --buildtype=debug -Dwerror=true >/dev/null
fi
ninja -C "$build" -j2 >/dev/null

vg=(valgrind --quiet --error-exitcode=99 --leak-check=full --show-leak-kinds=definite,indirect,possible
    --errors-for-leak-kinds=definite,indirect,possible --track-fds=no
    --suppressions="$PWD/tests/valgrind.supp" --num-callers=30)

if [ "$what" = unit ] || [ "$what" = all ]; then
  echo "== unit tests under valgrind"
  meson test -C "$build" --print-errorlogs --timeout-multiplier=10 --wrapper="${vg[*]}"
fi
if [ "$what" = integration ] || [ "$what" = all ]; then
  echo "== integration tests under valgrind ${*:-(all)}"
  STATS_BIN="$PWD/$build/stats-service" STATS_WRAPPER="${vg[*]}" \
    /usr/bin/python3 -m pytest -q "${@:-tests/integration}"
fi
