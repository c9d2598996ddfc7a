"""The processed API (docs/api.md §Processed stats, docs/processors.md): every
processor over HTTP, checked against a plain Python reading of docs/processors.md
(processors_ref.py), on the MONARC fixtures plus generated data; scoping,
parameters and errors.
"""
import json
import random
import urllib.parse
import uuid

import pytest

from conftest import fixture_raw, fresh_anrs
from processors_ref import KINDS, PROCESSORS, STATES, assert_close

THREAT_UUIDS = [str(uuid.UUID(int=random.Random(i).getrandbits(128), version=4)) for i in range(6)]
REFERENTIAL = "98ca84fb-db87-11e8-ac77-0800279aaa2b"


def processed(api, body=None, query="", status=200):
    r = api.get("/api/v1/stats/processed/" + query, body)
    assert r.status == status, r
    return r.json


def data_of(api, stats_type, processor, **params):
    out = processed(api, {"type": stats_type, "processor": processor, **params})
    assert out["type"] == stats_type and out["processor"] == processor
    return out["data"]


# --- generated stats ---------------------------------------------------------


def gen_labels(rnd, uuid_):
    return {"label1": rnd.choice([None, f"fr {uuid_[:8]} {rnd.randint(0, 3)}"]),
            "label2": f"en {uuid_[:8]}", "label3": None, "label4": rnd.choice(["nl", None])}


def gen_num(rnd, scale):
    value = round(rnd.uniform(0, scale), 2)
    return rnd.choice([value, str(value), f"{value:.2f}"]) if rnd.random() < 0.7 else rnd.randint(0, int(scale))


def gen_objects(rnd):
    chosen = rnd.sample(THREAT_UUIDS, rnd.randint(0, len(THREAT_UUIDS)))
    return [{"uuid": u, **gen_labels(rnd, u), "maxRisk": gen_num(rnd, 60), "count": rnd.randint(0, 20),
             "averageRate": gen_num(rnd, 5)} for u in chosen]


def gen_risk(rnd):
    def levels():
        return [{"level": lv, "value": gen_num(rnd, 50)} for lv in ("Low risks", "Medium risks", "High risks")]
    return {"risks": {st: {k: levels() for k in KINDS} for st in STATES}}


def gen_matrix(rnd):
    if rnd.random() < 0.2:
        return []
    if rnd.random() < 0.3:  # list-encoded rows and matrix
        return [[rnd.randint(0, 3) for _ in range(rnd.randint(0, 3))] for _ in range(rnd.randint(1, 3))]
    return {str(r): ([rnd.randint(0, 4) for _ in range(2)] if rnd.random() < 0.3 else
                     {str(c): rnd.randint(0, 9) for c in rnd.sample(range(13), 3)})
            for r in rnd.sample(range(5), 3)}


def gen_cartography(rnd):
    return {"scales": {"impact": rnd.sample(range(6), 3), "probability": rnd.sample(range(6), 2),
                       "likelihood": rnd.sample(range(21), 4)},
            "risks": {st: {k: gen_matrix(rnd) for k in KINDS} for st in STATES}}


def gen_compliance(rnd):
    def category(i, target):
        return {"label1": f"Cat {i}", "label2": None, "controls": [{}] * rnd.randint(0, 4),
                "value": rnd.choice([0, 1]) if target else gen_num(rnd, 1)}
    n = rnd.randint(1, 4)
    return [{"referential": REFERENTIAL, "label1": "ISO", "label2": "ISO 27002",
             "current": [category(i, False) for i in range(n)],
             "target": [category(i, True) for i in range(rnd.randint(0, n))]}]


GENERATORS = {"risk": gen_risk, "threat": gen_objects, "vulnerability": gen_objects,
              "cartography": gen_cartography, "compliance": gen_compliance}


def generate(seed, anrs, dates):
    """Items of every type for these analyses and dates (some analyses skip some days)."""
    rnd = random.Random(seed)
    items = []
    for date in dates:
        for anr in anrs:
            if rnd.random() < 0.2:
                continue
            for stats_type, gen in GENERATORS.items():
                items.append({"anr": anr, "type": stats_type, "date": date, "data": gen(rnd)})
    return items


class Stored:
    """What a client stored, in storage order, for the reference processors."""

    def __init__(self):
        self.stats = []

    def upload(self, api, items, client="c"):
        r = api.post("/api/v1/stats/", items)
        assert r.status == 201, r
        for it in items:
            # An upsert keeps the first storage position of its (client, anr, type, date).
            same = [s for s in self.stats if (s["client"], s["anr"], s["type"], s["date"]) ==
                    (client, it["anr"], it["type"], it["date"])]
            if same:
                same[0]["data"] = it["data"]
            else:
                self.stats.append({**it, "client": client, "order": len(self.stats)})

    def select(self, stats_type, anrs=None, date_from=None, date_to=None, clients=None):
        return [s for s in self.stats if s["type"] == stats_type
                and (not anrs or s["anr"] in anrs)
                and (date_from is None or s["date"] >= date_from)
                and (date_to is None or s["date"] <= date_to)
                and (clients is None or s["client"] in clients)]


@pytest.fixture(scope="module")
def world(server):
    """Client A: the MONARC full batch on two days, plus generated data over 12 days;
    client B: other data on the same ANR ids (must never show in A's results)."""
    a, _ = server.new_client()
    b, _ = server.new_client()
    stored = Stored()
    anrs = fresh_anrs()
    for date in ("2026-05-18", "2026-05-19"):
        items = json.loads(fixture_raw("full-batch.json", anrs, date))
        stored.upload(a, items)
    generated_anrs = [str(uuid.uuid4()) for _ in range(4)]
    dates = [f"2026-04-{d:02d}" for d in range(1, 13)]
    items = generate(1, generated_anrs, dates)
    for i in range(0, len(items), 70):
        stored.upload(a, items[i:i + 70])
    stored.upload(a, generate(2, generated_anrs[:2], dates[3:5]))  # replaced data
    other = Stored()
    other.upload(b, generate(3, generated_anrs + list(anrs.values()), dates[:4]), client="b")
    return {"a": a, "b": b, "stored": stored, "other": other, "anrs": generated_anrs,
            "fixture_anrs": list(anrs.values())}


@pytest.mark.parametrize("processor", sorted(PROCESSORS))
def test_every_processor_matches_the_spec(world, processor):
    stats_type, ref = PROCESSORS[processor]
    a, stored = world["a"], world["stored"]
    assert_close(data_of(a, stats_type, processor), ref(stored.select(stats_type)))
    window = {"date_from": "2026-04-03", "date_to": "2026-04-09"}
    assert_close(data_of(a, stats_type, processor, **window),
                 ref(stored.select(stats_type, **window)))
    some = world["anrs"][1:3]
    assert_close(data_of(a, stats_type, processor, anrs=some), ref(stored.select(stats_type, anrs=some)))
    b_data = data_of(world["b"], stats_type, processor)
    assert_close(b_data, ref(world["other"].select(stats_type)))


def test_full_batch_values(world):
    """A few figures of the MONARC fixture worked out by hand."""
    a = world["a"]
    fixture_only = {"anrs": world["fixture_anrs"]}
    risks = data_of(a, "risk", "risk_averages", **fixture_only)
    # Current informational levels: 26, 15, 4 in one analysis, 19, 2, 1 in the other.
    assert risks["current"]["informational"] == {"Low risks": 22.5, "Medium risks": 8.5, "High risks": 2.5}
    # Residual operational: 14, 1, 0 and none at all.
    assert risks["residual"]["operational"] == {"Low risks": 7.0, "Medium risks": 0.5, "High risks": 0}
    threats = data_of(a, "threat", "threat_average_on_date", **fixture_only)
    first = threats[0]
    assert first["object"] == "b402d4e0-4576-11e9-9173-0800277f0571"
    assert [v["date"] for v in first["values"]] == ["2026-05-18", "2026-05-19"]
    # count 9 and 10; averageRate "2.64" and "3.17" on each day: an exact mean, where
    # adding the doubles would give 2.9050000000000002.
    assert first["values"][0]["count"] == 9.5 and first["averages"]["averageRate"] == 2.905
    assert first["averages"]["maxRisk"] == 29.5
    carto = data_of(a, "cartography", "cartography_totals", **fixture_only)
    assert carto["analyses"] == 2
    # A list row ([2,1,3]) of one analysis; the other has no operational risk ([]).
    assert carto["risks"]["current"]["operational"]["1"] == {"0": 2, "1": 1, "2": 3}
    # Impact 2, likelihood 2: 3 in an object row, 4 in a list row ([1,2,4,1]).
    assert carto["risks"]["current"]["informational"]["2"]["2"] == 7
    assert carto["scales"]["likelihood"] == [0, 1, 2, 3, 4, 6, 8, 9, 12, 16]


def test_current_before_residual(world):
    text = world["a"].get("/api/v1/stats/processed/", {
        "type": "risk", "processor": "risk_averages_on_date",
        "processor_params": {"risks_state": "residual,current", "risks_type": ["operational", "informational"]},
    }).body.decode()
    assert text.index('"current"') < text.index('"residual"')
    assert text.index('"informational"') < text.index('"operational"')
    data = json.loads(text)["data"]
    assert list(data) == ["current", "residual"]
    assert list(data["current"]) == ["informational", "operational"]


@pytest.mark.parametrize("params,states,kinds", [
    ({}, STATES, KINDS),
    ([], STATES, KINDS),
    ({"risks_type": "informational"}, STATES, ("informational",)),
    ({"risks_type": ["operational"], "risks_state": "current"}, ("current",), ("operational",)),
    ('{"risks_state":"residual"}', ("residual",), KINDS),
])
def test_processor_params_forms(world, params, states, kinds):
    a, stored = world["a"], world["stored"]
    got = data_of(a, "risk", "risk_averages_on_date", processor_params=params)
    want = PROCESSORS["risk_averages_on_date"][1](stored.select("risk"), kinds=kinds, states=states)
    assert_close(got, want)


def test_parameters_in_the_query_string(world):
    a, stored = world["a"], world["stored"]
    params = urllib.parse.urlencode({"type": "risk", "processor": "risk_averages_on_date",
                                     "processor_params": '{"risks_type":"operational"}',
                                     "anrs": ",".join(world["anrs"][:2]), "date_from": "2026-04-02"})
    out = processed(a, query="?" + params)
    want = PROCESSORS["risk_averages_on_date"][1](
        stored.select("risk", anrs=world["anrs"][:2], date_from="2026-04-02"), kinds=("operational",))
    assert_close(out["data"], want)


@pytest.mark.parametrize("params,field", [
    ({"risks_type": "both"}, "risks_type"),
    ({"risks_state": ["current", "future"]}, "risks_state"),
    ({"risks_type": ""}, "risks_type"),
    ({"colour": "red"}, "colour"),
    ("not an object", "processor_params"),
    ([1, 2], "processor_params"),
])
def test_invalid_processor_params_are_400_naming_them(world, params, field):
    r = world["a"].get("/api/v1/stats/processed/", {"type": "risk", "processor": "risk_averages_on_date",
                                                     "processor_params": params})
    assert r.status == 400, r
    assert field in r.body.decode()


def test_unknown_and_mismatched_processors(world):
    a = world["a"]
    r = a.get("/api/v1/stats/processed/", {"type": "threat", "processor": "threat_average"})
    assert r.status == 400, r
    assert "threat_average_on_date" in r.json["message"] and "risk_averages" not in r.json["message"]
    r = a.get("/api/v1/stats/processed/", {"type": "risk", "processor": "threat_average_on_date"})
    assert r.status == 400, r
    assert r.json["message"] == "Processor 'threat_average_on_date' can not be used with type 'risk'."
    for body in ({"processor": "risk_averages"}, {"type": "risk"}, {"type": "nope", "processor": "risk_averages"},
                 {"type": "risk", "processor": "risk_averages", "get_last": True}):
        assert a.get("/api/v1/stats/processed/", body).status == 400


def test_empty_results(server):
    api, _ = server.new_client()
    want = {"risk_averages": {st: {k: {lv: 0 for lv in ("Low risks", "Medium risks", "High risks")}
                                   for k in KINDS} for st in STATES},
            "threat_average_on_date": [], "vulnerability_average_on_date": [],
            "compliance_averages": [],
            "cartography_totals": {"analyses": 0, "scales": {"impact": [], "probability": [], "likelihood": []},
                                   "risks": {st: {k: {} for k in KINDS} for st in STATES}}}
    for processor, expected in want.items():
        assert_close(data_of(api, PROCESSORS[processor][0], processor), expected)
    empty = data_of(api, "risk", "risk_averages_on_date", processor_params={"risks_type": "operational"})
    assert empty == {st: {"operational": {lv: [] for lv in ("Low risks", "Medium risks", "High risks")}}
                     for st in STATES}


def test_scoping_and_admin(server, world):
    a, b, stored, other = world["a"], world["b"], world["stored"], world["other"]
    for processor, (stats_type, ref) in PROCESSORS.items():
        assert_close(data_of(b, stats_type, processor, anrs=world["fixture_anrs"]),
                     ref(other.select(stats_type, anrs=world["fixture_anrs"])))
    admin = server.admin()
    everyone = data_of(admin, "threat", "threat_average_on_date", anrs=world["anrs"])
    both = stored.select("threat", anrs=world["anrs"]) + other.select("threat", anrs=world["anrs"])
    assert_close(everyone, PROCESSORS["threat_average_on_date"][1](both))


def test_local_stats_only(server):
    api, client = server.new_client()
    rnd_anr = str(uuid.uuid4())
    items = [{"anr": rnd_anr, "type": "threat", "date": "2026-03-01",
              "data": [{"uuid": THREAT_UUIDS[0], "count": 2, "maxRisk": 3, "averageRate": "1.5"}]}]
    assert api.post("/api/v1/stats/", items).status == 201
    local = data_of(api, "threat", "threat_average_on_date", local_stats_only=1)
    assert len(local) == 1
    assert data_of(api, "threat", "threat_average_on_date", local_stats_only="yes") == local


def test_processor_list(server):
    r = server.client(token=None, user_agent=None).get("/api/v1/stats/processed/list")
    assert r.status == 200, r
    listed = {p["name"]: p for p in r.json}
    assert set(listed) == set(PROCESSORS)
    for name, (stats_type, _) in PROCESSORS.items():
        assert listed[name]["type"] == stats_type and listed[name]["description"]
        assert list(listed[name]) == ["name", "type", "description", "params"]
    assert {p["name"]: p["values"] for p in listed["risk_averages_on_date"]["params"]} == {
        "risks_type": ["informational", "operational"], "risks_state": ["current", "residual"]}
    old = server.client(token=None, user_agent="MONARC/2.9.0")
    assert old.get("/api/v1/stats/processed/list").status == 426


def test_processed_requires_a_token(server):
    anonymous = server.client(token=None)
    r = anonymous.get("/api/v1/stats/processed/", {"type": "risk", "processor": "risk_averages"})
    assert r.status == 401, r
