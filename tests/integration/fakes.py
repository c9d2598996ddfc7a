"""Helpers of the federation, admin and operations tests: scripted HTTP servers on
loopback (a fake remote instance, a fake MOSP, a proxy that kills what is behind
it), a second PostgreSQL database, and commands run on a terminal.
"""
import http.client
import http.server
import json
import os
import pathlib
import select
import ssl
import subprocess
import threading
import urllib.parse

from conftest import BIN, PG_URI


class Recorded:
    """One request a fake server received."""

    def __init__(self, method, path, headers, body):
        self.method = method
        self.path = path
        self.headers = headers
        self.body = body

    @property
    def json(self):
        return json.loads(self.body)

    @property
    def query(self):
        return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(self.path).query))


def answer(status, body=None, headers=None):
    """What a fake server answers: (status, bytes, headers)."""
    if isinstance(body, (dict, list)):
        body = json.dumps(body)
    if isinstance(body, str):
        body = body.encode()
    return status, body or b"", headers or {"Content-Type": "application/json"}


def accepted(request):
    """A 201 as the real service answers a batch, counting every item as created."""
    items = request.json
    return answer(201, {"metadata": {"count": len(items), "created": len(items), "updated": 0,
                                     "offset": 0, "limit": 0}, "data": items})


class FakeServer:
    """A threaded HTTP server on 127.0.0.1 answering from a script.

    `script` is a list whose items are answer tuples or callables taking the
    Recorded request and returning one; the last item is repeated.  With `tls`
    (a (certfile, keyfile) pair) it speaks HTTPS.
    """

    def __init__(self, script, tls=None):
        self.script = list(script)
        self.requests = []
        self.lock = threading.Lock()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def handle_one(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                rec = Recorded(self.command, self.path, dict(self.headers), body)
                with fake.lock:
                    fake.requests.append(rec)
                    step = fake.script[min(len(fake.requests), len(fake.script)) - 1]
                status, data, headers = step(rec) if callable(step) else step
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = handle_one

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.httpd.handle_error = lambda request, address: None  # a client that gave up
        if tls:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            ctx.load_cert_chain(*tls)
            self.httpd.socket = ctx.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def port(self):
        return self.httpd.server_address[1]

    @property
    def url(self):
        scheme = "https" if isinstance(self.httpd.socket, ssl.SSLSocket) else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


class CrashingProxy:
    """Forwards requests to a real server; the `crash_at`-th one makes it crash.

    when="before_answer": the request is sent on, then the server is killed
    (SIGKILL) before it can answer — it may or may not have stored the batch.
    when="after_answer": the server answers, then it is killed and the answer is
    never passed back — the batch is stored but the sender does not know it.
    Either way the sender's connection is closed without an answer, and the
    proxy stops listening, so the sender's retries find nobody.
    """

    def __init__(self, target, crash_at, when):
        self.target = target
        self.crash_at = crash_at
        self.when = when
        self.count = 0
        self.lock = threading.Lock()
        self.crashed = threading.Event()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with proxy.lock:
                    proxy.count += 1
                    n = proxy.count
                headers = {k: v for k, v in self.headers.items()
                           if k.lower() not in ("host", "content-length", "connection")}
                conn = http.client.HTTPConnection("127.0.0.1", proxy.target.port, timeout=30)
                conn.request("POST", self.path, body=body, headers=headers)
                if n == proxy.crash_at:
                    if proxy.when == "after_answer":
                        conn.getresponse().read()
                    crash(proxy.target)
                    conn.close()
                    self.close_connection = True
                    proxy.crashed.set()
                    threading.Thread(target=proxy.stop, daemon=True).start()
                    return
                resp = conn.getresponse()
                data = resp.read()
                conn.close()
                self.send_response(resp.status)
                self.send_header("Content-Type", resp.getheader("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def crash(server):
    """SIGKILL a conftest.Server: no drain, no clean-up, as a crash would."""
    server.proc.kill()
    server.proc.wait(timeout=60)
    server.proc.stdout.close()
    server.stderr.close()
    server.proc = None


def pg_database_uri(name):
    """The URI of another database on the test PostgreSQL server (created if missing)."""
    parts = urllib.parse.urlsplit(PG_URI)
    uri = urllib.parse.urlunsplit(parts._replace(path="/" + name))
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "DATABASE_URI": uri, "LOG_PATH": ""}
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if k in os.environ:
            env[k] = os.environ[k]
    proc = subprocess.run([BIN, "db", "create"], env=env, capture_output=True, text=True,
                          timeout=60)
    assert proc.returncode == 0, proc.stderr
    return uri


def self_signed_certificate(folder):
    """A certificate for 127.0.0.1 and its key, made with the openssl command."""
    folder = pathlib.Path(folder)
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    return str(cert), str(key)


def run_on_terminal(env, args, answer=None, timeout=60):
    """Runs the binary with stdin and stderr on a terminal (stdout a pipe); types
    `answer` if given.  Returns (exit code, stdout, what the terminal showed)."""
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen([BIN, *args], env=env, stdin=slave, stdout=subprocess.PIPE,
                                stderr=slave, text=True)
        os.close(slave)
        slave = None
        if answer:
            os.write(master, answer.encode())
        shown = b""
        while True:
            ready, _, _ = select.select([master], [], [], timeout)
            if not ready:
                proc.kill()
                break
            try:
                chunk = os.read(master, 65536)
            except OSError:  # the terminal closed: the program ended
                break
            if not chunk:
                break
            shown += chunk
        out = proc.stdout.read()
        proc.stdout.close()
        code = proc.wait(timeout=timeout)
    finally:
        os.close(master)
        if slave is not None:
            os.close(slave)
    return code, out, shown.decode(errors="replace")
