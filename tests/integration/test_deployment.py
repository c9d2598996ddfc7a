"""Instances on PostgreSQL that outlive their database (docs/operations.md §Several
instances): a restart of PostgreSQL costs no request once it is back, a database
that does not answer gets 503 with Retry-After (never 500, a crash or a hang), and
the instance serves again as soon as it returns, without being restarted.

These tests restart and stop PostgreSQL: each module runs its own server
(tests/pg.sh in a temporary folder), not the one of STATS_TEST_DATABASE_URI.
"""
import os
import subprocess
import time

import pytest

from conftest import (PG_URI, ROOT, WRAPPER, Client, Server, fixture_raw, fresh_anrs,
                      server_today)

pytestmark = [
    pytest.mark.skipif(PG_URI is None, reason="PostgreSQL tests (STATS_TEST_DATABASE_URI unset)"),
    pytest.mark.skipif(bool(WRAPPER), reason="reconnection deadlines: not under a wrapper"),
]

PG_SH = str(ROOT / "tests" / "pg.sh")
RETRY_AFTER = "5"   # DATABASE_RETRY_AFTER (src/http/request.h)


class Postgres:
    """A PostgreSQL server of this module's own: started, restarted, stopped at will."""

    def __init__(self, folder):
        self.dir = folder / "data"
        self.uri = self._pg("start").stdout.strip().splitlines()[-1]

    def _pg(self, action):
        proc = subprocess.run([PG_SH, action, str(self.dir)], capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, f"tests/pg.sh {action}: {proc.stderr}"
        return proc

    def restart(self):
        """pg_ctl restart -m fast: every session ends; returns once it accepts again."""
        self._pg("restart")

    def stop(self):
        self._pg("stop")

    def start(self):
        uri = self._pg("start").stdout.strip().splitlines()[-1]
        assert uri == self.uri, "PostgreSQL came back on another port"


@pytest.fixture(scope="module")
def postgres(tmp_path_factory):
    pg = Postgres(tmp_path_factory.mktemp("postgres"))
    yield pg
    pg.stop()


def fresh_request(server, path, token):
    """One request on a new connection: the server hands each connection to one of its
    worker threads, each with its own database connection (opened at its first request)."""
    client = Client(server.port, token)
    try:
        return client.get(path)
    finally:
        client.close()


def assert_unavailable(r):
    assert r.status == 503, r
    assert r.header("Retry-After") == RETRY_AFTER, r.headers
    assert "database does not answer" in r.json["message"], r


def test_postgresql_restart_and_outage(postgres, tmp_path):
    srv = Server("postgresql", tmp_path, {"DATABASE_URI": postgres.uri, "THREADS": "12"})
    try:
        api, created = srv.new_client()
        token = created["token"]
        today = server_today(srv).isoformat()
        paths = ("/api/v1/client/me", "/stats/threats.json", "/map/clients.json", "/healthz")

        # Some worker threads have a database connection; most never served a request.
        assert api.get("/api/v1/client/me").status == 200
        for _ in range(3):
            assert fresh_request(srv, "/stats/threats.json", token).status == 200

        # A restart ends every session: the next statement of each connection notices
        # it and reconnects first, so no request fails once PostgreSQL accepts again.
        postgres.restart()
        r = api.post("/api/v1/stats/", raw=fixture_raw("threat.json", fresh_anrs(), today))
        assert r.status == 201, r
        for _ in range(4):
            for path in paths:
                r = fresh_request(srv, path, token)
                assert r.status == 200, (path, r)

        # Down: 503 with Retry-After from every route that needs the database, on the
        # threads whose connection broke and on those that never had one.
        postgres.stop()
        r = api.post("/api/v1/stats/", raw=fixture_raw("risk.json", fresh_anrs(), today))
        assert_unavailable(r)
        for _ in range(6):
            for path in paths[:3]:
                assert_unavailable(fresh_request(srv, path, token))
            r = fresh_request(srv, "/healthz", token)
            assert (r.status, r.json["status"]) == (503, "unavailable"), r
        assert fresh_request(srv, "/about.json", token).status == 200   # needs no database

        # Back: the same process serves every route again within 5 s.
        postgres.start()
        returned = time.monotonic()
        anrs = fresh_anrs()
        while True:
            answers = [fresh_request(srv, path, token).status for path in paths]
            upload = api.post("/api/v1/stats/", raw=fixture_raw("risk.json", anrs, today))
            if answers == [200] * len(paths) and upload.status == 201:
                break
            assert time.monotonic() - returned < 5, (answers, upload)
            time.sleep(0.1)
        for _ in range(4):
            for path in paths:
                assert fresh_request(srv, path, token).status == 200, path
        assert srv.proc.poll() is None
        log = srv.log.read_text()
        assert " 500 " not in log and "-> 500" not in log, log[-3000:]
    finally:
        srv.stop()
