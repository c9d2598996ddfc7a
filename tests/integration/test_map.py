"""/map/clients.json (docs/api.md §Public JSON, docs/privacy.md): the clients with
coordinates, sharing and threat and vulnerability stats, grouped into areas of at
least MIN_ORGANISATIONS of them; per area, its top threat and vulnerability by mean
count over the latest stats of each analysis, among the objects enough of its
clients name; nothing private.  With MIN_ORGANISATIONS=1 (the servers' default
here, conftest.py) every client is its own area, as in the original.
"""
import uuid

import pytest

from conftest import BACKENDS, Server, run_cli

T1, T2, T3 = ("b402d4e0-4576-11e9-9173-0800277f0571", "b402d523-4576-11e9-9173-0800277f0571",
              "b402d557-4576-11e9-9173-0800277f0571")
V1, V2 = "69fc0421-4591-11e9-9173-0800277f0571", "69fc0b02-4591-11e9-9173-0800277f0571"


@pytest.fixture(params=BACKENDS)
def fresh(request, tmp_path):
    srv = Server(request.param, tmp_path)
    yield srv
    srv.stop()


def objects(*specs):
    return [{"uuid": u, "label1": f"fr {label}", "label2": f"en {label}", "label3": None,
             "count": count, "maxRisk": 1, "averageRate": "1"} for u, label, count in specs]


def upload(api, anr, date, threats=None, vulnerabilities=None):
    items = []
    if threats is not None:
        items.append({"anr": anr, "type": "threat", "date": date, "data": threats})
    if vulnerabilities is not None:
        items.append({"anr": anr, "type": "vulnerability", "date": date, "data": vulnerabilities})
    assert api.post("/api/v1/stats/", items).status == 201


def place(server, client_uuid, lat, lon):
    run_cli(server.env, "client", "coordinates-set", "--uuid", client_uuid, "--latitude", str(lat),
            "--longitude", str(lon))


def get_map(server):
    r = server.client(token=None, user_agent=None).get("/map/clients.json")
    assert r.status == 200, r
    return r


def test_markers(fresh):
    assert get_map(fresh).json == []
    a, a_obj = fresh.new_client()
    anr1, anr2 = str(uuid.uuid4()), str(uuid.uuid4())
    # Latest of anr1 (05-02): T1 4, T2 6; of anr2: T1 8, T2 2 → means T1 6, T2 4.
    upload(a, anr1, "2026-05-01", objects((T2, "old", 100)), objects((V1, "v", 1)))
    upload(a, anr1, "2026-05-02", objects((T1, "one", 4), (T2, "two", 6)), objects((V1, "v1", 3), (V2, "v2", 1)))
    upload(a, anr2, "2026-04-01", objects((T1, "one later", 8), (T2, "two", 2)), objects((V2, "v2 b", 5)))
    place(fresh, a_obj["uuid"], 49.61, 6.13)
    # Sharing, coordinates, but no vulnerability stats: no marker.
    b, b_obj = fresh.new_client()
    upload(b, str(uuid.uuid4()), "2026-05-01", objects((T1, "x", 1)))
    place(fresh, b_obj["uuid"], 50, 5)
    # No coordinates; not sharing: no marker either.
    c, _ = fresh.new_client()
    upload(c, str(uuid.uuid4()), "2026-05-01", objects((T1, "x", 1)), objects((V1, "x", 1)))
    d, d_obj = fresh.new_client(sharing=False)
    upload(d, str(uuid.uuid4()), "2026-05-01", objects((T1, "x", 1)), objects((V1, "x", 1)))
    place(fresh, d_obj["uuid"], 1, 1)

    r = get_map(fresh)
    markers = r.json
    assert len(markers) == 1, markers
    m = markers[0]
    assert list(m) == ["latitude", "longitude", "max_threat", "max_vulnerability", "max_threat_labels",
                       "max_vulnerability_labels", "organisations"]
    assert m["organisations"] == 1
    assert (m["latitude"], m["longitude"]) == (49.61, 6.13)
    assert m["max_threat"] == [6.0, T1]
    # Labels of T1's most recent occurrence among those stats (anr1, 2026-05-02).
    assert m["max_threat_labels"] == {"label1": "fr one", "label2": "en one", "label3": "", "label4": ""}
    # V1: 3 (one analysis); V2: (1 + 5) / 2 = 3 → tie, the smaller uuid wins.
    assert m["max_vulnerability"] == [3.0, V1]
    assert m["max_vulnerability_labels"]["label2"] == "en v1"
    body = r.body.decode()
    for secret in (a_obj["name"], a_obj["token"], a_obj["uuid"], anr1, anr2):
        assert secret not in body
    assert r.header("ETag") and r.header("Cache-Control") == "public, no-cache"

    # Moving the client, or new stats, shows at once (the cached answer is dropped).
    place(fresh, a_obj["uuid"], 48.5, 2.25)
    assert (get_map(fresh).json[0]["latitude"], get_map(fresh).json[0]["longitude"]) == (48.5, 2.25)
    upload(a, anr2, "2026-05-03", objects((T3, "three", 50)), objects((V2, "v2 c", 9)))
    m = get_map(fresh).json[0]
    assert m["max_threat"] == [50.0, T3] and m["max_vulnerability"] == [5.0, V2]  # (1 + 9) / 2
    assert m["max_threat_labels"]["label1"] == "fr three"
    r = get_map(fresh)
    again = fresh.client(token=None, user_agent=None).get("/map/clients.json",
                                                          headers={"If-None-Match": r.header("ETag")})
    assert again.status == 304


@pytest.fixture(params=BACKENDS)
def floor3(request, tmp_path):
    srv = Server(request.param, tmp_path, extra_env={"MIN_ORGANISATIONS": None})  # the default: 3
    yield srv
    srv.stop()


def test_areas_hold_at_least_the_floor(floor3):
    # Luxembourg: two organisations close together, then a third in Metz.
    a, a_obj = floor3.new_client()
    b, b_obj = floor3.new_client()
    # T1 named by all, T2 by a alone with the highest count, T3 by a and b.
    upload(a, str(uuid.uuid4()), "2026-05-01", objects((T1, "one", 2), (T2, "two", 90), (T3, "three", 50)),
           objects((V1, "v1", 4), (V2, "v2", 1)))
    upload(b, str(uuid.uuid4()), "2026-05-01", objects((T1, "one", 4), (T3, "three", 50)),
           objects((V1, "v1", 2), (V2, "v2", 1)))
    place(floor3, a_obj["uuid"], 49.61, 6.13)
    place(floor3, b_obj["uuid"], 49.62, 6.14)
    # Two organisations: no area, nothing about them.
    r = get_map(floor3)
    assert r.json == []
    etag = r.header("ETag")

    c, c_obj = floor3.new_client()
    anr_c = str(uuid.uuid4())
    upload(c, anr_c, "2026-05-02", objects((T1, "one c", 6)), objects((V2, "v2 c", 10)))
    place(floor3, c_obj["uuid"], 49.12, 6.18)
    # A fourth, alone on another continent: in no area.
    d, d_obj = floor3.new_client()
    upload(d, str(uuid.uuid4()), "2026-05-02", objects((T2, "two", 1000)), objects((V1, "v1", 1000)))
    place(floor3, d_obj["uuid"], -33.9, 18.4)

    r = get_map(floor3)
    assert r.header("ETag") != etag
    assert len(r.json) == 1, r.json
    area = r.json[0]
    assert area["organisations"] == 3
    # The mean position, to 0.01°: (49.61 + 49.62 + 49.12) / 3, (6.13 + 6.14 + 6.18) / 3.
    assert (area["latitude"], area["longitude"]) == (49.45, 6.15)
    # Only T1 is named by 3 organisations: (2 + 4 + 6) / 3.  T2 (90, one organisation) and
    # T3 (two) are left out.  Its labels: those of the organisation with the highest mean (c).
    assert area["max_threat"] == [4.0, T1]
    assert area["max_threat_labels"]["label2"] == "en one c"
    # V2 is named by all three: (1 + 1 + 10) / 3 = 4; V1 by a and b only.
    assert area["max_vulnerability"] == [4.0, V2]
    body = r.body.decode()
    for secret in ("-33.9", "18.4", "49.61", "6.13", a_obj["uuid"], c_obj["name"], anr_c):
        assert secret not in body


def test_area_without_an_object_named_by_enough(floor3):
    specs = [((T1, "one", 1),), ((T2, "two", 1),), ((T3, "three", 1),)]
    for i, threats in enumerate(specs):
        cl, obj = floor3.new_client()
        upload(cl, str(uuid.uuid4()), "2026-05-01", objects(*threats), objects((V1, "v1", i + 1)))
        place(floor3, obj["uuid"], 10 + i * 0.01, 20)
    [area] = get_map(floor3).json
    assert area["organisations"] == 3
    assert area["max_threat"] is None and area["max_threat_labels"] is None
    assert area["max_vulnerability"] == [2.0, V1]
