"""API v1 reading and deleting stats: GET /api/v1/stats/, GET and DELETE /api/v1/stats/<anr>
(docs/api.md §Parameters: JSON body or query string, §Stats).
"""
import copy
import datetime
import re
import uuid

import pytest

from conftest import STATS_TYPES, fixture, server_today

WIDE = {"date_from": "1900-01-01", "date_to": "9999-12-31"}
BASE = {t: fixture(f"{t}.json")[0] for t in STATS_TYPES}


def item(stats_type, anr, day):
    it = copy.deepcopy(BASE[stats_type])
    it["anr"] = anr
    it["date"] = str(day)
    return it


def upload(api, items):
    r = api.post("/api/v1/stats/", items)
    assert r.status == 201, r
    return [s["uuid"] for s in r.json["data"]]


def page(api, body=None, query="", status=200, raw=None):
    r = api.get("/api/v1/stats/" + query, body, raw=raw)
    assert r.status == status, r
    return r.json


def keys(p):
    """(anr, date) of each listed stats, in order."""
    return [(s["anr"], s["date"]) for s in p["data"]]


def add_months(day, months):
    """day shifted by whole months, the day of month clamped to the target month."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=d)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def new_anrs(n):
    return [str(uuid.uuid4()) for _ in range(n)]


def assert_bad_request(r, *names):
    assert r.status == 400, r
    assert isinstance(r.json["message"], str)
    for name in names:
        assert name in r.body.decode(), (name, r)


@pytest.fixture
def three_anrs(server):
    """A client with risk and threat stats of three ANRs on three recent days."""
    api, _ = server.new_client()
    today = server_today(server)
    days = [today - datetime.timedelta(days=n) for n in (2, 1, 0)]
    anrs = new_anrs(3)
    upload(api, [item(t, a, d) for d in days for a in anrs for t in ("risk", "threat")])
    return api, anrs, days


# --- GET /api/v1/stats/: how parameters arrive ----------------------------------

def test_json_body_without_accept_header(server, three_anrs):
    api, anrs, days = three_anrs
    r = api.get("/api/v1/stats/", {"type": "risk"}, headers={"Accept": None})
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("application/json")
    p = r.json
    assert set(p) == {"metadata", "data"}
    assert p["metadata"] == {"count": 9, "total": 9, "offset": 0, "limit": 0}
    assert keys(p) == [(a, str(d)) for d in days for a in anrs]
    for s in p["data"]:
        assert set(s) == {"uuid", "anr", "type", "date", "data"} and s["type"] == "risk"
        assert s["data"] == BASE["risk"]["data"]


def test_metadata_numbers_are_numbers(server, three_anrs):
    api, _, _ = three_anrs
    r = api.get("/api/v1/stats/", {"type": "threat", "limit": "2", "offset": "1"})
    assert r.status == 200, r
    meta = r.json["metadata"]
    assert meta == {"count": 2, "total": 9, "offset": 1, "limit": 2}
    assert all(type(v) is int for v in meta.values()), meta
    for name, value in meta.items():
        assert re.search(rb'"%s"\s*:\s*%d[,}]' % (name.encode(), value), r.body), name


def test_query_string_parameters(server, three_anrs):
    api, anrs, days = three_anrs
    p = page(api, query=f"?type=threat&anrs={anrs[0]},{anrs[2]}&get_last=true")
    assert keys(p) == [(anrs[0], str(days[2])), (anrs[2], str(days[2]))]
    assert all(s["type"] == "threat" for s in p["data"])
    p = page(api, query=f"?type=risk&anr={anrs[1]}&date_from={days[1]}&date_to={days[1]}")
    assert keys(p) == [(anrs[1], str(days[1]))]


def test_body_wins_over_query_key_by_key(server, three_anrs):
    api, anrs, days = three_anrs
    p = page(api, {"type": "threat"}, query=f"?type=risk&anr={anrs[0]}")
    assert all(s["type"] == "threat" for s in p["data"])
    assert keys(p) == [(anrs[0], str(d)) for d in days]
    p = page(api, {"anr": anrs[2], "date_from": str(days[0])},
             query=f"?type=risk&anr={anrs[1]}&date_from={days[2]}&date_to={days[1]}")
    assert keys(p) == [(anrs[2], str(days[0])), (anrs[2], str(days[1]))]


def test_repeated_parameter_last_one_wins(server, three_anrs):
    api, anrs, days = three_anrs
    p = page(api, raw=f'{{"type":"risk","anr":"{anrs[0]}","type":"threat","anr":"{anrs[1]}"}}')
    assert keys(p) == [(anrs[1], str(d)) for d in days]
    assert all(s["type"] == "threat" for s in p["data"])


@pytest.mark.parametrize("body,query,name", [
    ({"type": "risk", "anrz": []}, "", "anrz"),
    ({"type": "risk", "date": "2026-05-18"}, "", "date"),
    ({"type": "risk", "Limit": 1}, "", "Limit"),
    (None, "?type=risk&foo=1", "foo"),
    ({"type": "risk"}, "?getlast=true", "getlast"),
])
def test_unknown_parameter_is_400_naming_it(server, body, query, name):
    api, _ = server.new_client()
    assert_bad_request(api.get("/api/v1/stats/" + query, body), name)


def test_type_is_required_and_checked(server):
    api, _ = server.new_client()
    assert_bad_request(api.get("/api/v1/stats/", {}), "type")
    assert_bad_request(api.get("/api/v1/stats/"), "type")
    assert_bad_request(api.get("/api/v1/stats/", {"anrs": []}), "type")
    assert_bad_request(api.get("/api/v1/stats/", {"type": "risks"}), "type")
    assert_bad_request(api.get("/api/v1/stats/", {"type": 1}), "type")
    assert_bad_request(api.get("/api/v1/stats/?type="), "type")
    for stats_type in STATS_TYPES:
        assert page(api, {"type": stats_type})["data"] == []


def test_body_must_be_an_object(server):
    api, _ = server.new_client()
    for raw in ('["risk"]', '"risk"', "null"):
        r = api.get("/api/v1/stats/", raw=raw)
        assert r.status == 400, (raw, r)


# --- paging -----------------------------------------------------------------

def test_offset_and_limit_with_total(server):
    api, _ = server.new_client()
    anr = str(uuid.uuid4())
    today = server_today(server)
    days = [str(today - datetime.timedelta(days=n)) for n in (4, 3, 2, 1, 0)]
    upload(api, [item("risk", anr, d) for d in days])
    for params, expected in (({"limit": 2}, days[:2]),
                             ({"limit": "2", "offset": "2"}, days[2:4]),
                             ({"limit": 2, "offset": 4}, days[4:]),
                             ({"limit": 2, "offset": 5}, []),
                             ({"offset": 3}, days[3:]),
                             ({"offset": "0", "limit": "0"}, days),
                             ({"limit": 10}, days)):
        p = page(api, {"type": "risk", **params})
        assert [s["date"] for s in p["data"]] == expected, params
        assert p["metadata"] == {"count": len(expected), "total": 5,
                                 "offset": int(params.get("offset", 0)),
                                 "limit": int(params.get("limit", 0))}, params
    p = page(api, query="?type=risk&limit=2&offset=1")
    assert [s["date"] for s in p["data"]] == days[1:3]


def test_limit_bounds(server):
    api, _ = server.new_client()
    assert page(api, {"type": "risk", "limit": 100000})["metadata"]["limit"] == 100000
    assert page(api, {"type": "risk", "limit": "100000"})["metadata"]["limit"] == 100000
    assert_bad_request(api.get("/api/v1/stats/", {"type": "risk", "limit": 100001}), "limit")
    assert_bad_request(api.get("/api/v1/stats/?type=risk&limit=100001"), "limit")
    for bad in (-1, "-1", "abc", 1.5, "1.5", "", True, [10]):
        assert_bad_request(api.get("/api/v1/stats/", {"type": "risk", "limit": bad}), "limit")
        assert_bad_request(api.get("/api/v1/stats/", {"type": "risk", "offset": bad}), "offset")


# --- filters ----------------------------------------------------------------

def test_anr_and_anrs_filters(server, three_anrs):
    api, anrs, days = three_anrs
    newest = {"type": "risk", "date_from": str(days[2])}
    assert keys(page(api, {**newest, "anr": anrs[1]})) == [(anrs[1], str(days[2]))]
    assert keys(page(api, {**newest, "anr": anrs[1].upper()})) == [(anrs[1], str(days[2]))]
    assert keys(page(api, {**newest, "anrs": [anrs[2], anrs[0]]})) == \
        [(anrs[0], str(days[2])), (anrs[2], str(days[2]))]
    assert keys(page(api, {**newest, "anrs": [anrs[2].upper()]})) == [(anrs[2], str(days[2]))]
    assert keys(page(api, {**newest, "anrs": []})) == [(a, str(days[2])) for a in anrs]
    assert page(api, {**newest, "anrs": [str(uuid.uuid4())]})["data"] == []
    assert page(api, {**newest, "anr": str(uuid.uuid4())})["data"] == []
    assert_bad_request(api.get("/api/v1/stats/", {**newest, "anr": "not-a-uuid"}), "anr")
    assert_bad_request(api.get("/api/v1/stats/", {**newest, "anr": 7}), "anr")
    assert_bad_request(api.get("/api/v1/stats/", {**newest, "anrs": [anrs[0], "x"]}), "anrs")
    assert_bad_request(api.get("/api/v1/stats/", {**newest, "anrs": [1]}), "anrs")


def test_dates_are_inclusive(server):
    api, _ = server.new_client()
    anr = str(uuid.uuid4())
    days = ["2025-12-30", "2025-12-31", "2026-01-01", "2026-01-02"]
    upload(api, [item("compliance", anr, d) for d in days])
    p = page(api, {"type": "compliance", "date_from": days[1], "date_to": days[2]})
    assert [s["date"] for s in p["data"]] == days[1:3]
    p = page(api, {"type": "compliance", "date_from": days[3], "date_to": days[3]})
    assert [s["date"] for s in p["data"]] == days[3:]
    p = page(api, query=f"?type=compliance&date_from={days[0]}&date_to={days[0]}")
    assert [s["date"] for s in p["data"]] == days[:1]


@pytest.mark.parametrize("name", ["date_from", "date_to"])
@pytest.mark.parametrize("bad", ["2026-02-30", "2026-13-01", "18/05/2026", "yesterday", 20260518])
def test_invalid_dates_are_400(server, name, bad):
    api, _ = server.new_client()
    assert_bad_request(api.get("/api/v1/stats/", {"type": "risk", name: bad}), name)


def test_default_dates_are_the_last_three_months(server):
    api, _ = server.new_client()
    anr = str(uuid.uuid4())
    today = server_today(server)
    tomorrow = today + datetime.timedelta(days=1)
    four_months_ago = add_months(today, -4)
    inside = [add_months(today, -2), add_months(today, -1), today]
    stored = inside + [four_months_ago, tomorrow]
    if today.day <= 28:  # today − 3 months is unambiguous: it is the first day listed
        inside.insert(0, add_months(today, -3))
        stored += [inside[0], inside[0] - datetime.timedelta(days=1)]
    upload(api, [item("cartography", anr, d) for d in stored])
    assert [s["date"] for s in page(api, {"type": "cartography"})["data"]] == list(map(str, inside))
    p = page(api, {"type": "cartography", "date_to": str(tomorrow)})
    assert [s["date"] for s in p["data"]] == list(map(str, inside + [tomorrow]))
    p = page(api, {"type": "cartography", "date_from": str(add_months(today, -5))})
    assert str(four_months_ago) in [s["date"] for s in p["data"]]
    assert str(tomorrow) not in [s["date"] for s in p["data"]]


def test_get_last_gives_the_latest_stats_of_each_anr(server):
    api, _ = server.new_client()
    today = server_today(server)
    a, b, c = new_anrs(3)
    long_ago = today - datetime.timedelta(days=300)
    upload(api, [item("risk", a, long_ago)])
    upload(api, [item("risk", b, today - datetime.timedelta(days=200))])
    upload(api, [item("risk", c, today)])
    upload(api, [item("risk", a, today - datetime.timedelta(days=1)),
                 item("risk", a, today - datetime.timedelta(days=5))])
    expected = [(a, str(today - datetime.timedelta(days=1))),
                (b, str(today - datetime.timedelta(days=200))), (c, str(today))]
    for params in ({"get_last": True}, {"get_last": "true"}, {"get_last": 1}, {"get_last": "YES"},
                   {"get_last": True, "date_from": str(today), "date_to": str(today)}):
        p = page(api, {"type": "risk", **params})
        assert keys(p) == expected, params
        assert p["metadata"]["total"] == 3
    for query in ("get_last=true", "get_last=1", "get_last=yes", "get_last=TRUE", "get_last=True"):
        assert keys(page(api, query=f"?type=risk&{query}")) == expected, query
    for query in ("get_last=false", "get_last=0", "get_last=no", "get_last=FALSE"):
        p = page(api, query=f"?type=risk&{query}")
        assert keys(p) == [(a, str(today - datetime.timedelta(days=5))),
                           (a, str(today - datetime.timedelta(days=1))), (c, str(today))], query
    assert keys(page(api, {"type": "risk", "get_last": True, "anrs": [b]})) == expected[1:2]
    p = page(api, {"type": "risk", "get_last": True, "limit": 2, "offset": 1})
    assert keys(p) == expected[1:] and p["metadata"]["total"] == 3
    assert page(api, {"type": "threat", "get_last": True})["data"] == []
    assert_bad_request(api.get("/api/v1/stats/", {"type": "risk", "get_last": "maybe"}),
                       "get_last")


def test_ordered_by_date_then_insertion(server):
    api, _ = server.new_client()
    today = server_today(server)
    d1, d2, d3 = (str(today - datetime.timedelta(days=n)) for n in (3, 2, 1))
    a, b, c, d = new_anrs(4)
    upload(api, [item("threat", a, d3), item("threat", a, d1), item("threat", b, d2),
                 item("threat", c, d1)])
    upload(api, [item("threat", d, d1)])
    assert keys(page(api, {"type": "threat"})) == [(a, d1), (c, d1), (d, d1), (b, d2), (a, d3)]


def test_group_by_anr_is_accepted_without_effect(server, three_anrs):
    api, _, _ = three_anrs
    plain = page(api, {"type": "risk"})
    for params in ({"group_by_anr": 1}, {"group_by_anr": 0}, {"group_by_anr": True}):
        assert page(api, {"type": "risk", **params}) == plain
    assert page(api, query="?type=risk&group_by_anr=1") == plain


# --- GET /api/v1/stats/<anr> ----------------------------------------------------

def test_stats_of_an_anr_ordered_by_type_then_date(server):
    api, _ = server.new_client()
    anr, other = new_anrs(2)
    d1, d2 = "2025-06-01", "2026-05-18"  # no default date window here
    upload(api, [item("threat", anr, d2), item("risk", anr, d2), item("compliance", anr, d1),
                 item("cartography", anr, d1), item("vulnerability", anr, d1),
                 item("risk", anr, d1), item("threat", anr, d1), item("risk", other, d1)])
    expected = [("risk", d1), ("risk", d2), ("threat", d1), ("threat", d2),
                ("vulnerability", d1), ("cartography", d1), ("compliance", d1)]
    for path in (f"/api/v1/stats/{anr}", f"/api/v1/stats/{anr}/", f"//api/v1/stats/{anr.upper()}"):
        r = api.get(path)
        assert r.status == 200, (path, r)
        assert [(s["type"], s["date"]) for s in r.json["data"]] == expected, path
        assert all(s["anr"] == anr for s in r.json["data"])
        assert r.json["metadata"]["count"] == 7 and r.json["metadata"]["total"] == 7
    data = {(s["type"], s["date"]): s["data"] for s in api.get(f"/api/v1/stats/{anr}").json["data"]}
    assert data[("compliance", d1)] == BASE["compliance"]["data"]


def test_stats_of_an_unknown_anr_is_an_empty_list(server):
    api, _ = server.new_client()
    r = api.get(f"/api/v1/stats/{uuid.uuid4()}")
    assert r.status == 200, r
    assert r.json["data"] == [] and r.json["metadata"]["count"] == 0


@pytest.mark.parametrize("segment", ["not-a-uuid", "123", "6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6",
                                     "6f1c2b4e8d3a4f5b9e7c1a2b3c4d5e6fa"])
def test_anr_in_path_must_be_a_uuid(server, segment):
    api, _ = server.new_client()
    for method in ("GET", "DELETE"):
        r = api.request(method, f"/api/v1/stats/{segment}")
        assert r.status == 400, (method, r)
        assert isinstance(r.json["message"], str)


# --- DELETE /api/v1/stats/<anr> -------------------------------------------------

def assert_204(r):
    assert r.status == 204, r
    assert r.body == b""
    assert r.header("Content-Length") in (None, "0")


def test_delete_removes_the_stats_of_one_anr(server):
    api, _ = server.new_client()
    anr, other = new_anrs(2)
    upload(api, [item(t, anr, "2026-05-18") for t in STATS_TYPES] +
           [item("risk", anr, "2025-01-01"), item("risk", other, "2026-05-18")])
    assert_204(api.request("DELETE", f"/api/v1/stats/{anr}"))
    assert api.get(f"/api/v1/stats/{anr}").json["data"] == []
    assert [s["anr"] for s in api.get(f"/api/v1/stats/{other}").json["data"]] == [other]
    assert_204(api.request("DELETE", f"/api/v1/stats/{anr}"))  # nothing left: still 204
    r = api.post("/api/v1/stats/", [item("risk", anr, "2026-05-18")])
    assert r.status == 201 and r.json["metadata"]["created"] == 1, r


def test_delete_on_every_path_spelling(server):
    api, _ = server.new_client()
    for spell in ("/api/v1/stats/{}/", "//api/v1/stats/{}", "/api/v1//stats/{}"):
        anr = str(uuid.uuid4())
        upload(api, [item("risk", anr, "2026-05-18")])
        assert_204(api.request("DELETE", spell.format(anr.upper())))
        assert api.get(f"/api/v1/stats/{anr}").json["data"] == [], spell


def test_delete_of_unknown_anr_is_204(server):
    api, _ = server.new_client()
    assert_204(api.request("DELETE", f"/api/v1/stats/{uuid.uuid4()}"))
