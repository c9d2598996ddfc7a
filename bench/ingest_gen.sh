#!/usr/bin/env bash
# Ingestion of the realistic MONARC uploads (issue 14), on a fresh database.
#   bench/ingest_gen.sh DATA_DIR [serial|senders]
# DATA_DIR: the output folder of the realistic upload generator (DATA_DIR/batches/dNN-sK.json;
# the generator is external, its data is never part of the repository).
#   serial   one installation after another: every batch in name order, one connection
#   senders  the installations at once: one client, token and connection per sender
# BIN=path uses that binary (default build/stats-service, built by `make`); SQLite in a
# temporary folder, or BENCH_DATABASE_URI=postgresql://… after emptying it.
# PERF=FILE records a profile of the server during the ingestion (perf record -g, DWARF
# call graphs) into FILE: `perf report -i FILE --no-children` reads it.
# PROCESSED=N then asks each processor N times for all the data of the first sender (in
# serial mode: everything), as MONARC does (GET with a JSON body), and prints the median
# and p90 time at the client and the server's CPU per request.
# DELETE=N then deletes the first N analyses of DATA_DIR/anrs.txt one after the other
# (DELETE /api/v1/stats/<anr>, as MONARC does when an analysis is deleted; 50 stats each in
# the generator's default data) and prints analyses deleted per second and the server's CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:?usage: bench/ingest_gen.sh DATA_DIR [serial|senders]}
mode=${2:-serial}
if [ -z "${BIN:-}" ]; then make -s all >/dev/null; BIN=build/stats-service; fi
work=$(mktemp -d /tmp/stats-bench.XXXXXX)
export DATABASE_URI="${BENCH_DATABASE_URI:-sqlite:///$work/stats.db}" LOG_PATH="$work/log"
export LOG_LEVEL=warning HOST=127.0.0.1 PORT=0
[ -z "${BENCH_DATABASE_URI:-}" ] || "$BIN" db empty --yes >/dev/null
"$BIN" db init >/dev/null
senders=$(ls "$data"/batches/ | sed -n 's/.*-s\([0-9]*\)\.json$/\1/p' | sort -un)
tokens=
for k in $senders; do
    token=$(printf 'bench-sender-%s-token-0123456789abcdef0123456789' "$k")
    "$BIN" client create --name "bench-sender-$k" --token "$token" >/dev/null 2>&1
    tokens=${tokens:+$tokens,}$token
done
"$BIN" serve > "$work/out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 50); do grep -q Listening "$work/out" && break; sleep 0.1; done
port=$(sed -n 's/.*:\([0-9]*\)\/$/\1/p' "$work/out")
# CPU seconds the server used (all its threads), which other load on the machine
# disturbs less than the rate.
cpu() { awk -v hz="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / hz}' /proc/$pid/stat; }
cpu_before=$(cpu)
if [ -n "${PERF:-}" ]; then
    perf record -q -F 499 --call-graph dwarf,16384 -o "$PERF" -p "$pid" 2>/dev/null &
    perf_pid=$!
    sleep 1
fi
if [ "$mode" = senders ]; then
    /usr/bin/python3 bench/ingest.py "http://127.0.0.1:$port" "$tokens" "$data" --by-sender
else
    /usr/bin/python3 bench/ingest.py "http://127.0.0.1:$port" "${tokens%%,*}" "$data"
fi
if [ -n "${PERF:-}" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
echo "server CPU during the ingestion: $(echo "$(cpu) - $cpu_before" | bc) s; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "server RSS peak: $(awk '/VmHWM/ {print $2}' /proc/$pid/status) KiB"
if [ -n "${PROCESSED:-}" ]; then
    token=${tokens%%,*}
    for p in threat:threat_average_on_date vulnerability:vulnerability_average_on_date \
             risk:risk_averages_on_date risk:risk_averages cartography:cartography_totals \
             compliance:compliance_averages; do
        body="{\"type\":\"${p%%:*}\",\"processor\":\"${p#*:}\"}"
        cpu_before=$(cpu)
        times=$(for _ in $(seq "$PROCESSED"); do
            curl -s -o /dev/null -w '%{time_total}\n' -X GET "http://127.0.0.1:$port/api/v1/stats/processed/" \
                -H "X-API-KEY: $token" -H 'Content-Type: application/json' -H 'User-Agent: MONARC/2.14.1' \
                --data "$body"
        done)
        cpu_ms=$(echo "($(cpu) - $cpu_before) * 1000 / $PROCESSED" | bc -l)
        echo "$times" | sort -n | awk -v name="${p#*:}" -v cpu="$cpu_ms" \
            '{ t[NR] = $1 } END { printf "%s: median %.1f ms, p90 %.1f ms, server CPU %.1f ms per request\n",
                                  name, t[int((NR + 1) / 2)] * 1000, t[int(NR * 0.9 + 0.5)] * 1000, cpu }'
    done
fi
if [ -n "${DELETE:-}" ]; then
    token=${tokens%%,*}
    cpu_before=$(cpu)
    started=$(date +%s.%N)
    deleted=0
    for anr in $(head -n "$DELETE" "$data/anrs.txt"); do
        status=$(curl -s -o /dev/null -w '%{http_code}' -X DELETE "http://127.0.0.1:$port/api/v1/stats/$anr" \
                     -H "X-API-KEY: $token" -H 'User-Agent: MONARC/2.14.1')
        [ "$status" = 204 ] || [ "$status" = 200 ] || { echo "DELETE $anr: HTTP $status" >&2; exit 1; }
        deleted=$((deleted + 1))
    done
    elapsed=$(echo "$(date +%s.%N) - $started" | bc -l)
    echo "$deleted analyses deleted in $(printf '%.2f' "$elapsed") s: $(echo "$deleted / $elapsed" | bc -l | xargs printf '%.1f') per second; server CPU $(echo "($(cpu) - $cpu_before) * 1000 / $deleted" | bc -l | xargs printf '%.1f') ms per analysis"
fi
