"""Public stats JSON (docs/api.md §Public JSON): each endpoint and
parameter against the reference processors over the sharing clients' stats
(with their sample sizes, docs/privacy.md; these servers run without the floor),
no private data, cache validators and 304, invalidation after changes — also
across two instances on one database.
"""
import datetime
import email.utils
import json
import re
import uuid

import pytest

from conftest import BACKENDS, Server, run_cli, server_today
from processors_ref import PROCESSORS, assert_close, latest_per_anr, with_public_view
from test_processed import Stored, generate

ROUTES = {"threats": "threat", "vulnerabilities": "vulnerability", "risks": "risk",
          "cartography": "cartography", "compliance": "compliance"}
DEFAULTS = {"threat": "threat_average_on_date", "vulnerability": "vulnerability_average_on_date",
            "risk": "risk_averages", "cartography": "cartography_totals", "compliance": "compliance_averages"}


@pytest.fixture(params=BACKENDS)
def fresh(request, tmp_path):
    """A server of its own: public answers cover every client, so tests must own the database."""
    srv = Server(request.param, tmp_path)
    yield srv
    srv.stop()


def remote_client(server, name):
    """A client that is not local (it holds stats pulled from elsewhere), through the CLI."""
    out = run_cli(server.env, "client", "create", "--name", name, "--remote").stdout
    fields = dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)
    return server.client(fields["token"]), fields


def get_public(server, route, query="", status=200, headers=None):
    r = server.client(token=None, user_agent=None).get(f"/stats/{route}.json{query}", headers=headers)
    assert r.status == status, r
    return r


def days_ago(today, n):
    return (today - datetime.timedelta(days=n)).isoformat()


@pytest.fixture
def landscape(fresh):
    """A (sharing, local), B (not sharing), C (sharing, not local), each with generated
    stats over the last 12 days and one old day; returns what each stored."""
    today = server_today(fresh)
    dates = [days_ago(today, n) for n in (400, 11, 9, 6, 3, 1, 0)]
    a, a_obj = fresh.new_client()
    b, b_obj = fresh.new_client(sharing=False)
    c, c_obj = remote_client(fresh, "remote-" + uuid.uuid4().hex[:8])
    stored = Stored()
    for seed, (api, name) in enumerate(((a, "a"), (b, "b"), (c, "c"))):
        anrs = [str(uuid.uuid4()) for _ in range(3)]
        items = generate(10 + seed, anrs, dates)
        for i in range(0, len(items), 60):
            stored.upload(api, items[i:i + 60], client=name)
    return {"server": fresh, "stored": stored, "today": today,
            "private": [a_obj["name"], a_obj["token"], b_obj["name"], c_obj["name"], c_obj["token"]] +
                       sorted({s["anr"] for s in stored.stats})}


def expected(land, stats_type, processor, days=365, last=False, local=False):
    clients = {"a"} if local else {"a", "c"}
    previous = None
    if last:
        chosen = latest_per_anr(land["stored"].select(stats_type, clients=clients))
    else:
        chosen = land["stored"].select(stats_type, clients=clients, date_from=days_ago(land["today"], days),
                                       date_to=land["today"].isoformat())
        # The trend's period: the days + 1 dates before.
        previous = land["stored"].select(stats_type, clients=clients, date_from=days_ago(land["today"], 2 * days + 1),
                                         date_to=days_ago(land["today"], days + 1))
    return with_public_view(PROCESSORS[processor][1](chosen), chosen, stats_type, previous)


def test_each_endpoint_and_parameter(landscape):
    srv = landscape["server"]
    for route, stats_type in ROUTES.items():
        processor = DEFAULTS[stats_type]
        assert_close(get_public(srv, route).json, expected(landscape, stats_type, processor))
        assert_close(get_public(srv, route, "?days=5").json, expected(landscape, stats_type, processor, days=5))
        assert_close(get_public(srv, route, "?last_stats=1").json,
                     expected(landscape, stats_type, processor, last=True))
        assert_close(get_public(srv, route, "?local_stats_only=1&days=10").json,
                     expected(landscape, stats_type, processor, days=10, local=True))
        assert_close(get_public(srv, route, f"?processor={processor}&days=0").json,
                     expected(landscape, stats_type, processor, days=0))
    assert_close(get_public(srv, "risks", "?processor=risk_averages_on_date&days=30").json,
                 expected(landscape, "risk", "risk_averages_on_date", days=30))


def test_bad_parameters_are_json_400(landscape):
    srv = landscape["server"]
    r = get_public(srv, "risks", "?processor=nope", status=400)
    assert "risk_averages_on_date" in r.json["message"]
    r = get_public(srv, "risks", "?processor=threat_average_on_date", status=400)
    assert r.json["message"] == "Processor 'threat_average_on_date' can not be used with type 'risk'."
    for query in ("?days=-1", "?days=ten", "?last_stats=maybe", "?colour=red", "?days=99999999"):
        assert get_public(srv, "threats", query, status=400).header("Content-Type") == "application/json"


def test_no_private_data(landscape):
    srv = landscape["server"]
    bodies = [get_public(srv, route, q).body.decode() for route in ROUTES
              for q in ("", "?last_stats=1", "?local_stats_only=1")]
    bodies.append(srv.client(token=None, user_agent=None).get("/map/clients.json").body.decode())
    for secret in landscape["private"]:
        assert not any(secret in body for body in bodies), secret


def test_validators_and_304(fresh):
    api, _ = fresh.new_client()
    today = server_today(fresh).isoformat()
    Stored().upload(api, generate(5, [str(uuid.uuid4())], [today]))
    r = get_public(fresh, "threats")
    etag, modified = r.header("ETag"), r.header("Last-Modified")
    assert re.fullmatch(r'"[0-9a-f]{16}"', etag), etag
    assert email.utils.parsedate_to_datetime(modified) is not None
    assert r.header("Cache-Control") == "public, no-cache"
    again = get_public(fresh, "threats")
    assert again.body == r.body and again.header("ETag") == etag and again.header("Last-Modified") == modified
    for headers in ({"If-None-Match": etag}, {"If-None-Match": f'"other", W/{etag}'}, {"If-None-Match": "*"},
                    {"If-Modified-Since": modified}):
        not_modified = get_public(fresh, "threats", status=304, headers=headers)
        assert not_modified.body == b"" and not_modified.header("ETag") == etag
    assert get_public(fresh, "threats", headers={"If-None-Match": '"0000000000000000"'}).body == r.body
    earlier = email.utils.format_datetime(email.utils.parsedate_to_datetime(modified) -
                                          datetime.timedelta(seconds=10), usegmt=True)
    assert get_public(fresh, "threats", headers={"If-Modified-Since": earlier}).body == r.body
    # Another query is another entry, with its own tag.
    assert get_public(fresh, "threats", "?days=1").header("ETag") == etag  # same data, same body
    assert get_public(fresh, "threats", "?last_stats=true").status == 200


def test_cache_follows_changes(fresh):
    api, obj = fresh.new_client()
    today = server_today(fresh).isoformat()
    anr = str(uuid.uuid4())
    threat = "b402d4e0-4576-11e9-9173-0800277f0571"

    def upload(count):
        item = {"anr": anr, "type": "threat", "date": today,
                "data": [{"uuid": threat, "label1": "x", "count": count, "maxRisk": 1, "averageRate": 1}]}
        assert api.post("/api/v1/stats/", [item]).status == 201

    upload(4)
    first = get_public(fresh, "threats")
    risks = get_public(fresh, "risks")
    assert first.json[0]["averages"]["count"] == 4
    upload(4)  # the same data again: nothing changed, the cached answer stays
    assert get_public(fresh, "threats").header("Last-Modified") == first.header("Last-Modified")
    upload(6)
    second = get_public(fresh, "threats")
    assert second.json[0]["averages"]["count"] == 6 and second.header("ETag") != first.header("ETag")
    # Another type's answer is still the cached one.
    assert get_public(fresh, "risks").header("Last-Modified") == risks.header("Last-Modified")
    # Sharing switched off: the client's stats leave the public view at once.
    assert api.request("PATCH", "/api/v1/client/me", {"is_sharing_enabled": False}).status in (200, 201)
    assert get_public(fresh, "threats").json == []
    assert api.request("PATCH", "/api/v1/client/me", {"is_sharing_enabled": True}).status in (200, 201)
    assert get_public(fresh, "threats").json[0]["averages"]["count"] == 6
    assert api.request("DELETE", f"/api/v1/stats/{anr}").status == 204
    assert get_public(fresh, "threats").json == []
    upload(8)
    assert get_public(fresh, "threats").json[0]["averages"]["count"] == 8
    run_cli(fresh.env, "client", "delete", "--uuid", obj["uuid"], "--yes")
    assert get_public(fresh, "threats").json == []


def second_instance(first, tmp):
    """Another server on the same database (no schema reset), like a second node
    behind a load balancer."""
    srv = Server.__new__(Server)
    srv.backend, srv.tmp, srv.log = first.backend, tmp, tmp / "stats.log"
    srv.env = {**first.env, "LOG_PATH": str(srv.log)}
    srv.proc = srv.port = None
    srv.start()
    return srv


def test_two_instances_invalidate_each_other(fresh, tmp_path_factory):
    other = second_instance(fresh, tmp_path_factory.mktemp("second"))
    try:
        api, _ = fresh.new_client()
        today = server_today(fresh).isoformat()
        anr = str(uuid.uuid4())

        def upload(value):
            item = {"anr": anr, "type": "risk", "date": today, "data": {"risks": {
                st: {k: [{"level": lv, "value": value} for lv in ("Low risks", "Medium risks", "High risks")]
                     for k in ("informational", "operational")} for st in ("current", "residual")}}}
            assert api.post("/api/v1/stats/", [item]).status == 201

        upload(10)
        for _ in range(2):  # cached on both
            assert get_public(other, "risks").json["current"]["informational"]["Low risks"] == 10
            assert get_public(fresh, "risks").json["current"]["informational"]["Low risks"] == 10
        upload(20)  # through the first instance
        assert get_public(other, "risks").json["current"]["informational"]["Low risks"] == 20
        other_api = other.client(api.token)
        assert other_api.request("DELETE", f"/api/v1/stats/{anr}").status == 204  # through the second
        assert get_public(fresh, "risks").json["current"]["informational"]["Low risks"] == 0
        assert json.loads(get_public(other, "risks").body)["residual"]["operational"]["High risks"] == 0
    finally:
        other.stop()
