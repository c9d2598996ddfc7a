#!/usr/bin/env bash
# Benchmark of the processors and the public stats JSON (issue 3), on a release build and SQLite.
#   bench/processors.sh [ANALYSES] [DAYS]
# Default: 2,000 analyses × 100 days × 5 types = 1,000,000 stats (about 1.8 GB of uploads
# generated in a temporary folder, $BENCH_TMP or /tmp; a 4 GB database).  BIN=path uses that
# binary instead of building build/stats-service.
# Prints: ingestion rate with the extraction of facts, the time of processed queries over all
# the data and over the default 3 months, the first (uncached) public answers, and
# GET /stats/threats.json req/s from the cache at 32 connections.
set -euo pipefail
cd "$(dirname "$0")/.."
analyses=${1:-2000}
days=${2:-100}
if [ -z "${BIN:-}" ]; then
  make -s all >/dev/null
  BIN=build/stats-service
fi
work=$(mktemp -d "${BENCH_TMP:-/tmp}/stats-bench-proc.XXXXXX")
token="bench-admin-token-0123456789abcdef0123456789"
export DATABASE_URI="sqlite:///$work/stats.db" ADMIN_TOKEN="$token" LOG_PATH="$work/log"
export LOG_LEVEL=warning HOST=127.0.0.1 PORT=0
/usr/bin/python3 bench/gen_stats.py --analyses "$analyses" --days "$days" --batch 1000 --out "$work/data"
"$BIN" db init >/dev/null
"$BIN" serve > "$work/out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q Listening "$work/out" && break; sleep 0.1; done
port=$(sed -n 's/.*:\([0-9]*\)\/$/\1/p' "$work/out")
url="http://127.0.0.1:$port"
hdrs=(-H "X-API-KEY: $token" -H 'Content-Type: application/json' -H 'User-Agent: MONARC/2.14.1')

# One client, batches of 1,000, keep-alive (bench/ingest.py); the rate of each 100,000
# stats shows how ingestion holds up as the database grows.
/usr/bin/python3 bench/ingest.py "$url" "$token" "$work"/data/batch-*.json --every 100
echo "database: $(du -sh "$work/stats.db" | cut -f1)"

# Median of 7 runs of a GET with a JSON body, in milliseconds.
timed() {
  for _ in 1 2 3 4 5 6 7; do
    curl -s -o /dev/null -w '%{time_total}\n' -X GET "$url$1" "${hdrs[@]}" --data "$2"
  done | sort -n | awk '{ t[NR] = $1 } END { printf "%.1f ms\n", t[4] * 1000 }'
}
today=$(date +%F)
from=$(date -d "$today -3 months" +%F)
window="\"date_from\":\"$from\",\"date_to\":\"$today\""
for p in threat:threat_average_on_date risk:risk_averages_on_date vulnerability:vulnerability_average_on_date \
         risk:risk_averages cartography:cartography_totals compliance:compliance_averages; do
  body="\"type\":\"${p%%:*}\",\"processor\":\"${p#*:}\""
  echo "${p#*:}, all dates: $(timed /api/v1/stats/processed/ "{$body}")"
  echo "${p#*:}, 3 months: $(timed /api/v1/stats/processed/ "{$body,$window}")"
done
anrs=$(head -n 10 "$work/data/anrs.txt" | sed 's/.*/"&"/' | paste -sd,)
echo "threat_average_on_date, 10 analyses, 3 months: $(timed /api/v1/stats/processed/ \
  "{\"type\":\"threat\",\"processor\":\"threat_average_on_date\",$window,\"anrs\":[$anrs]}")"
# Every analysis listed: the same answer as without `anrs`, from the fact rows instead of the
# daily totals (what summing the facts of every query would cost).
all=$(sed 's/.*/"&"/' "$work/data/anrs.txt" | paste -sd,)
echo "threat_average_on_date, every analysis listed (fact rows), 3 months: $(timed /api/v1/stats/processed/ \
  "{\"type\":\"threat\",\"processor\":\"threat_average_on_date\",$window,\"anrs\":[$all]}")"

for route in threats vulnerabilities risks cartography compliance; do
  echo "GET /stats/$route.json, computed: $(curl -s -o /dev/null -w '%{time_total}' "$url/stats/$route.json" | awk '{ printf "%.1f ms", $1 * 1000 }')"
done
wrk -t2 -c32 -d10s "$url/stats/threats.json" | sed 's/^/  /'
echo "RSS: $(awk '/VmRSS/ {print $2}' /proc/$pid/status) KiB; peak: $(awk '/VmHWM/ {print $2}' /proc/$pid/status) KiB"
