#!/usr/bin/env bash
# Load benchmark (issue: reliability): mixed traffic at 256 connections for minutes.
#   bench/load.sh [sqlite|postgresql] [SECONDS] [CONNECTIONS]   (default sqlite 180 256)
# Builds a release server (build-bench), seeds it with a day of 200 analyses for one
# client, then runs wrk with bench/mixed.lua: ingest + lists + processed + public +
# client/me.  Prints wrk's report (requests, socket errors, non-2xx answers, latency
# percentiles) and the server's RSS: sampled every second, the peak (VmHWM), and
# after the load.  Exits non-zero on any error, non-2xx answer or server crash.
# Only loopback is used: the server listens on 127.0.0.1, wrk stops by itself.
set -euo pipefail
cd "$(dirname "$0")/.."
backend=${1:-sqlite}
seconds=${2:-180}
connections=${3:-256}
build=build-bench

[ -f "$build/build.ninja" ] || meson setup "$build" --buildtype=release >/dev/null
ninja -C "$build" -j2 >/dev/null
bin=$build/stats-service
work=$(mktemp -d /tmp/stats-load.XXXXXX)
admin="bench-admin-token-0123456789abcdef0123456789"
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  [ -n "${sampler:-}" ] && kill "$sampler" 2>/dev/null
  [ "$backend" = postgresql ] && tests/pg.sh stop "$work/pg" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

if [ "$backend" = postgresql ]; then
  uri=$(tests/pg.sh start "$work/pg" 2>/dev/null | tail -n 1)
  DATABASE_URI=$uri $bin db empty --yes >/dev/null 2>&1 || true
else
  uri="sqlite:///$work/stats.db"
fi
export DATABASE_URI=$uri ADMIN_TOKEN=$admin LOG_PATH="$work/log" LOG_LEVEL=warning
export HOST=127.0.0.1 PORT=0 CLIENT_REGISTRATION_OPEN=1
$bin db init >/dev/null
$bin serve >"$work/out" 2>&1 &
pid=$!
for _ in $(seq 100); do grep -q Listening "$work/out" && break; sleep 0.1; done
port=$(sed -n 's/.*:\([0-9]*\)\/$/\1/p' "$work/out")
url="http://127.0.0.1:$port"

# One client holds the data, as one MONARC installation would.
token=$(curl -s -X POST "$url/api/v1/client/" -H "X-API-KEY: $admin" \
  -H 'Content-Type: application/json' -d '{"name":"load","is_sharing_enabled":true}' |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
/usr/bin/python3 bench/gen_stats.py --analyses 200 --batch 250 --out "$work/data" >/dev/null
for f in "$work"/data/batch-*.json; do
  curl -sf -o /dev/null -X POST "$url/api/v1/stats/" -H "X-API-KEY: $token" \
    -H 'Content-Type: application/json' -H 'User-Agent: MONARC/2.14.1' --data-binary "@$f"
done
anr=$(head -n 1 "$work/data/anrs.txt")

rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
echo "backend $backend, $connections connections, ${seconds}s; RSS after seeding: $(rss) KiB"
( while kill -0 "$pid" 2>/dev/null; do rss; sleep 1; done ) >"$work/rss" &
sampler=$!

# Which kinds this build serves (processed stats and public JSON came with later issues).
kinds=ingest,list,me
code() { curl -s -o /dev/null -w '%{http_code}' "$@"; }
[ "$(code -X GET "$url/api/v1/stats/processed/" -H "X-API-KEY: $token" -H 'Content-Type: application/json' \
     -d '{"type":"threat","processor":"threat_average_on_date"}')" = 200 ] && kinds=$kinds,processed
[ "$(code "$url/stats/threats.json")" = 200 ] && kinds=$kinds,public

STATS_TOKEN=$token STATS_ANR=$anr STATS_KINDS=$kinds STATS_REPORT="$work/report.json" \
  wrk -t2 -c"$connections" -d"${seconds}s" --timeout 10s --latency -s bench/mixed.lua "$url" |
  sed 's/^/  /'
kill "$sampler" 2>/dev/null || true
sampler=""

alive=yes
kill -0 "$pid" 2>/dev/null || alive=no
[ "$alive" = yes ] && [ "$(code -H "X-API-KEY: $token" "$url/api/v1/client/me")" = 200 ] || alive=no
peak=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo "?")
max_sampled=$(sort -n "$work/rss" | tail -n 1)
sleep 2
echo "server alive after the load: $alive"
echo "RSS: peak (VmHWM) $peak KiB, highest sample $max_sampled KiB, idle after the load $(rss) KiB"
echo "server log lines at warning or above: $(grep -c -E ' (WARNING|ERROR) ' "$work/log" || true)"
/usr/bin/python3 - "$work/report.json" "$alive" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
ok = r["errors"] == 0 and r["unexpected_status"] == 0 and sys.argv[2] == "yes"
print(("PASS" if ok else "FAIL") + ": %(requests)d requests, %(rps)d/s, socket errors %(errors)d, "
      "non-2xx %(unexpected_status)d" % r)
sys.exit(0 if ok else 1)
PY
