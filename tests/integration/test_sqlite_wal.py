"""SQLite's write-ahead log while the server runs (src/store/sqlite_checkpoint.c).

The server's connections leave WAL checkpoints to a background thread.  If that
thread never ran, or never got asked, every page ever written would stay in the
-wal file and the database file would not grow until the server stops: these
tests upload several MB and watch the files of a running server.
"""
import json
import time
import uuid

from conftest import Server, fixture

# The fixtures make about 1.8 KB of log per stats: 4,000 stats are some 1,700
# pages, well past the 1,000-page checkpoint threshold.
BATCHES = 4
ITEMS_PER_BATCH = 1000


def upload_batches(client):
    data = {item["type"]: item["data"] for item in fixture("full-batch.json")}
    for b in range(BATCHES):
        items = []
        for i in range(ITEMS_PER_BATCH // len(data)):
            anr = str(uuid.uuid4())
            items += [{"anr": anr, "type": t, "date": f"2026-03-{1 + b:02d}", "data": d}
                      for t, d in data.items()]
        r = client.post("/api/v1/stats/", raw=json.dumps(items).encode())
        assert r.status == 201, r


def wait_for(condition, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def test_log_is_copied_into_the_database_while_serving(tmp_path):
    srv = Server("sqlite", tmp_path)
    try:
        db, wal = tmp_path / "stats.db", tmp_path / "stats.db-wal"
        before = db.stat().st_size
        upload_batches(srv.admin())
        # Checkpointed pages land in the database file, the server still running.
        assert wait_for(lambda: db.stat().st_size > before + 2_000_000), \
            (before, db.stat().st_size, wal.stat().st_size)
        assert srv.proc.poll() is None
        # The log restarts from its beginning once checkpointed: another round of
        # uploads does not add its size to the file.
        wal_after_first = wal.stat().st_size
        upload_batches(srv.admin())
        assert wait_for(lambda: db.stat().st_size > before + 4_000_000)
        assert wal.stat().st_size < wal_after_first * 1.5, (wal_after_first, wal.stat().st_size)
    finally:
        srv.stop()
    # Everything is there after a clean stop.
    srv.start()
    try:
        r = srv.admin().get("/api/v1/stats/", {"type": "risk", "date_from": "2026-03-01",
                                               "date_to": "2026-03-31", "limit": 1})
        assert r.status == 200 and r.json["metadata"]["total"] == 2 * BATCHES * (ITEMS_PER_BATCH // 5), r
    finally:
        srv.stop()
