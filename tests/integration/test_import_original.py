"""`db import-original` (docs/cli.md): taking over a database of the original
Python service.

The original's database is built here, in PostgreSQL (the original ran on
it), with the two tables of its models (statsservice/models/client.py and
stats.py): `client` with tokens in clear, `stats` keyed by uuid with jsonb data.
Three variants: the latest schema; one whose stats also have an id and an
updated_at (tie-breakers between duplicates); an early one whose clients lack
the coordinates and the sharing flag.  The destination is SQLite or PostgreSQL.
"""
import hashlib
import json
import os
import subprocess
import uuid

import pytest

from conftest import BACKENDS, PG_URI, Server, fixture, run_cli

pytestmark = pytest.mark.skipif(PG_URI is None, reason="the original's database is PostgreSQL")

SOURCE_DB = "stats_test_original"

CLIENT_TABLE = {
    "latest": """CREATE TABLE client (
        id SERIAL PRIMARY KEY, uuid UUID NOT NULL UNIQUE, name VARCHAR(100) UNIQUE,
        token VARCHAR(100) UNIQUE, role INTEGER, latitude FLOAT, longitude FLOAT,
        last_seen TIMESTAMP, local BOOLEAN, is_sharing_enabled BOOLEAN,
        created_at TIMESTAMP, updated_at TIMESTAMP, is_active BOOLEAN)""",
    "early": """CREATE TABLE client (
        id SERIAL PRIMARY KEY, uuid UUID NOT NULL UNIQUE, name VARCHAR(100) UNIQUE,
        token VARCHAR(100) UNIQUE, role INTEGER, last_seen TIMESTAMP, local BOOLEAN,
        created_at TIMESTAMP, updated_at TIMESTAMP, is_active BOOLEAN)""",
}
STATS_TABLE = {
    "latest": """CREATE TABLE stats (
        uuid UUID PRIMARY KEY, anr UUID NOT NULL, type VARCHAR NOT NULL, date DATE NOT NULL,
        data JSONB NOT NULL, created_at TIMESTAMP, client_id INTEGER REFERENCES client (id))""",
    "with_ids": """CREATE TABLE stats (
        id SERIAL PRIMARY KEY, uuid UUID NOT NULL UNIQUE, anr UUID NOT NULL,
        type VARCHAR NOT NULL, date DATE NOT NULL, data JSONB NOT NULL, created_at TIMESTAMP,
        updated_at TIMESTAMP, client_id INTEGER REFERENCES client (id))""",
}
VARIANTS = {"latest": ("latest", "latest"), "with_ids": ("latest", "with_ids"),
            "early": ("early", "latest")}


def psql(uri, sql):
    proc = subprocess.run(["psql", uri, "-X", "-q", "-v", "ON_ERROR_STOP=1"], input=sql,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr


def source_uri(name=SOURCE_DB):
    return PG_URI.rsplit("/", 1)[0] + "/" + name


def fresh_source(name=SOURCE_DB):
    psql(source_uri("postgres"), f"DROP DATABASE IF EXISTS {name} WITH (FORCE);"
                                 f"CREATE DATABASE {name};")
    return source_uri(name)


def q(value):
    """A SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, (dict, list)):
        value = json.dumps(value)
    return "'" + str(value).replace("'", "''") + "'"


def data_of(kind, i=0):
    return fixture(f"{kind}.json")[i]["data"]


class Original:
    """What the test puts in the original's database, and what it expects back."""

    def __init__(self, variant):
        self.variant = variant
        client_kind, stats_kind = VARIANTS[variant]
        self.has_coordinates = client_kind == "latest"
        self.sql = [CLIENT_TABLE[client_kind], STATS_TABLE[stats_kind]]
        self.stats_kind = stats_kind
        self.clients = {}
        self.kept = {}       # uuid → (client uuid, anr, type, date, data)
        self.dropped = []    # duplicates
        self.invalid = []
        self.orphans = []
        self.next_id = 1

    def client(self, name, token, role=1, sharing=True, local=True, coords=(None, None),
               created="2021-03-04 10:00:00", last_seen="2024-01-02 03:04:05.123456"):
        cid = self.next_id
        self.next_id += 1
        u = str(uuid.uuid4())
        cols = ["id", "uuid", "name", "token", "role", "last_seen", "local", "created_at",
                "is_active"]
        vals = [cid, u, name, token, role, last_seen, local, created, True]
        if self.has_coordinates:
            cols += ["latitude", "longitude", "is_sharing_enabled"]
            vals += [coords[0], coords[1], sharing]
        self.sql.append(f"INSERT INTO client ({', '.join(cols)}) VALUES "
                        f"({', '.join(q(v) for v in vals)})")
        self.clients[name or u] = {"id": cid, "uuid": u, "token": token, "name": name}
        return cid, u

    def stats(self, client, anr, kind, date, data, created, expect="kept"):
        u = str(uuid.uuid4())
        cols = ["uuid", "anr", "type", "date", "data", "created_at", "client_id"]
        vals = [u, anr, kind, date, data, created, client[0] if client else None]
        if self.stats_kind == "with_ids":
            cols.append("updated_at")
            vals.append(created)
        self.sql.append(f"INSERT INTO stats ({', '.join(cols)}) VALUES "
                        f"({', '.join(q(v) for v in vals)})")
        row = (client[1] if client else None, anr, kind, date, json.dumps(data, sort_keys=True))
        if expect == "kept":
            self.kept[u] = row
        else:
            {"dropped": self.dropped, "invalid": self.invalid, "orphan": self.orphans}[expect].append(u)
        return u

    def build(self):
        uri = fresh_source()
        psql(uri, ";\n".join(self.sql) + ";\n")
        return uri


def populate(variant):
    o = Original(variant)
    admin = o.client("NC3 admin", "token-of-the-admin-" + "a" * 40, role=2, coords=(49.61, 6.13))
    user = o.client("CASES", "token-of-cases-" + "b" * 40, sharing=False)
    nameless = o.client(None, None)
    o.client("taken", "token-of-taken-" + "c" * 40)
    anr1, anr2 = str(uuid.uuid4()), str(uuid.uuid4())
    for kind in ("threat", "vulnerability", "risk", "cartography", "compliance"):
        o.stats(admin, anr1, kind, "2024-05-01", data_of(kind), "2024-05-01 08:00:00")
        o.stats(user, anr2, kind, "2024-05-02", data_of(kind, 1), "2024-05-02 08:00:00")
    # Three threat stats for one client, analysis and day: the latest created wins.
    o.stats(admin, anr2, "threat", "2024-06-01", data_of("threat", 0), "2024-06-01 08:00:00",
            expect="dropped")
    o.stats(admin, anr2, "threat", "2024-06-01", data_of("threat", 1), "2024-06-01 09:30:00")
    o.stats(admin, anr2, "threat", "2024-06-01", data_of("threat", 0), "2024-06-01 09:00:00",
            expect="dropped")
    # What this service refuses, and what belongs to nobody.
    o.stats(admin, anr1, "malware", "2024-05-01", {}, "2024-05-01 08:00:00", expect="invalid")
    o.stats(admin, anr1, "threat", "2024-05-03", {"not": "a threat list"}, "2024-05-03 08:00:00",
            expect="invalid")
    o.stats(None, anr1, "threat", "2024-05-04", data_of("threat"), "2024-05-04 08:00:00",
            expect="orphan")
    o.stats(nameless, anr1, "risk", "2024-05-05", data_of("risk"), "2024-05-05 08:00:00")
    return o


@pytest.fixture(params=BACKENDS)
def destination(request, tmp_path):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "LOG_PATH": "", "TZ": "UTC"}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    if request.param == "postgresql":
        env["DATABASE_URI"] = PG_URI
        run_cli(env, "db", "empty", "-y")
    else:
        env["DATABASE_URI"] = f"sqlite:///{tmp_path}/imported/stats.db"
    return env


def clients(env):
    return {c["uuid"]: c for c in json.loads(run_cli(env, "client", "list", "--json").stdout)}


def exported(env):
    out = json.loads(run_cli(env, "stats", "export").stdout)
    return {s["uuid"]: s for s in out}


def fingerprint(token):
    return hashlib.sha256(token.encode()).hexdigest()[:8]


@pytest.mark.parametrize("variant", list(VARIANTS))
def test_import_original(destination, tmp_path, variant):
    env = destination
    run_cli(env, "db", "init")
    taken = dict(line.split(": ", 1)
                 for line in run_cli(env, "client", "create", "--name", "taken").stdout.splitlines())
    o = populate(variant)
    uri = o.build()

    r = run_cli(env, "db", "import-original", "--from", uri, check=False)
    assert r.returncode == 0, r.stderr
    out = r.stdout
    assert "Clients: 4 taken over, 0 already here." in out, out
    assert ("Stats: 12 taken over, 0 already here, 2 duplicates of the original left out, "
            "2 not valid here, 1 without a client.") in out, out
    for u in o.dropped:
        assert f"stats {u} of client 'NC3 admin'" in out and "a duplicate" in out
    for u in o.invalid + o.orphans:
        assert f"stats {u}" in out
    assert "unknown type 'malware'" in out

    # Clients: uuid, name, role, flags, coordinates, dates; the token hashed.
    here = clients(env)
    admin = here[o.clients["NC3 admin"]["uuid"]]
    assert (admin["name"], admin["role"], admin["local"]) == ("NC3 admin", "admin", True)
    assert admin["created_at"] == "2021-03-04T10:00:00Z"
    assert admin["last_seen"] == "2024-01-02T03:04:05Z"
    assert admin["token_fingerprint"] == fingerprint(o.clients["NC3 admin"]["token"])
    cases = here[o.clients["CASES"]["uuid"]]
    if o.has_coordinates:
        assert (admin["latitude"], admin["longitude"]) == (49.61, 6.13)
        assert cases["is_sharing_enabled"] is False
    else:
        assert admin["latitude"] is None and cases["is_sharing_enabled"] is True
    nameless = [c for c in here.values() if c["name"].startswith("client-")]
    assert len(nameless) == 1 and nameless[0]["role"] == "user"
    assert "token-reset" in out                     # it had no token: told how to give one
    renamed = here[o.clients["taken"]["uuid"]]
    assert renamed["name"] == f"taken ({o.clients['taken']['uuid'][:8]})"
    assert here[taken["uuid"]]["name"] == "taken"

    # Stats: uuids kept, the latest of each duplicate group, nothing else.
    stats = exported(env)
    assert set(stats) == set(o.kept)
    for u, (client_uuid, anr, kind, date, data) in o.kept.items():
        s = stats[u]
        assert (s["anr"], s["type"], s["date"], json.dumps(s["data"], sort_keys=True)) == \
            (anr, kind, date, data)
    mine = json.loads(run_cli(env, "stats", "export", "--client-uuid",
                              o.clients["NC3 admin"]["uuid"], "--type", "threat").stdout)
    assert len(mine) == 2 and mine[1]["data"] == data_of("threat", 1)

    # Again: nothing changes.
    again = run_cli(env, "db", "import-original", "--from", uri)
    assert "Clients: 0 taken over, 4 already here." in again.stdout, again.stdout
    assert "Stats: 0 taken over, 12 already here, 2 duplicates" in again.stdout, again.stdout
    assert clients(env) == here
    assert exported(env) == stats

    # MONARC keeps working with its token.
    srv = Server("sqlite", tmp_path, {"DATABASE_URI": env["DATABASE_URI"]})
    try:
        api = srv.client(o.clients["NC3 admin"]["token"])
        r = api.get("/api/v1/client/me")
        assert r.status == 200 and r.json["uuid"] == o.clients["NC3 admin"]["uuid"], r
        r = srv.client(o.clients["CASES"]["token"]).get(
            "/api/v1/stats/", {"type": "risk", "date_from": "2024-01-01", "date_to": "2024-12-31"})
        assert r.status == 200 and len(r.json["data"]) == 1, r
    finally:
        srv.stop()


def test_import_original_refusals(destination):
    env = destination
    r = run_cli(env, "db", "import-original", check=False)
    assert r.returncode == 2 and "--from is required" in r.stderr
    r = run_cli(env, "db", "import-original", "--from", "sqlite:///x.db", check=False)
    assert r.returncode == 2 and "--from must be a postgresql:// URI" in r.stderr
    if env["DATABASE_URI"].startswith("postgresql://"):
        r = run_cli(env, "db", "import-original", "--from", env["DATABASE_URI"], check=False)
        assert r.returncode == 2 and "names this service's own database" in r.stderr, r.stderr
    r = run_cli(env, "db", "import-original", "--from",
                source_uri("no_such_database_here"), check=False)
    assert r.returncode == 1 and "cannot connect to the original database" in r.stderr, r.stderr
    assert r.stderr.count("\n") == 1
    empty = fresh_source("stats_test_not_original")
    r = run_cli(env, "db", "import-original", "--from", empty, check=False)
    assert r.returncode == 1, r.stderr
    assert "not a database of the original stats service: it has no table 'client'" in r.stderr
    psql(empty, "CREATE TABLE client (id SERIAL PRIMARY KEY, uuid UUID);"
                "CREATE TABLE stats (uuid UUID);")
    r = run_cli(env, "db", "import-original", "--from", empty, check=False)
    assert r.returncode == 1 and "table 'client' has no column 'token'" in r.stderr, r.stderr
    assert "Usage: stats-service db import-original --from postgresql://" in run_cli(
        env, "db", "import-original", "--help").stdout
    assert run_cli(env, "db_import_original", "--help").returncode == 0
