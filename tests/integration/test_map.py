"""/map/clients.json (docs/api.md §Public JSON): per client with coordinates, sharing
and threat and vulnerability stats, its top threat and vulnerability by mean
count over the latest stats of each of its analyses; nothing private.
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
                       "max_vulnerability_labels"]
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
