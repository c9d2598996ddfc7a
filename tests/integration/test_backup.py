"""db backup and db restore (docs/operations.md, docs/cli.md):
backups taken while a server ingests, restores that round-trip (between backends
too), refusals that change nothing, on SQLite and PostgreSQL.  db migrate --dry-run
is tested with the upgrades (test_upgrade.py)."""
import hashlib
import json
import pathlib
import sqlite3
import subprocess
import threading
import time
import uuid

import pytest

from conftest import (BACKENDS, PG_URI, SCHEMA_VERSION, STATS_TYPES, Server, all_stats, fixture_raw, fresh_anrs,
                      run_cli, server_today)
from fakes import pg_database_uri
from processors_ref import PROCESSORS

PUBLIC = ("threats", "vulnerabilities", "risks", "cartography", "compliance")
FIXTURE_FILES = ("risk.json", "threat.json", "vulnerability.json", "cartography.json",
                 "compliance.json")


def new_uri(backend, tmp, name):
    """A database of its own for one server or restore (created, empty)."""
    if backend == "sqlite":
        return f"sqlite:///{tmp}/{name}.db"
    return pg_database_uri(f"stats_backup_{name}_{uuid.uuid4().hex[:12]}")


def start(backend, tmp, uri, name, keep=False):
    """A server on uri; keep: on the database as it is (Server would empty a
    PostgreSQL one first)."""
    folder = tmp / name
    folder.mkdir(exist_ok=True)
    return Server("existing" if keep else backend, folder,
                  {"DATABASE_URI": uri, "MIN_ORGANISATIONS": "1"})


def env_for(server, uri):
    return {**server.env, "DATABASE_URI": uri}


def upload_fixtures(server, api, date):
    """Every fixture file (all five types) for fresh analyses on `date`; returns the ANRs."""
    anrs = fresh_anrs()
    for name in FIXTURE_FILES:
        r = api.post("/api/v1/stats/", raw=fixture_raw(name, anrs, date))
        assert r.status == 201, r
    return anrs


def answers(server):
    """What the data answers: every stats, processed answers of every processor
    (admin, all dates), the public JSON, the clients."""
    admin = server.admin()
    out = {"stats": all_stats(server)}
    for processor, (stats_type, _) in PROCESSORS.items():
        r = admin.get("/api/v1/stats/processed/", {"type": stats_type, "processor": processor,
                                                   "date_from": "1900-01-01", "date_to": "9999-12-31"})
        assert r.status == 200, r
        out[processor] = r.json
    for route in PUBLIC:
        r = admin.get(f"/stats/{route}.json?days=3650")
        assert r.status == 200, r
        out[route] = r.json
    # The evolution of the first 20 objects of each list and of the risks, day by day around
    # the fixtures' dates.
    for route, type_ in (("threats", "threat"), ("vulnerabilities", "vulnerability")):
        objects = ",".join(sorted(item["object"] for item in out[route])[:20])
        if objects:
            r = admin.get(f"/stats/evolution/{type_}.json?objects={objects}&step=day&date_from=2025-06-01"
                          "&date_to=2026-12-31")
            assert r.status == 200, r
            out["evolution/" + type_] = r.json
    r = admin.get("/stats/evolution/risk.json?step=day&date_from=2025-06-01&date_to=2026-12-31")
    assert r.status == 200, r
    out["evolution/risk"] = r.json
    clients = json.loads(run_cli(server.env, "client", "list", "--json").stdout)
    out["clients"] = sorted((c["uuid"], c["name"], c["role"], c["local"], c["is_sharing_enabled"],
                             c["latitude"], c["longitude"], c["created_at"]) for c in clients)
    admin.close()
    return out


def populated(backend, tmp, name="source"):
    """A server holding two clients' stats of every type, over two dates."""
    srv = start(backend, tmp, new_uri(backend, tmp, name), name)
    today = server_today(srv)
    for i in range(2):
        api, obj = srv.new_client(f"org-{name}-{i}")
        run_cli(srv.env, "client", "coordinates-set", "--uuid", obj["uuid"],
                "--latitude", str(49.5 + i), "--longitude", "6.1")
        upload_fixtures(srv, api, str(today))
        upload_fixtures(srv, api, "2026-01-15")
        api.close()
    return srv


def database_state(backend, uri):
    """Something that changes when the database does: the file's bytes, or
    PostgreSQL's tables, schema version and row counts."""
    if backend == "sqlite":
        return hashlib.sha256(pathlib.Path(uri[len("sqlite:///"):]).read_bytes()).hexdigest()
    sql = ("SELECT string_agg(tablename || ':' || (xpath('/row/n/text()', query_to_xml("
           "'SELECT count(*) AS n FROM ' || tablename, false, true, '')))[1]::text, ',' "
           "ORDER BY tablename) FROM pg_tables WHERE schemaname = current_schema()")
    out = subprocess.run(["psql", uri, "-X", "-q", "-At", "-c", sql], check=True,
                         capture_output=True, text=True).stdout
    version = subprocess.run(["psql", uri, "-X", "-q", "-At", "-c",
                              "SELECT version FROM schema_version"],
                             capture_output=True, text=True).stdout
    return out + "|" + version


@pytest.mark.parametrize("backend", BACKENDS)
def test_backup_restores_into_an_empty_database_with_the_same_answers(backend, tmp_path):
    src = populated(backend, tmp_path)
    backup = tmp_path / "backup.db"
    out = run_cli(src.env, "db", "backup", str(backup)).stdout
    assert f"Backup written to {backup} (schema version {SCHEMA_VERSION})" in out
    # One self-contained file: no log beside it, readable as it is.
    assert not pathlib.Path(str(backup) + "-wal").exists()
    assert sqlite3.connect(f"file:{backup}?mode=ro", uri=True).execute(
        "PRAGMA journal_mode").fetchone()[0] == "delete"
    expected = answers(src)
    src.stop()

    for target_backend in BACKENDS:  # either backend restores either's backup
        uri = new_uri(target_backend, tmp_path, f"restored_{target_backend}")
        proc = run_cli(env_for(src, uri), "db", "restore", str(backup))
        assert "Restored" in proc.stdout and f"schema version {SCHEMA_VERSION}" in proc.stdout
        restored = start(target_backend, tmp_path, uri, f"restored_{target_backend}", keep=True)
        try:
            assert answers(restored) == expected
            # The restored database takes new clients and stats (ids go on after the restored ones).
            api, _ = restored.new_client("after-restore")
            upload_fixtures(restored, api, str(server_today(restored)))
            api.close()
        finally:
            restored.stop()


@pytest.mark.parametrize("backend", BACKENDS)
def test_restore_over_data_is_refused_without_yes_and_changes_nothing(backend, tmp_path):
    src = populated(backend, tmp_path)
    backup = tmp_path / "backup.db"
    run_cli(src.env, "db", "backup", str(backup))
    other = populated(backend, tmp_path, "other")
    before = answers(other)
    n_stats = len(before["stats"])
    other.stop()
    state = database_state(backend, other.env["DATABASE_URI"])
    proc = run_cli(other.env, "db", "restore", str(backup), check=False)
    assert proc.returncode == 1
    err = proc.stderr.strip().splitlines()
    assert len(err) == 1 and f"holds 3 clients and {n_stats} stats" in err[0] and "--yes" in err[0], err
    assert database_state(backend, other.env["DATABASE_URI"]) == state
    other.start()
    assert answers(other) == before
    other.stop()
    # With --yes, the stopped database becomes the backup's.
    expected = answers(src)
    src.stop()
    run_cli(other.env, "db", "restore", "--yes", str(backup))
    other.start()
    try:
        assert answers(other) == expected
    finally:
        other.stop()


def test_restore_refuses_a_database_in_use(tmp_path):
    src = populated("sqlite", tmp_path)
    backup = tmp_path / "backup.db"
    run_cli(src.env, "db", "backup", str(backup))
    proc = run_cli(src.env, "db", "restore", "--yes", str(backup), check=False)
    assert proc.returncode == 1 and "in use" in proc.stderr, proc.stderr
    src.stop()


def test_a_refused_restore_into_a_new_sqlite_database_leaves_nothing(tmp_path):
    src = populated("sqlite", tmp_path)
    newer = tmp_path / "newer.db"
    run_cli(src.env, "db", "backup", str(newer))
    src.stop()
    with sqlite3.connect(newer) as db:
        db.execute("UPDATE schema_version SET version = 99")
    target = tmp_path / "target"
    target.mkdir()
    for where in ("new.db", "new/sub/new.db"):
        env = env_for(src, f"sqlite:///{target}/{where}")
        proc = run_cli(env, "db", "restore", str(newer), check=False)
        assert proc.returncode == 1 and "newer than this program's" in proc.stderr, proc
        assert list(target.iterdir()) == [], list(target.rglob("*"))
    # The same restore of a sound backup creates the database and its folders.
    good = tmp_path / "good.db"
    run_cli(src.env, "db", "backup", str(good))
    run_cli(env_for(src, f"sqlite:///{target}/new/sub/new.db"), "db", "restore", str(good))
    assert (target / "new" / "sub" / "new.db").is_file()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_wrong_or_damaged_backup_is_refused_and_changes_nothing(backend, tmp_path):
    src = populated(backend, tmp_path)
    good = tmp_path / "backup.db"
    run_cli(src.env, "db", "backup", str(good))
    before = answers(src)
    src.stop()
    data = good.read_bytes()
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(data[: len(data) // 2])
    junk = tmp_path / "junk.db"
    junk.write_text("not a database\n" * 100)
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).executescript("CREATE TABLE t (x); INSERT INTO t VALUES (1);")
    newer = tmp_path / "newer.db"
    newer.write_bytes(data)
    with sqlite3.connect(newer) as db:
        db.execute("UPDATE schema_version SET version = 99")
    cases = {damaged: "not a sound SQLite database", junk: "not a sound SQLite database",
             foreign: "not a backup of this service", newer: "newer than this program's",
             tmp_path / "missing.db": "cannot read the backup"}
    state = database_state(backend, src.env["DATABASE_URI"])
    for path, message in cases.items():
        proc = run_cli(src.env, "db", "restore", "--yes", str(path), check=False)
        assert proc.returncode == 1, proc
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and message in lines[0] and str(path) in lines[0], (path, lines)
        assert database_state(backend, src.env["DATABASE_URI"]) == state
    src.start()
    try:
        assert answers(src) == before
    finally:
        src.stop()


def unordered(value):
    """value with every list sorted, for answers whose equal items may come in any order."""
    if isinstance(value, dict):
        return {k: unordered(v) for k, v in value.items()}
    if isinstance(value, list):
        return sorted((unordered(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    return value


def batch(anr, date):
    """One upload: a stats of every type (the first of each fixture file) for one analysis."""
    items = []
    for name in FIXTURE_FILES:
        item = json.loads(fixture_raw(name, date=date))[0]
        item["anr"] = anr
        items.append(item)
    return items


@pytest.mark.parametrize("backend", BACKENDS)
def test_backup_during_uploads_holds_every_acknowledged_stats_and_no_half_upload(backend, tmp_path):
    src = start(backend, tmp_path, new_uri(backend, tmp_path, "busy"), "busy")
    today = str(server_today(src))
    acked = {}            # anr → (time acknowledged, number of stats)
    lock = threading.Lock()
    stop = threading.Event()
    errors = []

    def uploader(i):
        api, _ = src.new_client(f"uploader-{i}")
        try:
            while not stop.is_set():
                anr = str(uuid.uuid4())
                items = batch(anr, today)
                r = api.post("/api/v1/stats/", items)
                if r.status != 201:
                    errors.append(r)
                    return
                with lock:
                    acked[anr] = (time.monotonic(), len(items), i)
        finally:
            api.close()

    threads = [threading.Thread(target=uploader, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 120
    while len(acked) < 20 and time.monotonic() < deadline and not errors:
        time.sleep(0.1)
    backup = tmp_path / "busy-backup.db"
    began = time.monotonic()
    run_cli(src.env, "db", "backup", str(backup))
    time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join(60)
    assert not errors, errors[:3]
    src.stop()
    before = {anr for anr, (at, _, _) in acked.items() if at < began}
    assert len(before) > 10, "too few uploads before the backup to test anything"

    # A server on the backup: SQLite serves the file itself; PostgreSQL restores it first.
    if backend == "sqlite":
        uri = f"sqlite:///{tmp_path}/served-backup.db"
        pathlib.Path(uri[len("sqlite:///"):]).write_bytes(backup.read_bytes())
    else:
        uri = new_uri(backend, tmp_path, "from_busy")
        run_cli(env_for(src, uri), "db", "restore", str(backup))
    restored = start(backend, tmp_path, uri, "on-backup", keep=True)
    try:
        held = {}
        for s in all_stats(restored):
            held[s[1]] = held.get(s[1], 0) + 1
        assert before <= set(held), f"{len(before - set(held))} acknowledged uploads missing"
        for anr, count in held.items():
            assert count == acked[anr][1], f"upload {anr} half there: {count} of {acked[anr][1]}"
        got = answers(restored)
    finally:
        restored.stop()

    # Every stats came with its facts: the same stats uploaded into a fresh
    # database give the same processed and public answers.
    ref = start(backend, tmp_path, new_uri(backend, tmp_path, "reference"), "reference")
    try:
        apis = [ref.new_client(f"uploader-{i}")[0] for i in range(4)]
        by_anr = {}
        for s in got["stats"]:
            by_anr.setdefault(s[1], []).append({"anr": s[1], "type": s[2], "date": s[3],
                                                "data": json.loads(s[4])})
        for anr, items in by_anr.items():
            assert apis[acked[anr][2]].post("/api/v1/stats/", items).status == 201
        for api in apis:
            api.close()
        want = answers(ref)
    finally:
        ref.stop()
    # The clients and stats went in another order there (ids, and so the order
    # of equal items, differ): lists are compared as sets.
    assert set(got) == set(want)
    for key in [k for k in want if k not in ("stats", "clients")]:
        assert unordered(got[key]) == unordered(want[key]), key
