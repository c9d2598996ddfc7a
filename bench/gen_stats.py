#!/usr/bin/env python3
"""Generates realistic stats uploads: N analyses x 5 types per day, from the MONARC fixtures.

    gen_stats.py --analyses 1000 --days 1 --batch 250 --out DIR

writes DIR/batch-0000.json … (each a JSON list, as MONARC posts) and DIR/anrs.txt.
Values are varied per analysis (seeded, reproducible) so aggregates are not trivial.
"""
import argparse
import datetime
import json
import pathlib
import random
import uuid

ROOT = pathlib.Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures" / "monarc"


def templates():
    out = {}
    for t in ("risk", "threat", "vulnerability", "cartography", "compliance"):
        out[t] = json.loads((FIXTURES / f"{t}.json").read_text())[0]["data"]
    return out


def vary(data, rnd):
    """Returns a copy of data with its numbers shifted a little."""
    if isinstance(data, dict):
        return {k: vary(v, rnd) for k, v in data.items()}
    if isinstance(data, list):
        return [vary(v, rnd) for v in data]
    if isinstance(data, bool) or data is None:
        return data
    if isinstance(data, int):
        return max(0, data + rnd.randint(-2, 2))
    return data


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--analyses", type=int, default=1000)
    ap.add_argument("--days", type=int, default=1)
    ap.add_argument("--batch", type=int, default=250, help="items per request")
    ap.add_argument("--end", default=datetime.date.today().isoformat())
    ap.add_argument("--out", required=True)
    args = ap.parse_args()
    rnd = random.Random(42)
    tpl = templates()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    anrs = [str(uuid.UUID(int=rnd.getrandbits(128), version=4)) for _ in range(args.analyses)]
    (out / "anrs.txt").write_text("\n".join(anrs) + "\n")
    end = datetime.date.fromisoformat(args.end)
    items, n = [], 0

    def flush():
        nonlocal items, n
        if items:
            (out / f"batch-{n:05d}.json").write_text(json.dumps(items, separators=(",", ":")))
            n += 1
            items = []

    for d in range(args.days):
        date = (end - datetime.timedelta(days=d)).isoformat()
        for anr in anrs:
            for t, data in tpl.items():
                items.append({"anr": anr, "type": t, "date": date, "data": vary(data, rnd)})
                if len(items) >= args.batch:
                    flush()
    flush()
    print(f"{n} batches, {args.analyses * args.days * 5} stats in {out}")


if __name__ == "__main__":
    main()
