"""The OpenAPI document (/api/v1/swagger.json) against the router, both ways.

The route table comes from `stats-routes` (src/service/route_dump.c), which prints
what routes_build() registers with every group on: every /api/v1 route and every
public JSON route (/stats/*.json, /map/clients.json) must be in the document, and
every documented operation must exist in the table and answer on a running server
(not 404, not 405).  The document must also pass a full OpenAPI 3 validation
(@apidevtools/swagger-parser, pinned in package.json) and be complete: parameters,
bodies, responses, errors, examples.  The public answers of a filled database, above
and below the privacy floor, must match the schemas the document gives them (Ajv).
"""
import copy
import datetime
import json
import pathlib
import re
import subprocess
import urllib.parse
import uuid

import pytest

from conftest import (ADMIN_TOKEN, BACKENDS, BIN, MONARC_UA, ROOT, RawConnection, Server, fixture,
                      http_bytes, run_cli, server_today)

METHODS = {"get", "put", "post", "delete", "patch", "head", "options"}
ROUTES_BIN = pathlib.Path(BIN).with_name("stats-routes")
EXAMPLE_UUID = "6f1c2b4e-8d3a-4f5b-9e7c-1a2b3c4d5e6f"
NOT_FOUND = {"message": "Not Found - No such resource."}


# Validates instances against schemas of the document with Ajv (JSON Schema 2020-12, as
# OpenAPI 3.1): argv[1] the document, stdin [[schema, instance], …]; prints one error list each.
AJV_CHECK = """
const Ajv = require('ajv/dist/2020');
const doc = JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'));
const ajv = new Ajv({strict: false, validateFormats: false, allErrors: true});
ajv.addSchema({$id: 'doc', components: doc.components});
const pairs = JSON.parse(require('fs').readFileSync(0, 'utf8'));
const out = pairs.map(([schema, instance]) => {
  const validate = ajv.compile({$ref: 'doc#/components/schemas/' + schema});
  return validate(instance) ? [] : validate.errors.map(e => e.instancePath + ' ' + e.message);
});
console.log(JSON.stringify(out));
"""


def schema_errors(document, pairs, tmp_path):
    """For each (schema name, instance): the ways the instance breaks the schema."""
    path = tmp_path / "document.json"
    path.write_text(json.dumps(document))
    proc = subprocess.run(["node", "-e", AJV_CHECK, str(path)], cwd=ROOT, input=json.dumps(pairs),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


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


def server_path(document, item, document_url="http://127.0.0.1/api/v1/swagger.json"):
    """The path a path item's server (its own `servers`, else the document's) stands for,
    resolved against the document's address as OpenAPI says (and Swagger UI does)."""
    url = (item.get("servers") or document["servers"])[0]["url"]
    return urllib.parse.urlsplit(urllib.parse.urljoin(document_url, url)).path.rstrip("/")


def operations(document):
    """(METHOD, normalised full path, operation object, path item) of the document."""
    for path, item in document["paths"].items():
        base = server_path(document, item)
        for method, op in item.items():
            if method in METHODS:
                yield method.upper(), normalise(base + path), op, item


def is_documented_route(pattern):
    """The routes the document must describe: the API, and the public JSON."""
    return (pattern == "/api/v1" or pattern.startswith("/api/v1/") or
            (pattern.startswith(("/stats/", "/map/")) and pattern.endswith(".json")) or
            pattern.startswith("/open-data/"))


def router_api_routes():
    out = subprocess.run([str(ROUTES_BIN)], capture_output=True, text=True, check=True).stdout
    routes = {tuple(line.split(" ", 1)) for line in out.splitlines()}
    assert routes, "stats-routes printed nothing"
    return {(method, normalise(pattern)) for method, pattern in routes if is_documented_route(pattern)}


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
        # A 404 of the route itself says "no such resource"; one of an object it
        # looks up (an example uuid no stats name) says what is missing.
        assert r.status != 405 and (r.status != 404 or r.json != NOT_FOUND), (method, url, r)
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


def test_no_request_body_on_get_or_head(document):
    """Swagger UI ("Try it out") and browsers cannot send a body on a GET: parameters
    of the GETs are query parameters (MONARC's JSON body is described by a schema)."""
    for method, path, op, _ in operations(document):
        if method in ("GET", "HEAD"):
            assert "requestBody" not in op, f"{method} {path} declares a request body"


def resolve(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].split("/")[-1]]
    return schema


def query_value(document, param):
    """A valid value of a documented query parameter, as query-string text."""
    if "example" in param:
        return str(param["example"])
    schema = resolve(document, param["schema"])
    if "enum" in schema:
        return str(schema["enum"][0])
    if schema.get("format") == "date":
        return "2026-03-09"
    if schema.get("format") == "uuid" or "UUID" in schema.get("description", ""):
        return EXAMPLE_UUID
    if schema.get("type") == "integer":
        return "1"
    if param["name"] == "processor_params":
        return "{}"
    raise AssertionError(f"no test value for query parameter {param['name']}: {schema}")


def query_operations(document):
    for method, path, op, item in operations(document):
        params = [p for p in item.get("parameters", []) + op.get("parameters", [])
                  if p["in"] == "query"]
        if params:
            yield method, path, params


def test_every_documented_query_parameter_works_in_the_query_string(server, document):
    """Each query parameter, sent alone in the query string (with the ones an
    operation needs), is read there: a valid value is answered 200 and a wrong
    one 400 — so "Try it out" works on every GET without a body."""
    admin = server.client(ADMIN_TOKEN)
    checked = 0
    for method, path, params in query_operations(document):
        needed = {p["name"]: query_value(document, p) for p in params if "example" in p}
        for param in params:
            valid = dict(needed, **{param["name"]: query_value(document, param)})
            url = path.replace("{}", EXAMPLE_UUID) + "?" + urllib.parse.urlencode(valid)
            r = admin.request(method, url)
            assert r.status == 200, (method, url, r)
            wrong = dict(needed, **{param["name"]: "not valid!"})
            url = path.replace("{}", EXAMPLE_UUID) + "?" + urllib.parse.urlencode(wrong)
            r = admin.request(method, url)
            assert r.status == 400, (method, url, r)
            checked += 1
    assert checked >= 16 + 5 * 5   # the API's, and each of the five /stats/<kind>.json's


def test_monarc_json_body_on_get_matches_its_schema(server, document, tmp_path):
    """MONARC's GET-with-body still works, and the body schemas admit every form the
    server takes (strings for flags and numbers, a comma list for anrs, …)."""
    admin = server.client(ADMIN_TOKEN)
    schemas = document["components"]["schemas"]
    list_body = {"type": "risk", "anrs": f"{EXAMPLE_UUID},{EXAMPLE_UUID}", "get_last": "yes",
                 "group_by_anr": 1, "offset": "0", "limit": 5, "date_from": None}
    processed_body = {"type": "risk", "processor": "risk_averages_on_date",
                      "processor_params": '{"risks_type":"informational"}', "anrs": [EXAMPLE_UUID],
                      "local_stats_only": "0"}
    for path, body, schema in (("/api/v1/stats/", list_body, "StatsListBody"),
                               ("/api/v1/stats/processed/", processed_body, "ProcessedStatsBody")):
        assert admin.get(path, body).status == 200, (path, body)
        assert schema_errors(document, [[schema, body]], tmp_path) == [[]], (schema, body)
        for example in schemas[schema]["examples"]:
            assert admin.get(path, example).status == 200, (path, example)
    wrong = [["StatsListBody", {"type": "risk", "get_last": "maybe"}],
             ["StatsListBody", {"type": "risk", "limit": -1}],
             ["ProcessedStatsBody", {"type": "risk", "processor": "risk_averages_on_date",
                                     "processor_params": [1]}],
             ["ProcessedStatsBody", {"type": "risk", "color": "red"}]]
    paths = {"StatsListBody": "/api/v1/stats/", "ProcessedStatsBody": "/api/v1/stats/processed/"}
    for (schema, body), errors in zip(wrong, schema_errors(document, wrong, tmp_path)):
        assert errors, (schema, body, "admitted by the schema")
        assert admin.get(paths[schema], body).status == 400, (schema, body)


def status_of_raw(server, method, path, headers, body=b""):
    conn = RawConnection(server.port)
    try:
        conn.send(http_bytes(method, path, headers, body))
        return conn.read_response()[0]
    finally:
        conn.close()


def test_statuses_the_server_gives_are_documented(server, document):
    """413 (a declared body over MAX_BODY_SIZE) and 431 (headers over 16 KiB) can
    come from every route; 415 (a body that is not JSON) from those that read one."""
    base = {"User-Agent": MONARC_UA, "X-API-KEY": ADMIN_TOKEN}
    for method, path, op, _ in operations(document):
        url = path.replace("{}", EXAMPLE_UUID)
        where = f"{method} {path}"
        status = status_of_raw(server, method, url, dict(base, **{"Content-Length": str(1 << 40)}))
        assert status == 413 and "413" in op["responses"], (where, status)
        status = status_of_raw(server, method, url, dict(base, **{"X-Padding": "p" * 17000}))
        assert status == 431 and "431" in op["responses"], (where, status)
        status = status_of_raw(server, method, url, dict(base, **{"Content-Type": "text/plain"}),
                               b"type=risk")
        assert status != 415 or "415" in op["responses"], (where, status)


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
    # The public routes' own server is relative to the document: the site's root, with
    # the prefix the document was fetched under.
    public = {path: item for path, item in behind["paths"].items() if "servers" in item}
    assert set(public) == {"/stats/threats.json", "/stats/vulnerabilities.json", "/stats/risks.json",
                           "/stats/cartography.json", "/stats/compliance.json", "/map/clients.json",
                           "/stats/object/{uuid}.json", "/stats/evolution/threat.json",
                           "/stats/evolution/vulnerability.json", "/stats/evolution/risk.json",
                           "/open-data/{name}.csv"}
    for path, item in public.items():
        assert server_path(behind, item, "http://example.org/api/v1/swagger.json") == "", path
        assert server_path(behind, item, "http://example.org/stats/api/v1/openapi.json") == "/stats", path


def test_public_routes_need_no_token_nor_user_agent(document):
    public = [(m, p, op) for m, p, op, _ in operations(document) if not p.startswith("/api/v1")]
    assert {p for _, p, _ in public} >= {"/stats/threats.json", "/stats/vulnerabilities.json", "/stats/risks.json",
                                         "/stats/cartography.json", "/stats/compliance.json", "/map/clients.json"}
    for method, path, op in public:
        assert op["security"] == [] and "public statistics" in op["tags"], path
        assert "426" not in op["responses"] and "304" in op["responses"], path
        assert "MIN_ORGANISATIONS" in op["description"], path


# --- the public answers of a filled database against their documented schemas ---------

PUBLIC_SCHEMAS = {"threats": "PublicObjects", "vulnerabilities": "PublicObjects", "risks": "PublicRisks",
                  "cartography": "PublicCartography", "compliance": "PublicCompliance"}
PUBLIC_QUERIES = ("", "?last_stats=1", "?days=30", "?days=0&local_stats_only=1", "?min_analyses=5")


def fill(server, organisations, today):
    """Each organisation uploads the full MONARC batch (two analyses of every type) under
    new analysis ids, on its own day, and gets coordinates near Luxembourg."""
    for n in range(organisations):
        api, client = server.new_client()
        items = copy.deepcopy(fixture("full-batch.json"))
        anrs = {}
        for item in items:
            item["anr"] = anrs.setdefault(item["anr"], str(uuid.uuid4()))
            item["date"] = (today - datetime.timedelta(days=n)).isoformat()
        assert api.post("/api/v1/stats/", items).status == 201
        run_cli(server.env, "client", "coordinates-set", "--uuid", client["uuid"],
                "--latitude", str(49.6 + n / 100), "--longitude", str(6.1 + n / 100))


def public_answers(server):
    """[(schema name, route with query, answer)] of every public JSON route."""
    c = server.client(token=None, user_agent=None)
    answers = []
    for kind, schema in PUBLIC_SCHEMAS.items():
        queries = PUBLIC_QUERIES + (("?processor=risk_averages_on_date", "?processor=risk_averages_on_date&last_stats=1")
                                    if kind == "risks" else ())
        for query in queries:
            r = c.get(f"/stats/{kind}.json{query}")
            assert r.status == 200, (kind, query, r)
            answers.append((schema, f"/stats/{kind}.json{query}", r.json))
    r = c.get("/map/clients.json")
    assert r.status == 200, r
    answers.append(("MapAreas", "/map/clients.json", r.json))
    for kind in ("threats", "vulnerabilities"):
        for item in c.get(f"/stats/{kind}.json?last_stats=1").json:
            r = c.get(f"/stats/object/{item['object']}.json")
            assert r.status == 200, r
            answers.append(("PublicObjectProfile", f"/stats/object/{item['object']}.json", r.json))
    # The evolution of every object of the list (and of one nobody names), daily over a month.
    for kind, type_ in (("threats", "threat"), ("vulnerabilities", "vulnerability")):
        objects = sorted(item["object"] for item in c.get(f"/stats/{kind}.json").json)[:19] + [str(uuid.uuid4())]
        route = f"/stats/evolution/{type_}.json?objects={','.join(objects)}&step=day&date_from=" + \
            (server_today(server) - datetime.timedelta(days=30)).isoformat()
        r = c.get(route)
        assert r.status == 200, r
        answers.append(("PublicEvolution", route, r.json))
    # The risks' evolution, daily over a month, with every state and kind and with some only.
    since = (server_today(server) - datetime.timedelta(days=30)).isoformat()
    for query in ("", "&risks_type=operational", "&risks_state=residual&risks_type=informational,operational"):
        route = f"/stats/evolution/risk.json?step=day&date_from={since}{query}"
        r = c.get(route)
        assert r.status == 200, r
        answers.append(("PublicRiskEvolution", route, r.json))
    return answers


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("floor,organisations", [("1", 3), ("3", 2), ("3", 3)])
def test_public_answers_match_their_schemas(document, tmp_path, backend, floor, organisations):
    srv = Server(backend, tmp_path, {"MIN_ORGANISATIONS": floor})
    try:
        fill(srv, organisations, server_today(srv))
        answers = public_answers(srv)
    finally:
        srv.stop()
    hidden = organisations < int(floor)
    by_route = {route: answer for _, route, answer in answers}
    # The data behind the check is what it should be: figures or the floor's empty answers.
    if hidden:
        assert set(by_route["/stats/risks.json"]) == {"analyses", "organisations", "data_up_to"}
        assert by_route["/stats/threats.json"] == [] and by_route["/map/clients.json"] == []
        assert all(p["count"] is None for _, route, answer in answers if route.startswith("/stats/evolution/")
                   and "/risk.json" not in route for entry in answer for p in entry["points"])
        assert all(p["residual"]["informational"]["Low risks"] is None
                   for p in by_route[next(r for r in by_route if "risks_state=residual" in r)]["points"])
    else:
        assert by_route["/stats/threats.json"] and "current" in by_route["/stats/risks.json"]
        evolution = next(a for r, a in by_route.items() if r.startswith("/stats/evolution/threat"))
        named = [entry for entry in evolution if entry["labels"] is not None]
        assert len(named) == len(evolution) - 1 and all(e["points"][-1]["count"] is not None for e in named)
        assert "previous" in by_route["/stats/threats.json"][0]
        assert "previous" not in by_route["/stats/threats.json?last_stats=1"][0]
        assert isinstance(by_route["/stats/risks.json?processor=risk_averages_on_date"]["current"]["informational"]["Low risks"], list)
        assert sum(area["organisations"] for area in by_route["/map/clients.json"]) == organisations
        assert sum(schema == "PublicObjectProfile" for schema, _, _ in answers) >= 5
        risk_evolution = next(a for r, a in by_route.items() if r.startswith("/stats/evolution/risk.json"))
        assert risk_evolution["points"][-1]["current"]["operational"]["High risks"] is not None
    errors = schema_errors(document, [[schema, answer] for schema, _, answer in answers], tmp_path)
    for (schema, route, _), problems in zip(answers, errors):
        assert problems == [], (route, schema, problems)
    # The schemas are strict enough to fail: an item without its sample sizes, a hidden
    # figure that shows one number, an area of no organisation.
    if not hidden:
        item = dict(by_route["/stats/threats.json"][0])
        del item["organisations"]
        figure = dict(by_route["/stats/risks.json"])
        area = dict(by_route["/map/clients.json"][0], organisations=0)
        wrong = [["PublicObjects", [item]],
                 ["PublicRisks", {"analyses": 1, "organisations": 1, "data_up_to": None, "current": 1}],
                 ["PublicRisks", dict(figure, current=[])], ["MapAreas", [area]],
                 ["PublicObjectProfile", dict(next(a for s, _, a in answers if s == "PublicObjectProfile"), rank=0)],
                 ["PublicEvolution", [dict(evolution[0],
                                           points=[{"date": "2026-12-04", "count": 1, "maxRisk": 1, "averageRate": 1,
                                                    "analyses": 1}])]],
                 ["PublicRiskEvolution", {"points": [dict(risk_evolution["points"][-1], current={})]}],
                 ["PublicRiskEvolution", {"points": [{"date": "2026-12-04", "analyses": 1, "organisations": 1}]}]]
        assert all(schema_errors(document, wrong, tmp_path)), wrong


def test_openapi_json_is_the_same_document(server, document):
    c = server.client(user_agent="Mozilla/5.0")
    assert c.get("/api/v1/openapi.json").json == document


def test_old_monarc_gets_426_on_documentation_routes_too(server):
    c = server.client(user_agent="MONARC/2.9.0")
    for path in ("/api/v1/", "/api/v1/swagger.json"):
        assert c.get(path).status == 426
