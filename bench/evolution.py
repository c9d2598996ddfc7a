#!/usr/bin/env python3
"""Times /stats/evolution/<type>.json, uncached, on a running server.

    evolution.py URL [--requests N] [--objects K] [--days D] [--step day|week|month] [--risk] [--gzip]

Each request asks for a different set of K threats (so no answer comes from the
server's answer cache), D days of points up to today.  The objects are the ones
/stats/threats.json lists.  With --risk, /stats/evolution/risk.json instead (every
state and kind), each request a period one day shorter than the one before (so
uncached too).  Prints the time of each answer (median, p90, max, in ms, measured
by the client over a kept-alive loopback connection), the points and the bytes of
an answer.  With --gzip, the requests take gzip as a browser does (the server then
compresses each answer it computes); the bytes are then the compressed ones.
"""
import argparse
import gzip
import http.client
import json
import random
import statistics
import time
import urllib.parse


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("url")
    ap.add_argument("--requests", type=int, default=30)
    ap.add_argument("--objects", type=int, default=10)
    ap.add_argument("--days", type=int, default=364)
    ap.add_argument("--step", default="day")
    ap.add_argument("--risk", action="store_true")
    ap.add_argument("--gzip", action="store_true")
    args = ap.parse_args()

    u = urllib.parse.urlsplit(args.url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=120)

    headers = {"Accept": "application/json"}
    if args.gzip:
        headers["Accept-Encoding"] = "gzip"
    sizes = []

    def get(path):
        conn.request("GET", path, headers=headers)
        r = conn.getresponse()
        body = r.read()
        if r.status != 200:
            raise SystemExit(f"{path}: HTTP {r.status} {body[:200]!r}")
        sizes.append(len(body))
        if r.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        elif args.gzip:
            raise SystemExit(f"{path}: not compressed")
        return body

    def since(days):
        return time.strftime('%Y-%m-%d', time.localtime(time.time() - days * 86400))

    if args.risk:
        times, counts = [], []
        for i in range(args.requests):
            start = time.perf_counter()
            body = get(f"/stats/evolution/risk.json?step={args.step}&date_from={since(args.days - i - (args.requests if args.gzip else 0))}")
            times.append((time.perf_counter() - start) * 1000)
            answer = json.loads(body)
            assert any(p["current"]["informational"]["Low risks"] is not None for p in answer["points"]), "empty"
            counts.append(len(answer["points"]))
        times.sort()
        print(f"{args.requests} answers of the risks x {min(counts)}-{max(counts)} points (up to {max(sizes)} bytes): "
              f"median {statistics.median(times):.1f} ms, p90 {times[int(len(times) * 0.9) - 1]:.1f} ms, "
              f"max {times[-1]:.1f} ms")
        return

    objects = sorted(item["object"] for item in json.loads(get("/stats/threats.json")))
    if len(objects) < args.objects:
        raise SystemExit(f"only {len(objects)} threats listed")
    rng = random.Random(2 if args.gzip else 1)   # other objects than a run without --gzip: uncached
    times, size, points = [], 0, 0
    seen = set()
    while len(times) < args.requests:
        chosen = tuple(sorted(rng.sample(objects, args.objects)))
        if chosen in seen:
            continue
        seen.add(chosen)
        path = (f"/stats/evolution/threat.json?objects={','.join(chosen)}&step={args.step}"
                f"&date_from={since(args.days)}")
        start = time.perf_counter()
        body = get(path)
        times.append((time.perf_counter() - start) * 1000)
        answer = json.loads(body)
        size = sizes[-1]
        points = sum(len(entry["points"]) for entry in answer)
        assert all(any(p["count"] is not None for p in entry["points"]) for entry in answer), "empty lines"
    times.sort()
    print(f"{args.requests} answers of {args.objects} threats x {points // args.objects} points "
          f"({size} bytes): median {statistics.median(times):.1f} ms, "
          f"p90 {times[int(len(times) * 0.9) - 1]:.1f} ms, max {times[-1]:.1f} ms")


if __name__ == "__main__":
    main()
