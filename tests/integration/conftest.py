"""Fixtures for the HTTP integration tests: real servers on loopback.

Each test module gets one running `stats-service serve` per storage backend
(SQLite always; PostgreSQL when STATS_TEST_DATABASE_URI is set, as
scripts/test.sh does), on a fresh database, with a known admin token.
Tests talk to it over HTTP with http.client, which lets them send exactly what
MONARC sends (GET with a JSON body, no Accept header, Expect: 100-continue).
"""
import datetime
import http.client
import json
import os
import pathlib
import re
import select
import shlex
import signal
import socket
import subprocess
import uuid
import zoneinfo

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("STATS_BIN", str(ROOT / "build" / "stats-service"))
# The MONARC-shaped documents the tests upload (their analyses: FIXTURE_ANRS below).
FIXTURES = ROOT / "tests" / "fixtures" / "monarc"
PG_URI = os.environ.get("STATS_TEST_DATABASE_URI")
ADMIN_TOKEN = "integration-admin-token-" + "x" * 40
MONARC_UA = "MONARC/2.14.1"

# The schema version of this program (src/store/schema.c): what new databases and backups get.
SCHEMA_VERSION = 6
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URI else [])
# A command put before the server's, e.g. "valgrind --error-exitcode=99 …" (scripts/valgrind.sh).
WRAPPER = shlex.split(os.environ.get("STATS_WRAPPER", ""))


def fixture_text(name):
    path = FIXTURES / name
    if not path.is_file():
        raise FileNotFoundError(f"fixture {name} is missing: {path}")
    return path.read_text()


def fixture(name):
    return json.loads(fixture_text(name))


def run_cli(env, *args, input=None, check=True):
    """Runs a stats-service command; returns the CompletedProcess."""
    proc = subprocess.run(WRAPPER + [BIN, *args], env=env, input=input, capture_output=True,
                          text=True, timeout=300 if WRAPPER else 60)
    if check and proc.returncode != 0:
        raise AssertionError(f"{args} failed ({proc.returncode}): {proc.stderr}")
    return proc


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    @property
    def json(self):
        return json.loads(self.body)

    def header(self, name):
        for k, v in self.headers:
            if k.lower() == name.lower():
                return v
        return None

    def __repr__(self):
        return f"<Response {self.status} {self.body[:300]!r}>"


class Client:
    """An HTTP client on one keep-alive connection, like MONARC's Guzzle."""

    def __init__(self, port, token=None, user_agent=MONARC_UA, source=None):
        self.port = port
        self.token = token
        self.user_agent = user_agent
        # source: another loopback address to come from (per-address limits).
        self.source = (source, 0) if source else None
        self.conn = self._connect()

    def _connect(self):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=30,
                                          source_address=self.source)

    def request(self, method, path, body=None, raw=None, headers=None, token=...):
        """body: a Python value sent as compact JSON; raw: bytes/str sent as they are."""
        hdrs = {}
        tok = self.token if token is ... else token
        if tok is not None:
            hdrs["X-API-KEY"] = tok
        if self.user_agent:
            hdrs["User-Agent"] = self.user_agent
        data = None
        if body is not None:
            data = json.dumps(body, separators=(",", ":")).encode()
        elif raw is not None:
            data = raw.encode() if isinstance(raw, str) else raw
        if data is not None:
            hdrs["Content-Type"] = "application/json"
        hdrs.update(headers or {})
        hdrs = {k: v for k, v in hdrs.items() if v is not None}
        try:
            self.conn.request(method, path, body=data, headers=hdrs)
            resp = self.conn.getresponse()
        except (http.client.HTTPException, ConnectionError):
            # The server may close after an early answer: reconnect once, like a client would.
            self.conn.close()
            self.conn = self._connect()
            self.conn.request(method, path, body=data, headers=hdrs)
            resp = self.conn.getresponse()
        out = Response(resp.status, resp.getheaders(), resp.read())
        if resp.will_close:
            self.conn.close()
            self.conn = self._connect()
        return out

    def get(self, path, body=None, **kw):
        return self.request("GET", path, body=body, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body=body, **kw)

    def close(self):
        self.conn.close()


class Server:
    def __init__(self, backend, tmp, extra_env=None):
        self.backend = backend
        self.tmp = tmp
        self.log = tmp / "stats.log"
        if backend == "sqlite":
            uri = f"sqlite:///{tmp}/stats.db"
        else:
            uri = PG_URI
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "DATABASE_URI": uri,
            "ADMIN_TOKEN": ADMIN_TOKEN,
            "LOG_PATH": str(self.log),
            "LOG_LEVEL": "debug",
            "CLIENT_REGISTRATION_OPEN": "1",
            "HOST": "127.0.0.1",
            "PORT": "0",
            "THREADS": "2",
            "TZ": os.environ.get("TZ", "UTC"),
            # Most tests check figures of one or two clients: they run without the
            # privacy floor (1 = the original's behaviour); test_privacy.py checks it.
            "MIN_ORGANISATIONS": "1",
        }
        for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
            if k in os.environ:
                self.env[k] = os.environ[k]
        for k, v in (extra_env or {}).items():  # None: unset
            if v is None:
                self.env.pop(k, None)
            else:
                self.env[k] = v
        if backend == "postgresql":
            run_cli(self.env, "db", "empty", "--yes")
        run_cli(self.env, "db", "init")
        self.proc = None
        self.port = None
        self.start()

    def start(self):
        self.stderr = open(self.tmp / "stderr.txt", "a")
        self.proc = subprocess.Popen(WRAPPER + [BIN, "serve"], env=self.env,
                                     stdout=subprocess.PIPE, stderr=self.stderr, text=True)
        for line in self.proc.stdout:
            m = re.match(r"Listening on http://[^:]+:(\d+)/", line)
            if m:
                self.port = int(m.group(1))
                break
        else:
            raise AssertionError("server did not start: " + (self.tmp / "stderr.txt").read_text())

    def stop(self):
        """SIGTERM, then check a clean exit (sanitizers report leaks at exit)."""
        if not self.proc:
            return
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout=60)
        self.proc.stdout.close()
        self.stderr.close()
        self.proc = None
        err = (self.tmp / "stderr.txt").read_text()
        assert "Sanitizer" not in err and "runtime error" not in err, err
        assert code == 0, f"server exited with {code}: {err}"

    def kill(self):
        """SIGKILL: no drain, no clean-up, as a crash or a power cut of the process."""
        self.proc.kill()
        self.proc.wait(timeout=60)
        self.proc.stdout.close()
        self.stderr.close()
        self.proc = None

    def client(self, token=None, **kw):
        return Client(self.port, token, **kw)

    def admin(self):
        return self.client(ADMIN_TOKEN)

    def new_client(self, name=None, sharing=True):
        """Registers a client through the API; returns (Client, client object)."""
        name = name or "client-" + uuid.uuid4().hex[:12]
        r = self.admin().post("/api/v1/client/", {"name": name, "is_sharing_enabled": sharing})
        assert r.status == 201, r
        obj = r.json
        return self.client(obj["token"]), obj


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory):
    srv = Server(request.param, tmp_path_factory.mktemp(request.param))
    yield srv
    srv.stop()


# --- helpers shared by the API tests (test_api_*.py) ---------------------------

# The analyses named in the MONARC fixtures: the two of every file but
# edge-cases.json (dated 2026-03-09), then the one of edge-cases.json (2026-03-10).
FIXTURE_ANRS = ("5d2f8a6c-91b4-4c3e-8f07-2a6b9d1e4c58", "c47e0b93-2f6a-4d18-b5c2-7e9a1f3d0b64",
                "8a13f6d2-7c45-4e9b-a0d8-3b5e6f2c9d17")
FIXTURE_DATE = "2026-03-09"
STATS_TYPES = ("risk", "threat", "vulnerability", "cartography", "compliance")


def fresh_anrs():
    """Maps each fixture ANR to a new uuid, so that a test owns its analyses."""
    return {anr: str(uuid.uuid4()) for anr in FIXTURE_ANRS}


def fixture_raw(name, anrs=None, date=None):
    """A fixture's text with ANR uuids (old → new) and every date replaced
    textually: all other bytes stay as MONARC sent them."""
    text = fixture_text(name)
    for old, new in (anrs or {}).items():
        text = text.replace(old, new)
    if date:
        text = re.sub(r'"date":"\d{4}-\d{2}-\d{2}"', f'"date":"{date}"', text)
    return text


def server_today(server):
    """The server's "today" (it runs with the TZ of server.env)."""
    try:
        tz = zoneinfo.ZoneInfo(server.env["TZ"].lstrip(":"))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        tz = None
    return datetime.datetime.now(tz).date()


def all_stats(server):
    """Every stored stats of every client (admin view, any date), as comparable tuples."""
    admin = server.admin()
    rows = []
    for stats_type in STATS_TYPES:
        r = admin.get("/api/v1/stats/", {"type": stats_type, "date_from": "1900-01-01",
                                         "date_to": "9999-12-31"})
        assert r.status == 200, r
        rows += [(s["uuid"], s["anr"], s["type"], s["date"], json.dumps(s["data"], sort_keys=True))
                 for s in r.json["data"]]
    admin.close()
    return sorted(rows)


# Raw HTTP/1.1 on one socket, for keep-alive and 100-continue: http.client would hide
# a desynchronised connection by reconnecting.

class RawConnection:
    """One TCP connection; requests written byte for byte, answers parsed by hand."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30)
        self.pending = b""

    def close(self):
        self.sock.close()

    def send(self, data):
        self.sock.sendall(data)

    def answered(self, wait):
        """True when the server has sent something (or closed) within `wait` seconds."""
        return bool(self.pending) or bool(select.select([self.sock], [], [], wait)[0])

    def _fill(self):
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError
        self.pending += chunk

    def _take_until(self, marker):
        while marker not in self.pending:
            self._fill()
        head, self.pending = self.pending.split(marker, 1)
        return head

    def _take(self, n):
        while len(self.pending) < n:
            self._fill()
        data, self.pending = self.pending[:n], self.pending[n:]
        return data

    def read_response(self, head_only_status=(100, 204, 304)):
        """(status, {lower-case header: value}, body); EOFError if the peer closed first."""
        head = self._take_until(b"\r\n\r\n").decode("latin-1").split("\r\n")
        version, status = head[0].split(" ")[:2]
        assert version in ("HTTP/1.1", "HTTP/1.0"), head
        headers = {}
        for line in head[1:]:
            name, value = line.split(":", 1)
            headers[name.strip().lower()] = value.strip()
        status = int(status)
        if status in head_only_status:
            return status, headers, b""
        if headers.get("transfer-encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self._take_until(b"\r\n").split(b";")[0], 16)
                if size == 0:
                    self._take_until(b"\r\n")
                    return status, headers, body
                body += self._take(size)
                self._take(2)
        return status, headers, self._take(int(headers.get("content-length", "0")))


def http_bytes(method, path, headers=None, body=b"", length=True):
    """A request as bytes; Content-Length is added for a body unless length is False."""
    if isinstance(body, str):
        body = body.encode()
    lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
    lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
    if body and length:
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body
