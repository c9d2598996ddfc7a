"""Hostile input and authorisation on every route (docs/reliability.md §Hostile input and authorisation).

The routes are read from the running build (stats-routes prints the route
table), so a route added later is covered without editing this file.  Every
hostile request of the table below is sent to every route it applies to, with
the admin token (the caller who could do the most harm), and must:
  - get a 4xx answer — never a 5xx, never a crash — whose body is a JSON
    {"message": ...}; routes that read the part of the request the case spoils
    (their body, their query string, their path segment) must refuse it;
  - change nothing: the stored stats and clients are compared before and after.
The few answers that libmicrohttpd gives itself, before the service sees the
request (malformed HTTP), are listed apart: 4xx, HTML body, connection closed.

Then: failed authentications are rate limited per address (429 +
Retry-After), tokens never reach the logs, and no route lets one client reach
another's data.
"""
import json
import pathlib
import re
import subprocess
import time
import urllib.parse
import uuid

import pytest

from conftest import (ADMIN_TOKEN, BACKENDS, BIN, MONARC_UA, STATS_TYPES, WRAPPER, RawConnection,
                      Server, all_stats, fixture_raw, fresh_anrs, http_bytes, run_cli)

ROUTES_BIN = pathlib.Path(BIN).with_name("stats-routes")
# When the build has no stats-routes: the service core's routes.
CORE_ROUTES = [("GET", "/api/v1/client/me"), ("PATCH", "/api/v1/client/me"),
               ("POST", "/api/v1/client"), ("POST", "/api/v1/stats"), ("GET", "/api/v1/stats"),
               ("GET", "/api/v1/stats/<anr>"), ("DELETE", "/api/v1/stats/<anr>")]
PLACEHOLDER_VALUES = {"dir": "css", "file": "app.css"}
MAX_BODY = 1024 * 1024
SPRAYED_ADDRESSES = 4500
SQL = ["' OR '1'='1", "1; DROP TABLE stats; --", "\" UNION SELECT token_hash FROM clients --",
       "x') OR 1=1 /*", "\\'; DELETE FROM clients WHERE ''='"]
# Every member name a handler reads, for the duplicate-key and SQL cases.
FIELDS = ["type", "anr", "anrs", "date_from", "date_to", "get_last", "offset", "limit",
          "processor", "processor_params", "local_stats_only", "group_by_anr", "uuid", "date",
          "data", "is_sharing_enabled", "token", "days", "last_stats"]


def discover_routes():
    if not ROUTES_BIN.exists():
        return CORE_ROUTES
    out = subprocess.run([str(ROUTES_BIN)], capture_output=True, text=True, check=True,
                         timeout=30).stdout
    return [tuple(line.split(" ", 1)) for line in out.splitlines() if line.strip()]


def fill(pattern, values=None):
    """A concrete path for a pattern: placeholders get a fresh UUID or a fitting name."""
    def one(m):
        name = m.group(1)
        if values and name in values:
            return values[name]
        return PLACEHOLDER_VALUES.get(name, str(uuid.uuid4()))
    return re.sub(r"<([^>]+)>", one, pattern)


def send(port, method, path, headers=None, body=b"", length=True):
    """One request on a connection of its own: (status, headers, body)."""
    conn = RawConnection(port)
    try:
        hdrs = {"User-Agent": MONARC_UA, "Connection": "close", **(headers or {})}
        conn.send(http_bytes(method, path, hdrs, body, length))
        return conn.read_response()
    finally:
        conn.close()


def send_declared_body(port, method, path, headers, body):
    """A request whose Content-Length is refused at once (413) may be answered, and the
    connection closed, before the body is sent: like a careful client, look for an early
    answer before sending the body."""
    conn = RawConnection(port)
    try:
        hdrs = {"User-Agent": MONARC_UA, "Connection": "close", **headers,
                "Content-Length": str(len(body))}
        conn.send(http_bytes(method, path, hdrs, length=False))
        if not conn.answered(2):
            conn.send(body)
        return conn.read_response()
    finally:
        conn.close()


def send_raw(port, data):
    """Bytes as they are; the answer, or (None, {}, b"") when the server just closed."""
    conn = RawConnection(port)
    try:
        conn.send(data)
        try:
            return conn.read_response()
        except (EOFError, ConnectionError):
            return None, {}, b""
    finally:
        conn.close()


def assert_json_error(status, headers, body, what):
    assert 400 <= status < 500, (what, status, body[:300])
    assert headers.get("content-type", "").startswith("application/json"), (what, headers)
    obj = json.loads(body)
    assert isinstance(obj, dict) and isinstance(obj.get("message"), str), (what, obj)


def assert_harmless(answer, what, must_refuse):
    """Not a server fault; an error is JSON; a route that reads what was spoiled refuses it."""
    status, headers, body = answer
    if status == 501:  # a feature the operator did not set up (UPDATE_COMMAND)
        assert headers.get("content-type", "").startswith("application/json"), (what, headers)
    elif status >= 400:
        assert_json_error(status, headers, body, what)
    elif must_refuse:
        raise AssertionError(f"{what}: accepted with {status}: {body[:300]!r}")
    assert b"root:x:0:0" not in body, what


def snapshot(server):
    """What hostile requests must not change: every stats, every client (but last_seen)."""
    clients = json.loads(run_cli(server.env, "client", "list", "--json").stdout)
    for c in clients:
        c.pop("last_seen", None)
    return all_stats(server), sorted(clients, key=lambda c: c["uuid"])


class Route:
    def __init__(self, method, pattern, server):
        self.method, self.pattern = method, pattern
        port = server.port
        self.needs_auth = send(port, method, fill(pattern))[0] == 401
        auth = {"X-API-KEY": ADMIN_TOKEN}
        # Which parts of a request the route reads: a spoiled one gets 4xx there.
        probe = send(port, method, fill(pattern), {**auth, "Content-Type": "application/json"},
                     b"{")
        self.reads_body = 400 <= probe[0] < 500
        self.reads_query = 400 <= send(port, method, fill(pattern) + "?zz_unknown=1", auth)[0] < 500
        self.has_placeholder = "<" in pattern

    def __repr__(self):
        return f"{self.method} {self.pattern}"


@pytest.fixture(scope="module", params=BACKENDS)
def target(request, tmp_path_factory):
    server = Server(request.param, tmp_path_factory.mktemp("abuse-" + request.param),
                    {"MAX_BODY_SIZE": str(MAX_BODY), "AUTH_FAILURES_PER_MINUTE": "0"})
    api, owner = server.new_client("owner-" + uuid.uuid4().hex[:8])
    anrs = fresh_anrs()
    r = api.post("/api/v1/stats/", raw=fixture_raw("full-batch.json", anrs))
    assert r.status == 201, r
    server.owner = owner
    server.owner_anrs = list(anrs.values())
    server.owner_stats = r.json["data"]
    server.routes = [Route(m, p, server) for m, p in discover_routes()]
    yield server
    server.stop()


@pytest.fixture
def unchanged(target):
    """The test's requests must leave every stats and every client as they were."""
    before = snapshot(target)
    yield
    assert snapshot(target) == before, "hostile requests changed stored data"


# --- the table -----------------------------------------------------------------

def deep(n):
    return b"[" * n + b"]" * n


BODY_CASES = {
    "invalid UTF-8": b'{"type":"risk","name":"\xff\xfe\xc0\xaf"}',
    "overlong UTF-8 slash": b'{"type":"risk","anr":"\xc0\xaf"}',
    "NUL byte": b'{"type":"ri\x00sk"}',
    "NUL escape": b'{"type":"ri\\u0000sk"}',
    "lone surrogate": b'{"type":"\\ud800"}',
    "huge integer": b'{"type":"risk","limit":123456789012345678901234567890}',
    "huge float": b'{"type":"risk","limit":1e999}',
    "NaN": b'{"type":"risk","limit":NaN}',
    "10,000-deep array": deep(10000),
    "10,000-deep object": b'{"a":' * 10000 + b"1" + b"}" * 10000,
    "duplicate keys, hostile last": ("{" + ",".join(
        f'"{f}":"ok","{f}":{json.dumps(SQL[0])}' for f in FIELDS) + "}").encode(),
    "truncated": b'{"type":"risk"',
    "not JSON": b"type=risk&anr=x",
    "bare scalar": b'"risk"',
    "array of junk": b"[1,true,null,{}]",
}

def quoted(text):
    return urllib.parse.quote(text, safe="")


QUERY_CASES = {
    "SQL in every parameter": "&".join(f"{f}={quoted(SQL[0])}" for f in FIELDS),
    "NUL": "type=ri%00sk",
    "invalid UTF-8": "type=%ff%fe&anr=%c0%af",
    "huge number": "type=risk&limit=99999999999999999999999&offset=1e999",
    "negative number": "type=risk&offset=-1&limit=-5",
    "path traversal": "type=risk&processor=..%2F..%2F..%2Fetc%2Fpasswd",
    "unknown name": "type=risk&typo=1",
}

PATH_CASES = {
    "traversal": "..%2F..%2F..%2F..%2Fetc%2Fpasswd",
    "dot-dot": "..",
    "encoded dot-dot": "%2e%2e",
    "SQL": "%27%20OR%20%271%27%3D%271",
    "SQL 2": "1%3B%20DROP%20TABLE%20stats",
    "NUL": "x%00y",
    "invalid UTF-8": "%ff%fe",
    "4,000 characters": "a" * 4000,
}

WRONG_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND"]


def test_the_routes_were_found(target):
    found = {(r.method, r.pattern) for r in target.routes}
    assert set(CORE_ROUTES) <= found, found
    assert any(r.needs_auth for r in target.routes)


@pytest.mark.parametrize("case", BODY_CASES)
def test_hostile_bodies(target, unchanged, case):
    for route in target.routes:
        answer = send(target.port, route.method, fill(route.pattern),
                      {"X-API-KEY": ADMIN_TOKEN, "Content-Type": "application/json"},
                      BODY_CASES[case])
        assert_harmless(answer, f"{route} {case}", route.reads_body)


@pytest.mark.parametrize("case", QUERY_CASES)
def test_hostile_query_strings(target, unchanged, case):
    for route in target.routes:
        answer = send(target.port, route.method, fill(route.pattern) + "?" + QUERY_CASES[case],
                      {"X-API-KEY": ADMIN_TOKEN})
        assert_harmless(answer, f"{route} ?{case}", route.reads_query)


@pytest.mark.parametrize("case", PATH_CASES)
def test_hostile_path_segments(target, unchanged, case):
    for route in target.routes:
        if not route.has_placeholder:
            continue
        names = re.findall(r"<([^>]+)>", route.pattern)
        for name in names:
            path = fill(route.pattern, {name: PATH_CASES[case]})
            answer = send(target.port, route.method, path, {"X-API-KEY": ADMIN_TOKEN})
            status = answer[0]
            assert_harmless(answer, f"{route} <{name}>={case}", True)
            assert status != 405, (route, case)


@pytest.mark.parametrize("field", FIELDS)
def test_sql_in_every_field_of_every_route(target, unchanged, field):
    """Each field alone, in the body and in the query string: never a fault, never a change.
    (Names are free text: test_sql_in_free_text_is_stored_verbatim checks them.)"""
    for route in target.routes:
        for sql in SQL:
            body = json.dumps({field: sql}).encode()
            answer = send(target.port, route.method, fill(route.pattern),
                          {"X-API-KEY": ADMIN_TOKEN, "Content-Type": "application/json"}, body)
            assert_harmless(answer, f"{route} body {field}={sql}", False)
            query = field + "=" + quoted(sql)
            answer = send(target.port, route.method, fill(route.pattern) + "?" + query,
                          {"X-API-KEY": ADMIN_TOKEN})
            assert_harmless(answer, f"{route} query {field}={sql}", False)


def test_sql_in_stats_items_is_refused(target, unchanged):
    api = target.client(target.owner["token"])
    anr = target.owner_anrs[0]
    for field in ("anr", "type", "date", "uuid"):
        for sql in SQL:
            item = {"anr": anr, "type": "vulnerability", "date": "2026-01-02", "data": [],
                    field: sql}
            r = api.post("/api/v1/stats/", [item])
            assert_json_error(r.status, {k.lower(): v for k, v in r.headers}, r.body, (field, sql))
    api.close()


def test_sql_in_free_text_is_stored_verbatim(target):
    """Labels and names are free text: stored and returned byte for byte, nothing else happens."""
    admin = target.admin()
    names = []
    for sql in SQL:
        name = "n" + uuid.uuid4().hex[:6] + sql
        r = admin.post("/api/v1/client/", {"name": name, "is_sharing_enabled": False})
        assert r.status == 201, r
        names.append(name)
        api = target.client(r.json["token"])
        anr = str(uuid.uuid4())
        data = [{"uuid": str(uuid.uuid4()), "label1": sql, "label2": sql + "\u00e9",
                 "label3": None, "label4": None, "count": 1, "maxRisk": 2, "averageRate": "1"}]
        r = api.post("/api/v1/stats/", [{"anr": anr, "type": "threat", "date": "2026-01-02",
                                         "data": data}])
        assert r.status == 201, r
        r = api.get("/api/v1/stats/" + anr)
        assert r.status == 200 and r.json["data"][0]["data"] == data, r
        assert api.get("/api/v1/client/me").json["name"] == name
        api.close()
    listed = {c["name"] for c in json.loads(run_cli(target.env, "client", "list", "--json").stdout)}
    assert set(names) <= listed
    # The clean-up keeps the module's before/after comparison meaningful.
    for c in json.loads(run_cli(target.env, "client", "list", "--json").stdout):
        if c["name"] in names:
            run_cli(target.env, "client", "delete", "--uuid", c["uuid"], "--yes")
    admin.close()


def matches(pattern, path):
    """The router's rule: same segments, "<…>" matching any one non-empty segment,
    "<…>.json" (a placeholder and a suffix) one that ends so with something before."""
    def segment(w, h):
        m = re.fullmatch(r"<[^>]+>(.*)", w)
        return len(h) > len(m.group(1)) and h.endswith(m.group(1)) if m else w == h
    want, have = pattern.strip("/").split("/"), path.strip("/").split("/")
    return len(want) == len(have) and all(segment(w, h) for w, h in zip(want, have))


def test_wrong_methods(target, unchanged):
    for pattern in {route.pattern for route in target.routes}:
        path = fill(pattern)
        # Patterns overlap (/api/v1/stats/processed also matches /api/v1/stats/<anr>).
        allowed = {r.method for r in target.routes if matches(r.pattern, path)}
        if "GET" in allowed:
            allowed = allowed | {"HEAD"}
        for method in WRONG_METHODS:
            if method in allowed:
                continue
            status, headers, body = send(target.port, method, path, {"X-API-KEY": ADMIN_TOKEN})
            what = f"{method} {pattern}"
            assert status == 405, (what, status, body[:200])
            assert_json_error(status, headers, body, what)
            allow = {m.strip() for m in headers["allow"].split(",")}
            assert allow <= allowed and allow, (what, allow)


def test_oversized_headers_and_bodies(target, unchanged):
    big_body = b"[" + b" " * MAX_BODY + b"]"
    for route in target.routes:
        path = fill(route.pattern)
        auth = {"X-API-KEY": ADMIN_TOKEN}
        answer = send(target.port, route.method, path, {**auth, "X-Pad": "a" * 17000})
        assert answer[0] == 431, route
        assert_json_error(*answer, f"{route} big header")
        many = {f"X-Pad-{i}": "b" * 1000 for i in range(18)}
        answer = send(target.port, route.method, path, {**auth, **many})
        assert answer[0] == 431, route
        assert_json_error(*answer, f"{route} many headers")
        answer = send_declared_body(target.port, route.method, path,
                                    {**auth, "Content-Type": "application/json"}, big_body)
        assert answer[0] == 413, route
        assert_json_error(*answer, f"{route} big body")
        # Without Content-Length (chunked): the 413 comes once the body has ended.
        chunked = b"".join(b"%x\r\n%s\r\n" % (len(part), part)
                           for part in (big_body[i:i + 65536]
                                        for i in range(0, len(big_body), 65536))) + b"0\r\n\r\n"
        answer = send(target.port, route.method, path,
                      {**auth, "Content-Type": "application/json", "Transfer-Encoding": "chunked"},
                      chunked, length=False)
        assert answer[0] == 413, route
        assert_json_error(*answer, f"{route} big chunked body")


@pytest.mark.parametrize("token", ["tok-' OR '1'='1", "tok-" + "a" * 10000, "tok-\u00e9\u00ff",
                                   "tok-%00", "tok-" + ADMIN_TOKEN[:-1]])
def test_hostile_tokens_are_403_on_every_authenticated_route(target, unchanged, token):
    for route in target.routes:
        if not route.needs_auth:
            continue
        conn = RawConnection(target.port)
        try:
            head = (f"{route.method} {fill(route.pattern)} HTTP/1.1\r\nHost: x\r\n"
                    f"User-Agent: {MONARC_UA}\r\nConnection: close\r\n").encode()
            conn.send(head + b"X-API-KEY: " + token.encode("utf-8") + b"\r\n\r\n")
            answer = conn.read_response()
        finally:
            conn.close()
        assert answer[0] == 403, (route, token[:20], answer)
        assert_json_error(*answer, f"{route} token {token[:20]}")


# Requests that are not well-formed HTTP/1.1: libmicrohttpd answers them itself (HTML) and
# closes the connection, or just closes it.  The service must survive every one.
PROTOCOL_CASES = {
    "headers over 64 KiB": (b"GET /api/v1/client/me HTTP/1.1\r\nHost: x\r\nX-Pad: "
                            + b"a" * 70000 + b"\r\n\r\n", {431}),
    "URL over 64 KiB": b"GET /api/v1/stats?" + b"a" * 70000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    "Content-Length beyond 64 bits": (b"POST /api/v1/stats HTTP/1.1\r\nHost: x\r\n"
                                      b"Content-Length: 99999999999999999999999\r\n\r\n", {413}),
    "negative Content-Length": (b"POST /api/v1/stats HTTP/1.1\r\nHost: x\r\n"
                                b"Content-Length: -5\r\n\r\n", {400}),
    "bad chunk size": (b"POST /api/v1/stats HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
                       b"\r\nzz\r\nabc\r\n0\r\n\r\n", {400}),
    "TLS handshake": b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + b"\x00" * 40 + b"\r\n\r\n",
    "HTTP/2 preface": (b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", {505}),
    "binary garbage": bytes(range(256)) * 4,
}


@pytest.mark.parametrize("case", PROTOCOL_CASES)
def test_malformed_http_is_refused_by_the_http_layer(target, unchanged, case):
    data = PROTOCOL_CASES[case]
    data, allowed = data if isinstance(data, tuple) else (data, None)
    status, headers, body = send_raw(target.port, data)
    if allowed is not None:
        assert status in allowed, (case, status, body[:200])
    else:
        assert status is None or 400 <= status < 500, (case, status)
    # Still serving.
    assert send(target.port, "GET", "/api/v1/client/me", {"X-API-KEY": ADMIN_TOKEN})[0] == 200


# --- authorisation across clients ----------------------------------------------------------

def owner_view(target):
    """The owner's stats as the owner sees them."""
    api = target.client(target.owner["token"])
    rows = []
    for anr in target.owner_anrs:
        r = api.get("/api/v1/stats/" + anr)
        assert r.status == 200, r
        rows += r.json["data"]
    api.close()
    return sorted(rows, key=lambda s: s["uuid"])


def test_no_route_reaches_another_clients_data(target):
    """Another client, with the owner's ids in every path and parameter, on every
    authenticated route: no answer holds the owner's token, client uuid, name or stats
    uuids (unless the intruder sent that very value), and the owner's stats stay as they
    were."""
    before = owner_view(target)
    intruder, _ = target.new_client("intruder-" + uuid.uuid4().hex[:8])
    owner = target.owner
    secrets = {owner["token"], owner["uuid"], owner["name"],
               *(s["uuid"] for s in target.owner_stats)}
    values = {"anr": target.owner_anrs[0], "client_uuid": owner["uuid"], "uuid": owner["uuid"]}
    wide = {"date_from": "1900-01-01", "date_to": "9999-12-31"}
    bodies = [None] + [{"type": t, "anr": target.owner_anrs[0], **wide} for t in STATS_TYPES] \
        + [{"type": t, "anrs": target.owner_anrs, "get_last": True} for t in STATS_TYPES]
    for route in target.routes:
        if not route.needs_auth:
            continue
        path = fill(route.pattern, values)
        route_bodies = bodies
        if (route.method, route.pattern) == ("POST", "/api/v1/stats"):
            # The owner's analyses and stats uuids, sent as the intruder's own.
            route_bodies = [[{k: v for k, v in s.items() if k != "uuid"}
                             for s in target.owner_stats], [dict(s) for s in target.owner_stats]]
        for body in route_bodies:
            r = intruder.request(route.method, path, body)
            text = r.body.decode("utf-8", "replace")
            sent = path + json.dumps(body)
            leaked = [x for x in secrets if x in text and x not in sent]
            assert not leaked, (route, body, r.status, leaked)
            assert r.status < 500, (route, r)
            if route.pattern.startswith("/admin"):
                assert r.status == 403, (route, r)
    intruder.close()
    assert owner_view(target) == before


def test_processed_stats_of_another_clients_analyses_are_empty(target):
    """Whatever processor: naming the owner's analyses gives the intruder what naming
    analyses nobody has gives it."""
    routes = {(r.method, r.pattern) for r in target.routes}
    if ("GET", "/api/v1/stats/processed") not in routes:
        pytest.skip("no processed stats in this build")
    r = target.client().get("/api/v1/stats/processed/list")
    assert r.status == 200, r
    intruder, _ = target.new_client("intruder-" + uuid.uuid4().hex[:8])
    for proc in r.json:
        base = {"type": proc["type"], "processor": proc["name"], "date_from": "1900-01-01"}
        theirs = intruder.get("/api/v1/stats/processed/", {**base, "anrs": target.owner_anrs})
        nobody = intruder.get("/api/v1/stats/processed/", {**base, "anrs": [str(uuid.uuid4())]})
        assert theirs.status == nobody.status == 200, (proc["name"], theirs, nobody)
        assert theirs.json == nobody.json, proc["name"]
    intruder.close()


# --- failed authentication is rate limited per address --------------------------------------

@pytest.fixture(scope="module")
def limited(tmp_path_factory):
    server = Server("sqlite", tmp_path_factory.mktemp("auth-limit"),
                    {"AUTH_FAILURES_PER_MINUTE": "6", "FIX_PROXY": "0"})
    yield server
    server.stop()


def bad_token():
    return "guess-" + uuid.uuid4().hex


def test_failed_authentications_are_limited_per_address(limited):
    _, good = limited.new_client()
    attacker = limited.client(source="127.0.0.7")
    for _ in range(6):
        assert attacker.get("/api/v1/client/me", token=bad_token()).status == 403
    r = attacker.get("/api/v1/client/me", token=bad_token())
    assert r.status == 429, r
    assert r.json["message"], r
    retry = int(r.header("Retry-After"))
    assert 1 <= retry <= 10, retry  # 6 a minute: one more guess every 10 s
    # While limited, the key is not even looked at: a right guess is not told apart.
    assert attacker.get("/api/v1/client/me", token=good["token"]).status == 429
    # Spoofed X-Forwarded-For changes nothing without FIX_PROXY.
    r = attacker.get("/api/v1/client/me", token=bad_token(),
                     headers={"X-Forwarded-For": "203.0.113.9"})
    assert r.status == 429, r
    # Other addresses are not affected.
    other = limited.client(good["token"], source="127.0.0.8")
    assert other.get("/api/v1/client/me").status == 200
    assert other.get("/api/v1/client/me", token=bad_token()).status == 403
    attacker.close()
    other.close()


def test_successful_authentications_are_never_counted(limited):
    _, good = limited.new_client()
    client = limited.client(good["token"], source="127.0.0.9")
    for _ in range(100):
        assert client.get("/api/v1/client/me").status == 200
    for _ in range(6):
        assert client.get("/api/v1/client/me", token=bad_token()).status == 403
    client.close()


@pytest.mark.skipif(bool(WRAPPER), reason="timing: 100 requests must fit in the refill time")
def test_the_limit_refills_with_time(tmp_path):
    server = Server("sqlite", tmp_path, {"AUTH_FAILURES_PER_MINUTE": "120"})
    try:
        _, good = server.new_client()
        c = server.client(good["token"], source="127.0.0.10")
        statuses = [c.get("/api/v1/client/me", token=bad_token()).status for _ in range(125)]
        assert statuses[:100] == [403] * 100 and 429 in statuses, statuses
        r = c.get("/api/v1/client/me", token=bad_token())
        wait = int(r.header("Retry-After") or 1)
        assert wait == 1, r  # 120 a minute: one more every half second
        time.sleep(1.1)
        assert c.get("/api/v1/client/me").status == 200
        c.close()
    finally:
        server.stop()


@pytest.mark.skipif(bool(WRAPPER), reason="thousands of requests: too slow under a wrapper")
def test_the_limit_table_survives_address_spraying(tmp_path):
    """Behind a proxy (FIX_PROXY), an attacker spraying thousands of forwarded addresses
    does not free its limited address (the table's size is fixed: it cannot grow)."""
    server = Server("sqlite", tmp_path, {"AUTH_FAILURES_PER_MINUTE": "3", "FIX_PROXY": "1"})
    try:
        c = server.client()
        hdr = {"X-Forwarded-For": "198.51.100.1"}
        for _ in range(3):
            assert c.get("/api/v1/client/me", token=bad_token(), headers=hdr).status == 403
        assert c.get("/api/v1/client/me", token=bad_token(), headers=hdr).status == 429
        # More addresses than the table holds (4,096), each /64 a different one (documentation
        # prefix: these are header values, no packet goes anywhere).
        for i in range(SPRAYED_ADDRESSES):
            xff = f"198.51.100.2, 2001:db8:{i >> 16:x}:{i & 0xffff:x}::1"
            r = c.get("/api/v1/client/me", token=bad_token(), headers={"X-Forwarded-For": xff})
            assert r.status == 403, r
        assert c.get("/api/v1/client/me", token=bad_token(), headers=hdr).status == 429
        c.close()
    finally:
        server.stop()


# --- tokens never reach the logs --------------------------------------------------------

def test_tokens_never_appear_in_logs(target, tmp_path):
    """Every token this module used — the admin's, the clients', the wrong ones — is absent
    from the server's log and its stderr, after requests of every kind."""
    _, created = target.new_client("logged-" + uuid.uuid4().hex[:8])
    api = target.client(created["token"])
    api.post("/api/v1/stats/", raw=fixture_raw("risk.json", fresh_anrs()))
    api.get("/api/v1/stats/", {"type": "risk"})
    wrong = "wrong-token-" + uuid.uuid4().hex
    assert target.client(wrong).get("/api/v1/client/me").status == 403
    run_cli(target.env, "client", "token-reset", "--uuid", created["uuid"])
    assert api.get("/api/v1/client/me").status == 403
    api.close()
    logs = (target.log.read_bytes() + (target.tmp / "stderr.txt").read_bytes()).decode()
    assert logs.strip(), "the server logged nothing: the check would be empty"
    for token in (ADMIN_TOKEN, created["token"], target.owner["token"], wrong):
        assert token not in logs, "a token is in the log"
        assert token[-20:] not in logs, "a part of a token is in the log"


def test_the_log_cannot_be_forged_or_garbled(target):
    """Paths are logged; what a client puts in one stays inside one line of UTF-8 text."""
    forged = "2026-01-01 00:00:00,000 ERROR stats.api forged-" + uuid.uuid4().hex
    path = "/nope%0a" + quoted(forged) + "%0d%1b[31m%ff%fe"
    assert send(target.port, "GET", path)[0] == 404
    # The line is written when the server is done with the request, which can be
    # just after the answer reached us (later still under valgrind): wait for it.
    for _ in range(200):
        text = target.log.read_bytes().decode("utf-8")  # raises on bytes that are not UTF-8
        if forged in text:
            break
        time.sleep(0.05)
    assert forged in text
    assert not any(line.startswith(forged) for line in text.splitlines())
    assert "\x1b" not in text
