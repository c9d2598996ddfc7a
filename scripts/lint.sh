#!/usr/bin/env bash
# Static analysis, as `make test` runs it; any finding fails.
#   scripts/lint.sh [BUILD_DIR]    (default build-asan: its compile_commands.json)
#   1. cppcheck over src/, fuzz/ and tests/unit/ (warning, style, performance,
#      portability; suppressions below, each with its reason);
#   2. clang-tidy-14 over the service's own C files (src/, fuzz/) with the checks
#      of .clang-tidy (why these: the comments there and docs/reliability.md).
# Test code is left to cppcheck: it parses literals with atoi/sscanf and runs
# `system("rm -rf …")` on purpose, and cmocka's longjmp-based asserts mislead
# the analyzer into use-after-free reports.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-asan}
[ -f "$build/compile_commands.json" ] || { echo "no $build/compile_commands.json: build first" >&2; exit 2; }

echo "== cppcheck"
# variableScope: a variable declared where it reads best is a style choice, not a bug.
cppcheck --quiet --std=c11 --enable=warning,style,performance,portability --inline-suppr \
  --error-exitcode=1 -D_GNU_SOURCE -I src -I "$build" -j2 \
  --suppress=missingIncludeSystem --suppress=variableScope \
  src fuzz tests/unit

echo "== clang-tidy"
files=$(/usr/bin/python3 - "$build" <<'PY'
import json, os, sys
build = sys.argv[1]
root = os.getcwd()
seen = set()
for entry in json.load(open(os.path.join(build, "compile_commands.json"))):
    path = os.path.normpath(os.path.join(entry["directory"], entry["file"]))
    rel = os.path.relpath(path, root)
    if rel.startswith(("src/", "fuzz/")) and rel not in seen:
        seen.add(rel)
        print(rel)
PY
)
# run-clang-tidy prints every file's command line; keep only the findings.
out=$(run-clang-tidy-14 -quiet -j 2 -p "$build" $files 2>&1) || {
  echo "$out" | grep -E "(warning|error):|^ " | grep -v "^clang-tidy-14 " >&2
  echo "clang-tidy: findings above" >&2
  exit 1
}
echo "cppcheck and clang-tidy: no finding in $(echo "$files" | wc -l) files"
