#!/usr/bin/env python3
"""Posts upload files to POST /api/v1/stats/ and reports the ingestion rate.

    ingest.py URL TOKEN FILE... [--concurrency N] [--every K]

Each worker keeps one HTTP/1.1 connection open and posts the files it takes from a
shared queue in order (files as bench/gen_stats.py writes them: compact JSON, where
`"anr":` occurs once per item).  Prints stats/s over the run, the latency of a
request (median, p99, max) and, with --every K, the rate of each K requests as the
database grows.  Exits non-zero at the first answer that is not 201.
"""
import argparse
import http.client
import queue
import sys
import threading
import time
import urllib.parse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("token")
    ap.add_argument("files", nargs="+")
    ap.add_argument("--concurrency", type=int, default=1)
    ap.add_argument("--every", type=int, default=0, help="report the rate of every K requests")
    args = ap.parse_args()

    u = urllib.parse.urlsplit(args.url)
    headers = {"X-API-KEY": args.token, "Content-Type": "application/json",
               "User-Agent": "MONARC/2.14.1"}
    work = queue.Queue()
    for f in args.files:
        work.put(f)
    done = []              # (end time, items, latency) per request
    lock = threading.Lock()
    failures = []

    def worker():
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
                done.append((t1, n, t1 - t0))
        conn.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(args.concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if failures:
        sys.exit(f"upload failed: HTTP {failures[0]}")
    elapsed = max(t for t, _, _ in done) - start
    total = sum(n for _, n, _ in done)
    lat = sorted(l for _, _, l in done)
    pct = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1000
    print(f"ingested {total} stats in {len(done)} requests over {args.concurrency} connection(s) "
          f"in {elapsed:.2f} s: {total / elapsed:.0f} stats/s; request latency median "
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
