"""API v1 under a restrictive configuration: MAX_BODY_SIZE, MAX_PAGE_SIZE and
CLIENT_REGISTRATION_OPEN=0 (docs/api.md §Request bodies, §Clients, §Stats; docs/configuration.md).

This module runs its own server (one per backend); it uses no other, because on
PostgreSQL every server of a module shares the test database.
"""
import json
import uuid

import pytest

from conftest import (ADMIN_TOKEN, BACKENDS, MONARC_UA, RawConnection, Server, all_stats, fixture,
                      fixture_raw, fresh_anrs, http_bytes)

MAX_BODY = 64 * 1024
MAX_PAGE = 50
CLOSED = {"message": "Client registration is closed on this instance."}
WIDE = {"date_from": "1900-01-01", "date_to": "9999-12-31"}


@pytest.fixture(scope="module", params=BACKENDS)
def strict(request, tmp_path_factory):
    srv = Server(request.param, tmp_path_factory.mktemp("strict-" + request.param),
                 extra_env={"MAX_BODY_SIZE": "64KiB", "MAX_PAGE_SIZE": str(MAX_PAGE),
                            "CLIENT_REGISTRATION_OPEN": "0"})
    yield srv
    srv.stop()


def batch_of_size(size):
    """A valid MONARC upload (two risk stats, fresh ANRs) padded with blanks to size bytes."""
    raw = fixture_raw("risk.json", fresh_anrs()).encode()
    assert len(raw) <= size
    return raw[:-1] + b" " * (size - len(raw)) + b"]"


def admin_headers(**extra):
    return {"X-API-KEY": ADMIN_TOKEN, "User-Agent": MONARC_UA,
            "Content-Type": "application/json", **extra}


def assert_413(status, body):
    assert status == 413, body
    assert isinstance(json.loads(body)["message"], str)


# --- CLIENT_REGISTRATION_OPEN=0 -----------------------------------------------------

def test_registration_closed_refuses_and_creates_nothing(strict):
    admin = strict.admin()
    token = "refused-token-" + uuid.uuid4().hex
    name = "refused-" + uuid.uuid4().hex[:8]
    r = admin.post("/api/v1/client/", {"name": name, "is_sharing_enabled": True, "token": token})
    assert r.status == 403, r
    assert r.json == CLOSED
    r = admin.post("/api/v1/client", {"name": name})
    assert r.status == 403 and r.json == CLOSED, r
    assert strict.client(token).get("/api/v1/client/me").status == 403
    assert admin.get("/api/v1/client/me").json["role"] == "2"


# --- MAX_BODY_SIZE ------------------------------------------------------------------

def test_body_at_the_limit_is_accepted(strict):
    r = strict.admin().post("/api/v1/stats/", raw=batch_of_size(MAX_BODY))
    assert r.status == 201, r
    assert r.json["metadata"]["created"] == 2


def test_body_over_the_limit_is_413(strict):
    before = all_stats(strict)
    for size in (MAX_BODY + 1, 3 * MAX_BODY):
        r = strict.admin().post("/api/v1/stats/", raw=batch_of_size(size))
        assert r.status == 413, (size, r)
        assert isinstance(r.json["message"], str)
    assert all_stats(strict) == before


def test_body_over_the_limit_without_token_is_still_refused(strict):
    r = strict.client().post("/api/v1/stats/", raw=batch_of_size(2 * MAX_BODY))
    assert r.status in (401, 413), r


def test_chunked_body_over_the_limit_is_413(strict):
    before = all_stats(strict)
    body = batch_of_size(4 * MAX_BODY)
    conn = RawConnection(strict.port)
    try:
        conn.send(http_bytes("POST", "/api/v1/stats/",
                             admin_headers(**{"Transfer-Encoding": "chunked"})))
        for start in range(0, len(body), 8192):
            chunk = body[start:start + 8192]
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            if conn.answered(0.05):
                break
        else:
            conn.send(b"0\r\n\r\n")
        assert_413(*conn.read_response()[::2])
    finally:
        conn.close()
    assert all_stats(strict) == before


def test_chunked_body_under_the_limit_is_accepted(strict):
    body = batch_of_size(MAX_BODY // 2)
    conn = RawConnection(strict.port)
    try:
        conn.send(http_bytes("POST", "/api/v1/stats/",
                             admin_headers(**{"Transfer-Encoding": "chunked"})))
        for start in range(0, len(body), 8192):
            chunk = body[start:start + 8192]
            conn.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        conn.send(b"0\r\n\r\n")
        status, _, answer = conn.read_response()
        assert status == 201, answer
    finally:
        conn.close()


def test_declared_length_over_the_limit_with_100_continue(strict):
    before = all_stats(strict)
    body = batch_of_size(2 * MAX_BODY)
    conn = RawConnection(strict.port)
    try:
        conn.send(http_bytes("POST", "/api/v1/stats/",
                             admin_headers(**{"Expect": "100-continue",
                                              "Content-Length": len(body)}), length=False))
        status, _, answer = conn.read_response()
        if status == 100:  # allowed, though pointless: then the body is refused
            conn.send(body)
            status, _, answer = conn.read_response()
        assert_413(status, answer)
    finally:
        conn.close()
    assert all_stats(strict) == before


def test_connection_after_a_413_is_usable_or_closed(strict):
    conn = RawConnection(strict.port)
    try:
        conn.send(http_bytes("POST", "/api/v1/stats/", admin_headers(),
                             batch_of_size(MAX_BODY + 1000)))
        assert_413(*conn.read_response()[::2])
        try:
            conn.send(http_bytes("GET", "/api/v1/client/me", admin_headers()))
            status, _, answer = conn.read_response()
        except (EOFError, ConnectionError):
            return  # closed: fine
        assert status == 200, answer
    finally:
        conn.close()


# --- MAX_PAGE_SIZE ------------------------------------------------------------------

def test_page_size_limit(strict):
    admin = strict.admin()
    anrs = [str(uuid.uuid4()) for _ in range(MAX_PAGE + 10)]
    base = fixture("risk.json")[0]
    r = admin.post("/api/v1/stats/", [{**base, "anr": anr} for anr in anrs])
    assert r.status == 201, r
    query = {"type": "risk", "anrs": anrs, **WIDE}
    for params, count in (({}, 60), ({"limit": 0}, 60), ({"limit": MAX_PAGE}, MAX_PAGE),
                          ({"limit": str(MAX_PAGE), "offset": 20}, 40)):
        r = admin.get("/api/v1/stats/", {**query, **params})
        assert r.status == 200, (params, r)
        assert r.json["metadata"]["count"] == count and r.json["metadata"]["total"] == 60
    for limit in (MAX_PAGE + 1, str(MAX_PAGE + 1), 100000):
        r = admin.get("/api/v1/stats/", {**query, "limit": limit})
        assert r.status == 400 and "limit" in r.body.decode(), (limit, r)
