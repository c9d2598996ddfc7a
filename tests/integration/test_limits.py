"""Slow and greedy clients cannot exhaust the server (docs/reliability.md §Limits).

The limits live in the HTTP layer (src/http/server.c) whatever the database,
so these run on SQLite only.  Loopback has many addresses (127.0.0.0/8): a
"greedy host" here is one source address, and the others stand for everybody
else.
"""
import json
import pathlib
import shutil
import socket
import subprocess
import time

import pytest

from conftest import ADMIN_TOKEN, MONARC_UA, WRAPPER, Server, fixture_raw, fresh_anrs, http_bytes

# The assertions are about time: a server under valgrind is 20–50 times slower.
pytestmark = pytest.mark.skipif(bool(WRAPPER), reason="timing tests, not under a wrapper")

PER_IP_CONNECTION_LIMIT = 512     # server.c
CONNECTION_TIMEOUT_S = 30         # server.c: idle connections are closed after this
BODY_GRACE_S, BODY_MIN_RATE = 10, 1024


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server("sqlite", tmp_path_factory.mktemp("limits"))
    yield srv
    srv.stop()


def connect(port, source):
    s = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    return s


def closed_by_server(sock, wait):
    """True when the server closes (or resets) the connection within `wait` seconds."""
    sock.settimeout(wait)
    try:
        while True:
            data = sock.recv(65536)
            if not data:
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False


def served(port, source="127.0.0.1", timeout=5):
    """A normal request from `source` gets its answer within `timeout` seconds."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                 source_address=(source, 0))
    try:
        s.sendall(http_bytes("GET", "/api/v1/client/me",
                             {"X-API-KEY": ADMIN_TOKEN, "User-Agent": MONARC_UA,
                              "Connection": "close"}))
        data = b""
        while True:
            chunk = s.recv(65536)
            if not chunk:
                break
            data += chunk
        return data.startswith(b"HTTP/1.1 200")
    finally:
        s.close()


def test_one_address_cannot_hold_every_connection(server):
    """A slowloris host (headers never finished) gets PER_IP_CONNECTION_LIMIT connections,
    no more; other addresses are served meanwhile, promptly."""
    held = []
    try:
        for _ in range(PER_IP_CONNECTION_LIMIT):
            s = connect(server.port, "127.0.0.21")
            s.sendall(b"GET /api/v1/client/me HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            held.append(s)
        time.sleep(0.5)
        extra = connect(server.port, "127.0.0.21")
        try:
            assert closed_by_server(extra, 5), "connection over the per-address limit was kept"
        finally:
            extra.close()
        t0 = time.monotonic()
        assert served(server.port, "127.0.0.22")
        assert served(server.port)
        assert time.monotonic() - t0 < 5
    finally:
        for s in held:
            s.close()
    time.sleep(0.5)
    assert served(server.port, "127.0.0.21"), "the address is not served again once it let go"


def test_idle_connections_are_closed(server):
    """Unfinished headers (slowloris) and idle keep-alive connections are closed after
    CONNECTION_TIMEOUT_S without a byte."""
    half = connect(server.port, "127.0.0.23")
    half.sendall(b"GET /api/v1/client/me HTTP/1.1\r\nHost: x\r\n")
    idle = connect(server.port, "127.0.0.23")
    t0 = time.monotonic()
    assert closed_by_server(half, CONNECTION_TIMEOUT_S + 10)
    assert closed_by_server(idle, 5)
    elapsed = time.monotonic() - t0
    assert CONNECTION_TIMEOUT_S - 2 <= elapsed <= CONNECTION_TIMEOUT_S + 10, elapsed
    half.close()
    idle.close()


def test_a_body_trickled_byte_by_byte_is_cut(server):
    """One byte a second keeps the idle timeout at bay; the minimum body rate does not."""
    s = connect(server.port, "127.0.0.24")
    body = fixture_raw("risk.json", fresh_anrs()).encode()
    s.sendall(http_bytes("POST", "/api/v1/stats/", {
        "X-API-KEY": ADMIN_TOKEN, "User-Agent": MONARC_UA, "Content-Type": "application/json",
        "Content-Length": str(len(body))}, length=False))
    t0 = time.monotonic()
    cut = False
    for i in range(len(body)):
        try:
            s.sendall(body[i:i + 1])
        except (BrokenPipeError, ConnectionResetError):
            cut = True
            break
        if closed_by_server(s, 1):
            cut = True
            break
        if time.monotonic() - t0 > BODY_GRACE_S + 20:
            break
    elapsed = time.monotonic() - t0
    s.close()
    assert cut, "a body at 1 byte/s was read for %.0f s" % elapsed
    assert BODY_GRACE_S - 1 <= elapsed <= BODY_GRACE_S + 5, elapsed
    assert served(server.port, "127.0.0.24")


def test_a_slow_but_steady_upload_goes_through(server):
    """Above the minimum rate a body may take longer than the grace period."""
    body = fixture_raw("full-batch.json", fresh_anrs()).encode()
    body += b" " * max(0, 2 * (BODY_GRACE_S + 2) * BODY_MIN_RATE - len(body))  # JSON allows it
    s = connect(server.port, "127.0.0.25")
    s.sendall(http_bytes("POST", "/api/v1/stats/", {
        "X-API-KEY": ADMIN_TOKEN, "User-Agent": MONARC_UA, "Content-Type": "application/json",
        "Content-Length": str(len(body)), "Connection": "close"}, length=False))
    step = 2 * BODY_MIN_RATE // 4  # twice the minimum rate, in quarter-second steps
    for i in range(0, len(body), step):
        s.sendall(body[i:i + step])
        time.sleep(0.25)
    s.settimeout(30)
    answer = b""
    while True:
        chunk = s.recv(65536)
        if not chunk:
            break
        answer += chunk
    s.close()
    assert answer.startswith(b"HTTP/1.1 201"), answer[:300]


@pytest.mark.skipif(not shutil.which("wrk"), reason="wrk is not installed")
def test_a_short_burst_of_mixed_load_gives_no_error(server, tmp_path):
    """A bounded smoke test of the load benchmark (bench/load.sh runs it for minutes)."""
    api, created = server.new_client()
    anrs = fresh_anrs()
    assert api.post("/api/v1/stats/", raw=fixture_raw("full-batch.json", anrs)).status == 201
    root = pathlib.Path(__file__).resolve().parents[2]
    # The kinds of request this build has routes for.
    kinds = ["ingest", "list", "me"]
    if api.get("/api/v1/stats/processed/", {"type": "threat",
                                            "processor": "threat_average_on_date"}).status == 200:
        kinds.append("processed")
    if api.get("/stats/threats.json").status == 200:
        kinds.append("public")
    env = {"PATH": "/usr/bin:/bin", "STATS_TOKEN": created["token"],
           "STATS_ANR": next(iter(anrs.values())), "STATS_KINDS": ",".join(kinds),
           "STATS_REPORT": str(tmp_path / "report.json")}
    proc = subprocess.run(["wrk", "-t2", "-c64", "-d5s", "--timeout", "10s",
                           "-s", str(root / "bench" / "mixed.lua"),
                           f"http://127.0.0.1:{server.port}"],
                          env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["requests"] > 100, (report, proc.stdout)
    assert report["errors"] == 0 and report["unexpected_status"] == 0, (report, proc.stdout)
    assert served(server.port)
