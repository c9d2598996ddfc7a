"""Compression over HTTP: which form of an answer a client gets, by its Accept-Encoding.

Static files carry a gzip form made at build time; pages, the OpenAPI document and the
public JSON are compressed at run time (the public JSON once per change, in the answer
cache).  Each check decodes the gzip form and compares it with the identity form
byte for byte, and looks at what caches rely on: Vary, distinct ETags, 304s.  MONARC's
/api/v1 answers never change form, whatever the client sends.
"""
import gzip
import uuid

import pytest

from conftest import BACKENDS, MONARC_UA, Server, server_today
from test_processed import Stored, generate

BIG_ASSET = "/static/vendor/chart.umd.min.js"
FONT = "/static/fonts/inter-latin-400-normal.woff2"


@pytest.fixture(scope="module", params=BACKENDS)
def server(request, tmp_path_factory):
    """Three sharing clients with a few days of stats: public answers over 1 KiB."""
    srv = Server(request.param, tmp_path_factory.mktemp(f"compression-{request.param}"))
    today = server_today(srv).isoformat()
    for seed in range(3):
        api, _ = srv.new_client()
        Stored().upload(api, generate(seed, [str(uuid.uuid4()) for _ in range(2)], [today]))
    yield srv
    srv.stop()


def fetch(server, path, accept_encoding=None, headers=None, method="GET"):
    c = server.client(user_agent="Mozilla/5.0")
    r = c.request(method, path, headers=dict(headers or {}, **{"Accept-Encoding": accept_encoding}))
    c.close()
    return r


def vary(r):
    return [v.strip().lower() for v in (r.header("Vary") or "").split(",")]


@pytest.mark.parametrize("path", [BIG_ASSET, "/", "/evolution", "/api/v1/swagger.json",
                                  "/stats/threats.json", "/stats/vulnerabilities.json"])
def test_gzip_decodes_to_the_identity_bytes(server, path):
    plain = fetch(server, path)
    packed = fetch(server, path, "gzip, deflate, br")
    assert plain.status == packed.status == 200
    assert plain.header("Content-Encoding") is None
    assert packed.header("Content-Encoding") == "gzip"
    assert len(plain.body) > 1024 and len(packed.body) < len(plain.body) / 2, (len(plain.body), len(packed.body))
    assert gzip.decompress(packed.body) == plain.body
    assert packed.header("Content-Type") == plain.header("Content-Type")
    assert "accept-encoding" in vary(plain) and "accept-encoding" in vary(packed)


@pytest.mark.parametrize("accept,coding", [
    (None, None),                              # MONARC, curl, scripts: as before
    ("gzip", "gzip"),
    ("GZip", "gzip"),
    ("x-gzip", "gzip"),
    ("deflate, gzip;q=0.8", "gzip"),
    ("*", "gzip"),
    ("br", None),                              # a coding the service does not make
    ("gzip;q=0", None),
    ("gzip;q=0.5, identity", None),            # identity preferred
    ("gzip, identity;q=0.5", "gzip"),
    ("identity", None),
    ("*;q=0, identity", None),
    ("identity;q=0, gzip", "gzip"),
    ("*;q=0, gzip", "gzip"),
])
def test_negotiation_by_quality(server, accept, coding):
    for path in (BIG_ASSET, "/", "/stats/threats.json"):
        r = fetch(server, path, accept)
        assert r.status == 200
        assert r.header("Content-Encoding") == coding, (path, accept)


def test_tiny_answers_go_as_they_are_unless_identity_is_refused(tmp_path):
    srv = Server("sqlite", tmp_path)   # no stats: the public answers are a few bytes
    try:
        plain = fetch(srv, "/stats/threats.json")
        assert len(plain.body) < 1024
        r = fetch(srv, "/stats/threats.json", "gzip")
        assert r.header("Content-Encoding") is None and r.body == plain.body
        assert "accept-encoding" in vary(r)
        r = fetch(srv, "/stats/threats.json", "gzip, identity;q=0")
        assert r.header("Content-Encoding") == "gzip"
        assert gzip.decompress(r.body) == plain.body
    finally:
        srv.stop()


def test_files_compressed_already_are_sent_as_they_are(server):
    r = fetch(server, FONT, "gzip")
    assert r.status == 200 and r.header("Content-Encoding") is None
    assert r.body == fetch(server, FONT).body
    assert r.header("Vary") is None     # one form only


@pytest.mark.parametrize("path", [BIG_ASSET, "/stats/threats.json", "/stats/vulnerabilities.json"])
def test_each_form_has_its_etag_and_its_304(server, path):
    plain = fetch(server, path)
    packed = fetch(server, path, "gzip")
    etag, gz_etag = plain.header("ETag"), packed.header("ETag")
    assert etag and gz_etag and etag != gz_etag
    # Revalidation: each form is validated by its own tag.
    r = fetch(server, path, "gzip", {"If-None-Match": gz_etag})
    assert r.status == 304 and r.body == b"" and r.header("ETag") == gz_etag
    assert "accept-encoding" in vary(r)
    r = fetch(server, path, None, {"If-None-Match": etag})
    assert r.status == 304 and r.header("ETag") == etag
    # A tag of the other form does not validate this one: the full answer comes back.
    r = fetch(server, path, None, {"If-None-Match": gz_etag})
    assert r.status == 200 and r.body == plain.body
    r = fetch(server, path, "gzip", {"If-None-Match": etag})
    assert r.status == 200 and gzip.decompress(r.body) == plain.body


def test_cached_public_answer_keeps_its_compressed_form(server):
    """Served from the answer cache, the gzip form is the same bytes each time."""
    first = fetch(server, "/stats/threats.json", "gzip")
    again = fetch(server, "/stats/threats.json", "gzip")
    assert first.body == again.body and first.header("ETag") == again.header("ETag")
    assert first.header("Last-Modified") == again.header("Last-Modified")


@pytest.mark.parametrize("first", [None, "gzip"])
def test_gzip_form_made_with_the_answer_or_on_a_later_hit(server, first):
    """The gzip form is made when a client first takes it: with the answer when the
    first client takes gzip, else on a later hit (then kept).  Either way it holds
    the identity bytes, under the identity ETag with "-gzip"."""
    path = "/stats/vulnerabilities.json?days=%d" % (301 if first else 302)   # answers of their own
    forms = [fetch(server, path, first), fetch(server, path, "gzip"), fetch(server, path, "gzip"),
             fetch(server, path)]
    plain = forms[3]
    assert plain.header("Content-Encoding") is None
    for r in forms[1:3]:
        assert r.status == 200 and r.header("Content-Encoding") == "gzip"
        assert gzip.decompress(r.body) == plain.body
        assert r.header("ETag") == plain.header("ETag")[:-1] + '-gzip"'
    assert forms[1].body == forms[2].body
    assert forms[0].header("Last-Modified") == plain.header("Last-Modified")


def test_head_tells_the_encoding(server):
    r = fetch(server, BIG_ASSET, "gzip", method="HEAD")
    assert r.status == 200 and r.body == b"" and r.header("Content-Encoding") == "gzip"


def test_monarc_api_answers_never_change_form(server):
    """The /api/v1 answers MONARC reads are sent as they were, even to a client that
    takes gzip, and name no Vary."""
    admin = server.admin()
    for accept in (None, "gzip", "gzip, identity;q=0"):
        headers = {"Accept-Encoding": accept}
        for path, body in (("/api/v1/stats/", {"type": "threat", "date_from": "1900-01-01"}),
                           ("/api/v1/stats/processed/", {"type": "threat",
                                                         "processor": "threat_average_on_date"}),
                           ("/api/v1/client/me", None), ("/api/v1/stats/processed/list", None)):
            r = admin.get(path, body, headers=headers)
            assert r.status == 200, (path, r)
            assert r.header("Content-Encoding") is None and r.header("Vary") is None, (path, accept)
            assert r.body[:1] in (b"{", b"["), path
    monarc = server.client(user_agent=MONARC_UA)
    assert monarc.get("/api/v1/stats/processed/list").header("Content-Encoding") is None
