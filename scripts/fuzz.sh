#!/usr/bin/env bash
# Runs every libFuzzer target of fuzz/ for SECONDS each (clang-14, ASan+UBSan).
#   scripts/fuzz.sh [SECONDS] [TARGET…]     default 30 s, every target
# Prints each target's executions and their total (`make fuzz FUZZ_SECONDS=N`).
# Environment: FUZZ_BUILD (build dir, default build-fuzz), FUZZ_CORPUS (where the
# corpus grows, default $FUZZ_BUILD/corpus).  The corpus starts from the
# fixtures (fuzz/make_corpus.py) and the regression inputs, and is kept between
# runs.  A crash, leak, timeout or sanitizer report fails the run; the input is
# left in $FUZZ_BUILD/artifacts/<target>/ — copy it into fuzz/regressions/<target>/,
# where every build's `meson test --suite fuzz` replays it from then on.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
build=${FUZZ_BUILD:-build-fuzz}
corpus=${FUZZ_CORPUS:-$build/corpus}

if [ ! -f "$build/build.ninja" ]; then
  CC=clang-14 meson setup "$build" -Dtests=enabled -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false \
    --buildtype=debugoptimized >/dev/null
fi
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for f in fuzz/fuzz_*.c; do
    t=$(basename "$f" .c)
    targets+=("${t#fuzz_}")
  done
fi
ninja -C "$build" -j2 $(printf 'fuzz/fuzz_%s ' "${targets[@]}") >/dev/null

/usr/bin/python3 fuzz/make_corpus.py "$corpus"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:halt_on_error=1
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
status=0
total=0
for t in "${targets[@]}"; do
  mkdir -p "$corpus/$t" "$build/artifacts/$t"
  dict=fuzz/json.dict
  [ "$t" = config ] && dict=fuzz/config.dict
  log="$build/fuzz-$t.log"
  echo "== fuzz_$t for ${seconds}s"
  if "$build/fuzz/fuzz_$t" "$corpus/$t" fuzz/regressions/"$t" -dict="$dict" \
       -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
       -print_final_stats=1 -artifact_prefix="$build/artifacts/$t/" >"$log" 2>&1; then
    # One line: executions, coverage (edges), features, corpus size.
    awk '/stat::number_of_executed_units/ {e=$2} /stat::peak_rss_mb/ {r=$2}
         /^#[0-9]+/ && /cov:/ {for (i=1;i<=NF;i++) {if ($i=="cov:") c=$(i+1); if ($i=="ft:") f=$(i+1); if ($i=="corp:") k=$(i+1)}}
         END {printf "   %s executions, cov %s, ft %s, corpus %s, peak RSS %s MB, no finding\n", e, c, f, k, r}' "$log"
    runs=$(awk '/stat::number_of_executed_units/ {e=$2} END {print e+0}' "$log")
    total=$((total + runs))
  else
    status=1
    echo "   FINDING — log: $log; input(s):"
    ls "$build/artifacts/$t/" | sed 's/^/     /'
    grep -m 5 -E "ERROR|SUMMARY|runtime error" "$log" | sed 's/^/     /' || true
  fi
done
# The budget of a release is counted in executions of all targets together
# (docs/reliability.md), so the run ends with that sum.
echo "== ${#targets[@]} target(s), ${seconds}s each: $total executions in all"
exit $status
