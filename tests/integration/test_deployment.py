"""Several instances on one PostgreSQL behind HAProxy (deploy/, docs/operations.md).

test_postgresql_restart_and_outage: an instance outlives its database — a restart of
PostgreSQL costs no request once it is back, a database that does not answer gets 503
with Retry-After (never 500, a crash or a hang), and the instance serves again as soon
as it returns, without being restarted.

test_three_instances_behind_haproxy: deploy/haproxy.cfg (its own `global` section,
loopback addresses and free ports put in) in front of three instances, under the
uploads of 20 MONARC installations and public reads, while one instance is killed and
restarted, PostgreSQL restarts, and a restart rolls across the three: no acknowledged
stats lost, none stored twice, failures only around the kills and the restart, every
instance serving within 5 s of PostgreSQL's return, their public answers equal.

These tests restart and stop PostgreSQL: the module runs its own server (tests/pg.sh
in a temporary folder), not the one of STATS_TEST_DATABASE_URI.
"""
import collections
import datetime
import http.client
import itertools
import json
import os
import pathlib
import random
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

import pytest

from conftest import (ADMIN_TOKEN, BIN, PG_URI, ROOT, STATS_TYPES, WRAPPER, Client, Server,
                      fixture_raw, fresh_anrs, run_cli, server_today)

pytestmark = [
    pytest.mark.skipif(PG_URI is None, reason="PostgreSQL tests (STATS_TEST_DATABASE_URI unset)"),
    pytest.mark.skipif(bool(WRAPPER), reason="reconnection deadlines: not under a wrapper"),
]

PG_SH = str(ROOT / "tests" / "pg.sh")
RETRY_AFTER = "5"   # DATABASE_RETRY_AFTER (src/http/request.h)


class Postgres:
    """A PostgreSQL server of this module's own: started, restarted, stopped at will."""

    def __init__(self, folder):
        self.dir = folder / "data"
        self.uri = self._pg("start").stdout.strip().splitlines()[-1]

    def _pg(self, action):
        proc = subprocess.run([PG_SH, action, str(self.dir)], capture_output=True, text=True,
                              timeout=120)
        assert proc.returncode == 0, f"tests/pg.sh {action}: {proc.stderr}"
        return proc

    def restart(self):
        """pg_ctl restart -m fast: every session ends; returns once it accepts again."""
        self._pg("restart")

    def stop(self):
        self._pg("stop")

    def start(self):
        uri = self._pg("start").stdout.strip().splitlines()[-1]
        assert uri == self.uri, "PostgreSQL came back on another port"


@pytest.fixture(scope="module")
def postgres():
    # Not under pytest's folder: as root, the server runs as `postgres`, and another
    # pytest of the same user starting meanwhile makes /tmp/pytest-of-<user> 0700 again,
    # after which pg_ctl can no longer reach its data (tests/pg.sh opens the path).
    folder = pathlib.Path(tempfile.mkdtemp(prefix="stats-deploy-pg."))
    pg = Postgres(folder)
    yield pg
    pg.stop()
    shutil.rmtree(folder)


def fresh_request(server, path, token):
    """One request on a new connection: the server hands each connection to one of its
    worker threads, each with its own database connection (opened at its first request)."""
    client = Client(server.port, token)
    try:
        return client.get(path)
    finally:
        client.close()


def assert_unavailable(r):
    assert r.status == 503, r
    assert r.header("Retry-After") == RETRY_AFTER, r.headers
    assert "database does not answer" in r.json["message"], r


def test_postgresql_restart_and_outage(postgres, tmp_path):
    srv = Server("postgresql", tmp_path, {"DATABASE_URI": postgres.uri, "THREADS": "12"})
    try:
        api, created = srv.new_client()
        token = created["token"]
        today = server_today(srv).isoformat()
        paths = ("/api/v1/client/me", "/stats/threats.json", "/map/clients.json", "/healthz")

        # Some worker threads have a database connection; most never served a request.
        assert api.get("/api/v1/client/me").status == 200
        for _ in range(3):
            assert fresh_request(srv, "/stats/threats.json", token).status == 200

        # A restart ends every session: the next statement of each connection notices
        # it and reconnects first, so no request fails once PostgreSQL accepts again.
        postgres.restart()
        r = api.post("/api/v1/stats/", raw=fixture_raw("threat.json", fresh_anrs(), today))
        assert r.status == 201, r
        for _ in range(4):
            for path in paths:
                r = fresh_request(srv, path, token)
                assert r.status == 200, (path, r)

        # Down: 503 with Retry-After from every route that needs the database, on the
        # threads whose connection broke and on those that never had one.
        postgres.stop()
        r = api.post("/api/v1/stats/", raw=fixture_raw("risk.json", fresh_anrs(), today))
        assert_unavailable(r)
        for _ in range(6):
            for path in paths[:3]:
                assert_unavailable(fresh_request(srv, path, token))
            r = fresh_request(srv, "/healthz", token)
            assert (r.status, r.json["status"]) == (503, "unavailable"), r
        assert fresh_request(srv, "/about.json", token).status == 200   # needs no database

        # Back: the same process serves every route again within 5 s.
        postgres.start()
        returned = time.monotonic()
        anrs = fresh_anrs()
        while True:
            answers = [fresh_request(srv, path, token).status for path in paths]
            upload = api.post("/api/v1/stats/", raw=fixture_raw("risk.json", anrs, today))
            if answers == [200] * len(paths) and upload.status == 201:
                break
            assert time.monotonic() - returned < 5, (answers, upload)
            time.sleep(0.1)
        for _ in range(4):
            for path in paths:
                assert fresh_request(srv, path, token).status == 200, path
        assert srv.proc.poll() is None
        log = srv.log.read_text()
        assert " 500 " not in log and "-> 500" not in log, log[-3000:]
    finally:
        srv.stop()


def test_sessions_ended_under_uploads(postgres, tmp_path):
    """Sessions ended by the server in the middle of uploads (pipelined writes in flight)
    cost those uploads a 503, and no later request: every worker thread goes on."""
    srv = Server("postgresql", tmp_path, {"DATABASE_URI": postgres.uri, "THREADS": "4"})
    stop = threading.Event()
    statuses = collections.Counter()
    problems = []

    def uploader(n):
        api, _ = srv.new_client()
        anrs = fresh_anrs()
        today = server_today(srv)
        for day in itertools.count():
            if stop.is_set():
                break
            date = (today - datetime.timedelta(days=day % 300)).isoformat()
            try:
                r = api.post("/api/v1/stats/", raw=fixture_raw("full-batch.json", anrs, date))
            except (OSError, http.client.HTTPException) as e:
                problems.append(repr(e))
                break
            statuses[r.status] += 1
            if r.status == 503 and r.header("Retry-After") != RETRY_AFTER:
                problems.append(r.headers)
        api.close()

    threads = [threading.Thread(target=uploader, args=(n,)) for n in range(4)]
    try:
        for t in threads:
            t.start()
        rng = random.Random(7)
        for _ in range(20):
            time.sleep(rng.uniform(0.05, 0.3))
            subprocess.run(["psql", postgres.uri, "-X", "-q", "-At", "-c",
                            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                            "WHERE datname = current_database() AND pid <> pg_backend_pid()"],
                           check=True, capture_output=True, timeout=60)
        time.sleep(0.5)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=60)
    try:
        assert not problems, problems
        assert set(statuses) <= {201, 503}, statuses
        assert statuses[201] > 0, statuses
        _, created = srv.new_client()
        for _ in range(12):
            assert fresh_request(srv, "/api/v1/client/me", created["token"]).status == 200
            assert fresh_request(srv, "/stats/threats.json", None).status == 200
        assert "-> 500" not in srv.log.read_text()
        print(f"uploads: {dict(statuses)}")
    finally:
        srv.stop()


# --- three instances behind HAProxy ---------------------------------------------------

HAPROXY = shutil.which("haproxy") or "/usr/sbin/haproxy"
INSTALLATIONS = 20
PUBLIC_PATHS = ("/stats/threats.json", "/stats/vulnerabilities.json", "/stats/risks.json",
                "/stats/cartography.json", "/stats/compliance.json", "/map/clients.json")
# A failed request must overlap a kill or the database restart, give or take this much
# (s): HAProxy notices an instance back only after its health checks (2 × 500 ms).
MARGIN_BEFORE, MARGIN_AFTER = 0.5, 2.0
UPLOAD_DEADLINE = 60   # s an upload may keep failing before the test gives up


def free_ports(n):
    socks = [socket.create_server(("127.0.0.1", 0)) for _ in range(n)]
    ports = [s.getsockname()[1] for s in socks]
    for s in socks:
        s.close()
    return ports


def wait_until(what, condition, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"{what}: not within {timeout} s"
        time.sleep(interval)


class Instance:
    """One `stats-service serve` on a fixed port, the one HAProxy's configuration names."""

    def __init__(self, name, port, env, folder):
        self.name, self.port = name, port
        self.env = {**env, "PORT": str(port), "LOG_PATH": str(folder / f"{name}.log")}
        self.stderr_path = folder / f"{name}.stderr"
        self.proc = None
        self.start()

    def start(self):
        with open(self.stderr_path, "a") as stderr:
            self.proc = subprocess.Popen([BIN, "serve"], env=self.env, stdout=subprocess.PIPE,
                                         stderr=stderr, text=True)
        for line in self.proc.stdout:
            if line.startswith("Listening on http://"):
                return
        raise AssertionError(f"{self.name} did not start: {self.stderr_path.read_text()}")

    def stop(self, sig):
        """Sends sig and reaps the process; after SIGTERM, checks a clean exit."""
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=60)
        self.proc.stdout.close()
        self.proc = None
        err = self.stderr_path.read_text()
        assert "Sanitizer" not in err and "runtime error" not in err, err
        if sig == signal.SIGTERM:
            assert code == 0, f"{self.name} exited with {code}: {err}"

    def get(self, path, token=None):
        client = Client(self.port, token)
        try:
            return client.get(path)
        finally:
            client.close()


class HAProxy:
    """haproxy -db (foreground, as this user) on deploy/haproxy.cfg, whose `global`
    section (system paths, user, chroot, log) is replaced by one in a temporary folder
    and whose listening and server addresses are put on loopback."""

    def __init__(self, folder, port, instances):
        self.socket = folder / "admin.sock"
        self.config = folder / "haproxy.cfg"
        self.config.write_text(self.configuration(port, instances))
        for config in (ROOT / "deploy" / "haproxy.cfg", self.config):   # as shipped, as run
            check = subprocess.run([HAPROXY, "-c", "-f", str(config)], capture_output=True,
                                   text=True, timeout=60)
            assert check.returncode == 0, f"{config}: {check.stdout}{check.stderr}"
        self.log = open(folder / "haproxy.out", "w")
        self.proc = subprocess.Popen([HAPROXY, "-db", "-f", str(self.config)],
                                     stdout=self.log, stderr=subprocess.STDOUT)
        wait_until("HAProxy's admin socket", self.socket.exists, 30)

    def configuration(self, port, instances):
        lines = [
            "global",
            f"    pidfile {self.config.parent / 'haproxy.pid'}",
            f"    stats socket {self.socket} mode 600 level admin",
        ]
        section = None
        self.servers = []
        for line in (ROOT / "deploy" / "haproxy.cfg").read_text().splitlines():
            words = line.split()
            if line[:1].strip() and not line.startswith("#"):
                section = words[0]
            if section == "global" or section is None:
                continue
            if words[:1] == ["bind"]:
                line = f"    bind 127.0.0.1:{port}"
            elif words[:1] == ["server"]:
                inst = instances[len(self.servers)]
                self.servers.append(words[1])
                line = "    " + " ".join(["server", words[1], f"127.0.0.1:{inst.port}", *words[3:]])
            lines.append(line)
        assert len(self.servers) == len(instances), "deploy/haproxy.cfg names 3 servers"
        return "\n".join(lines) + "\n"

    def command(self, line):
        """One command on the admin socket (as `socat stdio /run/haproxy/admin.sock`)."""
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(10)
            s.connect(str(self.socket))
            s.sendall(line.encode() + b"\n")
            data = b""
            while chunk := s.recv(65536):
                data += chunk
        return data.decode()

    def states(self):
        """{server name: status} of the backend ("UP", "DOWN", "UP 1/2", "DRAIN", …)."""
        rows = self.command("show stat").splitlines()
        header = rows[0].lstrip("# ").split(",")
        states = {}
        for row in rows[1:]:
            fields = dict(zip(header, row.split(",")))
            if fields.get("svname") in self.servers:
                states[fields["svname"]] = fields["status"]
        return states

    def wait_state(self, server, state, timeout=30):
        wait_until(f"HAProxy sees {server} {state}", lambda: self.states()[server] == state, timeout)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        self.log.close()


class Record:
    """What the simulated installations and readers saw, with monotonic times."""

    def __init__(self):
        self.lock = threading.Lock()
        self.failures = []     # (what, t_sent, t_failed, detail)
        self.uploaded = {}     # (anr, type, date) → canonical JSON of data, acknowledged
        self.last_ack = 0.0
        self.errors = []       # exceptions that ended a thread

    def failure(self, what, t0, detail):
        with self.lock:
            self.failures.append((what, t0, time.monotonic(), detail))

    def acknowledged(self, items):
        with self.lock:
            for item in items:
                self.uploaded[(item["anr"], item["type"], item["date"])] = \
                    json.dumps(item["data"], sort_keys=True)
            self.last_ack = time.monotonic()


def attempt(client_box, method, path, raw=None):
    """(status or None, detail); client_box[0] is replaced after a broken connection."""
    client = client_box[0]
    try:
        r = client.request(method, path, raw=raw)
        return r.status, r
    except (OSError, http.client.HTTPException) as e:
        client.close()
        client_box[0] = Client(client.port, client.token)
        return None, repr(e)


def upload_until_acknowledged(client_box, body, record, what):
    """Sends an upload again after each failure, as MONARC does, until it is acknowledged."""
    items = json.loads(body)
    started = time.monotonic()
    while True:
        t0 = time.monotonic()
        status, detail = attempt(client_box, "POST", "/api/v1/stats/", body)
        if status is not None and 200 <= status < 300:
            record.acknowledged(items)
            return
        record.failure(what, t0, f"{status}: {detail}")
        assert time.monotonic() - started < UPLOAD_DEADLINE, f"{what}: still failing: {detail}"
        time.sleep(0.3)


def installation(n, port, token, today, stop, record):
    """A MONARC installation: its analyses' statistics of one more day, every second or so."""
    try:
        rng = random.Random(n)
        anrs = fresh_anrs()
        box = [Client(port, token)]
        for day in itertools.count():
            if stop.is_set():
                break
            date = (today - datetime.timedelta(days=day)).isoformat()
            upload_until_acknowledged(box, fixture_raw("full-batch.json", anrs, date), record,
                                      f"upload of installation {n}")
            stop.wait(rng.uniform(0.5, 1.5))
        box[0].close()
    except BaseException as e:   # noqa: B036 — reported by the test, not lost in a thread
        record.errors.append(f"installation {n}: {e!r}")


def reader(n, port, stop, record):
    """A visitor of the dashboard: the public answers, the pages."""
    try:
        rng = random.Random(100 + n)
        box = [Client(port, None, user_agent="Mozilla/5.0")]
        while not stop.is_set():
            path = rng.choice(PUBLIC_PATHS + ("/",))
            t0 = time.monotonic()
            status, detail = attempt(box, "GET", path)
            if status != 200:
                record.failure(f"read {path}", t0, f"{status}: {detail}")
            stop.wait(rng.uniform(0.1, 0.3))
        box[0].close()
    except BaseException as e:   # noqa: B036
        record.errors.append(f"reader {n}: {e!r}")


def public_answers(instances):
    """{instance name: {path: body}}, each instance asked directly, all at once."""
    answers = {}

    def ask(inst):
        answers[inst.name] = {}
        for path in PUBLIC_PATHS:
            r = inst.get(path)
            assert r.status == 200, (inst.name, path, r)
            answers[inst.name][path] = r.body
    threads = [threading.Thread(target=ask, args=(inst,)) for inst in instances]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert len(answers) == len(instances) and all(len(a) == len(PUBLIC_PATHS)
                                                   for a in answers.values()), answers.keys()
    return answers


def differing(answers):
    first = next(iter(answers.values()))
    return [(name, path) for name, a in answers.items() for path in PUBLIC_PATHS
            if a[path] != first[path]]


@pytest.mark.skipif(not os.access(HAPROXY, os.X_OK),
                    reason="haproxy is not installed (scripts/install-deps.sh test)")
def test_three_instances_behind_haproxy(postgres, tmp_path):
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DATABASE_URI": postgres.uri,
        "ADMIN_TOKEN": ADMIN_TOKEN,
        "LOG_LEVEL": "debug",
        "HOST": "127.0.0.1",
        "THREADS": "4",
        "FIX_PROXY": "1",
        "CLIENT_REGISTRATION_OPEN": "1",
        "TZ": os.environ.get("TZ", "UTC"),
        "MIN_ORGANISATIONS": "1",
    }
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    run_cli(env, "db", "empty", "--yes")
    run_cli(env, "db", "init")
    *ports, front = free_ports(4)
    instances = [Instance(f"instance{i + 1}", port, env, tmp_path) for i, port in enumerate(ports)]
    proxy = HAProxy(tmp_path, front, instances)
    stop = threading.Event()
    record = Record()
    threads = []
    windows = []   # (what, start, end): a kill or the database restart
    try:
        for server in proxy.servers:
            proxy.wait_state(server, "UP")
        today = server_today(instances[0])
        admin = Client(front, ADMIN_TOKEN)
        tokens = []
        for n in range(INSTALLATIONS + 1):
            r = admin.post("/api/v1/client/", {"name": f"installation {n}",
                                               "is_sharing_enabled": True})
            assert r.status == 201, r
            tokens.append(r.json["token"])
        probe_token = tokens.pop()   # the test's own uploads, straight to an instance
        admin.close()
        threads = [threading.Thread(target=installation,
                                    args=(n, front, tokens[n], today, stop, record))
                   for n in range(INSTALLATIONS)]
        threads += [threading.Thread(target=reader, args=(n, front, stop, record))
                    for n in range(3)]
        for t in threads:
            t.start()
        time.sleep(5)

        # 1. An instance crashes (SIGKILL): HAProxy's health check takes it out; started
        #    again, it is taken back.
        victim = instances[0]
        start = time.monotonic()
        victim.stop(signal.SIGKILL)
        windows.append(("SIGKILL of instance1", start, time.monotonic()))
        proxy.wait_state(proxy.servers[0], "DOWN")
        victim.start()
        proxy.wait_state(proxy.servers[0], "UP")
        time.sleep(3)

        # 2. PostgreSQL restarts under the load: every instance, not restarted, serves
        #    again (health check and an upload, asked directly) within 5 s of its return.
        pids = [inst.proc.pid for inst in instances]
        start = time.monotonic()
        postgres.restart()
        returned = time.monotonic()
        windows.append(("restart of PostgreSQL", start, returned))
        for inst in instances:
            box = [Client(inst.port, probe_token)]
            body = fixture_raw("full-batch.json", fresh_anrs(), today.isoformat())
            while True:
                healthz = inst.get("/healthz").status
                status, detail = attempt(box, "POST", "/api/v1/stats/", body)
                if healthz == 200 and status == 201:
                    record.acknowledged(json.loads(body))
                    break
                assert time.monotonic() - returned < 5, (inst.name, healthz, status, detail)
                time.sleep(0.1)
            box[0].close()
        assert [inst.proc.pid for inst in instances] == pids
        assert all(inst.proc.poll() is None for inst in instances)
        time.sleep(3)

        # 3. A restart rolls across the three as deploy/README.md says: drained in
        #    HAProxy (else, under load, it keeps getting requests and its SIGTERM waits
        #    for up to 30 s for them to end), SIGTERM, wait for the exit, start, back in
        #    HAProxy, and the next.
        for inst, server in zip(instances, proxy.servers):
            assert proxy.command(f"set server stats_instances/{server} state drain").strip() == ""
            proxy.wait_state(server, "DRAIN")
            start = time.monotonic()
            inst.stop(signal.SIGTERM)
            windows.append((f"SIGTERM of {inst.name}", start, time.monotonic()))
            inst.start()
            assert proxy.command(f"set server stats_instances/{server} state ready").strip() == ""
            proxy.wait_state(server, "UP")
            time.sleep(1)
        time.sleep(3)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=UPLOAD_DEADLINE + 30)
    try:
        assert not record.errors, record.errors
        assert not any(t.is_alive() for t in threads)

        # Failures: only requests in flight at a kill or during the database restart.
        def in_a_window(t0, t1):
            return any(t0 <= end + MARGIN_AFTER and t1 >= start - MARGIN_BEFORE
                       for _, start, end in windows)
        seen = collections.Counter((f[0].split()[0], f[3][:3]) for f in record.failures)
        print(f"{len(record.uploaded)} stats acknowledged; windows "
              f"{[(w, round(b - a, 2)) for w, a, b in windows]}; failed requests: {seen}")
        stray = [f for f in record.failures if not in_a_window(f[1], f[2])]
        assert not stray, (stray, windows)

        # Every acknowledged stats is stored once, as sent; nothing else is stored.
        admin = Client(instances[1].port, ADMIN_TOKEN)
        stored = {}
        for stats_type in STATS_TYPES:
            r = admin.get("/api/v1/stats/", {"type": stats_type, "date_from": "1900-01-01",
                                             "date_to": "9999-12-31"})
            assert r.status == 200, r
            for s in r.json["data"]:
                key = (s["anr"], s["type"], s["date"])
                assert key not in stored, f"stored twice: {key}"
                stored[key] = json.dumps(s["data"], sort_keys=True)
        admin.close()
        assert len(record.uploaded) >= INSTALLATIONS * 10 * 5, len(record.uploaded)
        missing = record.uploaded.keys() - stored.keys()
        assert not missing, f"{len(missing)} acknowledged stats lost: {sorted(missing)[:5]}"
        assert stored.keys() == record.uploaded.keys(), stored.keys() - record.uploaded.keys()
        assert stored == record.uploaded

        # The public answers of every instance, asked directly, agree after the last
        # change; one more upload changes them on all three within 1 s.
        before = public_answers(instances)
        assert not differing(before), differing(before)
        body = fixture_raw("full-batch.json", fresh_anrs(), today.isoformat())
        box = [Client(instances[0].port, probe_token)]
        status, detail = attempt(box, "POST", "/api/v1/stats/", body)
        assert status == 201, detail
        box[0].close()
        changed = time.monotonic()
        while True:
            asked = time.monotonic()
            after = public_answers(instances)
            if not differing(after):
                break
            assert asked - changed < 1, differing(after)
        assert after["instance1"]["/stats/threats.json"] != before["instance1"]["/stats/threats.json"]
        for inst in instances:   # a database that did not answer was a 503, never a 500
            log = (tmp_path / f"{inst.name}.log").read_text()
            assert "-> 500" not in log, [line for line in log.splitlines() if "-> 500" in line]
    finally:
        for inst in instances:
            if inst.proc:
                inst.stop(signal.SIGTERM)
        proxy.stop()
