"""API v1 ingest: POST /api/v1/stats/ (docs/api.md §Stats, §Request bodies).

MONARC's daily flow, round trips of the real MONARC bodies, validation (every
problem reported, nothing stored), idempotency and conflicts.
"""
import copy
import json
import re
import socket
import struct
import uuid

import pytest

from conftest import (MONARC_UA, STATS_TYPES, all_stats, fixture, fixture_raw, fresh_anrs, http_bytes,
                      server_today)

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
WIDE = {"date_from": "1900-01-01", "date_to": "9999-12-31"}
FIXTURE_FILES = ("risk.json", "threat.json", "vulnerability.json", "cartography.json",
                 "compliance.json", "edge-cases.json", "full-batch.json")
DELETE = object()  # a mutation that removes the member


def listing(api, stats_type, **params):
    r = api.get("/api/v1/stats/", {"type": stats_type, **WIDE, **params})
    assert r.status == 200, r
    return r.json


def base_item(stats_type, anr=None, date="2026-05-18"):
    """The first item of the type's MONARC fixture, for a fresh (or given) ANR."""
    item = copy.deepcopy(fixture(f"{stats_type}.json")[0])
    item["anr"] = anr or str(uuid.uuid4())
    item["date"] = date
    return item


def upload(api, items):
    r = api.post("/api/v1/stats/", items)
    assert r.status == 201, r
    return r.json


def error_fields(r):
    body = r.json
    assert set(body) <= {"message", "errors"}, body
    assert isinstance(body["message"], str) and body["message"]
    for e in body.get("errors", []):
        assert set(e) == {"field", "message"} and all(isinstance(v, str) for v in e.values()), e
    return [e["field"] for e in body.get("errors", [])]


def assert_refused(server, api, status, before, items=None, raw=None):
    """Posts, expects the status, and checks that the database did not change."""
    r = api.post("/api/v1/stats/", items, raw=raw)
    assert r.status == status, r
    assert all_stats(server) == before
    return r


# --- MONARC's daily flow --------------------------------------------------------

def test_monarc_daily_flow(server):
    api, created = server.new_client()
    today = server_today(server).isoformat()

    me = api.get("/api/v1/client/me")
    assert me.status == 200, me
    assert me.json["token"] == created["token"] and me.json["role"] == "1"
    assert me.json["uuid"] == created["uuid"] and me.json["name"] == created["name"]

    precheck = {"type": "risk", "date_from": today, "date_to": today}
    r = api.get("/api/v1/stats/", precheck)
    assert r.status == 200, r
    assert r.json["data"] == []
    assert r.json["metadata"]["count"] == 0 and r.json["metadata"]["total"] == 0

    anrs = fresh_anrs()
    batch = fixture_raw("full-batch.json", anrs, today)
    sent = json.loads(batch)
    r = api.post("/api/v1/stats/", raw=batch)
    assert r.status == 201, r
    assert r.json["metadata"] == {"count": 10, "created": 10, "updated": 0, "offset": 0,
                                  "limit": 0}
    echo = r.json["data"]
    assert [(e["anr"], e["type"], e["date"]) for e in echo] == \
        [(i["anr"], i["type"], i["date"]) for i in sent]
    assert [e["data"] for e in echo] == [i["data"] for i in sent]
    uuids = [e["uuid"] for e in echo]
    assert all(UUID_RE.match(u) for u in uuids) and len(set(uuids)) == 10

    r = api.get("/api/v1/stats/", precheck)
    assert r.status == 200, r
    assert r.json["metadata"]["count"] == 2 and r.json["metadata"]["total"] == 2
    assert {s["anr"] for s in r.json["data"]} == {anrs[a] for a in list(anrs)[:2]}
    assert all(s["type"] == "risk" and s["date"] == today for s in r.json["data"])

    r = api.post("/api/v1/stats/", raw=batch)
    assert r.status == 201, r
    assert r.json["metadata"] == {"count": 10, "created": 0, "updated": 10, "offset": 0,
                                  "limit": 0}
    assert [e["uuid"] for e in r.json["data"]] == uuids

    stored = []
    for stats_type in STATS_TYPES:
        page = listing(api, stats_type)
        assert page["metadata"]["total"] == 2, (stats_type, page["metadata"])
        stored += [s["uuid"] for s in page["data"]]
    assert sorted(stored) == sorted(uuids)


@pytest.mark.parametrize("path", ["/api/v1/stats/", "/api/v1/stats", "//api/v1/stats/",
                                  "/api/v1//stats//", "//api//v1//stats"])
def test_upload_and_list_on_every_path_spelling(server, path):
    api, _ = server.new_client()
    r = api.post(path, raw=fixture_raw("risk.json", fresh_anrs()))
    assert r.status == 201, r
    r = api.get(path, {"type": "risk", **WIDE})
    assert r.status == 200, r
    assert r.json["metadata"]["total"] == 2


@pytest.mark.parametrize("name", FIXTURE_FILES)
def test_every_monarc_fixture_is_accepted_and_echoed(server, name):
    api, _ = server.new_client()
    raw = fixture_raw(name, fresh_anrs())
    sent = json.loads(raw)
    r = api.post("/api/v1/stats/", raw=raw)
    assert r.status == 201, r
    n = len(sent)
    assert r.json["metadata"] == {"count": n, "created": n, "updated": 0, "offset": 0, "limit": 0}
    for echoed, item in zip(r.json["data"], sent):
        assert set(echoed) == {"uuid", "anr", "type", "date", "data"}
        assert {k: echoed[k] for k in item} == item


# --- round trip -----------------------------------------------------------------

def test_strings_numbers_and_accents_survive(server):
    api, _ = server.new_client()
    anrs = fresh_anrs()
    raw = fixture_raw("threat.json", anrs)
    sent = json.loads(raw)
    assert api.post("/api/v1/stats/", raw=raw).status == 201
    for anr_index, item in enumerate(sent):
        r = api.get("/api/v1/stats/", {"type": "threat", "anr": item["anr"], **WIDE})
        assert r.status == 200, r
        assert r.json["data"][0]["data"] == item["data"], anr_index
    r = api.get(f"/api/v1/stats/{sent[0]['anr']}")
    # "2.64" stays a string, in the bytes on the wire; so does "1".
    assert re.search(rb'"averageRate"\s*:\s*"2\.64"', r.body), r.body[:400]
    assert not re.search(rb'"averageRate"\s*:\s*2\.64', r.body)
    assert re.search(rb'"averageRate"\s*:\s*"1"', r.body), r.body[:400]
    labels = [t["label1"] for t in r.json["data"][0]["data"]]
    assert "Dysfonctionnement ou panne du mat\u00e9riel" in labels
    r.body.decode("utf-8")  # strict: the answer is valid UTF-8


def test_number_texts_are_kept_as_sent(server):
    api, _ = server.new_client()
    item = base_item("threat")
    text = json.dumps([item], separators=(",", ":"))
    # Numbers written as a person (or PHP) would, that a double round trip would change.
    text = text.replace('"maxRisk":32', '"maxRisk":10.0', 1)
    text = text.replace('"count":9', '"count":3.14159265358979323846', 1)
    text = text.replace('"averageRate":"2.64"',
                        '"averageRate":1.50,"extra":[1.50,-0.0,2.5e-3,1E+2,123456789012345678]', 1)
    expected = [rb'"maxRisk"\s*:\s*10\.0[,}]', rb'"count"\s*:\s*3\.14159265358979323846[,}]',
                rb'"averageRate"\s*:\s*1\.50[,}]',
                rb'"extra"\s*:\s*\[1\.50,\s*-0\.0,\s*2\.5e-3,\s*1E\+2,\s*123456789012345678\]']
    r = api.post("/api/v1/stats/", raw=text)
    assert r.status == 201, r
    answers = {"echo": r.body,
               "list": api.get("/api/v1/stats/", {"type": "threat", **WIDE}).body,
               "by anr": api.get(f"/api/v1/stats/{item['anr']}").body}
    for where, body in answers.items():
        for pattern in expected:
            assert re.search(pattern, body), (where, pattern, body[:600])


def test_escapes_and_astral_characters_survive(server):
    api, _ = server.new_client()
    anrs = fresh_anrs()
    raw = fixture_raw("edge-cases.json", anrs)
    sent = json.loads(raw)
    assert api.post("/api/v1/stats/", raw=raw).status == 201
    r = api.get(f"/api/v1/stats/{sent[0]['anr']}")
    assert r.status == 200, r
    r.body.decode("utf-8")  # strict: no lone surrogates, no CESU-8
    by_type = {s["type"]: s["data"] for s in r.json["data"]}
    assert by_type == {i["type"]: i["data"] for i in sent}
    threats = by_type["threat"]
    assert threats[0]["label1"] == "Vol / destruction de supports"
    assert threats[0]["label2"] == "Theft / destruction of media"
    assert threats[1]["label1"] == "Abus de droits d'acc\u00e8s \U0001f512"
    assert threats[0]["label3"] is None and threats[1]["label4"] is None
    assert threats[1]["averageRate"] == "0.70"
    assert by_type["cartography"]["risks"]["current"]["informational"] == []
    assert by_type["cartography"]["risks"]["residual"]["informational"] == {}
    assert by_type["vulnerability"] == [] and by_type["compliance"] == []


def test_repeated_member_last_one_wins_everywhere(server):
    api, _ = server.new_client()
    before = all_stats(server)
    item = base_item("threat")
    text = json.dumps([item], separators=(",", ":"))
    bad_then_good = text.replace('"averageRate":"2.64"', '"averageRate":"x","averageRate":"2.5"', 1)
    good_then_bad = text.replace('"averageRate":"2.64"', '"averageRate":"2.5","averageRate":"x"', 1)
    assert '"averageRate":"x"' in bad_then_good and '"averageRate":"x"' in good_then_bad
    assert_refused(server, api, 400, before, raw=good_then_bad)
    date_twice = bad_then_good.replace('"date":"2026-05-18"',
                                       '"date":"2026-02-30","date":"2026-05-17"', 1)
    r = api.post("/api/v1/stats/", raw=date_twice)
    assert r.status == 201, r
    assert r.json["data"][0]["date"] == "2026-05-17"
    stored = api.get(f"/api/v1/stats/{item['anr']}")
    assert stored.json["data"][0]["date"] == "2026-05-17"
    assert stored.json["data"][0]["data"][0]["averageRate"] == "2.5"
    # Storage kept one member, not both.
    assert stored.body.count(b'"averageRate"') == len(item["data"])


# --- accepted variants ----------------------------------------------------------

def test_uuids_in_any_case_are_stored_lower_case(server):
    api, _ = server.new_client()
    anr, given = str(uuid.uuid4()), str(uuid.uuid4())
    item = base_item("risk", anr.upper())
    item["uuid"] = given.upper()
    echo = upload(api, [item])["data"][0]
    assert echo["anr"] == anr and echo["uuid"] == given
    page = listing(api, "risk", anr=anr)
    assert [(s["uuid"], s["anr"]) for s in page["data"]] == [(given, anr)]


@pytest.mark.parametrize("date", ["2026-05-18T10:11:12Z", "2026-05-18T23:30:00+02:00",
                                  "2026-05-18T00:00:00", "2026-05-18T08:00:00.123456Z"])
def test_date_times_are_truncated_to_their_date(server, date):
    api, _ = server.new_client()
    item = base_item("risk", date=date)
    assert upload(api, [item])["data"][0]["date"] == "2026-05-18"
    assert listing(api, "risk", anr=item["anr"])["data"][0]["date"] == "2026-05-18"


def test_numeric_strings_null_labels_and_extra_members_pass(server):
    api, _ = server.new_client()
    threat = base_item("threat")
    threat["data"][0].update({"maxRisk": "36", "count": "12", "averageRate": 2,
                              "label3": None, "label4": None, "comment": {"kept": [1, "x"]}})
    risk = base_item("risk")
    risk["data"]["risks"]["current"]["informational"][0]["value"] = "43"
    risk["data"]["note"] = "extra members inside data are kept"
    r = upload(api, [threat, risk])
    assert r["metadata"]["created"] == 2
    assert listing(api, "threat", anr=threat["anr"])["data"][0]["data"] == threat["data"]
    assert listing(api, "risk", anr=risk["anr"])["data"][0]["data"] == risk["data"]


def test_leap_day_is_a_date(server):
    api, _ = server.new_client()
    item = base_item("risk", date="2024-02-29")
    assert upload(api, [item])["data"][0]["date"] == "2024-02-29"


# --- validation: nothing stored, every problem reported ---------------------------

def test_malformed_json_is_400(server):
    api, _ = server.new_client()
    before = all_stats(server)
    for raw in ('[{"anr":', "[1,]", "{'a': 1}", "", "[]]", "nul"):
        r = assert_refused(server, api, 400, before, raw=raw)
        error_fields(r)


@pytest.mark.parametrize("body", ['{"anr":"x"}', '"stats"', "42", "null", "true"])
def test_body_that_is_not_a_list_is_400(server, body):
    api, _ = server.new_client()
    r = assert_refused(server, api, 400, all_stats(server), raw=body)
    error_fields(r)


def test_missing_body_is_400(server):
    api, _ = server.new_client()
    r = api.post("/api/v1/stats/")
    assert r.status == 400, r
    error_fields(r)


def _set(item, key, value):
    item[key] = value


def _del(item, key):
    del item[key]


ITEM_MUTATIONS = [
    ("anr-number", lambda i: _set(i, "anr", 123), "[1].anr"),
    ("anr-short", lambda i: _set(i, "anr", "6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6"), "[1].anr"),
    ("anr-not-hex", lambda i: _set(i, "anr", "6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6g"), "[1].anr"),
    ("anr-null", lambda i: _set(i, "anr", None), "[1].anr"),
    ("anr-missing", lambda i: _del(i, "anr"), "[1].anr"),
    ("type-unknown", lambda i: _set(i, "type", "risks"), "[1].type"),
    ("type-number", lambda i: _set(i, "type", 1), "[1].type"),
    ("type-missing", lambda i: _del(i, "type"), "[1].type"),
    ("date-feb-30", lambda i: _set(i, "date", "2026-02-30"), "[1].date"),
    ("date-feb-29-not-leap", lambda i: _set(i, "date", "2026-02-29"), "[1].date"),
    ("date-month-13", lambda i: _set(i, "date", "2026-13-01"), "[1].date"),
    ("date-day-00", lambda i: _set(i, "date", "2026-05-00"), "[1].date"),
    ("date-european", lambda i: _set(i, "date", "18/05/2026"), "[1].date"),
    ("date-short", lambda i: _set(i, "date", "2026-5-18"), "[1].date"),
    ("date-number", lambda i: _set(i, "date", 20260518), "[1].date"),
    ("date-empty", lambda i: _set(i, "date", ""), "[1].date"),
    ("date-null", lambda i: _set(i, "date", None), "[1].date"),
    ("date-missing", lambda i: _del(i, "date"), "[1].date"),
    ("uuid-garbage", lambda i: _set(i, "uuid", "xyz"), "[1].uuid"),
    ("uuid-number", lambda i: _set(i, "uuid", 5), "[1].uuid"),
    ("uuid-empty", lambda i: _set(i, "uuid", ""), "[1].uuid"),
    ("data-missing", lambda i: _del(i, "data"), "[1].data"),
    ("data-null", lambda i: _set(i, "data", None), "[1].data"),
    ("data-string", lambda i: _set(i, "data", "{}"), "[1].data"),
]


@pytest.mark.parametrize("mutate,field", [m[1:] for m in ITEM_MUTATIONS],
                         ids=[m[0] for m in ITEM_MUTATIONS])
def test_invalid_item_member_is_400_with_its_path(server, mutate, field):
    api, _ = server.new_client()
    good, bad = base_item("risk"), base_item("risk")
    mutate(bad)
    r = assert_refused(server, api, 400, all_stats(server), items=[good, bad])
    fields = error_fields(r)
    assert field in fields, fields
    assert all(f.startswith("[1]") for f in fields), fields


@pytest.mark.parametrize("value", ["a string", 5, None, [], ["risk"]])
def test_item_that_is_not_an_object_is_400(server, value):
    api, _ = server.new_client()
    r = assert_refused(server, api, 400, all_stats(server), items=[base_item("risk"), value])
    assert "[1]" in error_fields(r)


def test_unknown_item_member_is_400_naming_it(server):
    api, _ = server.new_client()
    bad = base_item("threat")
    bad["client"] = "someone"
    r = assert_refused(server, api, 400, all_stats(server), items=[base_item("risk"), bad])
    errors = r.json["errors"]
    assert any(e["field"].startswith("[1]") and "client" in e["field"] + e["message"]
               for e in errors), errors
    assert all(e["field"].startswith("[1]") for e in errors), errors


# One wrong member inside `data`, for every field a processor reads, for every type:
# (type, path inside data, new value or DELETE, expected error path).
SUMMARY_MUTATIONS = [
    ([0, "uuid"], "not-a-uuid", "[0].uuid"),
    ([1, "uuid"], 42, "[1].uuid"),
    ([0, "uuid"], DELETE, "[0].uuid"),
    ([0, "maxRisk"], "high", "[0].maxRisk"),
    ([0, "maxRisk"], DELETE, "[0].maxRisk"),
    ([0, "count"], None, "[0].count"),
    ([1, "count"], True, "[1].count"),
    ([2, "averageRate"], {}, "[2].averageRate"),
    ([0, "averageRate"], "2,82", "[0].averageRate"),
    ([0, "averageRate"], DELETE, "[0].averageRate"),
    ([0, "label1"], 5, "[0].label1"),
    ([0, "label4"], ["x"], "[0].label4"),
    ([0], "a string", "[0]"),
    ([], {"uuid": "b402d4e0-4576-11e9-9173-0800277f0571"}, ""),
]
DATA_MUTATIONS = [
    ("risk", ["risks", "current", "informational", 0, "value"], "many",
     ".risks.current.informational[0].value"),
    ("risk", ["risks", "residual", "operational", 2, "value"], None,
     ".risks.residual.operational[2].value"),
    ("risk", ["risks", "current", "operational", 1, "value"], True,
     ".risks.current.operational[1].value"),
    ("risk", ["risks", "residual", "informational", 0, "value"], {"v": 1},
     ".risks.residual.informational[0].value"),
    ("risk", ["risks", "current", "informational", 1, "value"], DELETE,
     ".risks.current.informational[1].value"),
    ("risk", ["risks", "current", "informational", 1, "level"], "Huge risks",
     ".risks.current.informational[1].level"),
    ("risk", ["risks", "current", "informational"], {"Low risks": 1},
     ".risks.current.informational"),
    ("risk", ["risks", "residual", "informational"], DELETE, ".risks.residual.informational"),
    ("risk", ["risks", "residual"], DELETE, ".risks.residual"),
    ("risk", ["risks", "current"], [], ".risks.current"),
    ("risk", ["risks"], DELETE, ".risks"),
    ("risk", [], [1, 2], ""),
    ("cartography", ["scales", "impact"], "0-4", ".scales.impact"),
    ("cartography", ["scales", "likelihood", 0], "a", ".scales.likelihood[0]"),
    ("cartography", ["scales", "probability"], DELETE, ".scales.probability"),
    ("cartography", ["scales"], DELETE, ".scales"),
    ("cartography", ["risks", "current", "informational"], "x", ".risks.current.informational"),
    ("cartography", ["risks", "current", "informational", "2", "2"], "many",
     ".risks.current.informational.2.2"),
    ("cartography", ["risks", "current", "informational", "1", 3], -4,
     ".risks.current.informational.1[3]"),
    ("cartography", ["risks", "current", "operational", "1", 0], None,
     ".risks.current.operational.1[0]"),
    ("cartography", ["risks", "residual", "informational", "x"], {"0": 1},
     ".risks.residual.informational.x"),
    ("cartography", ["risks", "residual", "operational"], DELETE, ".risks.residual.operational"),
    ("cartography", ["risks"], DELETE, ".risks"),
    ("cartography", [], [], ""),
    ("compliance", [0, "referential"], "iso", "[0].referential"),
    ("compliance", [0, "referential"], DELETE, "[0].referential"),
    ("compliance", [0, "label1"], 3, "[0].label1"),
    ("compliance", [0, "current"], {}, "[0].current"),
    ("compliance", [0, "target"], DELETE, "[0].target"),
    ("compliance", [0, "current", 0, "value"], "high", "[0].current[0].value"),
    ("compliance", [0, "target", 1, "value"], None, "[0].target[1].value"),
    ("compliance", [0, "current", 0, "value"], DELETE, "[0].current[0].value"),
    ("compliance", [0, "current", 0, "controls"], "x", "[0].current[0].controls"),
    ("compliance", [0, "target", 0, "controls"], DELETE, "[0].target[0].controls"),
    ("compliance", [0, "current", 1, "label2"], False, "[0].current[1].label2"),
    ("compliance", [0, "current", 0], 7, "[0].current[0]"),
    ("compliance", [0], "ref", "[0]"),
    ("compliance", [], {}, ""),
] + [(t, p, v, e) for t in ("threat", "vulnerability") for p, v, e in SUMMARY_MUTATIONS]


def mutated(stats_type, path, value):
    item = base_item(stats_type)
    if not path:
        item["data"] = value
        return item
    parent = item["data"]
    for key in path[:-1]:
        parent = parent[key]
    if value is DELETE:
        del parent[path[-1]]
    else:
        parent[path[-1]] = value
    return item


def mutation_id(m):
    stats_type, path, value, _ = m
    shown = "DELETE" if value is DELETE else json.dumps(value)
    return f"{stats_type}:{'.'.join(map(str, path)) or 'data'}={shown}"


@pytest.mark.parametrize("stats_type,path,value,suffix", DATA_MUTATIONS,
                         ids=[mutation_id(m) for m in DATA_MUTATIONS])
def test_invalid_data_member_is_400_with_its_path(server, stats_type, path, value, suffix):
    api, _ = server.new_client()
    good = base_item(stats_type)
    bad = mutated(stats_type, path, value)
    r = assert_refused(server, api, 400, all_stats(server), items=[good, bad])
    fields = error_fields(r)
    assert "[1].data" + suffix in fields, fields
    assert all(f.startswith("[1].data") for f in fields), fields


def test_every_problem_of_every_item_is_reported(server):
    api, _ = server.new_client()
    items = [base_item(t) for t in ("risk", "risk", "threat", "risk", "compliance", "risk")]
    items[1]["date"] = "2026-02-30"
    items[2]["anr"] = "nope"
    items[2]["data"][0]["count"] = "lots"
    items[3]["date"] = "2026-13-01"
    items[3]["foo"] = 1
    items[3]["data"]["risks"]["current"]["informational"][0]["value"] = "x"
    items[4]["type"] = "compliances"
    r = assert_refused(server, api, 400, all_stats(server), items=items)
    fields = error_fields(r)
    for field in ("[1].date", "[2].anr", "[2].data[0].count", "[3].date",
                  "[3].data.risks.current.informational[0].value", "[4].type"):
        assert field in fields, (field, fields)
    assert any(e["field"].startswith("[3]") and "foo" in e["field"] + e["message"]
               for e in r.json["errors"])
    assert not any(f.startswith(("[0]", "[5]")) for f in fields), fields


def test_a_huge_number_of_problems_is_still_a_400(server):
    api, _ = server.new_client()
    items = [{"anr": "x", "type": "risk", "date": "2026-02-30", "data": {}}] * 5000
    r = assert_refused(server, api, 400, all_stats(server), items=items)
    assert {"[0].anr", "[0].date", "[0].data.risks"} <= set(error_fields(r))


def test_same_natural_key_twice_in_a_batch_is_400_naming_both(server):
    api, _ = server.new_client()
    first, other, again = base_item("risk"), base_item("risk"), base_item("risk")
    again["anr"] = first["anr"]
    again["data"]["risks"]["current"]["informational"][0]["value"] = 1
    r = assert_refused(server, api, 400, all_stats(server), items=[first, other, again])
    error_fields(r)
    text = json.dumps(r.json["errors"])
    assert "[0]" in text and "[2]" in text, text
    assert "[1]" not in text, text


def test_same_natural_key_spelt_differently_is_a_duplicate(server):
    api, _ = server.new_client()
    first = base_item("threat")
    again = base_item("threat", first["anr"].upper(), "2026-05-18T12:00:00Z")
    r = assert_refused(server, api, 400, all_stats(server), items=[first, again])
    text = json.dumps(r.json["errors"])
    assert "[0]" in text and "[1]" in text, text


def test_same_anr_and_date_with_other_types_is_fine(server):
    api, _ = server.new_client()
    anr = str(uuid.uuid4())
    items = [base_item(t, anr) for t in STATS_TYPES]
    assert upload(api, items)["metadata"]["created"] == 5


# --- big uploads: data compacted where it lies, the answer written as it is sent -----

def php_json(items):
    """Items as MONARC's PHP json_encode writes them ("\\/", non-ASCII as \\uXXXX),
    pretty-printed too: every data differs from its compact form, which the
    service writes over it in the body."""
    return json.dumps(items, indent=1).replace("/", "\\/")


def sent_items(items):
    return [(i["anr"].lower(), i["type"], i["date"][:10], i["data"]) for i in items]


def test_big_upload_is_answered_whole_and_stored_as_sent(server):
    api, _ = server.new_client()
    items = [base_item(t, str(uuid.uuid4())) for _ in range(40) for t in STATS_TYPES]
    threat = next(i for i in items if i["type"] == "threat")
    threat["data"][0]["label1"] = "Vol / destruction \u00e9 \U0001f512"
    r = api.post("/api/v1/stats/", raw=php_json(items))
    assert r.status == 201, r
    assert r.header("Transfer-Encoding") == "chunked"  # written as it is sent
    assert len(r.body) > 4 * 64 * 1024, len(r.body)  # several parts
    body = r.json
    assert body["metadata"] == {"count": 200, "created": 200, "updated": 0, "offset": 0, "limit": 0}
    assert sent_items(body["data"]) == sent_items(items)
    assert all(UUID_RE.match(s["uuid"]) for s in body["data"])
    stored = [s for t in STATS_TYPES for s in listing(api, t)["data"]]
    assert sorted(sent_items(stored), key=repr) == sorted(sent_items(items), key=repr)


def test_upload_answer_cut_by_the_client_frees_it_and_keeps_the_stats(server):
    """A client that goes away while the 201 is being sent: the stats stay stored (the
    answer comes after the commit), what the answer held is freed (ASan checks at the
    server's exit), and the server goes on."""
    api, _ = server.new_client()
    items = [base_item(t, str(uuid.uuid4())) for _ in range(400) for t in STATS_TYPES]
    body = php_json(items).encode()
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # the answer cannot fit in it
    sock.connect(("127.0.0.1", api.port))
    sock.sendall(http_bytes("POST", "/api/v1/stats/", {
        "User-Agent": MONARC_UA, "X-API-KEY": api.token, "Content-Type": "application/json"}, body))
    sock.settimeout(60)
    assert sock.recv(12) == b"HTTP/1.1 201"
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()  # reset, most of the answer unsent
    stored = [s for t in STATS_TYPES for s in listing(api, t)["data"]]
    assert sorted(sent_items(stored), key=repr) == sorted(sent_items(items), key=repr)


def test_upload_left_to_json_c_after_items_were_compacted_in_place(server):
    """The fast path compacts each item's data in the body as it reads it; an
    item it leaves to json-c afterwards (here: data before type) finds the body
    the same JSON, and so do the error answers."""
    api, _ = server.new_client()
    items = [base_item(t) for t in ("threat", "compliance", "risk")]
    last = base_item("vulnerability")
    items.append({"data": last["data"], "anr": last["anr"], "type": "vulnerability", "date": last["date"]})
    assert api.post("/api/v1/stats/", raw=php_json(items)).status == 201
    stored = [s for t in STATS_TYPES for s in listing(api, t)["data"]]
    assert sorted(sent_items(stored), key=repr) == sorted(sent_items(items), key=repr)

    api, _ = server.new_client()
    items = [base_item(t) for t in ("threat", "compliance", "risk", "vulnerability")]
    items[3]["date"] = "2026-02-30"
    r = assert_refused(server, api, 400, all_stats(server), raw=php_json(items))
    assert error_fields(r) == ["[3].date"]


# --- idempotency and conflicts ----------------------------------------------------

def test_reupload_replaces_data_and_keeps_uuids(server):
    api, _ = server.new_client()
    raw = fixture_raw("threat.json", fresh_anrs())
    first = api.post("/api/v1/stats/", raw=raw)
    assert first.status == 201, first
    items = json.loads(raw)
    for item in items:
        item["data"][0]["count"] = 99
    r = api.post("/api/v1/stats/", items)
    assert r.status == 201, r
    assert r.json["metadata"] == {"count": 2, "created": 0, "updated": 2, "offset": 0, "limit": 0}
    assert [s["uuid"] for s in r.json["data"]] == [s["uuid"] for s in first.json["data"]]
    page = listing(api, "threat")
    assert page["metadata"]["total"] == 2
    assert [s["data"] for s in page["data"]] == [i["data"] for i in items]


def test_mixed_batch_counts_created_and_updated(server):
    api, _ = server.new_client()
    old = base_item("risk")
    upload(api, [old])
    new = base_item("risk")
    r = upload(api, [new, old])
    assert r["metadata"] == {"count": 2, "created": 1, "updated": 1, "offset": 0, "limit": 0}
    assert [s["anr"] for s in r["data"]] == [new["anr"], old["anr"]]


def test_instance_push_with_uuids_twice_makes_no_duplicates(server):
    api, _ = server.new_client()
    items = json.loads(fixture_raw("full-batch.json", fresh_anrs()))
    for item in items:
        item["uuid"] = str(uuid.uuid4())
    given = [i["uuid"] for i in items]
    for created, updated in ((10, 0), (0, 10)):
        r = upload(api, items)
        assert r["metadata"] == {"count": 10, "created": created, "updated": updated,
                                 "offset": 0, "limit": 0}
        assert [s["uuid"] for s in r["data"]] == given
    stored = [s["uuid"] for t in STATS_TYPES for s in listing(api, t)["data"]]
    assert sorted(stored) == sorted(given)


def test_existing_natural_key_with_its_own_uuid_updates(server):
    api, _ = server.new_client()
    item = base_item("vulnerability")
    stored_uuid = upload(api, [item])["data"][0]["uuid"]
    item["uuid"] = stored_uuid
    item["data"][0]["count"] = 1
    r = upload(api, [item])
    assert r["metadata"]["updated"] == 1 and r["data"][0]["uuid"] == stored_uuid
    assert listing(api, "vulnerability", anr=item["anr"])["data"][0]["data"] == item["data"]


def test_existing_natural_key_with_another_uuid_is_409(server):
    api, _ = server.new_client()
    item = base_item("risk")
    upload(api, [item])
    before = all_stats(server)
    changed = copy.deepcopy(item)
    changed["uuid"] = str(uuid.uuid4())
    changed["data"]["risks"]["current"]["informational"][0]["value"] = 1
    r = assert_refused(server, api, 409, before, items=[base_item("threat"), changed])
    error_fields(r)


def test_uuid_of_stats_with_another_natural_key_is_409(server):
    api, _ = server.new_client()
    item = base_item("risk")
    stored_uuid = upload(api, [item])["data"][0]["uuid"]
    before = all_stats(server)
    for other in (base_item("risk"),                              # another ANR
                  base_item("risk", item["anr"], "2026-05-19"),   # another date
                  base_item("threat", item["anr"])):              # another type
        other["uuid"] = stored_uuid
        r = assert_refused(server, api, 409, before, items=[base_item("compliance"), other])
        error_fields(r)


def test_uuid_of_another_clients_stats_is_409(server):
    owner, _ = server.new_client()
    item = base_item("cartography")
    stored_uuid = upload(owner, [item])["data"][0]["uuid"]
    intruder, _ = server.new_client()
    before = all_stats(server)
    for anr in (item["anr"], str(uuid.uuid4())):
        copy_of_it = base_item("cartography", anr)
        copy_of_it["uuid"] = stored_uuid
        assert_refused(server, intruder, 409, before, items=[copy_of_it])
    assert listing(owner, "cartography")["data"][0]["data"] == item["data"]


def test_same_uuid_twice_in_a_batch_is_refused(server):
    api, _ = server.new_client()
    one, two = base_item("risk"), base_item("risk")
    one["uuid"] = two["uuid"] = str(uuid.uuid4())
    r = api.post("/api/v1/stats/", [one, two])
    assert r.status in (400, 409), r
    assert listing(api, "risk")["data"] == []
