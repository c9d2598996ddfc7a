"""Sharing between instances and MOSP (docs/federation.md, docs/cli.md `stats push`,
`stats pull`, `mosp is-object-published`).

Two real instances run on loopback, "local" and "remote", each on its own
database (SQLite files, or two PostgreSQL databases).  Fake servers stand in
for a remote that misbehaves (500, 429, 401, slow, TLS) and for MOSP, and a
proxy crashes the remote in the middle of a push.  Retries wait 5 ms, not 1 s
(STATS_RETRY_BASE_MS, meant for tests).
"""
import datetime
import json
import socket
import time
import uuid

import pytest

from conftest import BACKENDS, STATS_TYPES, Server, fixture_raw, fresh_anrs, run_cli, server_today
from fakes import (CrashingProxy, FakeServer, accepted, answer, crash, pg_database_uri,
                   run_on_terminal, self_signed_certificate)

RETRIES = 3
FAST_RETRIES = {"STATS_RETRY_BASE_MS": "5", "REMOTE_RETRIES": str(RETRIES), "REMOTE_TIMEOUT": "10"}
WIDE = {"date_from": "1900-01-01", "date_to": "9999-12-31"}


@pytest.fixture(params=BACKENDS)
def pair(request, tmp_path):
    """(local, remote): two running instances on databases of their own."""
    extra = {}
    if request.param == "postgresql":
        extra["DATABASE_URI"] = pg_database_uri("stats_test_remote")
    (tmp_path / "local").mkdir()
    (tmp_path / "remote").mkdir()
    local = Server(request.param, tmp_path / "local")
    remote = Server(request.param, tmp_path / "remote", extra)
    yield local, remote
    local.stop()
    remote.stop()


def cli(local, *args, remote_url=None, env=None, check=False):
    """A command run on the local instance's database, the remote at remote_url."""
    full = dict(local.env, **FAST_RETRIES)
    if remote_url:
        full["REMOTE_STATS_SERVER"] = remote_url
    for key, value in (env or {}).items():
        if value is None:
            full.pop(key, None)
        else:
            full[key] = value
    return run_cli(full, *args, check=check)


def url(server):
    return f"http://127.0.0.1:{server.port}"


def day(server, days_ago):
    return (server_today(server) - datetime.timedelta(days=days_ago)).isoformat()


def seed(server, api, days_ago, anrs=None):
    """Uploads the full batch (10 stats: 2 analyses x 5 types) for each day."""
    anrs = anrs or fresh_anrs()
    for d in days_ago:
        r = api.post("/api/v1/stats/", raw=fixture_raw("full-batch.json", anrs, day(server, d)))
        assert r.status == 201, r


def stats_of(api, **params):
    """Every stats the token sees, any date, as comparable tuples."""
    rows = []
    for stats_type in STATS_TYPES:
        r = api.get("/api/v1/stats/", {"type": stats_type, **WIDE, **params})
        assert r.status == 200, r
        rows += [(s["uuid"], s["anr"], s["type"], s["date"], json.dumps(s["data"], sort_keys=True))
                 for s in r.json["data"]]
    return sorted(rows)


def exported(local, client_uuid):
    """A client's stats on the local instance, through `stats export`."""
    r = cli(local, "stats", "export", "--client-uuid", client_uuid, check=True)
    return sorted((s["uuid"], s["anr"], s["type"], s["date"], json.dumps(s["data"], sort_keys=True))
                  for s in json.loads(r.stdout))


def closed_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# --- push --------------------------------------------------------------------------------

def test_push_sends_the_stats_of_sharing_local_clients_only(pair):
    local, remote = pair
    sharing, _ = local.new_client(sharing=True)
    private, _ = local.new_client(sharing=False)
    seed(local, sharing, [0, 10])
    seed(local, private, [0, 10])
    target, target_obj = remote.new_client()
    r = cli(local, "stats", "push", "--remote-token", target_obj["token"], remote_url=url(remote))
    assert r.returncode == 0, r.stderr
    assert "Pushed 20 stats" in r.stdout and "20 created, 0 updated remotely" in r.stdout, r.stdout
    assert stats_of(target) == stats_of(sharing)
    assert len(stats_of(remote.admin())) == 20


def test_push_takes_the_token_from_the_settings(pair):
    local, remote = pair
    api, _ = local.new_client()
    seed(local, api, [1])
    target, target_obj = remote.new_client()
    r = cli(local, "stats_push", remote_url=url(remote),
            env={"REMOTE_STATS_TOKEN": target_obj["token"]})
    assert r.returncode == 0, r.stderr
    assert stats_of(target) == stats_of(api)


def test_push_one_local_client(pair):
    local, remote = pair
    chosen, chosen_obj = local.new_client()
    other, _ = local.new_client()
    seed(local, chosen, [2])
    seed(local, other, [2])
    target, target_obj = remote.new_client()
    r = cli(local, "stats", "push", "--local-client-uuid", chosen_obj["uuid"], "--remote-token",
            target_obj["token"], remote_url=url(remote))
    assert r.returncode == 0, r.stderr
    assert stats_of(target) == stats_of(chosen)


def test_push_of_a_client_that_does_not_share_sends_nothing(pair):
    local, remote = pair
    private, private_obj = local.new_client(sharing=False)
    seed(local, private, [0])
    target, target_obj = remote.new_client()
    r = cli(local, "stats", "push", "--local-client-uuid", private_obj["uuid"], "--remote-token",
            target_obj["token"], remote_url=url(remote))
    assert r.returncode == 0, r.stderr
    assert "does not share" in r.stdout
    assert stats_of(target) == []


def test_push_date_bounds(pair):
    local, remote = pair
    api, _ = local.new_client()
    seed(local, api, [0, 10, 40, 120])
    mine = stats_of(api)
    by_day = {d: [s for s in mine if s[3] == day(local, d)] for d in (0, 10, 40, 120)}
    target, target_obj = remote.new_client()
    # Explicit bounds, inclusive.
    r = cli(local, "stats", "push", "--remote-token", target_obj["token"],
            "--date-from", day(local, 40), "--date-to", day(local, 10), remote_url=url(remote))
    assert r.returncode == 0, r.stderr
    assert stats_of(target) == sorted(by_day[10] + by_day[40])
    # Default: the last 3 months, up to today.
    r = cli(local, "stats", "push", "--remote-token", target_obj["token"], remote_url=url(remote))
    assert r.returncode == 0, r.stderr
    assert "10 created, 20 updated" in r.stdout, r.stdout
    assert stats_of(target) == sorted(by_day[0] + by_day[10] + by_day[40])


def test_push_twice_creates_nothing_twice(pair):
    local, remote = pair
    api, _ = local.new_client()
    seed(local, api, [0, 1, 2])
    target, target_obj = remote.new_client()
    args = ("stats", "push", "--remote-token", target_obj["token"], "--batch-size", "7")
    first = cli(local, *args, remote_url=url(remote))
    assert first.returncode == 0, first.stderr
    assert "in 5 batches" in first.stdout and "30 created, 0 updated" in first.stdout, first.stdout
    after_first = stats_of(target)
    second = cli(local, *args, remote_url=url(remote))
    assert second.returncode == 0, second.stderr
    assert "0 created, 30 updated" in second.stdout, second.stdout
    assert stats_of(target) == after_first == stats_of(api)
    assert len(stats_of(remote.admin())) == 30


@pytest.mark.parametrize("when", ["before_answer", "after_answer"])
def test_push_interrupted_by_a_crash_completes_when_run_again(pair, when):
    local, remote = pair
    api, _ = local.new_client()
    seed(local, api, range(12))          # 120 stats
    target, target_obj = remote.new_client()
    args = ("stats", "push", "--remote-token", target_obj["token"], "--batch-size", "7")
    proxy = CrashingProxy(remote, crash_at=5, when=when)
    try:
        r = cli(local, *args, remote_url=proxy.url)
    finally:
        proxy.stop()
    assert proxy.crashed.is_set()
    assert r.returncode == 1, r.stderr
    assert "Push stopped: 28 of 120 stats accepted in 4 batches" in r.stdout, r.stdout
    assert "Running the push again is safe" in r.stdout
    assert "cannot reach" in r.stderr, r.stderr
    remote.start()                       # the same database, after the crash
    again = cli(local, *args, remote_url=url(remote))
    assert again.returncode == 0, again.stderr
    assert "Pushed 120 stats" in again.stdout, again.stdout
    target = remote.client(target_obj["token"])   # the remote listens on a new port
    assert stats_of(target) == stats_of(api)
    assert len(stats_of(remote.admin())) == 120


def test_push_retries_a_server_error(pair):
    local, _ = pair
    api, _ = local.new_client()
    seed(local, api, [0])
    fake = FakeServer([answer(500, {"message": "Internal server error."}), accepted])
    try:
        r = cli(local, "stats", "push", "--remote-token", "remote-token", remote_url=fake.url)
    finally:
        fake.close()
    assert r.returncode == 0, r.stderr
    assert "answered 500" in r.stderr and "trying again" in r.stderr, r.stderr
    first, second = fake.requests
    assert first.body == second.body
    assert (first.method, first.path) == ("POST", "/api/v1/stats/")
    assert first.headers["X-API-KEY"] == "remote-token"
    assert first.headers["User-Agent"] == "stats-service/0.1.0"
    assert first.headers["Content-Type"] == "application/json"
    sent = sorted((s["uuid"], s["anr"], s["type"], s["date"], json.dumps(s["data"], sort_keys=True))
                  for s in first.json)
    assert sent == stats_of(api)
    assert set(first.json[0]) == {"uuid", "anr", "type", "date", "data"}


def test_push_honours_retry_after_on_429(pair):
    local, _ = pair
    api, _ = local.new_client()
    seed(local, api, [0])
    fake = FakeServer([answer(429, {"message": "Slow down."}, {"Retry-After": "1"}), accepted])
    start = time.monotonic()
    try:
        r = cli(local, "stats", "push", "--remote-token", "t", remote_url=fake.url)
    finally:
        fake.close()
    assert r.returncode == 0, r.stderr
    assert len(fake.requests) == 2
    assert time.monotonic() - start >= 1.0


def test_push_gives_up_after_the_configured_tries(pair):
    local, _ = pair
    api, _ = local.new_client()
    seed(local, api, [0])
    fake = FakeServer([answer(503, {"message": "Maintenance."})])
    try:
        r = cli(local, "stats", "push", "--remote-token", "t", remote_url=fake.url)
    finally:
        fake.close()
    assert r.returncode == 1
    assert len(fake.requests) == RETRIES
    assert "HTTP 503" in r.stderr and "Maintenance." in r.stderr, r.stderr
    assert "0 of 10 stats accepted" in r.stdout


@pytest.mark.parametrize("status", [400, 401, 409])
def test_push_stops_at_once_on_a_client_error(pair, status):
    local, _ = pair
    api, _ = local.new_client()
    seed(local, api, [0])
    fake = FakeServer([answer(status, {"message": "Refused for a reason."})])
    try:
        r = cli(local, "stats", "push", "--remote-token", "t", remote_url=fake.url)
    finally:
        fake.close()
    assert r.returncode == 1
    assert len(fake.requests) == 1
    assert r.stderr.startswith("stats-service: stats push: ")
    assert f"(HTTP {status}): Refused for a reason." in r.stderr, r.stderr
    assert ("check the remote token" in r.stderr) == (status == 401)


def test_push_with_a_wrong_token_on_a_real_remote(pair):
    local, remote = pair
    api, _ = local.new_client()
    seed(local, api, [0])
    r = cli(local, "stats", "push", "--remote-token", "not-a-token-there", remote_url=url(remote))
    assert r.returncode == 1
    assert "HTTP 403" in r.stderr and "Forbidden - Authentication failed." in r.stderr, r.stderr


def test_push_without_a_token_sends_nothing(pair):
    local, _ = pair
    api, _ = local.new_client()
    seed(local, api, [0])
    fake = FakeServer([accepted])
    try:
        r = cli(local, "stats", "push", remote_url=fake.url, env={"REMOTE_STATS_TOKEN": None})
    finally:
        fake.close()
    assert r.returncode == 1
    assert "no remote token" in r.stderr and "REMOTE_STATS_TOKEN" in r.stderr
    assert fake.requests == []


def test_push_network_errors_are_retried_then_reported(pair):
    local, _ = pair
    api, _ = local.new_client()
    seed(local, api, [0])
    r = cli(local, "stats", "push", "--remote-token", "t",
            remote_url=f"http://127.0.0.1:{closed_port()}")
    assert r.returncode == 1
    assert r.stderr.count("trying again") == RETRIES - 1, r.stderr
    assert "cannot reach" in r.stderr and "connect" in r.stderr.lower(), r.stderr


def test_push_timeout_is_retried(pair):
    local, _ = pair
    api, _ = local.new_client()
    seed(local, api, [0])

    def slow(request):
        time.sleep(2.5)
        return accepted(request)

    fake = FakeServer([slow])
    try:
        r = cli(local, "stats", "push", "--remote-token", "t", remote_url=fake.url,
                env={"REMOTE_TIMEOUT": "1", "REMOTE_RETRIES": "2"})
    finally:
        fake.close()
    assert r.returncode == 1
    assert len(fake.requests) == 2
    assert "timed out" in r.stderr.lower(), r.stderr


def test_push_verifies_certificates(pair, tmp_path):
    local, _ = pair
    api, _ = local.new_client()
    seed(local, api, [0])
    cert, key = self_signed_certificate(tmp_path)
    fake = FakeServer([accepted], tls=(cert, key))
    try:
        refused = cli(local, "stats", "push", "--remote-token", "t", remote_url=fake.url)
        trusted = cli(local, "stats", "push", "--remote-token", "t", remote_url=fake.url,
                      env={"REMOTE_CA_FILE": cert})
    finally:
        fake.close()
    assert refused.returncode == 1
    assert "certificate" in refused.stderr.lower(), refused.stderr
    assert "trying again" not in refused.stderr   # no use retrying a refused certificate
    assert trusted.returncode == 0, trusted.stderr
    assert len(fake.requests) == 1


def test_push_progress_bar_only_on_a_terminal(pair):
    local, remote = pair
    api, _ = local.new_client()
    seed(local, api, [0, 1])
    target, target_obj = remote.new_client()
    env = dict(local.env, **FAST_RETRIES, REMOTE_STATS_SERVER=url(remote))
    code, out, shown = run_on_terminal(env, ["stats", "push", "--remote-token", target_obj["token"],
                                             "--batch-size", "4"])
    assert code == 0, shown
    assert "Pushing [" in shown and "/20" in shown and "ETA" in shown, shown
    assert "Pushed 20 stats" in out
    r = cli(local, "stats", "push", "--remote-token", target_obj["token"], remote_url=url(remote))
    assert r.returncode == 0 and r.stderr == "", r.stderr


def test_push_bad_arguments(pair):
    local, remote = pair
    r = cli(local, "stats", "push", "--local-client-uuid", "nope", "--remote-token", "t")
    assert r.returncode == 2 and "malformed UUID 'nope'" in r.stderr
    r = cli(local, "stats", "push", "--local-client-uuid", str(uuid.uuid4()), "--remote-token", "t")
    assert r.returncode == 1 and "no client with uuid" in r.stderr
    r = cli(local, "stats", "push", "--date-from", "2026-02-30", "--remote-token", "t")
    assert r.returncode == 2 and "--date-from must be a date" in r.stderr
    r = cli(local, "stats", "push", "--date-from", "2026-05-02", "--date-to", "2026-05-01",
            "--remote-token", "t")
    assert r.returncode == 2 and "is after --date-to" in r.stderr
    r = cli(local, "stats", "push", "--batch-size", "0", "--remote-token", "t")
    assert r.returncode == 2 and "--batch-size must be a whole number" in r.stderr


# --- pull --------------------------------------------------------------------------------

def create_remote_holder(local, name="pulled"):
    """A non-local client on the local instance, made by the command line."""
    r = cli(local, "client", "create", "--remote", "--name", name, check=True)
    block = dict(line.split(": ", 1) for line in r.stdout.splitlines())
    assert block["local"] == "false"
    return block["uuid"]


def test_pull_twice_stores_once_and_pulled_stats_are_never_pushed_on(pair):
    local, remote = pair
    source, source_obj = remote.new_client()
    seed(remote, source, [0, 3])
    holder = create_remote_holder(local)
    args = ("stats", "pull", "--client-uuid", holder, "--token", source_obj["token"],
            "--stats-type", "threat")
    first = cli(local, *args, remote_url=url(remote))
    assert first.returncode == 0, first.stderr
    assert "4 fetched, 4 stored, 0 skipped" in first.stdout, first.stdout
    remote_threats = [s for s in stats_of(source) if s[2] == "threat"]
    assert exported(local, holder) == remote_threats
    second = cli(local, *args, remote_url=url(remote))
    assert second.returncode == 0, second.stderr
    assert "4 fetched, 0 stored, 4 skipped" in second.stdout, second.stdout
    assert exported(local, holder) == remote_threats
    # A push from here sends local clients' stats, never the pulled ones.
    own, _ = local.new_client()
    seed(local, own, [0])
    target, target_obj = remote.new_client()
    r = cli(local, "stats", "push", "--remote-token", target_obj["token"], remote_url=url(remote))
    assert r.returncode == 0, r.stderr
    assert stats_of(target) == stats_of(own)
    r = cli(local, "stats", "push", "--local-client-uuid", holder, "--remote-token",
            target_obj["token"], remote_url=url(remote))
    assert r.returncode == 1 and "is not local" in r.stderr, r.stderr


def test_pull_skips_stats_that_came_from_here(pair):
    local, remote = pair
    own, _ = local.new_client()
    seed(local, own, [0])
    target, target_obj = remote.new_client()
    assert cli(local, "stats", "push", "--remote-token", target_obj["token"],
               remote_url=url(remote)).returncode == 0
    holder = create_remote_holder(local)
    r = cli(local, "stats", "pull", "--client-uuid", holder, "--token", target_obj["token"],
            "--stats-type", "vulnerability", remote_url=url(remote))
    assert r.returncode == 0, r.stderr
    assert "2 fetched, 0 stored, 2 skipped" in r.stdout, r.stdout
    assert exported(local, holder) == []


def test_pull_date_bounds_and_paging(pair):
    local, remote = pair
    source, source_obj = remote.new_client()
    seed(remote, source, [0, 5, 40])
    holder = create_remote_holder(local)
    r = cli(local, "stats_pull", "--client-uuid", holder, "--token", source_obj["token"],
            "--stats-type", "risk", "--date-from", day(remote, 20), remote_url=url(remote))
    assert r.returncode == 0, r.stderr
    assert "4 fetched, 4 stored" in r.stdout
    assert sorted(s[3] for s in exported(local, holder)) == sorted([day(remote, 0)] * 2 +
                                                                   [day(remote, 5)] * 2)


def test_pull_reads_every_page(pair):
    local, _ = pair
    holder = create_remote_holder(local)
    items = json.loads(fixture_raw("threat.json"))
    pages = []
    for i in range(1500):
        item = dict(items[i % 2], uuid=str(uuid.uuid4()), anr=str(uuid.uuid4()))
        pages.append(item)

    def page(request):
        offset, limit = int(request.query["offset"]), int(request.query["limit"])
        data = pages[offset:offset + limit]
        return answer(200, {"metadata": {"count": len(data), "total": len(pages),
                                         "offset": offset, "limit": limit}, "data": data})

    fake = FakeServer([page])
    try:
        r = cli(local, "stats", "pull", "--client-uuid", holder, "--token", "t", "--stats-type",
                "threat", remote_url=fake.url)
    finally:
        fake.close()
    assert r.returncode == 0, r.stderr
    assert "1500 fetched, 1500 stored, 0 skipped" in r.stdout
    assert [(q.query["offset"], q.query["limit"]) for q in fake.requests] == [("0", "1000"),
                                                                           ("1000", "1000")]
    assert fake.requests[0].query["type"] == "threat"
    assert fake.requests[0].headers["X-API-KEY"] == "t"
    assert len(exported(local, holder)) == 1500


def test_pull_refuses_invalid_items_and_keeps_the_others(pair):
    local, _ = pair
    holder = create_remote_holder(local)
    good = dict(json.loads(fixture_raw("threat.json"))[0], uuid=str(uuid.uuid4()))
    bad = dict(good, uuid=str(uuid.uuid4()), anr=str(uuid.uuid4()), data={"nope": 1})
    fake = FakeServer([answer(200, {"metadata": {"count": 2, "total": 2}, "data": [good, bad]})])
    try:
        r = cli(local, "stats", "pull", "--client-uuid", holder, "--token", "t", "--stats-type",
                "threat", remote_url=fake.url)
    finally:
        fake.close()
    assert r.returncode == 1
    assert "2 fetched, 1 stored" in r.stdout
    assert "1 fetched stats were not valid here" in r.stderr, r.stderr
    assert [s[0] for s in exported(local, holder)] == [good["uuid"]]


def test_pull_errors(pair):
    local, remote = pair
    holder = create_remote_holder(local)
    r = cli(local, "stats", "pull", "--client-uuid", holder, "--token", "wrong-token",
            "--stats-type", "threat", remote_url=url(remote))
    assert r.returncode == 1 and "HTTP 403" in r.stderr and "check --token" in r.stderr, r.stderr
    r = cli(local, "stats", "pull", "--client-uuid", holder, "--stats-type", "threat")
    assert r.returncode == 2 and "--token is required" in r.stderr
    r = cli(local, "stats", "pull", "--client-uuid", holder, "--token", "t", "--stats-type", "x")
    assert r.returncode == 2 and "unknown stats type 'x'" in r.stderr
    r = cli(local, "stats", "pull", "--client-uuid", str(uuid.uuid4()), "--token", "t",
            "--stats-type", "risk", remote_url=url(remote))
    assert r.returncode == 1 and "no client with uuid" in r.stderr


# --- MOSP --------------------------------------------------------------------------------

PUBLISHED = str(uuid.uuid4())
MOSP_OBJECT = {"uuid": PUBLISHED, "name": "Threat — fuite de données", "json_object": {"a": 1}}


def mosp(request):
    found = request.query.get("uuid") == PUBLISHED
    return answer(200, {"metadata": {"count": 1 if found else 0, "offset": 0, "limit": 10},
                        "data": [MOSP_OBJECT] if found else []})


@pytest.fixture
def fake_mosp():
    fake = FakeServer([mosp])
    yield fake
    fake.close()


def mosp_cli(tmp_path, *args, mosp_url):
    env = {"PATH": "/usr/bin:/bin", "MOSP_URL": mosp_url, "LOG_PATH": "", "REMOTE_TIMEOUT": "5",
           "DATABASE_URI": f"sqlite:///{tmp_path}/unused.db"}
    return run_cli(env, *args, check=False)


def test_mosp_published_and_not(fake_mosp, tmp_path):
    r = mosp_cli(tmp_path, "mosp", "is-object-published", "--uuid", PUBLISHED,
                 mosp_url=fake_mosp.url)
    assert (r.returncode, r.stdout) == (0, "True\n"), r.stderr
    r = mosp_cli(tmp_path, "mosp_is_object_published", "--uuid", str(uuid.uuid4()),
                 mosp_url=fake_mosp.url)
    assert (r.returncode, r.stdout) == (0, "False\n"), r.stderr
    r = mosp_cli(tmp_path, "is_object_published", "--uuid", PUBLISHED.upper(),
                 mosp_url=fake_mosp.url + "/")
    assert (r.returncode, r.stdout) == (0, "True\n"), r.stderr
    assert fake_mosp.requests[0].path == f"/api/v2/object/?uuid={PUBLISHED}"
    assert fake_mosp.requests[2].path == f"/api/v2/object/?uuid={PUBLISHED}"
    assert fake_mosp.requests[0].headers["User-Agent"] == "stats-service/0.1.0"


def test_mosp_verbose_prints_the_object(fake_mosp, tmp_path):
    r = mosp_cli(tmp_path, "mosp", "is-object-published", "-v", "--uuid", PUBLISHED,
                 mosp_url=fake_mosp.url)
    assert r.returncode == 0, r.stderr
    printed, last = r.stdout.rsplit("\n", 2)[0], r.stdout.splitlines()[-1]
    assert last == "True"
    assert json.loads(printed)["data"] == [MOSP_OBJECT]
    assert "\n  " in printed     # indented
    r = mosp_cli(tmp_path, "mosp", "is-object-published", "--verbose", "--uuid",
                 str(uuid.uuid4()), mosp_url=fake_mosp.url)
    assert r.stdout == "False\n"


@pytest.mark.parametrize("script, message", [
    ([answer(500, {"message": "Oops"})], "answered HTTP 500: Oops"),
    ([answer(200, "<html>maintenance</html>", {"Content-Type": "text/html"})], "did not answer JSON"),
    ([answer(200, {"data": []})], "without metadata.count"),
])
def test_mosp_odd_answers_are_errors(tmp_path, script, message):
    fake = FakeServer(script)
    try:
        r = mosp_cli(tmp_path, "mosp", "is-object-published", "--uuid", PUBLISHED,
                     mosp_url=fake.url)
    finally:
        fake.close()
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith("stats-service: mosp is-object-published: ")
    assert message in r.stderr, r.stderr


def test_mosp_unreachable(tmp_path):
    r = mosp_cli(tmp_path, "mosp", "is-object-published", "--uuid", PUBLISHED,
                 mosp_url=f"http://127.0.0.1:{closed_port()}")
    assert r.returncode == 1 and "cannot reach" in r.stderr, r.stderr


def test_mosp_bad_arguments(tmp_path):
    r = mosp_cli(tmp_path, "mosp", "is-object-published", mosp_url="http://127.0.0.1:1")
    assert r.returncode == 2 and "--uuid is required" in r.stderr
    r = mosp_cli(tmp_path, "mosp", "is-object-published", "--uuid", "12",
                 mosp_url="http://127.0.0.1:1")
    assert r.returncode == 2 and "malformed UUID '12'" in r.stderr
    r = mosp_cli(tmp_path, "mosp", "--help", mosp_url="http://127.0.0.1:1")
    assert r.returncode == 0 and "is-object-published" in r.stdout
