"""API v1 over HTTP: routing, errors, body and header limits, 100-continue,
keep-alive, authentication and the MONARC version gate
(docs/api.md §Request bodies, §Authentication, §Errors).

Keep-alive and 100-continue are checked on raw sockets: http.client would hide a
desynchronised connection by reconnecting.
"""
import json
import uuid

import pytest

from conftest import (ADMIN_TOKEN, FIXTURE_DATE, MONARC_UA, RawConnection, fixture_raw, fresh_anrs,
                      http_bytes, run_cli)

UNAUTHORIZED = {"message": "Unauthorized - Authentication required."}
FORBIDDEN = {"message": "Forbidden - Authentication failed."}
OLD_MONARC = {"message": "This service requires use of MONARC version >= 2.10.2."}
WIDE = {"date_from": "1900-01-01", "date_to": "9999-12-31"}


def assert_error(r, status, exact=None):
    """An error answer: the status, and a JSON {"message": ...[, "errors": [...]]} body."""
    assert r.status == status, r
    assert r.header("Content-Type").startswith("application/json"), r.headers
    body = r.json
    assert isinstance(body.get("message"), str) and body["message"], body
    assert set(body) <= {"message", "errors"}, body
    if exact is not None:
        assert {"message": body["message"]} == exact, body


def monarc_headers(token, **extra):
    return {"X-API-KEY": token, "User-Agent": MONARC_UA, "Content-Type": "application/json",
            **extra}


def me_request(token):
    return http_bytes("GET", "/api/v1/client/me", {"X-API-KEY": token, "User-Agent": MONARC_UA})


def assert_me(answer, client):
    status, headers, body = answer
    assert status == 200, (status, body)
    assert json.loads(body)["uuid"] == client["uuid"]


# --- routing ------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/api/v1/nope", "/api/v1/stats/processed/nope/more",
                                  "/api/v2/stats/", "/nope", "/api/v1/client/me/more",
                                  "/api/v1/stats/6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f/x"])
def test_unknown_route_is_a_json_404(server, path):
    api, _ = server.new_client()
    assert_error(api.get(path), 404)
    assert_error(server.client().get(path), 404)


def test_browser_gets_an_html_404_outside_the_api(server):
    browser = server.client(user_agent="Mozilla/5.0")
    accept = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
    r = browser.get("/no-such-page-" + uuid.uuid4().hex, headers=accept)
    assert r.status == 404, r
    assert r.header("Content-Type").startswith("text/html"), r.headers
    assert b"<html" in r.body.lower()
    assert_error(browser.get("/api/v1/no-such-route", headers=accept), 404)
    assert_error(browser.get("/no-such-page", headers={"Accept": "application/json"}), 404)


@pytest.mark.parametrize("method,path,allowed", [
    ("PUT", "/api/v1/stats/", {"GET", "POST"}),
    ("DELETE", "/api/v1/stats", {"GET", "POST"}),
    ("POST", "/api/v1/client/me", {"GET", "PATCH"}),
    ("DELETE", "/api/v1/client/me/", {"GET", "PATCH"}),
    ("GET", "/api/v1/client/", {"POST"}),
    ("POST", "/api/v1/stats/6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f", {"GET", "DELETE"}),
    ("PATCH", "//api/v1/stats/6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f/", {"GET", "DELETE"}),
])
def test_wrong_method_is_405_with_allow(server, method, path, allowed):
    api, _ = server.new_client()
    r = api.request(method, path)
    assert_error(r, 405)
    assert {m.strip() for m in r.header("Allow").split(",")} >= allowed, r.headers


# --- request bodies -----------------------------------------------------------------

@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded",
                                          "application/jsonx", "text/json"])
def test_body_that_is_not_declared_json_is_415(server, content_type):
    api, _ = server.new_client()
    raw = fixture_raw("risk.json", fresh_anrs())
    r = api.post("/api/v1/stats/", raw=raw, headers={"Content-Type": content_type})
    assert_error(r, 415)
    r = api.get("/api/v1/stats/", raw='{"type":"risk"}', headers={"Content-Type": content_type})
    assert_error(r, 415)
    assert api.get("/api/v1/stats/", {"type": "risk", **WIDE}).json["data"] == []


def test_client_bodies_must_be_declared_json(server):
    api, created = server.new_client()
    r = api.request("PATCH", "/api/v1/client/me", raw='{"is_sharing_enabled":false}',
                    headers={"Content-Type": "text/plain"})
    assert_error(r, 415)
    assert api.get("/api/v1/client/me").json["is_sharing_enabled"] is True
    name = "plain-" + uuid.uuid4().hex[:8]
    r = server.admin().post("/api/v1/client/", raw=json.dumps({"name": name}),
                            headers={"Content-Type": "text/plain"})
    assert_error(r, 415)
    assert server.admin().post("/api/v1/client/", {"name": name}).status == 201


@pytest.mark.parametrize("content_type", ["application/json; charset=utf-8", "Application/JSON",
                                          "application/json;charset=UTF-8"])
def test_json_content_type_parameters_are_ignored(server, content_type):
    api, _ = server.new_client()
    r = api.post("/api/v1/stats/", raw=fixture_raw("risk.json", fresh_anrs()),
                 headers={"Content-Type": content_type})
    assert r.status == 201, r


def test_request_without_body_needs_no_content_type(server):
    api, _ = server.new_client()
    r = api.get("/api/v1/stats/?type=risk")
    assert r.status == 200, r


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400", "-1e400",
                                    "99999999999999999999", "-99999999999999999999",
                                    "9223372036854775808"])
def test_non_finite_or_huge_numbers_are_400(server, number):
    api, _ = server.new_client()
    raw = fixture_raw("threat.json", fresh_anrs()).replace('"maxRisk":32', f'"maxRisk":{number}', 1)
    assert f'"maxRisk":{number}' in raw
    assert_error(api.post("/api/v1/stats/", raw=raw), 400)
    assert_error(api.get("/api/v1/stats/", raw=f'{{"type":"risk","limit":{number}}}'), 400)
    assert api.get("/api/v1/stats/", {"type": "threat", **WIDE}).json["data"] == []


def test_largest_64_bit_integers_are_numbers(server):
    api, _ = server.new_client()
    raw = fixture_raw("threat.json", fresh_anrs()).replace('"maxRisk":32',
                                                          '"maxRisk":9223372036854775807', 1)
    assert '"maxRisk":9223372036854775807' in raw
    assert api.post("/api/v1/stats/", raw=raw).status == 201


@pytest.mark.parametrize("depth", [10000, 65])
def test_deep_nesting_is_400(server, depth):
    api, _ = server.new_client()
    for raw in ("[" * depth, "[" * depth + "]" * depth):
        assert_error(api.post("/api/v1/stats/", raw=raw), 400)
        assert_error(api.get("/api/v1/stats/", raw='{"type":' + raw + "}"), 400)
    assert api.get("/api/v1/client/me").status == 200


@pytest.mark.parametrize("bad", [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
                                 b"\xc0\xaf"])
def test_invalid_utf8_is_400(server, bad):
    api, _ = server.new_client()
    raw = fixture_raw("threat.json", fresh_anrs()).encode()
    raw = raw.replace(b'"Error in use"', b'"Error ' + bad + b' in use"', 1)
    assert_error(api.post("/api/v1/stats/", raw=raw), 400)
    assert api.get("/api/v1/stats/", {"type": "threat", **WIDE}).json["data"] == []


def test_lone_surrogate_escape_never_makes_invalid_utf8(server):
    api, _ = server.new_client()
    raw = fixture_raw("threat.json", fresh_anrs())
    raw = raw.replace('"Error in use"', '"Error \\ud800 in use"', 1)
    r = api.post("/api/v1/stats/", raw=raw)
    if r.status != 400:
        assert r.status == 201, r
        r.body.decode("utf-8")
        stored = api.get("/api/v1/stats/", {"type": "threat", **WIDE})
        stored.body.decode("utf-8")  # strict


def test_headers_over_16_kib_are_431(server):
    api, _ = server.new_client()
    r = api.get("/api/v1/client/me", headers={"X-Padding": "a" * 17000})
    assert_error(r, 431)
    many = {f"X-Pad-{i}": "b" * 1000 for i in range(18)}
    assert_error(api.get("/api/v1/client/me", headers=many), 431)
    assert api.get("/api/v1/client/me", headers={"X-Padding": "a" * 8000}).status == 200


# --- authentication ---------------------------------------------------------------

ROUTES = [("GET", "/api/v1/client/me", None), ("PATCH", "/api/v1/client/me", {"name": "x"}),
          ("POST", "/api/v1/client/", {"name": "x"}), ("GET", "/api/v1/stats/", {"type": "risk"}),
          ("POST", "/api/v1/stats/", []),
          ("GET", "/api/v1/stats/6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f", None),
          ("DELETE", "/api/v1/stats/6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f", None)]


@pytest.mark.parametrize("method,path,body", ROUTES)
def test_missing_or_empty_key_is_401(server, method, path, body):
    anonymous = server.client()
    assert_error(anonymous.request(method, path, body), 401, UNAUTHORIZED)
    assert_error(anonymous.request(method, path, body, token=""), 401, UNAUTHORIZED)


@pytest.mark.parametrize("method,path,body", ROUTES)
def test_unknown_key_is_403(server, method, path, body):
    stranger = server.client("unknown-token-" + uuid.uuid4().hex)
    assert_error(stranger.request(method, path, body), 403, FORBIDDEN)


def test_key_header_name_is_case_insensitive(server):
    api, created = server.new_client()
    for name in ("x-api-key", "X-Api-Key", "X-API-KEY", "x-API-key"):
        r = server.client().get("/api/v1/client/me", headers={name: created["token"]})
        assert r.status == 200, (name, r)
        assert r.json["token"] == created["token"]


def test_a_key_with_other_case_or_spaces_is_another_key(server):
    _, created = server.new_client()
    for token in (created["token"].upper(), created["token"] + "x", created["token"][:-1]):
        if token != created["token"]:
            assert_error(server.client(token).get("/api/v1/client/me"), 403, FORBIDDEN)


def test_reset_token_stops_working(server):
    api, created = server.new_client()
    run_cli(server.env, "client", "token-reset", "--uuid", created["uuid"])
    assert_error(server.client(created["token"]).get("/api/v1/client/me"), 403, FORBIDDEN)


# --- the MONARC version gate ------------------------------------------------------

@pytest.mark.parametrize("agent", ["MONARC/2.10.1", "MONARC/2.9.15", "MONARC/1.0.0",
                                   "GuzzleHttp/7.4 MONARC/2.9.0",
                                   "MONARC/0.1"])
def test_old_monarc_is_426_before_authentication(server, agent):
    api, created = server.new_client()
    for token in (created["token"], None, "", "unknown-token-" + uuid.uuid4().hex, ADMIN_TOKEN):
        client = server.client(token, user_agent=agent)
        for method, path, body in ROUTES:
            assert_error(client.request(method, path, body), 426, OLD_MONARC)


@pytest.mark.parametrize("agent", ["MONARC/2.10.2", "MONARC/2.10.10", "MONARC/2.14.1",
                                   "MONARC/10.0.0", "MONARC/3", "MONARC/x.y", "MONARC/",
                                   "curl/8.1.2", "Mozilla/5.0 (X11; Linux x86_64)",
                                   "GuzzleHttp/7.4 MONARC/2.12.0", None])
def test_other_agents_are_let_through(server, agent):
    api, created = server.new_client()
    r = server.client(created["token"], user_agent=agent).get("/api/v1/client/me")
    assert r.status == 200, r
    assert r.json["uuid"] == created["uuid"]
    assert_error(server.client(None, user_agent=agent).get("/api/v1/client/me"), 401,
                 UNAUTHORIZED)


# --- 100-continue and keep-alive ----------------------------------------------------

def big_batch(min_size):
    """Distinct full MONARC batches (fresh ANRs) joined until the text passes min_size."""
    parts, size = [], 2
    while size <= min_size:
        part = fixture_raw("full-batch.json", fresh_anrs())[1:-1]
        parts.append(part)
        size += len(part) + 1
    return "[" + ",".join(parts) + "]", 10 * len(parts)


def test_big_upload_with_100_continue(server):
    api, created = server.new_client()
    body, n_items = big_batch(1024 * 1024 + 1)
    body = body.encode()
    conn = RawConnection(server.port)
    try:
        head = http_bytes("POST", "/api/v1/stats/", monarc_headers(
            created["token"], **{"Expect": "100-continue", "Content-Length": len(body)}),
            length=False)
        conn.send(head)
        status, _, _ = conn.read_response()
        assert status == 100
        conn.send(body)
        status, headers, answer = conn.read_response()
        assert status == 201, answer[:300]
        meta = json.loads(answer)["metadata"]
        assert meta["count"] == n_items and meta["created"] == n_items
        # The same connection goes on (MONARC's keep-alive).
        conn.send(me_request(created["token"]))
        assert_me(conn.read_response(), created)
    finally:
        conn.close()
    r = api.get("/api/v1/stats/", {"type": "risk", **WIDE, "limit": 1})
    assert r.json["metadata"]["total"] == n_items // 5


def test_several_requests_on_one_connection(server):
    api, created = server.new_client()
    token = created["token"]
    conn = RawConnection(server.port)
    try:
        raw = fixture_raw("risk.json", fresh_anrs())
        on_fixture_date = json.dumps({"type": "risk", "date_from": FIXTURE_DATE, "date_to": FIXTURE_DATE})
        requests = [me_request(token),
                    http_bytes("GET", "/api/v1/stats/", monarc_headers(token), on_fixture_date),
                    http_bytes("POST", "/api/v1/stats/", monarc_headers(token), raw),
                    http_bytes("GET", "/api/v1/stats/", monarc_headers(token), on_fixture_date),
                    http_bytes("GET", "/api/v1/nope", monarc_headers(token)),
                    me_request(token)]
        answers = []
        for request in requests:
            conn.send(request)
            answers.append(conn.read_response())
        assert [a[0] for a in answers] == [200, 200, 201, 200, 404, 200]
        assert json.loads(answers[1][2])["data"] == []
        assert len(json.loads(answers[3][2])["data"]) == 2
        assert_me(answers[5], created)
    finally:
        conn.close()


def test_pipelined_requests_are_answered_in_order(server):
    _, created = server.new_client()
    token = created["token"]
    conn = RawConnection(server.port)
    try:
        conn.send(me_request(token) + http_bytes("GET", "/api/v1/stats/", monarc_headers(token),
                                                 '{"type":"risk"}') + me_request(token))
        first, second, third = (conn.read_response() for _ in range(3))
        assert_me(first, created)
        assert second[0] == 200 and json.loads(second[2])["data"] == []
        assert_me(third, created)
    finally:
        conn.close()


# A body that would read as a request if the server lost track of where it ends.
SMUGGLED = b"GET /api/v1/smuggled HTTP/1.1\r\nHost: x\r\n\r\n"


@pytest.mark.parametrize("case", ["401", "403", "426", "415", "404", "405"])
def test_early_error_answers_keep_the_connection_in_sync(server, case):
    _, created = server.new_client()
    token = created["token"]
    headers = {"401": {"User-Agent": MONARC_UA, "Content-Type": "application/json"},
               "403": monarc_headers("unknown-" + uuid.uuid4().hex),
               "426": {**monarc_headers(token), "User-Agent": "MONARC/2.9.0"},
               "415": {**monarc_headers(token), "Content-Type": "text/plain"},
               "404": monarc_headers(token),
               "405": monarc_headers(token)}[case]
    path = {"404": "/api/v1/nowhere", "405": "/api/v1/client/me"}.get(case, "/api/v1/stats/")
    for body in (SMUGGLED, fixture_raw("full-batch.json", fresh_anrs()).encode() * 40):
        conn = RawConnection(server.port)
        try:
            try:
                conn.send(http_bytes("POST", path, headers, body))
            except ConnectionError:
                pass  # closed after an early answer, which must still be readable
            status, _, answer = conn.read_response()
            assert status == int(case), answer
            assert "message" in json.loads(answer)
            try:
                conn.send(me_request(token))
                follow_up = conn.read_response()
            except (EOFError, ConnectionError):
                follow_up = None
            if follow_up is not None:  # closed is acceptable, desynchronised is not
                assert_me(follow_up, created)
        finally:
            conn.close()


@pytest.mark.parametrize("case", ["401", "426"])
def test_early_error_with_100_continue(server, case):
    """The client waits for 100 Continue; the server may answer at once instead."""
    _, created = server.new_client()
    token = created["token"]
    headers = {"401": {"User-Agent": MONARC_UA, "Content-Type": "application/json"},
               "426": {**monarc_headers(token), "User-Agent": "MONARC/2.9.0"}}[case]
    body = fixture_raw("full-batch.json", fresh_anrs()).encode() * 100
    conn = RawConnection(server.port)
    try:
        conn.send(http_bytes("POST", "/api/v1/stats/", {**headers, "Expect": "100-continue",
                                                        "Content-Length": len(body)},
                             length=False))
        status, answer_headers, answer = conn.read_response()
        if status == 100:
            conn.send(body)
            status, _, answer = conn.read_response()
            assert status == int(case), answer
            conn.send(me_request(token))
            assert_me(conn.read_response(), created)
            return
        assert status == int(case), answer
        if answer_headers.get("connection", "").lower() == "close":
            return
        # Answered at once, keeping the connection: the server then reads and discards
        # the body (RFC 9110 §10.1.1), or closes; never takes the body for a request.
        try:
            conn.send(body + me_request(token))
            follow_up = conn.read_response()
        except (EOFError, ConnectionError):
            return
        assert_me(follow_up, created)
    finally:
        conn.close()


def test_a_404_for_a_browser_keeps_the_connection(server):
    conn = RawConnection(server.port)
    try:
        for _ in range(3):
            conn.send(http_bytes("GET", "/nope", {"Accept": "text/html"}))
            assert conn.read_response()[0] == 404
    finally:
        conn.close()
