"""Crash safety: SIGKILL during continuous ingestion loses no acknowledged batch
and never leaves half a batch (docs/reliability.md).

Several senders post batches at once; every batch is about one analysis of
its own (a fresh ANR uuid), so that what the database holds of it can be
counted.  Meanwhile the server is killed with SIGKILL at random moments and
restarted on the same database, several times.  Afterwards, on every backend:
each batch answered 2xx is there whole, with the data sent; every other batch
is there whole or not at all.
"""
import random
import threading
import time
import uuid

import pytest

from conftest import BACKENDS, STATS_TYPES, WRAPPER, Client, Server, fixture

SENDERS = 4
KILLS = 8
SECONDS_BETWEEN_KILLS = (0.3, 3.0)


# The `data` of each type, as MONARC sends it.
DATA = {item["type"]: item["data"] for item in fixture("full-batch.json")}


def make_batch(rng):
    """One analysis, 1–15 items over distinct (type, date) pairs."""
    anr = str(uuid.uuid4())
    keys = [(t, f"2026-0{m}-1{d}") for t in STATS_TYPES for m in range(1, 4) for d in range(3)]
    return anr, [{"anr": anr, "type": stats_type, "date": date, "data": DATA[stats_type]}
                 for stats_type, date in rng.sample(keys, rng.randint(1, 15))]


class Sender(threading.Thread):
    """Posts batches until told to stop; remembers what was acknowledged."""

    def __init__(self, server, token, seed, stop):
        super().__init__(daemon=True)
        self.server, self.token, self.stop_event = server, token, stop
        self.rng = random.Random(seed)
        self.sent = {}       # anr -> items, every batch whose request was written
        self.acked = set()   # anrs answered 2xx
        self.refused = []    # unexpected 4xx/5xx answers

    def run(self):
        client = None
        while not self.stop_event.is_set():
            port = self.server.port
            if client is None or client.port != port:
                client = Client(port, self.token) if port else None
                if client is None:
                    time.sleep(0.02)
                    continue
            anr, items = make_batch(self.rng)
            try:
                self.sent[anr] = items
                r = client.post("/api/v1/stats/", items)
            except Exception:  # killed mid-request: the outcome is unknown
                client = None
                time.sleep(0.02)
                continue
            if 200 <= r.status < 300:
                self.acked.add(anr)
            else:
                self.refused.append(r)


def stored_by_anr(server):
    admin = server.admin()
    by_anr = {}
    for stats_type in STATS_TYPES:
        r = admin.get("/api/v1/stats/", {"type": stats_type, "date_from": "1900-01-01",
                                         "date_to": "9999-12-31"})
        assert r.status == 200, r
        for s in r.json["data"]:
            by_anr.setdefault(s["anr"], {})[(s["type"], s["date"])] = s["data"]
    admin.close()
    return by_anr


@pytest.mark.skipif(bool(WRAPPER), reason="needs the server's full speed to race the kills")
@pytest.mark.parametrize("backend", BACKENDS)
def test_sigkill_during_ingestion_keeps_every_acknowledged_batch_whole(backend, tmp_path):
    server = Server(backend, tmp_path)
    try:
        _, created = server.new_client("crash-" + uuid.uuid4().hex[:8])
        stop = threading.Event()
        senders = [Sender(server, created["token"], seed, stop) for seed in range(SENDERS)]
        for s in senders:
            s.start()
        rng = random.Random(42)
        for _ in range(KILLS):
            time.sleep(rng.uniform(*SECONDS_BETWEEN_KILLS))
            server.port = None
            server.kill()
            server.start()
        time.sleep(1)
        stop.set()
        for s in senders:
            s.join(timeout=60)

        stored = stored_by_anr(server)
        sent = {anr: items for s in senders for anr, items in s.sent.items()}
        acked = set().union(*(s.acked for s in senders))
        assert len(acked) >= 20, "too few batches got through to test anything"
        assert not [r for s in senders for r in s.refused], "a batch was refused"
        assert set(stored) <= set(sent), "stats of a batch nobody sent"
        half = []
        for anr, items in sent.items():
            have = stored.get(anr, {})
            want = {(i["type"], i["date"]): i["data"] for i in items}
            if anr in acked:
                assert have == want, f"acknowledged batch {anr} is not whole"
            elif have and have != want:
                half.append(anr)
        assert not half, f"half-stored batches: {half}"
        unknown = len(sent) - len(acked)
        print(f"{backend}: {len(acked)} batches acknowledged, {unknown} cut by a kill "
              f"({sum(1 for a in sent if a not in acked and a in stored)} of those stored whole)")
    finally:
        server.stop()
