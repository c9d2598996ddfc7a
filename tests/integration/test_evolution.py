"""The public evolution (/stats/evolution/<type>.json, docs/privacy.md), of threats,
vulnerabilities and risks: each point is
the landscape as of its date, the latest stats of each analysis dated on or before it
and not older than EVOLUTION_WINDOW days, averaged, with its sample sizes and the
privacy floor per point.  Expected points are computed here from what was uploaded,
independently of the server, after uploads in and out of date order, a rewrite of a
stats in place and the deletion of an analysis.
"""
import datetime
import uuid

import pytest

from conftest import BACKENDS, Server, server_today

WINDOW = 10
T1 = "0e701a7e-0000-4000-8000-0000000000b1"
T2 = "0e701a7e-0000-4000-8000-0000000000b2"
V1 = "0e701a7e-0000-4000-8000-0000000000c1"


@pytest.fixture(params=BACKENDS)
def floor2(request, tmp_path):
    srv = Server(request.param, tmp_path, extra_env={"MIN_ORGANISATIONS": "2",
                                                      "EVOLUTION_WINDOW": str(WINDOW)})
    yield srv
    srv.stop()


def threat(uuid_, count, max_risk, rate, label="t"):
    return {"uuid": uuid_, "label1": label + " fr", "label2": label + " en", "label3": None, "label4": None,
            "count": count, "maxRisk": max_risk, "averageRate": rate}


class Landscape:
    """What was uploaded, by (organisation, analysis, type, date) → {object: (count, maxRisk, rate)}."""

    def __init__(self):
        self.stats = {}

    def post(self, org, api, anr, type_, date, objects):
        data = [threat(*o) for o in objects]
        r = api.post("/api/v1/stats/", [{"anr": anr, "type": type_, "date": date, "data": data}])
        assert r.status == 201, r
        self.stats[(org, anr, type_, date)] = {o[0]: tuple(float(x) for x in o[1:4]) for o in objects}

    def delete_analysis(self, org, api, anr):
        r = api.request("DELETE", f"/api/v1/stats/{anr}")
        assert r.status in (200, 204), r
        self.stats = {k: v for k, v in self.stats.items() if not (k[0] == org and k[1] == anr)}

    def point(self, type_, obj, date, window=WINDOW):
        """The landscape of obj as of date: (analyses, organisations, means or None)."""
        latest = {}  # (organisation, analysis) → (date, objects) of its latest stats on or before date
        for (org, anr, t, d), objects in self.stats.items():
            if t == type_ and d <= date and d > latest.get((org, anr), ("",))[0]:
                latest[(org, anr)] = (d, objects)
        values, orgs = [], set()
        for (org, anr), (d, objects) in latest.items():
            age = (datetime.date.fromisoformat(date) - datetime.date.fromisoformat(d)).days
            if age <= window and obj in objects:
                values.append(objects[obj])
                orgs.add(org)
        if not values:
            return 0, 0, None
        means = tuple(sum(v[m] for v in values) / len(values) for m in range(3))
        return len(values), len(orgs), means


def evolution(server, type_, status=200, **query):
    path = f"/stats/evolution/{type_}.json"
    if query:
        path += "?" + "&".join(f"{k}={v}" for k, v in query.items())
    r = server.client(token=None, user_agent=None).get(path)
    assert r.status == status, r
    return r


def check(server, landscape, type_, objects, date_from, date_to, step="day", floor=2):
    got = evolution(server, type_, objects=",".join(objects), date_from=date_from, date_to=date_to,
                    step=step).json
    assert [g["object"] for g in got] == sorted(objects)
    for entry in got:
        for p in entry["points"]:
            analyses, orgs, means = landscape.point(type_, entry["object"], p["date"])
            assert (p["analyses"], p["organisations"]) == (analyses, orgs), (entry["object"], p)
            if means is None or orgs < floor:
                assert (p["count"], p["maxRisk"], p["averageRate"]) == (None, None, None), p
            else:
                assert (p["count"], p["maxRisk"], p["averageRate"]) == pytest.approx(means), p
    return got


def day(base, n):
    return (base + datetime.timedelta(days=n)).isoformat()


def test_points_carry_each_analysis_forward_within_the_window(floor2):
    server = floor2
    base = server_today(server) - datetime.timedelta(days=40)
    land = Landscape()
    a, _ = server.new_client()
    b, _ = server.new_client()
    a1, a2, b1 = (str(uuid.uuid4()) for _ in range(3))
    # a1 reports on days 0 and 5, a2 only on day 0, b1 on days 2 and 20 (its figures
    # of day 2 stop standing after the window, day 12, until day 20).
    land.post("a", a, a1, "threat", day(base, 0), [(T1, 10, 20, 1.5), (T2, 1, 2, 0.5)])
    land.post("a", a, a2, "threat", day(base, 0), [(T1, 30, 40, 2.5)])
    land.post("b", b, b1, "threat", day(base, 2), [(T1, 40, 80, 3)])
    land.post("a", a, a1, "threat", day(base, 5), [(T1, 20, 30, 1)])
    land.post("b", b, b1, "threat", day(base, 20), [(T1, 50, 60, 2)])
    land.post("b", b, b1, "vulnerability", day(base, 1), [(V1, 7, 8, 0.25)])
    got = check(server, land, "threat", [T1, T2], day(base, -2), day(base, 35))
    points = {p["date"]: p for p in got[0]["points"]}
    assert len(points) == 38 and got[0]["labels"]["label2"] == "t en"
    # Day 3: a1 (day 0), a2 (day 0) and b1 (day 2) stand: 3 analyses of 2 organisations.
    assert (points[day(base, 3)]["analyses"], points[day(base, 3)]["organisations"]) == (3, 2)
    assert points[day(base, 3)]["count"] == pytest.approx((10 + 30 + 40) / 3)
    # Day 11: a2 expired (day 0 + 10 < 11), a1's day-5 figures and b1's day-2 stand.
    assert points[day(base, 11)]["analyses"] == 2
    # Day 13: only a1 stands (b1's day-2 stats is older than the window): below the floor.
    assert points[day(base, 13)]["organisations"] == 1 and points[day(base, 13)]["count"] is None
    # T2: only ever one organisation.
    assert all(p["count"] is None for p in got[1]["points"])
    check(server, land, "vulnerability", [V1], day(base, -2), day(base, 35))

    # A stats sent late, between two others of its analysis; one rewritten in place.
    land.post("a", a, a1, "threat", day(base, 3), [(T1, 100, 100, 4), (T2, 3, 3, 3)])
    land.post("b", b, b1, "threat", day(base, 2), [(T1, 44, 88, 3.5), (T2, 6, 7, 1)])
    check(server, land, "threat", [T1, T2], day(base, -2), day(base, 35))
    # Weeks and months count back from date_to.
    got = check(server, land, "threat", [T1], day(base, -30), day(base, 30), step="week")
    assert [p["date"] for p in got[0]["points"]][-2:] == [day(base, 23), day(base, 30)]
    assert len(got[0]["points"]) == 9
    check(server, land, "threat", [T1], day(base, -60), day(base, 30), step="month")

    # Deleting an analysis takes its figures out of every point.
    land.delete_analysis("a", a, a1)
    check(server, land, "threat", [T1, T2], day(base, -2), day(base, 35))


@pytest.fixture(params=BACKENDS)
def floor1(request, tmp_path):
    srv = Server(request.param, tmp_path)  # conftest: MIN_ORGANISATIONS=1
    yield srv
    srv.stop()


def test_floor_of_one_and_unknown_objects(floor1):
    today = server_today(floor1)
    a, _ = floor1.new_client()
    r = a.post("/api/v1/stats/", [{"anr": str(uuid.uuid4()), "type": "threat", "date": today.isoformat(),
                                   "data": [threat(T1, 2, 4, 1)]}])
    assert r.status == 201
    got = evolution(floor1, "threat", objects=f"{T2},{T1},{T1.upper()}").json
    # Sorted, distinct; by default weekly points over a year up to today.
    assert [g["object"] for g in got] == [T1, T2]
    assert got[0]["points"][-1] == {"date": today.isoformat(), "count": 2, "maxRisk": 4,
                                    "averageRate": 1, "analyses": 1, "organisations": 1}
    assert len(got[0]["points"]) == 53
    assert got[1]["labels"] is None and all(p["analyses"] == 0 for p in got[1]["points"])


def test_bad_parameters(floor2):
    for query, word in (({}, "objects"), ({"objects": "x"}, "objects"), ({"objects": T1, "step": "year"}, "step"),
                        ({"objects": T1, "date_from": "2026-02-30"}, "date_from"),
                        ({"objects": T1, "date_from": "2026-05-02", "date_to": "2026-05-01"}, "date_from"),
                        ({"objects": T1, "date_from": "2000-01-01", "step": "day"}, "points"),
                        ({"objects": ",".join(str(uuid.uuid4()) for _ in range(21))}, "at most")):
        r = evolution(floor2, "threat", status=400, **query)
        assert word in r.body.decode(), (query, r.body)
    evolution(floor2, "risks", status=404)


def test_cached_answers_follow_new_stats(floor2):
    server = floor2
    today = server_today(server).isoformat()
    a, _ = server.new_client()
    b, _ = server.new_client()
    first = evolution(server, "threat", objects=T1)
    again = evolution(server, "threat", objects=T1)
    assert again.header("ETag") == first.header("ETag")
    for api in (a, b):
        r = api.post("/api/v1/stats/", [{"anr": str(uuid.uuid4()), "type": "threat", "date": today,
                                          "data": [threat(T1, 3, 3, 3)]}])
        assert r.status == 201
    after = evolution(server, "threat", objects=T1)
    assert after.header("ETag") != first.header("ETag")
    assert after.json[0]["points"][-1]["count"] == 3


# --- the risks (/stats/evolution/risk.json) ---

STATES = ("current", "residual")
KINDS = ("informational", "operational")
LEVELS = ("Low risks", "Medium risks", "High risks")


def risk_data(values):
    """A risk stats whose 12 cells (state, kind, level in that order) are values."""
    cells = iter(values)
    risks = {st: {k: [{"level": lv, "value": next(cells)} for lv in LEVELS] for k in KINDS} for st in STATES}
    total = {st: {k: sum(c["value"] for c in risks[st][k]) for k in KINDS} for st in STATES}
    return {"total": total, "risks": risks}


class RiskLandscape:
    """What was uploaded, by (organisation, analysis, date) → the 12 cells."""

    def __init__(self):
        self.stats = {}

    def post(self, org, api, anr, date, values):
        r = api.post("/api/v1/stats/", [{"anr": anr, "type": "risk", "date": date, "data": risk_data(values)}])
        assert r.status == 201, r
        self.stats[(org, anr, date)] = tuple(float(v) for v in values)

    def delete_analysis(self, org, api, anr):
        r = api.request("DELETE", f"/api/v1/stats/{anr}")
        assert r.status in (200, 204), r
        self.stats = {k: v for k, v in self.stats.items() if not (k[0] == org and k[1] == anr)}

    def point(self, date, window=WINDOW):
        """The landscape as of date: (analyses, organisations, the 12 means or None)."""
        latest = {}
        for (org, anr, d), cells in self.stats.items():
            if d <= date and d > latest.get((org, anr), ("",))[0]:
                latest[(org, anr)] = (d, cells)
        standing = [(org, cells) for (org, _), (d, cells) in latest.items()
                    if (datetime.date.fromisoformat(date) - datetime.date.fromisoformat(d)).days <= window]
        if not standing:
            return 0, 0, None
        means = tuple(sum(c[i] for _, c in standing) / len(standing) for i in range(12))
        return len(standing), len({org for org, _ in standing}), means


def check_risks(server, landscape, date_from, date_to, step="day", floor=2, states=STATES, kinds=KINDS,
                **query):
    got = evolution(server, "risk", date_from=date_from, date_to=date_to, step=step, **query).json
    assert set(got) == {"points"}
    for p in got["points"]:
        analyses, orgs, means = landscape.point(p["date"])
        assert (p["analyses"], p["organisations"]) == (analyses, orgs), p
        assert set(p) == {"date", "analyses", "organisations", *states}, p
        for si, st in enumerate(STATES):
            if st not in states:
                continue
            assert set(p[st]) == set(kinds), p
            for ki, k in enumerate(KINDS):
                if k not in kinds:
                    continue
                for li, lv in enumerate(LEVELS):
                    if means is None or orgs < floor:
                        assert p[st][k][lv] is None, p
                    else:
                        assert p[st][k][lv] == pytest.approx(means[si * 6 + ki * 3 + li]), (p, st, k, lv)
    return got


def cells(base):
    return [base + i for i in range(12)]


def test_risk_points_carry_each_analysis_forward_within_the_window(floor2):
    server = floor2
    base = server_today(server) - datetime.timedelta(days=40)
    land = RiskLandscape()
    a, _ = server.new_client()
    b, _ = server.new_client()
    a1, a2, b1 = (str(uuid.uuid4()) for _ in range(3))
    # Out of date order: a1 on days 5 then 0, a2 on day 0, b1 on days 20 then 2.
    land.post("a", a, a1, day(base, 5), cells(20))
    land.post("a", a, a1, day(base, 0), cells(10))
    land.post("a", a, a2, day(base, 0), cells(30))
    land.post("b", b, b1, day(base, 20), cells(50))
    land.post("b", b, b1, day(base, 2), cells(40))
    got = check_risks(server, land, day(base, -2), day(base, 35))
    points = {p["date"]: p for p in got["points"]}
    assert len(points) == 38
    # Day 3: a1 (day 0), a2 (day 0) and b1 (day 2) stand: 3 analyses of 2 organisations.
    assert (points[day(base, 3)]["analyses"], points[day(base, 3)]["organisations"]) == (3, 2)
    assert points[day(base, 3)]["current"]["informational"]["Low risks"] == pytest.approx((10 + 30 + 40) / 3)
    assert points[day(base, 3)]["residual"]["operational"]["High risks"] == pytest.approx((21 + 41 + 51) / 3)
    # Day 13: only a1 stands (b1's day-2 stats is older than the window): below the floor.
    assert points[day(base, 13)]["organisations"] == 1
    assert points[day(base, 13)]["current"]["informational"]["Low risks"] is None
    # Before anything: nothing stands.
    assert points[day(base, -1)]["analyses"] == 0

    # A stats sent late between two others of its analysis; one rewritten in place.
    land.post("a", a, a1, day(base, 3), cells(100))
    land.post("b", b, b1, day(base, 2), cells(44))
    check_risks(server, land, day(base, -2), day(base, 35))
    # Chosen kinds and states only.
    check_risks(server, land, day(base, -2), day(base, 35), states=("residual",), kinds=("operational",),
                risks_state="residual", risks_type="operational")
    check_risks(server, land, day(base, -2), day(base, 35), kinds=("informational",),
                risks_type="informational", risks_state="residual,current")
    # Weeks and months count back from date_to.
    got = check_risks(server, land, day(base, -30), day(base, 30), step="week")
    assert [p["date"] for p in got["points"]][-2:] == [day(base, 23), day(base, 30)]
    check_risks(server, land, day(base, -60), day(base, 30), step="month")

    # Deleting an analysis takes its figures out of every point.
    land.delete_analysis("a", a, a1)
    check_risks(server, land, day(base, -2), day(base, 35))
    # A stats of another type changes nothing.
    r = a.post("/api/v1/stats/", [{"anr": a2, "type": "threat", "date": day(base, 1), "data": [threat(T1, 1, 1, 1)]}])
    assert r.status == 201
    check_risks(server, land, day(base, -2), day(base, 35))


def test_risk_floor_of_one_and_defaults(floor1):
    today = server_today(floor1)
    a, _ = floor1.new_client()
    r = a.post("/api/v1/stats/", [{"anr": str(uuid.uuid4()), "type": "risk", "date": today.isoformat(),
                                   "data": risk_data(cells(1))}])
    assert r.status == 201
    got = evolution(floor1, "risk").json
    # By default weekly points over a year up to today, both states and kinds.
    assert len(got["points"]) == 53
    last = got["points"][-1]
    assert (last["date"], last["analyses"], last["organisations"]) == (today.isoformat(), 1, 1)
    assert last["current"]["informational"] == {"Low risks": 1, "Medium risks": 2, "High risks": 3}
    assert last["residual"]["operational"] == {"Low risks": 10, "Medium risks": 11, "High risks": 12}
    assert got["points"][0]["analyses"] == 0 and got["points"][0]["current"]["operational"]["Low risks"] is None


def test_risk_bad_parameters(floor2):
    for query, word in (({"step": "year"}, "step"), ({"date_from": "2026-02-30"}, "date_from"),
                        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "date_from"),
                        ({"date_from": "2000-01-01", "step": "day"}, "points"),
                        ({"risks_type": "strategic"}, "risks_type"), ({"risks_type": ""}, "risks_type"),
                        ({"risks_state": "current,"}, "risks_state"), ({"objects": T1}, "objects")):
        r = evolution(floor2, "risk", status=400, **query)
        assert word in r.body.decode(), (query, r.body)


def test_risk_cached_answers_follow_new_stats(floor2):
    server = floor2
    today = server_today(server).isoformat()
    a, _ = server.new_client()
    b, _ = server.new_client()
    first = evolution(server, "risk")
    again = evolution(server, "risk")
    assert again.header("ETag") == first.header("ETag")
    assert evolution(server, "risk", risks_type="operational").header("ETag") != first.header("ETag")
    for api, base in ((a, 1), (b, 3)):
        r = api.post("/api/v1/stats/", [{"anr": str(uuid.uuid4()), "type": "risk", "date": today,
                                          "data": risk_data(cells(base))}])
        assert r.status == 201
    after = evolution(server, "risk")
    assert after.header("ETag") != first.header("ETag")
    assert after.json["points"][-1]["current"]["informational"]["Low risks"] == 2
