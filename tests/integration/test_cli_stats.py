"""The `stats` commands that work on this instance's database (docs/cli.md):
import, export, list-last, delete, purge, remove-duplicate — with their help,
the original's underscore names, confirmations and bad arguments.  Push and
pull are in test_federation.py.

Each test gets an empty database with the current schema: a SQLite file, and
the PostgreSQL database of STATS_TEST_DATABASE_URI (emptied) when it is set.
Stats are loaded with `stats import`, so no server runs here.
"""
import calendar
import csv
import datetime
import io
import json
import os
import re
import uuid

import pytest

from conftest import BACKENDS, BIN, PG_URI, fixture_raw, fresh_anrs, run_cli
from fakes import run_on_terminal

# Our messages start with the program's name, and the command's when it is
# about one ("stats-service stats import: …").
MESSAGE_START = re.compile(r"stats-service( [a-z-]+)*: ")
def months_ago(months):
    """Today minus whole months, the day clamped to the month's length (as the service does).
    Today is read at each call, not once: a run may go past midnight (the commands run
    with TZ=UTC, like this process)."""
    today = datetime.date.today()
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return datetime.date(year, month + 1, min(today.day, last)).isoformat()


class Db:
    """The command line on one database, stdin not a terminal."""

    def __init__(self, uri, tmp_path):
        self.tmp_path = tmp_path
        self.env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URI": uri,
                    "LOG_PATH": "", "TZ": "UTC"}
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                self.env[k] = os.environ[k]

    def run(self, *args, input=None):
        return run_cli(self.env, *args, input=input, check=False)

    def ok(self, *args, input=None):
        r = self.run(*args, input=input)
        assert r.returncode == 0, f"{args}: exit {r.returncode}: {r.stderr}"
        return r

    def fails(self, code, *args, input=None):
        r = self.run(*args, input=input)
        assert r.returncode == code, f"{args}: exit {r.returncode}: {r.stderr}"
        assert MESSAGE_START.match(r.stderr), r.stderr
        return r

    def client(self, *args):
        out = self.ok("client", "create", "--name", "c-" + uuid.uuid4().hex[:8], *args).stdout
        return dict(line.split(": ", 1) for line in out.splitlines())["uuid"]

    def write(self, name, items):
        path = self.tmp_path / name
        path.write_text(items if isinstance(items, str) else json.dumps(items))
        return str(path)

    def load(self, client_uuid, dates, fixture="full-batch.json"):
        """Imports the fixture once per date (fresh analyses); returns the items sent."""
        anrs = fresh_anrs()
        items = []
        for d in dates:
            items += json.loads(fixture_raw(fixture, anrs, d))
        self.ok("stats", "import", "--client-uuid", client_uuid, self.write("load.json", items))
        return items

    def exported(self, *args):
        return json.loads(self.ok("stats", "export", *args).stdout)


@pytest.fixture(params=BACKENDS)
def db(request, tmp_path):
    uri = PG_URI if request.param == "postgresql" else f"sqlite:///{tmp_path}/stats.db"
    d = Db(uri, tmp_path)
    if request.param == "postgresql":
        d.ok("db", "empty", "-y")
    d.ok("db", "init")
    return d


def key(s):
    return (s["anr"], s["type"], s["date"])


def same_items(exported, sent):
    """Exported stats carry a uuid; otherwise they are what was sent."""
    assert all(uuid.UUID(s["uuid"]) for s in exported)
    strip = [dict(s, uuid=None) for s in exported]
    return sorted(strip, key=key) == sorted((dict(s, uuid=None) for s in sent), key=key)


# --- help and names ------------------------------------------------------------------------

SUBCOMMANDS = ["push", "pull", "delete", "purge", "remove-duplicate", "list-last", "import",
               "export"]


@pytest.mark.parametrize("sub", SUBCOMMANDS)
def test_every_stats_command_has_help(db, sub):
    out = db.ok("stats", sub, "--help").stdout
    assert out.startswith(f"Usage: stats-service stats {sub}"), out
    assert "-h, --help" in out
    alias = "stats_" + sub.replace("-", "_")
    assert db.ok(alias, "--help").stdout == out


def test_stats_group_usage(db):
    out = db.ok("stats", "--help").stdout
    for sub in SUBCOMMANDS:
        assert f"\n  {sub} " in out
    r = db.run("stats")
    assert r.returncode == 2 and "Usage: stats-service stats <subcommand>" in r.stderr
    r = db.fails(2, "stats", "frob")
    assert "stats: unknown subcommand 'frob'" in r.stderr
    assert "stats" in db.ok("--help").stdout and "mosp" in db.ok("--help").stdout


def test_commands_need_a_schema(tmp_path):
    empty = Db(f"sqlite:///{tmp_path}/none.db", tmp_path)
    r = empty.fails(1, "stats", "list-last")
    assert "run 'stats-service db init' first" in r.stderr


# --- import and export ---------------------------------------------------------------------

def test_import_then_export_round_trip(db):
    c = db.client()
    sent = db.load(c, ["2026-01-10", "2026-01-11"])
    r = db.ok("stats", "import", "--client-uuid", c, db.write("again.json", sent))
    assert r.stdout.startswith("Imported 20 stats for client 'c-")
    assert r.stdout.endswith("': 0 created, 20 updated.\n")
    out = db.exported("--client-uuid", c)
    assert len(out) == 20 and same_items(out, sent)
    assert set(out[0]) == {"uuid", "anr", "type", "date", "data"}
    # What export writes, import reads: the same stats, uuids included.
    assert db.ok("stats", "import", "--client-uuid", c, db.write("out.json", out)).stdout.endswith(
        "0 created, 20 updated.\n")
    assert db.exported("--client-uuid", c) == out


def test_import_from_stdin(db):
    c = db.client()
    items = json.loads(fixture_raw("threat.json", fresh_anrs()))
    r = db.ok("stats_import", "--client-uuid", c, "-", input=json.dumps(items))
    assert "2 created, 0 updated" in r.stdout
    assert same_items(db.exported("--type", "threat"), items)


@pytest.mark.parametrize("content, message", [
    ("not json", "Invalid JSON"),
    ('{"a": 1}', "not a JSON list of stats"),
    ('[{"anr": "x", "type": "threat", "date": "2026-01-01", "data": {}}]', "[0].anr"),
])
def test_import_refuses_bad_files_whole(db, content, message):
    c = db.client()
    r = db.fails(1, "stats", "import", "--client-uuid", c, db.write("bad.json", content))
    assert message in r.stderr, r.stderr
    assert db.exported() == []


def test_import_refuses_duplicate_keys_and_stores_nothing(db):
    c = db.client()
    items = json.loads(fixture_raw("threat.json", fresh_anrs()))
    r = db.fails(1, "stats", "import", "--client-uuid", c, db.write("dup.json", items + items[:1]))
    assert "[2]: Same anr, type and date as item [0]" in r.stderr
    assert "nothing was stored" in r.stderr
    assert db.exported() == []


def test_import_bad_arguments(db):
    c = db.client()
    remote = db.client("--remote")
    path = db.write("t.json", fixture_raw("threat.json", fresh_anrs()))
    assert "FILE is required" in db.fails(2, "stats", "import", "--client-uuid", c).stderr
    assert "--client-uuid is required" in db.fails(2, "stats", "import", path).stderr
    assert "malformed UUID 'abc'" in db.fails(2, "stats", "import", "--client-uuid", "abc",
                                              path).stderr
    assert "no client with uuid" in db.fails(1, "stats", "import", "--client-uuid",
                                             str(uuid.uuid4()), path).stderr
    assert "is not local" in db.fails(1, "stats", "import", "--client-uuid", remote, path).stderr
    assert "cannot open" in db.fails(1, "stats", "import", "--client-uuid", c,
                                     str(db.tmp_path / "missing.json")).stderr
    assert "unexpected argument" in db.fails(2, "stats", "import", "--client-uuid", c, path,
                                             path).stderr


def test_export_filters_and_csv(db):
    a, b = db.client(), db.client()
    db.load(a, ["2026-01-10", "2026-02-10"])
    db.load(b, ["2026-01-10"])
    assert len(db.exported()) == 30
    assert len(db.exported("--client-uuid", b)) == 10
    threats = db.exported("--type", "threat")
    assert len(threats) == 6 and {s["type"] for s in threats} == {"threat"}
    jan = db.exported("--date-from", "2026-01-01", "--date-to", "2026-01-31", "--client-uuid", a)
    assert len(jan) == 10 and {s["date"] for s in jan} == {"2026-01-10"}
    text = db.ok("stats_export", "--format", "csv", "--client-uuid", a, "--type", "risk").stdout
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["uuid", "anr", "type", "date", "data"]
    as_json = {s["uuid"]: s for s in db.exported("--client-uuid", a, "--type", "risk")}
    assert len(rows) == 5
    for u, anr, t, d, data in rows[1:]:
        assert as_json[u] == {"uuid": u, "anr": anr, "type": t, "date": d, "data": json.loads(data)}
    assert db.ok("stats", "export", "--type", "compliance", "--client-uuid", db.client()).stdout \
        == "[\n]\n"


def test_export_bad_arguments(db):
    assert "--format must be json or csv" in db.fails(2, "stats", "export", "--format",
                                                      "xml").stderr
    assert "unknown stats type 'threats'" in db.fails(2, "stats", "export", "--type",
                                                      "threats").stderr
    assert "is after --date-to" in db.fails(2, "stats", "export", "--date-from", "2026-02-01",
                                            "--date-to", "2026-01-01").stderr


def test_import_progress_bar_on_a_terminal(db):
    c = db.client()
    anrs = fresh_anrs()
    items = []
    for d in range(60):
        day = (datetime.date(2025, 1, 1) + datetime.timedelta(days=d)).isoformat()
        items += json.loads(fixture_raw("full-batch.json", anrs, day))
    code, out, shown = run_on_terminal(db.env, ["stats", "import", "--client-uuid", c,
                                                db.write("many.json", items)])
    assert code == 0, shown
    assert "Importing [" in shown and "/600" in shown, shown
    assert "600 created" in out


# --- list-last -----------------------------------------------------------------------------

def test_list_last(db):
    assert db.ok("stats", "list-last").stdout == "No stats stored yet.\n"
    a = db.client()
    db.load(a, ["2026-01-10", "2026-03-01"])
    lines = db.ok("stats", "list-last").stdout.splitlines()
    assert lines[0].split() == ["date", "client", "type", "anr"]
    assert len(lines) == 11
    assert {line.split()[0] for line in lines[1:]} == {"2026-03-01"}
    name = db.ok("client", "list", "--json").stdout
    assert all(line.split()[1] in name for line in lines[1:])
    lines = db.ok("stats_list_last", "--limit", "12").stdout.splitlines()
    assert len(lines) == 13
    assert [line.split()[0] for line in lines[11:]] == ["2026-01-10"] * 2
    assert "--limit must be a whole number" in db.fails(2, "stats", "list-last", "--limit",
                                                        "0").stderr


# --- delete --------------------------------------------------------------------------------

def test_delete_refuses_without_terminal_or_yes(db):
    c = db.client()
    db.load(c, ["2026-01-10"])
    r = db.fails(1, "stats", "delete", "--client-uuid", c)
    assert "give --yes" in r.stderr
    assert len(db.exported()) == 10


def test_delete_with_yes_all_or_one_type(db):
    a, b = db.client(), db.client()
    db.load(a, ["2026-01-10"])
    db.load(b, ["2026-01-10"])
    r = db.ok("stats", "delete", "--client-uuid", a, "--type", "threat", "--yes")
    assert r.stdout.startswith("Deleted 2 threat stats of client")
    assert len(db.exported("--client-uuid", a)) == 8
    r = db.ok("stats_delete", "--client-uuid", a, "-y")
    assert r.stdout.startswith("Deleted 8 stats of client")
    assert db.exported("--client-uuid", a) == []
    assert len(db.exported("--client-uuid", b)) == 10


def test_delete_asks_on_a_terminal(db):
    c = db.client()
    db.load(c, ["2026-01-10"])
    code, out, shown = run_on_terminal(db.env, ["stats", "delete", "--client-uuid", c], "n\n")
    assert code == 1 and "Delete the 10 stats of client" in shown and "[y/N]" in shown, shown
    assert len(db.exported()) == 10
    code, out, shown = run_on_terminal(db.env, ["stats", "delete", "--client-uuid", c], "y\n")
    assert code == 0, shown
    assert db.exported() == []


def test_delete_bad_arguments(db):
    assert "--client-uuid is required" in db.fails(2, "stats", "delete", "-y").stderr
    assert "malformed UUID" in db.fails(2, "stats", "delete", "--client-uuid", "1-2", "-y").stderr
    assert "no client with uuid" in db.fails(1, "stats", "delete", "--client-uuid",
                                             str(uuid.uuid4()), "-y").stderr
    assert "unknown stats type" in db.fails(2, "stats", "delete", "--client-uuid",
                                            str(uuid.uuid4()), "--type", "all").stderr


# --- purge and remove-duplicate ------------------------------------------------------------

def test_purge_deletes_old_stats_without_asking(db):
    c = db.client()
    old, kept = months_ago(37), months_ago(35)
    db.load(c, [old, kept])
    r = db.ok("stats", "purge")     # no terminal, no --yes: still runs (cron)
    assert r.stdout == f"Deleted 10 stats dated before {months_ago(36)} (more than 36 months ago).\n"
    assert {s["date"] for s in db.exported()} == {kept}
    r = db.ok("stats_purge", "--nb-month", "12", "-y")
    assert r.stdout.startswith("Deleted 10 stats dated before ")
    assert db.exported() == []
    assert "--nb-month must be a whole number" in db.fails(2, "stats", "purge", "--nb-month",
                                                           "-1").stderr


def test_remove_duplicate_finds_none(db):
    c = db.client()
    db.load(c, ["2026-01-10"])
    r = db.ok("stats", "remove-duplicate", "--type", "threat")
    assert r.stdout.startswith("No duplicate threat stats")
    r = db.ok("stats_remove_duplicate", "--type", "vulnerability", "--nb-month", "3", "-y")
    assert r.stdout.startswith("No duplicate vulnerability stats dated before ")
    assert "--type is required" in db.fails(2, "stats", "remove-duplicate").stderr
    assert len(db.exported()) == 10


# --- the client coordinates, as the original's operators type them --------------------------

@pytest.mark.parametrize("latitude, longitude", [("200", "6"), ("49.6", "-180.5"), ("abc", "1")])
def test_coordinates_out_of_range(db, latitude, longitude):
    c = db.client()
    r = db.fails(2, "client_coordinates_set", "--uuid", c, "--latitude", latitude, "--longitude",
                 longitude)
    assert "must be a number from" in r.stderr
    listed = json.loads(db.ok("client", "list", "--json").stdout)
    assert listed[0]["latitude"] is None
