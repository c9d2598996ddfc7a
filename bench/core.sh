#!/usr/bin/env bash
# Benchmark of the service core (issue: service core), on a release build and SQLite.
#   bench/core.sh [ANALYSES] [CLIENTS]   (default 1000 analyses x 5 types = 5,000 stats, 1 client)
# On a fresh SQLite database; BENCH_DATABASE_URI=postgresql://… runs on that database
# instead, after emptying it (tests/pg.sh start DIR gives a throwaway one).
# Prints: ingestion rate (batches of 250 posted by CLIENTS keep-alive connections,
# bench/ingest.py), GET /api/v1/stats/ (one ANR) req/s at 32 connections, idle and peak RSS.
set -euo pipefail
cd "$(dirname "$0")/.."
analyses=${1:-1000}
concurrency=${2:-1}
make -s all >/dev/null
bin=build/stats-service
work=$(mktemp -d /tmp/stats-bench.XXXXXX)
token="bench-admin-token-0123456789abcdef0123456789"
export DATABASE_URI="${BENCH_DATABASE_URI:-sqlite:///$work/stats.db}" ADMIN_TOKEN="$token" LOG_PATH="$work/log"
export LOG_LEVEL=warning HOST=127.0.0.1 PORT=0
/usr/bin/python3 bench/gen_stats.py --analyses "$analyses" --batch 250 --out "$work/data" >/dev/null
[ -z "${BENCH_DATABASE_URI:-}" ] || $bin db empty --yes >/dev/null
$bin db init >/dev/null
$bin serve > "$work/out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q Listening "$work/out" && break; sleep 0.1; done
port=$(sed -n 's/.*:\([0-9]*\)\/$/\1/p' "$work/out")
url="http://127.0.0.1:$port"
rss() { awk '/VmRSS/ {print $2}' /proc/$pid/status; }
echo "idle RSS after start: $(rss) KiB"

/usr/bin/python3 bench/ingest.py "$url" "$token" "$work"/data/batch-*.json --concurrency "$concurrency"
echo "RSS right after ingestion: $(rss) KiB"
anr=$(head -n 1 "$work/data/anrs.txt")
STATS_TOKEN=$token STATS_ANR=$anr wrk -t2 -c32 -d10s -s bench/get_one_anr.lua "$url" | sed 's/^/  /'
echo "RSS after load: $(rss) KiB; peak: $(awk '/VmHWM/ {print $2}' /proc/$pid/status) KiB"
sleep 2
echo "idle RSS after load: $(rss) KiB"
