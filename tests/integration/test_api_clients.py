"""API v1 clients: GET/PATCH /api/v1/client/me and POST /api/v1/client/ (docs/api.md §Clients).

Registration refused by CLIENT_REGISTRATION_OPEN=0 is in test_api_config.py (it needs
a server of its own).
"""
import re
import uuid

import pytest

from conftest import ADMIN_TOKEN

UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
CLIENT_KEYS = {"uuid", "name", "token", "role", "is_sharing_enabled"}


def unique_name(prefix="client"):
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def assert_client_object(obj, token, name=None, role="1", sharing=None):
    assert set(obj) == CLIENT_KEYS, obj
    assert UUID_RE.match(obj["uuid"]), obj
    assert obj["token"] == token
    assert obj["role"] == role  # a string, as in the original
    assert isinstance(obj["is_sharing_enabled"], bool)
    if name is not None:
        assert obj["name"] == name
    if sharing is not None:
        assert obj["is_sharing_enabled"] is sharing


# --- GET /api/v1/client/me ------------------------------------------------------

def test_me_echoes_token_role_uuid_and_name(server):
    name = unique_name()
    api, created = server.new_client(name)
    r = api.get("/api/v1/client/me")
    assert r.status == 200, r
    assert r.header("Content-Type").startswith("application/json")
    assert_client_object(r.json, created["token"], name=name, role="1", sharing=True)
    assert r.json["uuid"] == created["uuid"]


def test_me_of_admin_has_role_2(server):
    r = server.admin().get("/api/v1/client/me")
    assert r.status == 200, r
    assert_client_object(r.json, ADMIN_TOKEN, name="admin", role="2")


def test_me_on_every_path_spelling(server):
    api, created = server.new_client()
    for path in ("/api/v1/client/me", "/api/v1/client/me/", "//api/v1/client/me",
                 "/api//v1///client/me//"):
        r = api.get(path)
        assert r.status == 200, (path, r)
        assert r.json["uuid"] == created["uuid"], path


def test_me_with_sharing_disabled_at_creation(server):
    api, created = server.new_client(sharing=False)
    assert created["is_sharing_enabled"] is False
    assert api.get("/api/v1/client/me").json["is_sharing_enabled"] is False


# --- PATCH /api/v1/client/me ----------------------------------------------------

def test_patch_sharing_off_and_on(server):
    api, created = server.new_client()
    r = api.request("PATCH", "/api/v1/client/me", {"is_sharing_enabled": False})
    assert r.status == 201, r
    assert_client_object(r.json, created["token"], name=created["name"], sharing=False)
    assert r.json["uuid"] == created["uuid"]
    assert api.get("/api/v1/client/me").json["is_sharing_enabled"] is False

    r = api.request("PATCH", "/api/v1/client/me/", {"is_sharing_enabled": True})
    assert r.status == 201, r
    assert r.json["is_sharing_enabled"] is True
    assert api.get("/api/v1/client/me").json["is_sharing_enabled"] is True


def test_patch_name(server):
    api, created = server.new_client()
    new_name = unique_name("renamed")
    r = api.request("PATCH", "/api/v1/client/me", {"name": new_name})
    assert r.status == 201, r
    assert_client_object(r.json, created["token"], name=new_name, sharing=True)
    me = api.get("/api/v1/client/me").json
    assert me["name"] == new_name and me["uuid"] == created["uuid"]


def test_patch_to_a_taken_name_is_409_and_changes_nothing(server):
    _, first = server.new_client()
    api, second = server.new_client()
    r = api.request("PATCH", "/api/v1/client/me", {"name": first["name"],
                                                    "is_sharing_enabled": False})
    assert r.status == 409, r
    assert isinstance(r.json["message"], str) and r.json["message"]
    me = api.get("/api/v1/client/me").json
    assert me["name"] == second["name"]
    assert me["is_sharing_enabled"] is True


def test_patch_keeping_own_name_is_fine(server):
    api, created = server.new_client()
    r = api.request("PATCH", "/api/v1/client/me", {"name": created["name"]})
    assert r.status == 201, r
    assert r.json["name"] == created["name"]


def test_patch_ignores_other_members(server):
    api, created = server.new_client()
    r = api.request("PATCH", "/api/v1/client/me",
                    {"is_sharing_enabled": False, "role": "2", "uuid": str(uuid.uuid4()),
                     "token": "another-token-0123456789"})
    assert r.status == 201, r
    assert_client_object(r.json, created["token"], name=created["name"], role="1",
                         sharing=False)
    me = api.get("/api/v1/client/me")
    assert me.status == 200, me  # the token did not change
    assert me.json["role"] == "1" and me.json["uuid"] == created["uuid"]


def test_patch_with_wrong_types_is_400(server):
    api, created = server.new_client()
    for body, field in (({"is_sharing_enabled": "no"}, "is_sharing_enabled"),
                        ({"name": 12}, "name"),
                        ({"name": ""}, "name")):
        r = api.request("PATCH", "/api/v1/client/me", body)
        assert r.status == 400, (body, r)
        assert field in r.body.decode(), (body, r)
    r = api.request("PATCH", "/api/v1/client/me", raw="[true]")
    assert r.status == 400, r
    me = api.get("/api/v1/client/me").json
    assert me["name"] == created["name"] and me["is_sharing_enabled"] is True


# --- POST /api/v1/client/ -------------------------------------------------------

def test_admin_creates_a_client_whose_token_works(server):
    admin = server.admin()
    name = unique_name()
    r = admin.post("/api/v1/client/", {"name": name, "is_sharing_enabled": False})
    assert r.status == 201, r
    obj = r.json
    assert set(obj) == CLIENT_KEYS
    assert obj["name"] == name and obj["role"] == "1" and obj["is_sharing_enabled"] is False
    assert UUID_RE.match(obj["uuid"])
    assert isinstance(obj["token"], str) and len(obj["token"]) >= 16

    me = server.client(obj["token"]).get("/api/v1/client/me")
    assert me.status == 200, me
    assert_client_object(me.json, obj["token"], name=name, role="1", sharing=False)
    assert me.json["uuid"] == obj["uuid"]


def test_admin_creates_a_client_with_a_given_token(server):
    token = "given-token-" + uuid.uuid4().hex
    name = unique_name()
    r = server.admin().post("/api/v1/client", {"name": name, "is_sharing_enabled": True,
                                                "token": token})
    assert r.status == 201, r
    assert r.json["token"] == token
    me = server.client(token).get("/api/v1/client/me")
    assert me.status == 200, me
    assert me.json["name"] == name and me.json["uuid"] == r.json["uuid"]


def test_generated_tokens_differ(server):
    _, a = server.new_client()
    _, b = server.new_client()
    assert a["token"] != b["token"] and a["uuid"] != b["uuid"]


def test_user_cannot_create_clients(server):
    api, _ = server.new_client()
    name = unique_name()
    token = "user-made-token-" + uuid.uuid4().hex
    r = api.post("/api/v1/client/", {"name": name, "is_sharing_enabled": True, "token": token})
    assert r.status == 403, r
    assert isinstance(r.json["message"], str)
    assert server.client(token).get("/api/v1/client/me").status == 403
    # The name is still free: nothing was created.
    r = server.admin().post("/api/v1/client/", {"name": name, "is_sharing_enabled": True})
    assert r.status == 201, r


def test_client_creation_needs_authentication(server):
    r = server.client().post("/api/v1/client/", {"name": unique_name()})
    assert r.status == 401, r
    assert r.json["message"] == "Unauthorized - Authentication required."


def test_duplicate_name_is_409(server):
    _, first = server.new_client()
    token = "dup-name-token-" + uuid.uuid4().hex
    r = server.admin().post("/api/v1/client/", {"name": first["name"], "is_sharing_enabled": True,
                                                 "token": token})
    assert r.status == 409, r
    assert isinstance(r.json["message"], str)
    assert server.client(token).get("/api/v1/client/me").status == 403


def test_duplicate_token_is_409(server):
    _, first = server.new_client()
    name = unique_name()
    r = server.admin().post("/api/v1/client/", {"name": name, "is_sharing_enabled": True,
                                                 "token": first["token"]})
    assert r.status == 409, r
    me = server.client(first["token"]).get("/api/v1/client/me")
    assert me.status == 200 and me.json["name"] == first["name"]


def test_api_never_creates_an_admin(server):
    name = unique_name()
    r = server.admin().post("/api/v1/client/", {"name": name, "is_sharing_enabled": True,
                                                 "role": "2"})
    if r.status == 201:
        assert r.json["role"] == "1"
        me = server.client(r.json["token"]).get("/api/v1/client/me")
        assert me.json["role"] == "1"
    else:
        assert r.status == 400, r


def test_client_creation_validates_its_body(server):
    admin = server.admin()
    for body, field in (({"is_sharing_enabled": True}, "name"),
                        ({"name": 5}, "name"),
                        ({"name": ""}, "name"),
                        ({"name": unique_name(), "is_sharing_enabled": "yes"}, "is_sharing_enabled"),
                        ({"name": unique_name(), "token": 42}, "token")):
        r = admin.post("/api/v1/client/", body)
        assert r.status == 400, (body, r)
        assert field in r.body.decode(), (body, r)
    r = admin.post("/api/v1/client/")
    assert r.status == 400, r


def test_tokens_are_not_stored_in_clear(server):
    if server.backend != "sqlite":
        pytest.skip("reads the SQLite database file")
    token = "clear-text-canary-" + uuid.uuid4().hex
    r = server.admin().post("/api/v1/client/", {"name": unique_name(), "token": token})
    assert r.status == 201, r
    assert server.client(token).get("/api/v1/client/me").status == 200
    stored = b"".join(p.read_bytes() for p in server.tmp.glob("stats.db*"))
    assert stored, "no database file found"
    assert token.encode() not in stored
    assert ADMIN_TOKEN.encode() not in stored
