"""Upgrades: a database made with each earlier schema version (tests/fixtures/upgrade/:
the schema as that release created it, in each backend's dialect, and data in every
table) is migrated by today's binary, which then serves it: the clients, every stats
and every answer are what the fixture's rows say (docs/operations.md, Upgrading)."""
import json
import pathlib
import sqlite3
import subprocess

import pytest

from conftest import BACKENDS, ROOT, SCHEMA_VERSION, all_stats, run_cli
from test_backup import PUBLIC, answers, database_state, new_uri, start

UPGRADES = ROOT / "tests" / "fixtures" / "upgrade"
VERSIONS = (1, 2, 3, 4)   # every schema version released before the current one (5 and 6 came together)
TYPES = ("risk", "threat", "vulnerability", "cartography", "compliance")


def fixture_rows(version):
    """The fixture's clients and stats, read by loading it into an in-memory SQLite."""
    db = sqlite3.connect(":memory:")
    db.executescript((UPGRADES / f"v{version}-schema.sqlite.sql").read_text())
    db.executescript((UPGRADES / f"v{version}-data.sql").read_text())
    clients = db.execute("SELECT id, uuid, name, role, is_sharing_enabled, local, latitude, longitude,"
                         " created_at FROM clients ORDER BY id").fetchall()
    stats = db.execute("SELECT s.uuid, s.anr, s.type, s.date, s.data, c.uuid FROM stats s"
                       " JOIN clients c ON c.id = s.client_id ORDER BY s.id").fetchall()
    db.close()
    return clients, stats


def load(backend, uri, version):
    schema = (UPGRADES / f"v{version}-schema.{backend}.sql").read_text()
    data = (UPGRADES / f"v{version}-data.sql").read_text()
    if backend == "sqlite":
        db = sqlite3.connect(uri[len("sqlite:///"):])
        db.executescript(schema + data)
        db.execute("PRAGMA journal_mode = WAL")  # as the service left it
        db.close()
        return
    # Ids were written explicitly: the identity sequences go on after them, as they would have.
    sequences = "".join(f"SELECT setval(pg_get_serial_sequence('{t}', 'id'), MAX(id)) FROM {t};"
                        for t in ("clients", "stats") + (("labels",) if version >= 2 else ()))
    subprocess.run(["psql", uri, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-1"],
                   input=schema + data + sequences, text=True, check=True, capture_output=True)


def reference(backend, tmp, clients, stats):
    """A fresh database given the fixture's clients and stats through the command line and
    the API, as today's binary stores them."""
    srv = start(backend, tmp, new_uri(backend, tmp, "reference"), "reference")
    tokens = {}
    for _, uuid_, name, role, sharing, local, lat, lon, _ in clients:
        if name == "admin":
            continue
        out = run_cli(srv.env, "client", "create", "--name", name, "--uuid", uuid_,
                      *([] if local else ["--remote"])).stdout
        tokens[uuid_] = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)["token"]
        if not sharing:
            run_cli(srv.env, "client", "sharing-deactivate", "--uuid", uuid_)
        if lat is not None:
            run_cli(srv.env, "client", "coordinates-set", "--uuid", uuid_, "--latitude", str(lat),
                    "--longitude", str(lon))
    for client_uuid, token in tokens.items():
        items = [{"anr": anr, "type": TYPES[t], "date": date, "data": json.loads(data)}
                 for _, anr, t, date, data, owner in stats if owner == client_uuid]
        if items:
            api = srv.client(token)
            r = api.post("/api/v1/stats/", items)
            assert r.status == 201, r
            api.close()
    return srv


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("backend", BACKENDS)
def test_an_earlier_schema_is_migrated_and_serves_the_same_data_and_answers(backend, version,
                                                                            tmp_path):
    clients, stats = fixture_rows(version)
    uri = new_uri(backend, tmp_path, f"v{version}")
    if backend == "postgresql":
        run_cli({"PATH": "/usr/bin:/bin", "DATABASE_URI": uri, "LOG_PATH": ""}, "db", "empty", "-y")
    load(backend, uri, version)
    env = {"PATH": "/usr/bin:/bin", "DATABASE_URI": uri, "LOG_PATH": ""}

    state = database_state(backend, uri)
    out = run_cli(env, "db", "migrate", "--dry-run").stdout
    assert f"at version {version}; this program's is {SCHEMA_VERSION}" in out, out
    for step in range(version, SCHEMA_VERSION):
        assert f"{step} -> {step + 1}: " in out
    assert database_state(backend, uri) == state, "the dry run changed the database"
    out = run_cli(env, "db", "migrate").stdout
    assert f"Database schema at version {SCHEMA_VERSION}." in out

    srv = start(backend, tmp_path, uri, "upgraded", keep=True)
    try:
        got = answers(srv)
        # Every stats of the fixture, as it was stored.
        assert all_stats(srv) == sorted((u, anr, TYPES[t], date, json.dumps(json.loads(data), sort_keys=True))
                                        for u, anr, t, date, data, _ in stats)
        # Every client, with its flags, place and dates.
        listed = {c["uuid"]: c for c in json.loads(run_cli(srv.env, "client", "list", "--json").stdout)}
        assert set(listed) == {c[1] for c in clients}
        for _, uuid_, name, role, sharing, local, lat, lon, created in clients:
            c = listed[uuid_]
            assert (c["name"], c["role"], c["is_sharing_enabled"], c["local"], c["latitude"],
                    c["longitude"], c["created_at"]) == (
                name, "admin" if role == 2 else "user", bool(sharing), bool(local), lat, lon, created)
        map_answer = srv.admin().get("/map/clients.json").json
    finally:
        srv.stop()

    ref = reference(backend, tmp_path, clients, stats)
    try:
        want = answers(ref)
        want_map = ref.admin().get("/map/clients.json").json
    finally:
        ref.stop()
    for key in [k for k in got if k not in ("stats", "clients")]:
        assert got[key] == want[key], key
    assert map_answer == want_map
    assert set(PUBLIC) <= set(got)
