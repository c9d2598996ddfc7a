"""Admin endpoints (docs/api.md §Admin endpoints): the sharing switches and
/admin/update.json with UPDATE_COMMAND, for admin tokens only.
"""
import json
import uuid

import pytest

from conftest import BACKENDS, Server


@pytest.fixture(scope="module", params=BACKENDS)
def admin_server(request, tmp_path_factory):
    """A server whose UPDATE_COMMAND runs update.sh of its folder (each test writes it)."""
    tmp = tmp_path_factory.mktemp(request.param)
    srv = Server(request.param, tmp, {"UPDATE_COMMAND": f"sh {tmp}/update.sh"})
    srv.script = tmp / "update.sh"
    yield srv
    srv.stop()


def me(server, token):
    r = server.client(token).get("/api/v1/client/me")
    assert r.status == 200, r
    return r.json


SHARING_ROUTES = ["client_sharing_activate.json", "client_sharing_deactivate.json"]


@pytest.mark.parametrize("route", SHARING_ROUTES + ["update.json"])
def test_admin_routes_need_an_admin_token(admin_server, route):
    user, obj = admin_server.new_client()
    path = f"/admin/{route}" + ("" if route == "update.json" else f"/{obj['uuid']}")
    admin_server.script.write_text("touch ran\n")
    r = admin_server.client().get(path)
    assert r.status == 401, r
    r = admin_server.client("no-such-token").get(path)
    assert r.status == 403, r
    r = user.get(path)
    assert r.status == 403 and r.json["message"] == "Forbidden - Admin rights required.", r
    assert me(admin_server, obj["token"])["is_sharing_enabled"] is True
    assert not (admin_server.tmp / "ran").exists()


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sharing_switches(admin_server, method):
    _, obj = admin_server.new_client()
    admin = admin_server.admin()
    r = admin.request(method, f"/admin/client_sharing_deactivate.json/{obj['uuid']}")
    assert (r.status, r.json) == (200, {"result": "OK"}), r
    assert me(admin_server, obj["token"])["is_sharing_enabled"] is False
    r = admin.request(method, f"/admin/client_sharing_deactivate.json/{obj['uuid']}")
    assert (r.status, r.json) == (200, {"result": "OK"}), r
    r = admin.request(method, f"/admin/client_sharing_activate.json/{obj['uuid'].upper()}")
    assert (r.status, r.json) == (200, {"result": "OK"}), r
    assert me(admin_server, obj["token"])["is_sharing_enabled"] is True


@pytest.mark.parametrize("route", SHARING_ROUTES)
def test_sharing_switch_of_an_unknown_client(admin_server, route):
    missing = str(uuid.uuid4())
    r = admin_server.admin().get(f"/admin/{route}/{missing}")
    assert r.status == 404, r
    assert r.json["result"] == "KO" and missing in r.json["message"]
    r = admin_server.admin().get(f"/admin/{route}/not-a-uuid")
    assert r.status == 400 and r.json["result"] == "KO", r


def test_sharing_routes_take_no_other_method(admin_server):
    r = admin_server.admin().request("DELETE", f"/admin/client_sharing_activate.json/{uuid.uuid4()}")
    assert r.status == 405 and r.header("Allow") == "GET, POST", r


def test_update_runs_the_command(admin_server):
    admin_server.script.write_text("echo pulling\necho 'warnings go along' >&2\necho 'déjà à jour'\n")
    r = admin_server.admin().get("/admin/update.json")
    assert r.status == 200, r
    assert r.json == {"result": "OK",
                      "output": "pulling\nwarnings go along\ndéjà à jour\n"}


def test_update_that_fails_is_ko_with_its_output(admin_server):
    admin_server.script.write_text("echo 'cannot fetch'\nexit 3\n")
    r = admin_server.admin().get("/admin/update.json")
    assert (r.status, r.json) == (200, {"result": "KO", "output": "cannot fetch\n"}), r


def test_update_output_is_always_valid_json(admin_server):
    admin_server.script.write_text("printf 'ok \\377\\376 end'\n")
    r = admin_server.admin().get("/admin/update.json")
    assert r.status == 200, r
    assert json.loads(r.body)["output"] == "ok ?? end"


def test_update_command_gets_normal_signals(admin_server):
    # The server blocks SIGTERM in its threads; the command must not inherit that.
    admin_server.script.write_text("echo before\nkill -TERM $$\necho after\n")
    r = admin_server.admin().get("/admin/update.json")
    assert r.status == 200 and r.json["result"] == "KO", r
    assert r.json["output"].startswith("before\n") and "after" not in r.json["output"], r


def test_update_without_a_command_is_501(server):
    r = server.admin().get("/admin/update.json")
    assert r.status == 501 and r.json["result"] == "KO", r
    assert "UPDATE_COMMAND" in r.json["message"]


def test_admin_blueprint_switched_off(tmp_path):
    srv = Server("sqlite", tmp_path, {"ACTIVE_BLUEPRINTS": "stats_bp,root_bp"})
    try:
        _, obj = srv.new_client()
        r = srv.admin().get(f"/admin/client_sharing_activate.json/{obj['uuid']}")
        assert r.status == 404, r
        assert srv.admin().get("/admin/update.json").status == 404
        assert srv.client().get("/healthz").status == 200   # operations stay on
    finally:
        srv.stop()
