#!/usr/bin/env bash
# The public evolution on a large database (issue 12): one chart (a year of daily
# points, 10 threats; then the risk levels) uncached, on the realistic MONARC uploads.
#   bench/evolution.sh DATA_DIR DB_FILE
# DATA_DIR: the output folder of the realistic upload generator (never part of the
# repository); DB_FILE: the SQLite database, made from DATA_DIR's uploads (4 sending
# installations, posted one after another) when it does not exist yet, kept after.
# BIN=path uses that binary (default build/stats-service, built by `make`); REQUESTS=N times
# N answers of each kind (default 30).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:?usage: bench/evolution.sh DATA_DIR DB_FILE}
db=${2:?usage: bench/evolution.sh DATA_DIR DB_FILE}
if [ -z "${BIN:-}" ]; then make -s all >/dev/null; BIN=build/stats-service; fi
work=$(mktemp -d /tmp/stats-bench.XXXXXX)
export DATABASE_URI="sqlite:///$db" LOG_PATH="$work/log" LOG_LEVEL=warning HOST=127.0.0.1 PORT=0
fresh=
[ -e "$db" ] || fresh=1
"$BIN" db init >/dev/null
"$BIN" serve > "$work/out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do grep -q Listening "$work/out" && break; sleep 0.1; done
port=$(sed -n 's/.*:\([0-9]*\)\/$/\1/p' "$work/out")
if [ -n "$fresh" ]; then
    senders=$(ls "$data"/batches/ | sed -n 's/.*-s\([0-9]*\)\.json$/\1/p' | sort -un)
    tokens=
    for k in $senders; do
        token=$(printf 'bench-sender-%s-token-0123456789abcdef0123456789' "$k")
        "$BIN" client create --name "bench-sender-$k" --token "$token" >/dev/null 2>&1
        tokens=${tokens:+$tokens,}$token
    done
    /usr/bin/python3 bench/ingest.py "http://127.0.0.1:$port" "$tokens" "$data" --by-sender --every 400
fi
echo "database: $(du -h "$db" | cut -f1) on disk"
/usr/bin/python3 bench/evolution.py "http://127.0.0.1:$port" --requests "${REQUESTS:-30}" --objects 10 --days 364 --step day
/usr/bin/python3 bench/evolution.py "http://127.0.0.1:$port" --requests "${REQUESTS:-30}" --objects 10 --days 364 --step day --gzip
/usr/bin/python3 bench/evolution.py "http://127.0.0.1:$port" --requests "${REQUESTS:-30}" --objects 10 --days 728 --step week
/usr/bin/python3 bench/evolution.py "http://127.0.0.1:$port" --requests "${REQUESTS:-30}" --risk --days 364 --step day
/usr/bin/python3 bench/evolution.py "http://127.0.0.1:$port" --requests "${REQUESTS:-30}" --risk --days 364 --step day --gzip
echo "server RSS peak: $(awk '/VmHWM/ {print $2}' /proc/$pid/status) KiB"
