"""API v1 scoping: a client sees and deletes only its own stats; an admin sees all
(docs/api.md §Authentication, §Stats).
"""
import json
import uuid

from conftest import STATS_TYPES, fixture_raw, fresh_anrs

WIDE = {"date_from": "1900-01-01", "date_to": "9999-12-31"}


def upload_fixture(api, name, anrs):
    r = api.post("/api/v1/stats/", raw=fixture_raw(name, anrs))
    assert r.status == 201, r
    return r.json["data"]


def listed(api, stats_type, **params):
    r = api.get("/api/v1/stats/", {"type": stats_type, **WIDE, **params})
    assert r.status == 200, r
    return r.json["data"]


def of_anr(api, anr):
    r = api.get(f"/api/v1/stats/{anr}")
    assert r.status == 200, r
    return r.json["data"]


def uuids(stats):
    return sorted(s["uuid"] for s in stats)


def test_a_client_cannot_see_another_clients_stats(server):
    owner, _ = server.new_client()
    other, _ = server.new_client()
    anrs = fresh_anrs()
    stored = upload_fixture(owner, "full-batch.json", anrs)
    anr = stored[0]["anr"]
    for stats_type in STATS_TYPES:
        assert listed(other, stats_type) == []
        assert listed(other, stats_type, anr=anr) == []
        assert listed(other, stats_type, anrs=list(anrs.values())) == []
        assert listed(other, stats_type, get_last=True) == []
        assert len(listed(owner, stats_type)) == 2
    assert of_anr(other, anr) == []
    assert len(of_anr(owner, anr)) == 5
    r = other.get(f"/api/v1/stats/?type=risk&anr={anr}&date_from=1900-01-01")
    assert r.status == 200 and r.json["data"] == [] and r.json["metadata"]["total"] == 0, r


def test_a_client_cannot_delete_another_clients_stats(server):
    owner, _ = server.new_client()
    other, _ = server.new_client()
    stored = upload_fixture(owner, "threat.json", fresh_anrs())
    anr = stored[0]["anr"]
    r = other.request("DELETE", f"/api/v1/stats/{anr}")
    assert r.status == 204 and r.body == b"", r
    assert uuids(of_anr(owner, anr)) == [stored[0]["uuid"]]
    assert uuids(listed(owner, "threat")) == uuids(stored)


def test_admin_sees_everyones_stats(server):
    first, _ = server.new_client()
    second, _ = server.new_client()
    anrs_1, anrs_2 = fresh_anrs(), fresh_anrs()
    stored_1 = upload_fixture(first, "risk.json", anrs_1)
    stored_2 = upload_fixture(second, "risk.json", anrs_2)
    admin = server.admin()
    everyone = listed(admin, "risk", anrs=list(anrs_1.values()) + list(anrs_2.values()))
    assert uuids(everyone) == uuids(stored_1 + stored_2)
    all_risk = uuids(listed(admin, "risk"))
    assert set(uuids(stored_1 + stored_2)) <= set(all_risk)
    assert uuids(of_anr(admin, stored_1[0]["anr"])) == [stored_1[0]["uuid"]]
    assert uuids(listed(admin, "risk", anr=stored_2[1]["anr"])) == [stored_2[1]["uuid"]]
    assert uuids(listed(first, "risk")) == uuids(stored_1)


def test_same_anr_under_two_clients_is_two_stats(server):
    first, _ = server.new_client()
    second, _ = server.new_client()
    anrs = fresh_anrs()
    stored_1 = upload_fixture(first, "vulnerability.json", anrs)
    r = second.post("/api/v1/stats/", raw=fixture_raw("vulnerability.json", anrs))
    assert r.status == 201, r
    assert r.json["metadata"]["created"] == 2 and r.json["metadata"]["updated"] == 0
    stored_2 = r.json["data"]
    assert not set(uuids(stored_1)) & set(uuids(stored_2))
    assert uuids(listed(first, "vulnerability")) == uuids(stored_1)
    assert uuids(listed(second, "vulnerability")) == uuids(stored_2)
    anr = stored_1[0]["anr"]
    admin = server.admin()
    assert uuids(of_anr(admin, anr)) == sorted([stored_1[0]["uuid"], stored_2[0]["uuid"]])
    # get_last is per (client, ANR): both clients' latest stats of the ANR.
    latest = listed(admin, "vulnerability", anr=anr, get_last=True)
    assert uuids(latest) == sorted([stored_1[0]["uuid"], stored_2[0]["uuid"]])

    # The second client's re-upload updates its own stats only.
    changed = json.loads(fixture_raw("vulnerability.json", anrs))
    changed[0]["data"][0]["count"] = 1000
    r = second.post("/api/v1/stats/", changed)
    assert r.status == 201 and r.json["metadata"]["updated"] == 2, r
    assert of_anr(first, anr)[0]["data"][0]["count"] == 14
    assert of_anr(second, anr)[0]["data"][0]["count"] == 1000


def test_admin_deletes_everyones_stats_of_an_anr(server):
    first, _ = server.new_client()
    second, _ = server.new_client()
    anrs = fresh_anrs()
    upload_fixture(first, "compliance.json", anrs)
    upload_fixture(second, "compliance.json", anrs)
    target, kept = list(anrs.values())[:2]
    r = server.admin().request("DELETE", f"/api/v1/stats/{target}")
    assert r.status == 204 and r.body == b"", r
    assert of_anr(server.admin(), target) == []
    for client in (first, second):
        assert of_anr(client, target) == []
        assert [s["anr"] for s in of_anr(client, kept)] == [kept]


def test_own_delete_leaves_other_clients_alone(server):
    first, _ = server.new_client()
    second, _ = server.new_client()
    anrs = fresh_anrs()
    upload_fixture(first, "cartography.json", anrs)
    stored_2 = upload_fixture(second, "cartography.json", anrs)
    anr = stored_2[0]["anr"]
    r = first.request("DELETE", f"/api/v1/stats/{anr}")
    assert r.status == 204, r
    assert of_anr(first, anr) == []
    assert uuids(of_anr(second, anr)) == [stored_2[0]["uuid"]]


def test_a_client_cannot_overwrite_another_clients_stats_by_uuid(server):
    owner, _ = server.new_client()
    other, _ = server.new_client()
    anrs = fresh_anrs()
    stored = upload_fixture(owner, "risk.json", anrs)
    items = json.loads(fixture_raw("risk.json", anrs))
    items[0]["uuid"] = stored[0]["uuid"]
    items[0]["data"]["risks"]["current"]["informational"][0]["value"] = 0
    r = other.post("/api/v1/stats/", items)
    assert r.status == 409, r
    assert listed(other, "risk") == []
    assert of_anr(owner, stored[0]["anr"])[0]["data"] == json.loads(
        fixture_raw("risk.json", anrs))[0]["data"]


def test_patching_me_changes_only_me(server):
    first, created_1 = server.new_client()
    second, created_2 = server.new_client()
    r = second.request("PATCH", "/api/v1/client/me",
                       {"is_sharing_enabled": False, "name": "renamed-" + uuid.uuid4().hex[:8]})
    assert r.status == 201, r
    me = first.get("/api/v1/client/me").json
    assert me["name"] == created_1["name"] and me["is_sharing_enabled"] is True
    assert second.get("/api/v1/client/me").json["uuid"] == created_2["uuid"]
