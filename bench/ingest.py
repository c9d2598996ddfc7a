#!/usr/bin/env python3
"""Posts upload files to POST /api/v1/stats/ and reports the ingestion rate.

    ingest.py URL TOKEN[,TOKEN...] FILE|DIR... [--concurrency N] [--every K] [--by-sender]

Each worker keeps one HTTP/1.1 connection open and posts the files it takes from a
shared queue in order (files as bench/gen_stats.py or the realistic upload generator
write them: compact JSON, where `"anr":` occurs once per item).  A directory stands
for its upload files: DIR/batches/*.json when there is such a folder (the realistic
generator's output), else DIR/*.json, in name order.

--by-sender: the realistic generator names its files dNN-sK.json (day NN, sender K,
one MONARC installation); each sender gets its own worker, which posts that sender's
days in order, with the K-th of the comma-separated tokens (or the one token for all)
— N installations at once.  The rate counts megabytes of uploads too.  Prints stats/s over the run, the latency of a
request (median, p99, max) and, with --every K, the rate of each K requests as the
database grows.  Exits non-zero at the first answer that is not 201.
"""
import argparse
import glob
import http.client
import os
import re
import queue
import sys
import threading
import time
import urllib.parse


def expand(paths):
    """Files as given, directories replaced by their upload files in name order."""
    files = []
    for p in paths:
        if os.path.isdir(p):
            sub = os.path.join(p, "batches")
            files += sorted(glob.glob(os.path.join(sub if os.path.isdir(sub) else p, "*.json")))
        else:
            files.append(p)
    return files


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("token", help="one token, or one per sender (comma-separated) with --by-sender")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--concurrency", type=int, default=1)
    ap.add_argument("--every", type=int, default=0, help="report the rate of every K requests")
    ap.add_argument("--by-sender", action="store_true",
                    help="one worker per sender of dNN-sK.json files, each with its token")
    args = ap.parse_args()

    u = urllib.parse.urlsplit(args.url)
    files = expand(args.files)
    tokens = args.token.split(",")
    queues = []            # (token, queue of files) per worker
    if args.by_sender:
        senders = {}
        for f in files:
            m = re.search(r"-s(\d+)\.json$", f)
            if not m:
                sys.exit(f"--by-sender: {f} is not named dNN-sK.json")
            senders.setdefault(int(m.group(1)), []).append(f)
        for k in sorted(senders):
            q = queue.Queue()
            for f in senders[k]:
                q.put(f)
            queues.append((tokens[k % len(tokens)], q))
    else:
        q = queue.Queue()
        for f in files:
            q.put(f)
        queues = [(tokens[0], q)] * args.concurrency
    done = []              # (end time, items, latency, bytes) per request
    lock = threading.Lock()
    failures = []

    def worker(token, work):
        headers = {"X-API-KEY": token, "Content-Type": "application/json",
                   "User-Agent": "MONARC/2.14.1"}
        conn = http.client.HTTPConnection(u.hostname, u.port, timeout=600)
        while not failures:
            try:
                path = work.get_nowait()
            except queue.Empty:
                break
            with open(path, "rb") as fh:
                body = fh.read()
            n = body.count(b'"anr":')
            t0 = time.perf_counter()
            conn.request("POST", "/api/v1/stats/", body=body, headers=headers)
            resp = conn.getresponse()
            resp.read()
            t1 = time.perf_counter()
            if resp.status != 201:
                failures.append(resp.status)
                break
            with lock:
                done.append((t1, n, t1 - t0, len(body)))
        conn.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=worker, args=w) for w in queues]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        sys.exit(f"upload failed: HTTP {failures[0]}")
    elapsed = max(d[0] for d in done) - start
    total = sum(d[1] for d in done)
    megabytes = sum(d[3] for d in done) / 1e6
    lat = sorted(d[2] for d in done)
    pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
    print(f"ingested {total} stats ({megabytes:.1f} MB) in {len(done)} requests over "
          f"{len(threads)} connection(s) in {elapsed:.2f} s: {total / elapsed:.0f} stats/s, "
          f"{megabytes / elapsed:.1f} MB/s; request latency median "
          f"{pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms, max {lat[-1] * 1000:.0f} ms")
    if args.every:
        done.sort()
        prev, stored = start, 0
        for i in range(0, len(done), args.every):
            chunk = done[i:i + args.every]
            n = sum(c[1] for c in chunk)
            end = chunk[-1][0]
            stored += n
            print(f"  up to {stored} stats stored: {n / (end - prev):.0f} stats/s")
            prev = end


if __name__ == "__main__":
    main()
