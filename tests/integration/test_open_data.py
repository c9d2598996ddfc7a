"""The open data (docs/api.md, docs/privacy.md): /open-data/<name>.csv, each public answer
of the landscape's default view (the latest stats of each analysis) as CSV, under the
privacy floor like the JSON it is made from, and the /open-data page that lists every
dataset under DATA_LICENSE.  The expected rows are flattened here from the JSON answers."""
import copy
import csv
import datetime
import gzip
import io
import re
import uuid

import pytest

from conftest import BACKENDS, Server, fixture, server_today

DATASETS = ("threats", "vulnerabilities", "risks", "cartography", "compliance")
LANGS = ("fr", "en", "de", "nl")
LABELS = ("label1", "label2", "label3", "label4")
SUPPORT = ("analyses", "organisations", "data_up_to")


def fill(server, organisations):
    today = server_today(server)
    for n in range(organisations):
        api, _ = server.new_client()
        items = copy.deepcopy(fixture("full-batch.json"))
        anrs = {}
        for item in items:
            item["anr"] = anrs.setdefault(item["anr"], str(uuid.uuid4()))
            item["date"] = (today - datetime.timedelta(days=n)).isoformat()
        assert api.post("/api/v1/stats/", items).status == 201


def get(server, path, status=200, headers=None):
    r = server.client(token=None, user_agent=None).get(path, headers=headers)
    assert r.status == status, (path, r)
    return r


def read_csv(body):
    assert body.startswith(b"\xef\xbb\xbf"), "a UTF-8 byte-order mark for spreadsheets"
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def support(o):
    return [o[k] for k in SUPPORT] + ["latest"]


def expected_rows(name, answer):
    """The rows the CSV of `name` should hold, from its JSON answer."""
    if name in ("threats", "vulnerabilities"):
        return [[o["object"], *(o["labels"][k] for k in LABELS),
                 *(o["averages"][k] for k in ("count", "maxRisk", "averageRate")), *support(o)] for o in answer]
    if name == "compliance":
        return [[r["referential"], *(r["labels"][k] for k in LABELS), *(c["labels"][k] for k in LABELS),
                 c["current"], c["target"], c["controls"], *support(r)]
                for r in answer for c in r["categories"]]
    rows = []
    if name == "risks":
        for state in ("current", "residual"):
            for kind, levels in answer.get(state, {}).items():
                rows += [[state, kind, level, value, *support(answer)] for level, value in levels.items()]
    else:
        for state in ("current", "residual"):
            for kind, impacts in answer.get("risks", {}).get(state, {}).items():
                rows += [[state, kind, impact, column, count, *support(answer)]
                         for impact, columns in impacts.items() for column, count in columns.items()]
    return rows


def same_cell(got, want):
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        return float(got) == float(want)
    return got == str(want)


@pytest.fixture(params=BACKENDS)
def floor3(request, tmp_path):
    srv = Server(request.param, tmp_path, {"MIN_ORGANISATIONS": "3"})
    yield srv
    srv.stop()


def test_each_csv_holds_the_public_answer(floor3):
    fill(floor3, 3)
    for name in DATASETS:
        r = get(floor3, f"/open-data/{name}.csv")
        assert r.header("Content-Type") == "text/csv; charset=utf-8"
        assert r.header("Content-Disposition") == f'attachment; filename="{name}-latest.csv"'
        rows = read_csv(r.body)
        want = expected_rows(name, get(floor3, f"/stats/{name}.json?last_stats=1").json)
        assert want, name
        assert rows[0][-4:] == ["analyses", "organisations", "data_up_to", "period"], rows[0]
        assert len(rows) == 1 + len(want), name
        for got, expected in zip(rows[1:], want):
            assert len(got) == len(rows[0]) == len(expected), (name, got)
            assert all(same_cell(g, w) for g, w in zip(got, expected)), (name, got, expected)
    header = read_csv(get(floor3, "/open-data/threats.csv").body)[0]
    assert header[:5] == ["uuid"] + [f"label_{lang}" for lang in LANGS]


def test_below_the_floor_the_files_hold_no_figure(floor3):
    fill(floor3, 2)
    threats = get(floor3, "/stats/threats.json?days=30").json
    assert threats == []
    for name in DATASETS:
        rows = read_csv(get(floor3, f"/open-data/{name}.csv").body)
        assert len(rows) == 1, (name, rows[:3])   # the header alone
    # With the third organisation the same addresses fill (the cache follows the stats).
    fill(floor3, 1)
    assert len(read_csv(get(floor3, "/open-data/threats.csv").body)) > 1


def test_csv_answers_are_cached_validated_and_compressed(floor3):
    fill(floor3, 3)
    first = get(floor3, "/open-data/cartography.csv")
    assert first.header("Cache-Control") == "public, no-cache" and first.header("Last-Modified")
    get(floor3, "/open-data/cartography.csv", 304, headers={"If-None-Match": first.header("ETag")})
    assert len(first.body) > 1024   # answers over 1 KiB go compressed to who takes gzip
    packed = get(floor3, "/open-data/cartography.csv", headers={"Accept-Encoding": "gzip"})
    assert packed.header("Content-Encoding") == "gzip" and "Accept-Encoding" in packed.header("Vary")
    assert gzip.decompress(packed.body) == first.body
    for path in ("/open-data/nope.csv", "/open-data/threats.json", "/open-data/threats"):
        get(floor3, path, 404)
    assert "days" in get(floor3, "/open-data/threats.csv?days=3", 400).body.decode()


@pytest.mark.parametrize("backend", BACKENDS)
def test_text_a_spreadsheet_would_run_is_quoted(backend, tmp_path):
    srv = Server(backend, tmp_path)   # conftest: MIN_ORGANISATIONS=1
    try:
        api, _ = srv.new_client()
        label = '=HYPERLINK("http://x","click"), really'
        r = api.post("/api/v1/stats/", [{"anr": str(uuid.uuid4()), "type": "threat",
                                         "date": server_today(srv).isoformat(),
                                         "data": [{"uuid": "0b1ec700-0000-4000-8000-00000000c001",
                                                   "label1": "+fr", "label2": label, "label3": "-de",
                                                   "label4": "@nl", "count": 1, "maxRisk": 2,
                                                   "averageRate": "1.5"}]}])
        assert r.status == 201
        rows = read_csv(get(srv, "/open-data/threats.csv").body)
        assert rows[1][1:5] == ["'+fr", "'" + label, "'-de", "'@nl"]
        assert rows[1][5:8] == ["1.0", "2.0", "1.5"]   # the means as the JSON writes them
    finally:
        srv.stop()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("license_, shown", [(None, "CC BY 4.0"), ("ODbL 1.0 <by the operator>",
                                                                   "ODbL 1.0 &lt;by the operator&gt;")])
def test_open_data_page_lists_every_dataset_under_the_licence(backend, tmp_path, license_, shown):
    srv = Server(backend, tmp_path, {"DATA_LICENSE": license_, "MIN_ORGANISATIONS": "3"})
    try:
        for lang in ("en", "fr", "de", "nl"):
            page = get(srv, f"/open-data?lang={lang}", headers={"Accept": "text/html"})
            html = page.body.decode()
            assert f'<span id="data-license">{shown}</span>' in html, lang
            assert '<strong id="open-data-floor">3</strong>' in html
            links = re.findall(r'href="(/(?:open-data|stats|map)/[^"]+)"', html)
            for name in DATASETS:
                assert f"/open-data/{name}.csv" in links and f"/stats/{name}.json?last_stats=1" in links, name
            assert "/map/clients.json" in links
            assert 'href="/api/v1/swagger.json"' in html and 'href="/api/v1/"' in html
            # Every page's menu leads here.
            assert 'href="/open-data"' in get(srv, f"/help?lang={lang}", headers={"Accept": "text/html"}).body.decode()
        for link in links:
            r = get(srv, link.replace("&amp;", "&"))
            assert r.header("Last-Modified"), link
    finally:
        srv.stop()
