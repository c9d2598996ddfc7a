"""The OpenAPI document (/api/v1/swagger.json) against the router, both ways.

The route table comes from `stats-routes` (src/service/route_dump.c), which prints
what routes_build() registers with every group on: every /api/v1 route must be
in the document, and every documented operation must exist in the table and
answer on a running server (not 404, not 405).  The document must also pass a
full OpenAPI 3 validation (@apidevtools/swagger-parser, pinned in
package.json) and be complete: parameters, bodies, responses, errors, examples.
"""
import json
import pathlib
import re
import subprocess

import pytest

from conftest import ADMIN_TOKEN, BIN, ROOT, Server

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
ROUTES_BIN = pathlib.Path(BIN).with_name("stats-routes")
EXAMPLE_UUID = "6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f"


def normalise(pattern):
    """/api/v1/stats/<anr> and /api/v1/stats/{anr}/ both give /api/v1/stats/{}."""
    pattern = re.sub(r"<[^>]+>|\{[^}]+\}", "{}", pattern)
    return pattern.rstrip("/") or "/"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server("sqlite", tmp_path_factory.mktemp("openapi"), {"FIX_PROXY": "1"})
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def document(server):
    r = server.client(user_agent="Mozilla/5.0").get("/api/v1/swagger.json")
    assert r.status == 200
    assert r.header("Content-Type") == "application/json"
    return r.json


def operations(document):
    """(METHOD, normalised full path, operation object, path item) of the document."""
    base = document["servers"][0]["url"]
    for path, item in document["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield method.upper(), normalise(base + path), op, item


def router_api_routes():
    out = subprocess.run([str(ROUTES_BIN)], capture_output=True, text=True, check=True).stdout
    routes = {tuple(line.split(" ", 1)) for line in out.splitlines()}
    assert routes, "stats-routes printed nothing"
    return {(method, normalise(pattern)) for method, pattern in routes
            if pattern == "/api/v1" or pattern.startswith("/api/v1/")}


def test_document_is_valid_openapi_3(document, tmp_path):
    assert document["openapi"].startswith("3.")
    path = tmp_path / "swagger.json"
    path.write_text(json.dumps(document))
    check = ("const P = require('@apidevtools/swagger-parser');"
             "P.validate(process.argv[1]).then(api => console.log('valid ' + api.openapi))"
             ".catch(e => { console.error(e.message); process.exit(1); });")
    proc = subprocess.run(["node", "-e", check, str(path)], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("valid 3.")


def test_source_document_is_the_one_served(document):
    source = json.loads((ROOT / "docs" / "openapi.json").read_text())
    served = dict(document)
    served.pop("servers")
    source.pop("servers", None)
    assert served == source


def test_every_api_route_is_documented(document):
    documented = {(m, p) for m, p, _, _ in operations(document)}
    missing = router_api_routes() - documented
    assert not missing, f"routes missing from docs/openapi.json: {sorted(missing)}"


def test_every_documented_route_exists_in_the_router(document):
    documented = {(m, p) for m, p, _, _ in operations(document)}
    unknown = documented - router_api_routes()
    assert not unknown, f"documented but not routed: {sorted(unknown)}"


def test_every_documented_route_answers(server, document):
    admin = server.client(ADMIN_TOKEN)
    for method, path, op, _ in operations(document):
        url = path.replace("{}", EXAMPLE_UUID)
        body = {} if method in ("POST", "PATCH") else None
        r = admin.request(method, url, body=body)
        assert r.status not in (404, 405), (method, url, r)
        assert str(r.status) in op["responses"], (method, url, r.status, "status not documented")


def test_operations_are_complete(document):
    schemas = document["components"]["schemas"]
    assert "Error" in schemas
    for method, path, op, item in operations(document):
        where = f"{method} {path}"
        assert op.get("summary") and op.get("operationId") and op.get("tags"), where
        codes = set(op["responses"])
        assert any(c.startswith("2") for c in codes), where
        assert any(c.startswith("4") for c in codes), where
        assert "500" in codes, where
        for param in item.get("parameters", []) + op.get("parameters", []):
            assert param.get("description") and param.get("schema"), (where, param["name"])
        if "requestBody" in op:
            media = op["requestBody"]["content"]["application/json"]
            assert "schema" in media and "example" in media, where
        for code, resp in op["responses"].items():
            if "$ref" in resp:
                resp = document["components"]["responses"][resp["$ref"].split("/")[-1]]
            assert resp.get("description"), (where, code)
            for media in resp.get("content", {}).values():
                if code.startswith(("4", "5")):
                    assert media["schema"] == {"$ref": "#/components/schemas/Error"}, (where, code)
                    assert "message" in media["example"], (where, code)


def test_authenticated_operations_list_401_and_403(document):
    for method, path, op, _ in operations(document):
        secured = op.get("security", document.get("security"))
        if secured:
            assert {"401", "403", "426"} <= set(op["responses"]), f"{method} {path}"


def test_servers_carry_the_proxy_prefix(server):
    c = server.client(user_agent="Mozilla/5.0")
    assert c.get("/api/v1/swagger.json").json["servers"][0]["url"] == "/api/v1"
    behind = c.get("/api/v1/openapi.json", headers={"X-Forwarded-Prefix": "/stats"}).json
    assert behind["servers"][0]["url"] == "/stats/api/v1"


def test_openapi_json_is_the_same_document(server, document):
    c = server.client(user_agent="Mozilla/5.0")
    assert c.get("/api/v1/openapi.json").json == document


def test_old_monarc_gets_426_on_documentation_routes_too(server):
    c = server.client(user_agent="MONARC/2.9.0")
    for path in ("/api/v1/", "/api/v1/swagger.json"):
        assert c.get(path).status == 426
