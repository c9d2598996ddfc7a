"""The object pages (docs/api.md, docs/privacy.md): GET /stats/object/<uuid>.json and
/object/<uuid>, a threat or vulnerability as the landscape's default view shows it —
the latest stats of each analysis of the clients that share — under the privacy floor.
Expected figures, sample sizes and ranks are computed here from what was uploaded."""
import datetime
import uuid
from decimal import Decimal

import pytest

from conftest import BACKENDS, Server, server_today

T_ALL = "0b1ec700-0000-4000-8000-00000000a001"    # named by the three sharing organisations
T_HIGH = "0b1ec700-0000-4000-8000-00000000a002"   # by the three too, a higher probability
T_TWO = "0b1ec700-0000-4000-8000-00000000a003"    # by two of them: under a floor of 3
T_PRIVATE = "0b1ec700-0000-4000-8000-00000000a004"  # by a client that does not share
V_ALL = "0b1ec700-0000-4000-8000-00000000b001"    # a vulnerability named by the three

LABELS = {"label1": "Menace", "label2": "Threat", "label3": "Bedrohung", "label4": "Dreiging"}


def item(uuid_, count, max_risk, rate, name="Threat"):
    return {"uuid": uuid_, "label1": "fr " + name, "label2": name, "label3": None, "label4": "nl " + name,
            "count": count, "maxRisk": max_risk, "averageRate": rate}


class Uploads:
    def __init__(self, server):
        self.server = server
        self.stats = []   # (organisation, anr, type, date, data)

    def post(self, org, api, anr, type_, date, data):
        r = api.post("/api/v1/stats/", [{"anr": anr, "type": type_, "date": date, "data": data}])
        assert r.status == 201, r
        self.stats = [s for s in self.stats if (s[0], s[1], s[2], s[3]) != (org, anr, type_, date)]
        self.stats.append((org, anr, type_, date, data))

    def expected(self, type_, sharing):
        """{object: profile} over the latest stats of each analysis of the sharing organisations."""
        latest = {}
        for org, anr, t, date, data in self.stats:
            if t == type_ and org in sharing and (org, anr) not in latest or \
                    t == type_ and org in sharing and latest[(org, anr)][0] < date:
                latest[(org, anr)] = (date, data)
        out = {}
        for (org, anr), (date, data) in latest.items():
            for o in data:
                e = out.setdefault(o["uuid"], {"sums": [Decimal(0)] * 3, "n": 0, "analyses": set(),
                                               "organisations": set(), "data_up_to": "", "labels": None,
                                               "labels_date": ""})
                for i, key in enumerate(("count", "maxRisk", "averageRate")):
                    e["sums"][i] += Decimal(str(o[key]))
                e["n"] += 1
                e["analyses"].add((org, anr))
                e["organisations"].add(org)
                e["data_up_to"] = max(e["data_up_to"], date)
                if date >= e["labels_date"]:
                    e["labels"], e["labels_date"] = {k: o[k] or "" for k in LABELS}, date
        return {k: {"averages": {key: float(e["sums"][i] / e["n"])
                                 for i, key in enumerate(("count", "maxRisk", "averageRate"))},
                    "analyses": len(e["analyses"]), "organisations": len(e["organisations"]),
                    "data_up_to": e["data_up_to"], "labels": e["labels"]} for k, e in out.items()}


@pytest.fixture(params=BACKENDS)
def landscape(request, tmp_path):
    """Three sharing organisations and one that does not share, under a floor of 3."""
    srv = Server(request.param, tmp_path, {"MIN_ORGANISATIONS": "3", "MOSP_URL": "https://mosp.example.org/"})
    today = server_today(srv)
    day = lambda n: (today - datetime.timedelta(days=n)).isoformat()
    uploads = Uploads(srv)
    apis = {}
    for n, org in enumerate(("a", "b", "c")):
        api, _ = srv.new_client()
        apis[org] = api
        first, second = str(uuid.uuid4()), str(uuid.uuid4())
        # An older stats of the first analysis: replaced in the landscape by its latest.
        uploads.post(org, api, first, "threat", day(9), [item(T_ALL, 100, 100, "4.9"), item(T_TWO, 1, 1, "1")])
        uploads.post(org, api, first, "threat", day(1 + n),
                     [item(T_ALL, 3 + n, 10 + n, "1.5"), item(T_HIGH, 2, 20, str(3 + n / 10))] +
                     ([item(T_TWO, 7, 9, "4.75")] if org != "c" else []))
        uploads.post(org, api, second, "threat", day(4), [item(T_ALL, 6, 12, "2.25")])
        uploads.post(org, api, first, "vulnerability", day(2), [item(V_ALL, 5 + n, 8, "2", "Vulnerability")])
    private, _ = srv.new_client(sharing=False)
    uploads.post("private", private, str(uuid.uuid4()), "threat", day(0),
                 [item(T_PRIVATE, 99, 99, "5"), item(T_ALL, 99, 99, "5")])
    yield srv, uploads, apis
    srv.stop()


def get(server, path, status=200, headers=None):
    r = server.client(token=None, user_agent=None).get(path, headers=headers)
    assert r.status == status, (path, r)
    return r


def shown(expected, floor):
    return {k: e for k, e in expected.items() if e["organisations"] >= floor and e["analyses"] >= floor}


def rank_of(shown_items, key):
    order = sorted(shown_items, key=lambda k: (-shown_items[k]["averages"]["averageRate"], k))
    return order.index(key) + 1, len(order)


def test_object_json_gives_the_figures_of_the_landscape(landscape):
    server, uploads, _ = landscape
    sharing = {"a", "b", "c"}
    for type_, objects in (("threat", (T_ALL, T_HIGH)), ("vulnerability", (V_ALL,))):
        expected = shown(uploads.expected(type_, sharing), 3)
        kind = "threats" if type_ == "threat" else "vulnerabilities"
        listed = {i["object"]: i for i in get(server, f"/stats/{kind}.json?last_stats=1").json}
        assert set(listed) == set(expected)
        for obj in objects:
            got = get(server, f"/stats/object/{obj}.json").json
            want = expected[obj]
            rank, ranked = rank_of(expected, obj)
            assert list(got) == ["object", "type", "labels", "averages", "rank", "ranked", "analyses",
                                 "organisations", "data_up_to", "mosp_url"]
            assert got["object"] == obj and got["type"] == type_
            assert got["labels"] == want["labels"]
            for key, value in want["averages"].items():
                assert got["averages"][key] == pytest.approx(value, abs=1e-9), (obj, key)
            # The very numbers the landscape's list shows.
            assert got["averages"] == listed[obj]["averages"]
            assert (got["analyses"], got["organisations"], got["data_up_to"]) == \
                (want["analyses"], want["organisations"], want["data_up_to"])
            assert (got["rank"], got["ranked"]) == (rank, ranked)
            assert got["mosp_url"] == "https://mosp.example.org/object/" + obj
    # T_ALL: six analyses (two per organisation), the latest stats of each; the private
    # client's 99s never count, nor the older stats of the first analyses.
    t_all = get(server, f"/stats/object/{T_ALL}.json").json
    assert (t_all["analyses"], t_all["organisations"]) == (6, 3)
    assert t_all["averages"]["count"] == pytest.approx((3 + 4 + 5 + 6 * 3) / 6)
    assert (t_all["rank"], get(server, f"/stats/object/{T_HIGH}.json").json["rank"]) == (2, 1)


def test_below_the_floor_an_object_is_not_told_from_an_unknown_one(landscape):
    server, _, _ = landscape
    unknown = get(server, f"/stats/object/{uuid.uuid4()}.json", 404)
    assert unknown.json == {"message": "No public statistics for this object."}
    for obj in (T_TWO, T_PRIVATE, T_TWO.upper()):
        r = get(server, f"/stats/object/{obj}.json", 404)
        assert (r.body, r.header("Content-Type")) == (unknown.body, unknown.header("Content-Type")), obj
        assert r.header("ETag") is None
        # Its page: the 404 page for a browser, the same JSON for a program.
        page = get(server, f"/object/{obj}", 404, headers={"Accept": "text/html"})
        assert page.header("Content-Type").startswith("text/html") and b"Page not found" in page.body
        assert get(server, f"/object/{obj}", 404).json == {"message": "Not Found - No such resource."}
    # Not a uuid, no .json, another segment: no such object either.
    for path in ("/stats/object/nope.json", f"/stats/object/{T_ALL}", f"/stats/object/{T_ALL}.jsonx",
                 "/stats/object/.json", "/object/nope"):
        get(server, path, 404)


def test_a_third_organisation_brings_an_object_over_the_floor(landscape):
    server, uploads, apis = landscape
    get(server, f"/stats/object/{T_TWO}.json", 404)
    before = get(server, f"/stats/object/{T_ALL}.json")
    uploads.post("c", apis["c"], str(uuid.uuid4()), "threat", server_today(server).isoformat(),
                 [item(T_TWO, 2, 3, "0.5")])
    got = get(server, f"/stats/object/{T_TWO}.json").json
    want = shown(uploads.expected("threat", {"a", "b", "c"}), 3)
    assert (got["organisations"], got["analyses"]) == (3, 3)
    assert got["averages"]["count"] == pytest.approx(want[T_TWO]["averages"]["count"])
    assert (got["rank"], got["ranked"]) == rank_of(want, T_TWO)
    # The other objects' answers moved with the stats (a new rank to count in).
    after = get(server, f"/stats/object/{T_ALL}.json")
    assert after.json["ranked"] == before.json["ranked"] + 1
    assert after.header("ETag") != before.header("ETag")
    assert get(server, f"/object/{T_TWO}", headers={"Accept": "text/html"}).header("Content-Type") \
        .startswith("text/html")


def test_object_answers_are_cached_and_validated(landscape):
    server, _, _ = landscape
    first = get(server, f"/stats/object/{T_ALL.upper()}.json")
    assert first.json["object"] == T_ALL
    assert first.header("Cache-Control") == "public, no-cache"
    again = get(server, f"/stats/object/{T_ALL}.json", 304, headers={"If-None-Match": first.header("ETag")})
    assert again.body == b""
    r = get(server, f"/stats/object/{T_ALL}.json?days=30", 400)
    assert "days" in r.body.decode()


def test_object_page(landscape):
    server, _, _ = landscape
    page = get(server, f"/object/{T_ALL.upper()}?lang=fr", headers={"Accept": "text/html"})
    html = page.body.decode()
    assert page.header("Content-Language") == "fr"
    assert f'data-object="{T_ALL}"' in html and 'data-type="threat"' in html
    assert f'href="https://mosp.example.org/object/{T_ALL}"' in html
    assert 'data-min-organisations="3"' in html
    vulnerability = get(server, f"/object/{V_ALL}", headers={"Accept": "text/html"}).body.decode()
    assert 'data-type="vulnerability"' in vulnerability


@pytest.mark.parametrize("backend", BACKENDS)
def test_floor_of_one_shows_every_object_of_a_sharing_client(backend, tmp_path):
    srv = Server(backend, tmp_path)   # conftest: MIN_ORGANISATIONS=1; MOSP_URL by default
    try:
        api, _ = srv.new_client()
        date = server_today(srv).isoformat()
        r = api.post("/api/v1/stats/", [{"anr": str(uuid.uuid4()), "type": "threat", "date": date,
                                         "data": [item(T_TWO, 4, 8, "2.5")]}])
        assert r.status == 201
        got = get(srv, f"/stats/object/{T_TWO}.json").json
        assert (got["analyses"], got["organisations"], got["rank"], got["ranked"]) == (1, 1, 1, 1)
        assert got["averages"] == {"count": 4.0, "maxRisk": 8.0, "averageRate": 2.5}
        assert got["mosp_url"] == "https://objects.monarc.lu/object/" + T_TWO
    finally:
        srv.stop()
