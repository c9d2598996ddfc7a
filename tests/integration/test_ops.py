"""Operations (docs/api.md §Operations, docs/cli.md `serve`): /healthz,
/metrics in the Prometheus text format (checked by a parser of that format
written here), METRICS_ALLOW, and the signals: SIGTERM lets a request in flight
finish, SIGHUP reopens the log file.
"""
import math
import os
import re
import signal
import socket
import sqlite3
import subprocess
import time

import pytest

from conftest import (ADMIN_TOKEN, BACKENDS, PG_URI, RawConnection, Server, fixture_raw,
                      fresh_anrs, http_bytes, run_cli)
from fakes import pg_database_uri

# --- a parser of the Prometheus text exposition format (0.0.4) ------------------------------

NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL_VALUE = r'"(?:[^"\\\n]|\\[\\"n])*"'
LABEL = rf"[a-zA-Z_][a-zA-Z0-9_]*={LABEL_VALUE}"
SAMPLE = re.compile(rf"^({NAME})(\{{(?:{LABEL}(?:,{LABEL})*,?)?\}})? (\S+)(?: (-?\d+))?$")
LABEL_PAIR = re.compile(rf"([a-zA-Z_][a-zA-Z0-9_]*)=({LABEL_VALUE})")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}


def parse_value(text):
    special = {"+Inf": math.inf, "-Inf": -math.inf, "NaN": math.nan}
    if text in special:
        return special[text]
    return float(text)   # raises on anything else


def unescape(quoted):
    return re.sub(r"\\(.)", lambda m: "\n" if m.group(1) == "n" else m.group(1), quoted[1:-1])


def family_of(name, types):
    """The declared family a sample belongs to (histograms add _bucket, _sum, _count)."""
    if name in types:
        return name
    for suffix in ("_bucket", "_sum", "_count"):
        base = name[: -len(suffix)]
        if name.endswith(suffix) and types.get(base) in ("histogram", "summary"):
            return base
    raise AssertionError(f"sample {name} has no TYPE line before it")


def parse_prometheus(text):
    """{(name, frozenset of label pairs): value}; asserts the format's rules on the way."""
    assert text.endswith("\n"), "the exposition ends with a newline"
    types, helps, samples = {}, {}, {}
    families_seen = []
    for line in text.split("\n")[:-1]:
        assert line == line.strip() and line, f"blank or padded line: {line!r}"
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if parts[1] == "HELP":
                assert re.fullmatch(NAME, parts[2]) and parts[2] not in helps, line
                helps[parts[2]] = parts[3]
            elif parts[1] == "TYPE":
                assert re.fullmatch(NAME, parts[2]) and parts[2] not in types, line
                assert parts[3] in TYPES, line
                types[parts[2]] = parts[3]
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample line: {line!r}"
        name = m.group(1)
        labels = frozenset((k, unescape(v)) for k, v in LABEL_PAIR.findall(m.group(2) or ""))
        family = family_of(name, types)
        if not families_seen or families_seen[-1] != family:
            assert family not in families_seen, f"family {family} is not in one group"
            families_seen.append(family)
        assert (name, labels) not in samples, f"duplicate series {line}"
        samples[(name, labels)] = parse_value(m.group(3))
    check_histograms(types, samples)
    return samples


def check_histograms(types, samples):
    for family, kind in types.items():
        if kind != "histogram":
            continue
        buckets = sorted(((parse_value(dict(labels)["le"]), value)
                          for (name, labels), value in samples.items()
                          if name == family + "_bucket"))
        assert buckets and buckets[-1][0] == math.inf, f"{family} has no +Inf bucket"
        counts = [v for _, v in buckets]
        assert counts == sorted(counts), f"{family} buckets are not cumulative"
        assert samples[(family + "_count", frozenset())] == buckets[-1][1]
        assert (family + "_sum", frozenset()) in samples


def value(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())), 0.0)


def test_the_parser_rejects_what_prometheus_would():
    good = '# HELP a_total Things.\n# TYPE a_total counter\na_total{x="1"} 3\n'
    assert parse_prometheus(good) == {("a_total", frozenset({("x", "1")})): 3.0}
    for bad in ['a_total 3\n',                                      # no TYPE
                '# TYPE a counter\na{x=1} 3\n',                      # unquoted label
                '# TYPE a counter\na 3\na 4\n',                      # duplicate series
                '# TYPE a counter\na three\n',                       # not a number
                '# TYPE a counter\na 3',                             # no final newline
                '# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\n'
                'h_count 1\n']:                                      # not cumulative
        with pytest.raises((AssertionError, ValueError)):
            parse_prometheus(bad)


# --- /healthz and /metrics ---------------------------------------------------------------------

def metrics(srv, token=None, **kw):
    r = srv.client(token, **kw).get("/metrics")
    assert r.status == 200, r
    assert r.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8"
    return parse_prometheus(r.body.decode())


def test_healthz(server):
    r = server.client().get("/healthz")
    assert (r.status, r.json) == (200, {"status": "ok"}), r
    assert r.header("Cache-Control") == "no-store"


@pytest.mark.skipif(PG_URI is None, reason="needs PostgreSQL to take a database away")
def test_healthz_without_database_is_503(tmp_path):
    uri = pg_database_uri("stats_test_health")
    srv = Server("postgresql", tmp_path, {"DATABASE_URI": uri})
    try:
        assert srv.client().get("/healthz").status == 200
        before = metrics(srv)
        maintenance = uri.rsplit("/", 1)[0] + "/postgres"
        subprocess.run(["psql", maintenance, "-X", "-q", "-c",
                        "DROP DATABASE stats_test_health WITH (FORCE)"],
                       check=True, capture_output=True, timeout=60)
        for _ in range(3):
            r = srv.client().get("/healthz")
            assert r.status == 503 and r.json["status"] == "unavailable", r
            assert r.header("Retry-After") == "5", r   # what a load balancer or MONARC waits
        r = srv.client().get("/metrics")
        assert r.status == 503 and r.header("Retry-After"), r   # its gauges come from the database
        assert before
    finally:
        srv.stop()


@pytest.mark.parametrize("query, env", [("", {}), ("?connect_timeout=2", {}),
                                         ("", {"PGCONNECT_TIMEOUT": "2"})])
def test_postgresql_that_never_answers_times_out(query, env):
    """A PostgreSQL address where the connection opens but nothing ever answers (a hung server,
    or a firewall that drops packets): the connection attempt gives up after 5 s by default, or
    after the URI's connect_timeout or PGCONNECT_TIMEOUT, with a clear error (without a
    default it would wait for ever here)."""
    with socket.create_server(("127.0.0.1", 0)) as silent:   # listens, never answers
        port = silent.getsockname()[1]
        uri = f"postgresql://stats@127.0.0.1:{port}/stats{query}"
        started = time.monotonic()
        cli_env = {k: v for k, v in os.environ.items() if k in ("PATH", "ASAN_OPTIONS", "UBSAN_OPTIONS")}
        r = run_cli({**cli_env, **env, "DATABASE_URI": uri}, "db", "migrate", "--dry-run", check=False)
        waited = time.monotonic() - started
    assert r.returncode != 0 and "timeout expired" in r.stderr, r.stderr
    assert (waited < 4.5) if (query or env) else (4.5 < waited < 20), waited   # 2 s, 5 s + start-up


def test_sqlite_write_lock_held_too_long_is_503(tmp_path):
    """Another process keeps SQLite's write lock past the wait (10 s): the upload is told to come
    back (503, Retry-After) rather than 500, it stores nothing, and once the lock is gone the same
    upload goes through."""
    srv = Server("sqlite", tmp_path)
    try:
        api, _ = srv.new_client()
        items = fixture_raw("full-batch.json", fresh_anrs())
        holder = sqlite3.connect(srv.env["DATABASE_URI"].removeprefix("sqlite:///"),
                                 isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            r = api.post("/api/v1/stats/", raw=items)
            assert (r.status, r.header("Retry-After")) == (503, "5"), r
            assert "retry later" in r.json["message"], r
            assert srv.client().get("/healthz").status == 200   # readers are not blocked (WAL)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        every_date = {"type": "threat", "date_from": "1900-01-01", "date_to": "9999-12-31"}
        assert api.get("/api/v1/stats/", every_date).json["data"] == []
        assert api.post("/api/v1/stats/", raw=items).status == 201
        assert len(api.get("/api/v1/stats/", every_date).json["data"]) == 2
    finally:
        srv.stop()


def test_metrics_is_valid_and_counts(server):
    before = metrics(server)
    api, _ = server.new_client()
    items = fixture_raw("full-batch.json", fresh_anrs())
    for _ in range(3):
        assert api.post("/api/v1/stats/", raw=items).status == 201
    assert server.client().get("/no/such/page").status == 404
    assert api.get("/api/v1/stats/", {"type": "threat"}).status == 200
    total = "stats_service_http_requests_total"
    # A request is counted once its answer is sent through: wait for the last one.
    for _ in range(100):
        after = metrics(server)
        if value(after, total, method="GET", route="/api/v1/stats", status="200") > \
                value(before, total, method="GET", route="/api/v1/stats", status="200"):
            break
        time.sleep(0.02)

    def moved(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    assert moved(total, method="POST", route="/api/v1/stats", status="201") == 3
    assert moved(total, method="GET", route="/api/v1/stats", status="200") == 1
    assert moved(total, method="GET", route="unmatched", status="404") == 1
    assert moved(total, method="GET", route="/metrics", status="200") >= 1   # the first scrape
    assert moved("stats_service_stats_ingested_total", result="created") == 10
    assert moved("stats_service_stats_ingested_total", result="updated") == 20
    assert moved("stats_service_stats") == 10
    assert moved("stats_service_clients") == 1
    assert moved("stats_service_http_request_duration_seconds_count") >= 7
    assert moved("stats_service_http_request_duration_seconds_sum") > 0
    assert moved("stats_service_db_errors_total") == 0
    assert value(after, "stats_service_build_info", version="0.1.0") == 1
    assert 0 < value(after, "process_start_time_seconds") <= time.time()
    # No series for a path as typed: routes are counted by their pattern.
    anr = next(iter(fresh_anrs().values()))
    assert api.get(f"/api/v1/stats/{anr}").status == 200
    for _ in range(100):
        later = metrics(server)
        if value(later, total, method="GET", route="/api/v1/stats/<anr>", status="200") >= 1:
            break
        time.sleep(0.02)
    assert value(later, total, method="GET", route="/api/v1/stats/<anr>", status="200") >= 1
    assert not [k for k in later if anr in str(k)]


def metrics_server(tmp_path, allow):
    return Server("sqlite", tmp_path, {"METRICS_ALLOW": allow})


def test_metrics_for_admins_only(tmp_path):
    srv = metrics_server(tmp_path, "admin")
    try:
        assert srv.client().get("/metrics").status == 401
        user, obj = srv.new_client()
        assert user.get("/metrics").status == 403
        assert metrics(srv, ADMIN_TOKEN)
        assert srv.client().get("/healthz").status == 200   # health stays open
    finally:
        srv.stop()


def test_metrics_for_this_host_only(tmp_path):
    srv = metrics_server(tmp_path, "loopback")
    try:
        assert metrics(srv)
        r = srv.client().get("/metrics", headers={"X-Forwarded-For": "203.0.113.7"})
        assert r.status == 403, r   # came through a proxy: not this host
    finally:
        srv.stop()


# --- signals -----------------------------------------------------------------------------------

def test_sigterm_lets_a_slow_upload_finish(tmp_path):
    srv = Server("sqlite", tmp_path)
    api, obj = srv.new_client()
    body = fixture_raw("full-batch.json", fresh_anrs()).encode()
    conn = RawConnection(srv.port)
    head = http_bytes("POST", "/api/v1/stats/", {"X-API-KEY": obj["token"],
                                                 "User-Agent": "MONARC/2.14.1",
                                                 "Content-Type": "application/json"}, body)
    split = len(head) - len(body) // 2
    conn.send(head[:split])
    time.sleep(0.3)                     # the request is in flight, its body half sent
    srv.proc.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    assert srv.proc.poll() is None      # still draining
    conn.send(head[split:])
    status, _, answer = conn.read_response()
    assert status == 201, answer
    conn.close()
    code = srv.proc.wait(timeout=60)
    assert code == 0
    log = srv.log.read_text()
    assert "finishing requests in flight" in log and "stopped" in log
    srv.proc.stdout.close()
    srv.stderr.close()
    srv.proc = None
    err = (tmp_path / "stderr.txt").read_text()
    assert "Sanitizer" not in err and "runtime error" not in err, err
    # What was answered is stored.
    srv.start()
    try:
        r = srv.client(obj["token"]).get("/api/v1/stats/", {"type": "risk", "date_from": "1900-01-01"})
        assert len(r.json["data"]) == 2, r
    finally:
        srv.stop()


def test_sighup_reopens_the_log_file(tmp_path):
    srv = Server("sqlite", tmp_path)
    try:
        assert srv.client().get("/healthz").status == 200
        rotated = tmp_path / "stats.log.1"
        srv.log.rename(rotated)
        srv.proc.send_signal(signal.SIGHUP)
        for _ in range(100):
            if srv.log.exists():
                break
            time.sleep(0.05)
        assert srv.client().get("/no/such/thing").status == 404
        for _ in range(100):
            if "/no/such/thing" in srv.log.read_text():
                break
            time.sleep(0.05)
        assert "log file reopened" in srv.log.read_text()
        assert "/no/such/thing" in srv.log.read_text()
        assert "/no/such/thing" not in rotated.read_text()
        assert "listening on" in rotated.read_text()
    finally:
        srv.stop()
