"""The privacy floor and sample sizes of the public JSON (docs/privacy.md): no public
answer shows a figure resting on fewer than MIN_ORGANISATIONS organisations; items
carry how many analyses and organisations they rest on and the date of the newest
stats behind them; `min_analyses` leaves out items resting on fewer analyses.
Expected values are computed here from what was uploaded, independently of the
server.
"""
import copy
import datetime
import uuid

import pytest

from conftest import BACKENDS, Server, fixture, server_today

LISTS = ("threats", "vulnerabilities", "compliance")
FIGURES = ("risks", "cartography")
TYPE_OF = {"threats": "threat", "vulnerabilities": "vulnerability", "compliance": "compliance",
           "risks": "risk", "cartography": "cartography"}
# What the floor hides in a whole figure: everything but its sample sizes.
SUPPORT_KEYS = ("analyses", "organisations", "data_up_to")

T_ALL = "0c5a1b4e-0000-4000-8000-00000000a001"     # named by every organisation
T_TWO = "0c5a1b4e-0000-4000-8000-00000000a002"     # by two of them
T_ONE = "0c5a1b4e-0000-4000-8000-00000000a003"     # by one, with a huge count


@pytest.fixture(params=BACKENDS)
def floor3(request, tmp_path):
    srv = Server(request.param, tmp_path, extra_env={"MIN_ORGANISATIONS": None})  # the default: 3
    yield srv
    srv.stop()


@pytest.fixture(params=BACKENDS)
def floor1(request, tmp_path):
    srv = Server(request.param, tmp_path)  # conftest: MIN_ORGANISATIONS=1
    yield srv
    srv.stop()


def public(server, route, query="", status=200, headers=None):
    r = server.client(token=None, user_agent=None).get(f"/stats/{route}.json{query}", headers=headers)
    assert r.status == status, r
    return r


def threat(uuid_, count):
    return {"uuid": uuid_, "label1": "fr", "label2": "en " + uuid_[-4:], "label3": None, "label4": None,
            "count": count, "maxRisk": count * 2, "averageRate": "1.5"}


class Uploads:
    """Every stats uploaded, with its organisation, to compute what the answers rest on."""

    def __init__(self):
        self.stats = []  # (organisation, stats item)

    def post(self, org, api, items):
        r = api.post("/api/v1/stats/", items)
        assert r.status == 201, r
        self.stats += [(org, item) for item in items]

    def batch(self, org, api, date, extra_threats=()):
        """The full MONARC batch (two analyses, every type) under new analysis ids,
        plus a threat stats of a third analysis naming extra_threats."""
        items = copy.deepcopy(fixture("full-batch.json"))
        anrs = {}
        for item in items:
            item["anr"] = anrs.setdefault(item["anr"], str(uuid.uuid4()))
            item["date"] = date
        if extra_threats:
            items.append({"anr": str(uuid.uuid4()), "type": "threat", "date": date, "data": list(extra_threats)})
        self.post(org, api, items)

    def support(self, type_, key=None):
        """{item key: (analyses, organisations, newest date)} over every stats of type_
        (key(stats) → the item keys it holds), or the whole figure's when key is None."""
        seen = {}
        for org, item in self.stats:
            if item["type"] != type_:
                continue
            for k in (key(item) if key else [None]):
                s = seen.setdefault(k, (set(), set(), ""))
                s[0].add((org, item["anr"]))
                s[1].add(org)
                seen[k] = (s[0], s[1], max(s[2], item["date"]))
        return {k: (len(a), len(o), d) for k, (a, o, d) in seen.items()}


def objects_of(item):
    return [o["uuid"] for o in item["data"]]


def referentials_of(item):
    return [r["referential"] for r in item["data"]]


def item_key(route, item):
    return item["referential"] if route == "compliance" else item["object"]


@pytest.fixture
def two_organisations(floor3):
    today = server_today(floor3)
    uploads = Uploads()
    for n, org in enumerate(("a", "b")):
        api, _ = floor3.new_client()
        uploads.batch(org, api, (today - datetime.timedelta(days=n + 1)).isoformat(),
                      [threat(T_ALL, 3), threat(T_TWO, 5)])
    # A client that does not share: never counted, never shown.
    private, _ = floor3.new_client(sharing=False)
    uploads_private = Uploads()
    uploads_private.batch("private", private, today.isoformat(), [threat(T_ONE, 999)])
    return floor3, uploads, today


def test_below_the_floor_no_figure_leaks(two_organisations):
    server, uploads, today = two_organisations
    for query in ("", "?last_stats=1", "?days=30", "?local_stats_only=1"):
        for route in LISTS:
            assert public(server, route, query).json == [], (route, query)
        for route in FIGURES:
            got = public(server, route, query).json
            analyses, organisations, newest = uploads.support(TYPE_OF[route])[None]
            # Only the sample sizes: 2 organisations, 4 analyses, the newest date.
            assert got == {"analyses": analyses, "organisations": organisations, "data_up_to": newest}, (route, got)
            assert (analyses, organisations) == (4, 2)
        # Another processor of the route's type: the same floor.
        assert set(public(server, "risks", "?processor=risk_averages_on_date" + query.replace("?", "&")).json) \
            == set(SUPPORT_KEYS)
    # The cache validators do not bypass the floor: a 304 only for what was shown.
    r = public(server, "threats")
    assert public(server, "threats", headers={"If-None-Match": r.header("ETag")}, status=304).body == b""


def test_a_third_organisation_shows_the_items_enough_of_them_name(two_organisations):
    server, uploads, today = two_organisations
    before = public(server, "threats")
    api, _ = server.new_client()
    uploads.batch("c", api, today.isoformat(), [threat(T_ALL, 9), threat(T_ONE, 999)])

    r = public(server, "threats")
    assert r.header("ETag") != before.header("ETag")
    support = uploads.support("threat", objects_of)
    shown = {item["object"]: item for item in r.json}
    want = {obj for obj, (_, orgs, _) in support.items() if orgs >= 3}
    assert set(shown) == want
    assert T_ALL in shown and T_TWO not in shown and T_ONE not in shown
    for obj, item in shown.items():
        assert list(item)[-3:] == list(SUPPORT_KEYS)
        assert (item["analyses"], item["organisations"], item["data_up_to"]) == support[obj], obj
    assert shown[T_ALL]["analyses"] == 3 and shown[T_ALL]["organisations"] == 3
    # T_ALL's counts 3, 5… the item's figures are over its 3 analyses only.
    assert shown[T_ALL]["averages"]["count"] == pytest.approx((3 + 3 + 9) / 3)

    vulnerabilities = uploads.support("vulnerability", objects_of)
    for item in public(server, "vulnerabilities").json:
        assert (item["analyses"], item["organisations"], item["data_up_to"]) == vulnerabilities[item["object"]]
    referentials = uploads.support("compliance", referentials_of)
    got = public(server, "compliance").json
    assert {i["referential"] for i in got} == {k for k, (_, o, _) in referentials.items() if o >= 3}
    for item in got:
        assert (item["analyses"], item["organisations"], item["data_up_to"]) == referentials[item["referential"]]

    for route in FIGURES:
        got = public(server, route).json
        assert (got["analyses"], got["organisations"], got["data_up_to"]) == uploads.support(TYPE_OF[route])[None]
        assert got["organisations"] == 3
    assert set(public(server, "risks").json) == {"current", "residual", *SUPPORT_KEYS}
    assert {"scales", "risks"} <= set(public(server, "cartography").json)

    # The latest stats of each analysis only: the same organisations, newest dates.
    last = public(server, "threats", "?last_stats=1").json
    assert {i["object"] for i in last} == want


def test_min_analyses_leaves_out_rare_items(floor1):
    today = server_today(floor1).isoformat()
    uploads = Uploads()
    a, _ = floor1.new_client()
    b, _ = floor1.new_client()
    for org, api, threats in (("a", a, [threat(T_ALL, 1), threat(T_ONE, 500)]), ("a", a, [threat(T_ALL, 2)]),
                              ("b", b, [threat(T_ALL, 3)])):
        uploads.post(org, api, [{"anr": str(uuid.uuid4()), "type": "threat", "date": today, "data": threats}])
    # Default (MIN_ORGANISATIONS = 1 here): every item, each with its sample sizes.
    items = {i["object"]: i for i in public(floor1, "threats").json}
    assert set(items) == {T_ALL, T_ONE}
    assert (items[T_ALL]["analyses"], items[T_ALL]["organisations"]) == (3, 2)
    assert (items[T_ONE]["analyses"], items[T_ONE]["organisations"]) == (1, 1)
    assert [i["object"] for i in public(floor1, "threats", "?min_analyses=2").json] == [T_ALL]
    assert public(floor1, "threats", "?min_analyses=4").json == []
    assert len(public(floor1, "threats", "?min_analyses=1").json) == 2
    for bad in ("0", "-1", "x", "1000001"):
        r = public(floor1, "threats", "?min_analyses=" + bad, status=400)
        assert "min_analyses" in r.body.decode()


def test_floor_of_one_keeps_every_figure(floor1):
    """MIN_ORGANISATIONS=1: one organisation's figures are shown, with their sample sizes."""
    today = server_today(floor1).isoformat()
    uploads = Uploads()
    api, _ = floor1.new_client()
    uploads.batch("a", api, today)
    for route in FIGURES:
        got = public(floor1, route).json
        assert (got["analyses"], got["organisations"], got["data_up_to"]) == (2, 1, today)
    assert len(public(floor1, "threats").json) > 0


def test_no_stats_no_sample(floor3):
    """Nothing stored: the processors' empty answers, sample sizes 0 and no date."""
    for route in LISTS:
        assert public(floor3, route).json == []
    risks = public(floor3, "risks").json
    assert (risks["analyses"], risks["organisations"], risks["data_up_to"]) == (0, 0, None)
    assert risks["current"]["informational"]["Low risks"] == 0.0
    carto = public(floor3, "cartography").json
    assert (carto["analyses"], carto["organisations"], carto["data_up_to"]) == (0, 0, None)


def test_trends_compare_with_the_period_before_under_the_floor(floor3):
    """?days=10: each item also carries its averages over the 11 dates before (trends),
    shown only if the floor is met there too; no trend with last_stats."""
    today = server_today(floor3)
    day = lambda n: (today - datetime.timedelta(days=n)).isoformat()  # noqa: E731
    clients = [floor3.new_client()[0] for _ in range(3)]
    for i, api in enumerate(clients):
        earlier = [threat(T_ALL, 10 + i)] + ([threat(T_TWO, 7)] if i < 2 else [])
        for date, threats in ((day(15), earlier), (day(1), [threat(T_ALL, 1 + i), threat(T_TWO, 2)])):
            r = api.post("/api/v1/stats/", [{"anr": str(uuid.uuid4()), "type": "threat", "date": date,
                                              "data": threats}])
            assert r.status == 201, r
    # A stats older than both periods counts in neither.
    r = clients[0].post("/api/v1/stats/", [{"anr": str(uuid.uuid4()), "type": "threat", "date": day(30),
                                             "data": [threat(T_ALL, 1000)]}])
    assert r.status == 201, r

    items = {i["object"]: i for i in public(floor3, "threats", "?days=10").json}
    assert set(items) == {T_ALL, T_TWO}
    assert items[T_ALL]["averages"]["count"] == pytest.approx((1 + 2 + 3) / 3)
    assert items[T_ALL]["previous"]["count"] == pytest.approx((10 + 11 + 12) / 3)
    assert items[T_ALL]["previous"]["maxRisk"] == pytest.approx((20 + 22 + 24) / 3)
    # T_TWO: three organisations now, two before: no figure for the period before.
    assert items[T_TWO]["previous"] is None
    assert list(items[T_ALL])[-4:] == ["previous", *SUPPORT_KEYS]
    assert all("previous" not in i for i in public(floor3, "threats", "?last_stats=1").json)
