"""
test_cli.py — the stats-service command line, run the way an operator runs it
(docs/cli.md, docs/configuration.md): the `db` and `client` commands, their old names,
confirmations, bad arguments, and configuration from file and environment.

The binary is $STATS_BIN (default: build/stats-service).  Each test gets an
empty SQLite database of its own, or, when STATS_TEST_DATABASE_URI is set, that
PostgreSQL database, emptied (`db empty -y`) before the test.
"""
import hashlib
import json
import os
import pathlib
import re
import selectors
import signal
import socket
import subprocess
import time
import uuid

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = os.environ.get("STATS_BIN", str(ROOT / "build" / "stats-service"))
PG_URI = os.environ.get("STATS_TEST_DATABASE_URI")

# Settings the service reads from the environment: none may leak in from the caller's.
SETTINGS = """STATS_CONFIG HOST PORT INSTANCE_URL FIX_PROXY DATABASE_URI SQLALCHEMY_DATABASE_URI
DB_HOSTNAME DB_PORT DB_NAME DB_USERNAME DB_PASSWORD ADMIN_EMAIL ADMIN_URL DATA_LICENSE ADMIN_TOKEN
ACTIVE_BLUEPRINTS CLIENT_REGISTRATION_OPEN REMOTE_STATS_SERVER REMOTE_STATS_TOKEN MOSP_URL
LOG_PATH LOG_LEVEL SECRET_KEY THREADS MAX_BODY_SIZE TIMEZONE UPDATE_COMMAND SECURITY_CONTACT
SECURITY_TXT_EXPIRES MAX_PAGE_SIZE METRICS_ALLOW MAP_TILES_URL REMOTE_TIMEOUT REMOTE_RETRIES
REMOTE_CA_FILE""".split()

SCHEMA_LINE = re.compile(r"^Database schema at version [1-9][0-9]*\.$", re.M)
# Our messages start with the program's name, and the command's when it is
# about one ("stats-service client create: …").
MESSAGE_START = re.compile(r"stats-service( [a-z-]+)*: ")


def fingerprint(token):
    return hashlib.sha256(token.encode()).hexdigest()[:8]


def parse_block(text):
    """'key: value' lines → dict."""
    return dict(line.split(": ", 1) for line in text.splitlines() if line)


class Cli:
    """Runs the binary against this test's database, stdin not a terminal."""

    def __init__(self, tmp_path, uri):
        self.tmp_path = tmp_path
        self.uri = uri
        self.env = {k: v for k, v in os.environ.items() if k not in SETTINGS}
        self.env.update(DATABASE_URI=uri, LOG_PATH="")

    def run(self, *args, env=None, stdin=subprocess.DEVNULL):
        full_env = dict(self.env)
        for key, value in (env or {}).items():
            if value is None:
                full_env.pop(key, None)
            else:
                full_env[key] = value
        return subprocess.run([BIN, *args], env=full_env, stdin=stdin, capture_output=True,
                              text=True, timeout=60)

    def ok(self, *args, **kw):
        r = self.run(*args, **kw)
        assert r.returncode == 0, f"{args}: exit {r.returncode}, stderr: {r.stderr}"
        return r

    def fails(self, code, *args, **kw):
        """Runs a command that must fail with exit `code` and a one-line message."""
        r = self.run(*args, **kw)
        assert r.returncode == code, f"{args}: exit {r.returncode}, stderr: {r.stderr}"
        assert MESSAGE_START.match(r.stderr), r.stderr
        return r

    def create(self, *args):
        return parse_block(self.ok("client", "create", *args).stdout)

    def clients(self):
        return json.loads(self.ok("client", "list", "--json").stdout)

    def client(self, client_uuid):
        found = [c for c in self.clients() if c["uuid"] == client_uuid]
        return found[0] if found else None


@pytest.fixture
def cli(tmp_path):
    """A command line on an empty database (no schema)."""
    if PG_URI:
        c = Cli(tmp_path, PG_URI)
        c.ok("db", "empty", "-y")
    else:
        c = Cli(tmp_path, f"sqlite:///{tmp_path}/var/stats.db")
    return c


@pytest.fixture
def db(cli):
    """A command line on a database with the current schema and no clients."""
    assert SCHEMA_LINE.search(cli.ok("db", "init").stdout)
    return cli


sqlite_only = pytest.mark.skipif(PG_URI is not None, reason="checks SQLite files")


# --- global options ---------------------------------------------------------------------

def test_version(cli):
    """The version first; then, for the operator, the build and the libraries' exact
    versions (which /about/more no longer shows)."""
    out = cli.ok("--version").stdout
    assert cli.ok("-V").stdout == out
    lines = out.splitlines()
    assert lines[0] == "stats-service 0.1.0"
    assert re.fullmatch(r"built \d{4}-\d{2}-\d{2} with (GCC|clang|.*[Cc]lang).* \d+\.\d+.*", lines[1])
    for library in ("libmicrohttpd", "json-c", "SQLite", "libpq", "libcurl", "OpenSSL"):
        assert re.search(rf"\b{library} \d+\.\d+", lines[2]), (library, lines[2])


def test_help_lists_commands(cli):
    out = cli.ok("--help").stdout
    assert out.startswith("Usage: stats-service [--config FILE] <command>")
    for command in ("serve", "run", "db", "client"):
        assert re.search(rf"\b{command}\b", out)


@pytest.mark.parametrize("args, message", [
    ((), "no command given"),
    (("frobnicate",), "unknown command 'frobnicate'"),
    (("--frob", "db", "init"), "unknown option '--frob'"),
    (("client_frob",), "unknown subcommand 'frob'"),
    (("--config",), "option '--config' needs a value"),
])
def test_usage_errors_exit_2(cli, args, message):
    r = cli.fails(2, *args)
    assert message in r.stderr
    assert r.stdout == ""


def test_unknown_command_prints_usage_on_stderr(cli):
    r = cli.fails(2, "frobnicate")
    assert "Usage: stats-service" in r.stderr


@pytest.mark.parametrize("args, usage", [
    (("db", "--help"), "Usage: stats-service db"),
    (("db", "create", "--help"), "Usage: stats-service db create"),
    (("db", "init", "--help"), "Usage: stats-service db init"),
    (("db", "empty", "--help"), "Usage: stats-service db empty [--yes]"),
    (("client", "--help"), "Usage: stats-service client <subcommand>"),
    (("client", "create", "--help"), "Usage: stats-service client create --name NAME"),
    (("client", "list", "--help"), "Usage: stats-service client list [--json]"),
    (("client", "delete", "--help"), "Usage: stats-service client delete --uuid UUID [--yes]"),
    (("client", "token-reset", "--help"), "Usage: stats-service client token-reset --uuid UUID"),
    (("client", "coordinates-set", "-h"),
     "Usage: stats-service client coordinates-set --uuid UUID --latitude DEG --longitude DEG"),
    (("client", "coordinates-unset", "--help"), "Usage: stats-service client coordinates-unset"),
    (("client", "sharing-activate", "--help"), "Usage: stats-service client sharing-activate"),
    (("client", "sharing-deactivate", "--help"),
     "Usage: stats-service client sharing-deactivate"),
    (("client", "sharing-list", "--help"), "Usage: stats-service client sharing-list"),
    (("client_create", "--help"), "Usage: stats-service client create"),
])
def test_every_command_has_help(cli, args, usage):
    r = cli.ok(*args)
    assert r.stdout.startswith(usage), r.stdout
    assert "--help" in r.stdout


def test_group_without_subcommand_is_a_usage_error(cli):
    for group in ("db", "client"):
        r = cli.run(group)
        assert r.returncode == 2
        assert f"Usage: stats-service {group}" in r.stderr


def test_run_is_serve(cli):
    assert cli.ok("run", "--help").stdout == cli.ok("serve", "--help").stdout


@pytest.mark.parametrize("args, command, message", [
    (("serve", "extra"), "serve", "unexpected argument 'extra'"),
    (("serve", "--frob"), "serve", "unknown option '--frob'"),
    (("serve", "--port"), "serve", "option '--port' needs a value"),
    (("serve", "--help=x"), "serve", "option '--help' takes no value"),
    (("client", "create", "--name"), "client create", "option '--name' needs a value"),
    (("client", "create", "--name", "x", "extra"), "client create", "unexpected argument 'extra'"),
    (("client", "create", "--frob"), "client create", "unknown option '--frob'"),
    (("client_create", "--name"), "client create", "option '--name' needs a value"),
    (("client", "list", "--json=yes"), "client list", "option '--json' takes no value"),
    (("client", "delete", "--uuid"), "client delete", "option '--uuid' needs a value"),
    (("db", "empty", "-z"), "db empty", "unknown option '-z'"),
    (("db", "init", "extra"), "db init", "unexpected argument 'extra'"),
    (("db", "import-original"), "db import-original", "--from is required"),
    (("stats", "import"), "stats import", "FILE is required"),
    (("stats", "export", "--format"), "stats export", "option '--format' needs a value"),
    (("stats", "list-last", "--limit", "0"), "stats list-last",
     "--limit must be a whole number from 1 to 100000, not '0'"),
    (("mosp", "is-object-published", "--uuid"), "mosp is-object-published",
     "option '--uuid' needs a value"),
    (("--frob", "db", "init"), None, "unknown option '--frob'"),
    (("--config",), None, "option '--config' needs a value"),
])
def test_argument_errors_read_the_same_everywhere(cli, args, command, message):
    """One line, naming the command as typed in full, and where its help is."""
    r = cli.fails(2, *args)
    name = f"stats-service {command}" if command else "stats-service"
    assert r.stderr == f"{name}: {message} (see '{name} --help')\n"
    assert r.stdout == ""


@pytest.mark.parametrize("args, first_line", [
    (("client", "frob"), "stats-service client: unknown subcommand 'frob' "
                         "(see 'stats-service client --help')"),
    (("db",), "stats-service db: no subcommand given (see 'stats-service db --help')"),
    (("frob",), "stats-service: unknown command 'frob' (see 'stats-service --help')"),
])
def test_unknown_or_missing_command_lists_the_choices(cli, args, first_line):
    r = cli.fails(2, *args)
    line, blank, rest = r.stderr.split("\n", 2)
    assert (line, blank) == (first_line, "")
    assert rest.startswith("Usage: stats-service")


COMMANDS = {"db": ["create", "init", "migrate", "backup", "restore", "empty", "import-original"],
            "client": ["create", "list", "delete", "token-reset", "coordinates-set",
                       "coordinates-unset", "sharing-activate", "sharing-deactivate",
                       "sharing-list"],
            "stats": ["push", "pull", "delete", "purge", "remove-duplicate", "list-last",
                      "import", "export"],
            "mosp": ["is-object-published"]}
HELPS = [("serve",)] + [(group, sub) for group, subs in COMMANDS.items() for sub in subs]
# "  <left column>  <description>": the left column may start with spaces (an
# option without a short form) and hold single ones.
TWO_COLUMNS = re.compile(r"^  ( *\S.*?)  +(\S.*)$")


def description_columns(lines):
    """Where the description starts on each two-column line, in characters."""
    return {len(line) - len(TWO_COLUMNS.match(line).group(2)) for line in lines}


@pytest.mark.parametrize("args", HELPS, ids=" ".join)
def test_help_options_align_and_are_all_described(cli, args):
    out = cli.ok(*args, "--help").stdout
    usage, _, options = out.partition("\nOptions:\n")
    lines = options.splitlines()
    assert lines and all(TWO_COLUMNS.match(line) for line in lines), out
    # Characters, not bytes: "postgresql://…" is one column shorter than its UTF-8.
    assert len(description_columns(lines)) == 1, out
    described = {re.search(r"--[a-z-]+", line).group(0) for line in lines}
    assert set(re.findall(r"--[a-z-]+", usage.splitlines()[0])) <= described, out
    assert {"--config", "--help"} <= described, out


@pytest.mark.parametrize("group", COMMANDS)
def test_group_help_columns(cli, group):
    out = cli.ok(group, "--help").stdout
    lines = [line for line in out.splitlines() if line.startswith("  ")]
    assert [TWO_COLUMNS.match(line).group(1) for line in lines] == COMMANDS[group], out
    assert len(description_columns(lines)) == 1, out


def test_serve_help_describes_its_options(cli):
    out = cli.ok("serve", "--help").stdout
    assert out.startswith("Usage: stats-service serve [--host HOST] [--port PORT]\n")
    for option in ("--host HOST", "--port PORT", "--config FILE", "-h, --help"):
        assert re.search(rf"^  (    )?{option}  +\S", out, re.M), (option, out)


# --- configuration ----------------------------------------------------------------------

def write(path, text):
    path.write_text(text)
    return str(path)


@pytest.mark.parametrize("placement", ["before", "after", "equals"])
def test_config_file_before_or_after_command(db, placement):
    conf = write(db.tmp_path / "stats.cfg", f"[db]\nDATABASE_URI = '{db.uri}'\n")
    args = {"before": ["--config", conf, "client", "create", "--name", "cfg"],
            "after": ["client", "create", "--config", conf, "--name", "cfg"],
            "equals": ["client", "create", "--name", "cfg", f"--config={conf}"]}[placement]
    # The file alone names the database: the environment has no DATABASE_URI.
    db.ok(*args, env={"DATABASE_URI": None})
    assert [c["name"] for c in db.clients()] == ["cfg"]


def test_stats_config_variable(db):
    conf = write(db.tmp_path / "stats.cfg", f"DATABASE_URI = {db.uri}\n")
    db.ok("client", "create", "--name", "env-cfg", env={"DATABASE_URI": None, "STATS_CONFIG": conf})
    assert [c["name"] for c in db.clients()] == ["env-cfg"]


def test_config_unknown_key_names_file_and_line(db):
    conf = write(db.tmp_path / "bad.cfg", "# settings\nPROT = 5000\n")
    r = db.fails(1, "--config", conf, "client", "list")
    assert r.stderr == f"stats-service: {conf}:2: unknown key 'PROT'\n"
    assert r.stdout == ""


def test_config_messages_escape_control_bytes(db):
    conf = db.tmp_path / "bad.cfg"
    conf.write_bytes(b"LOG_LEVEL = info\nPROT\x01\x1b[2J = 5000\n")
    r = db.fails(1, "--config", str(conf), "client", "list")
    assert r.stderr == f"stats-service: {conf}:2: unknown key 'PROT\\x01\\x1b[2J'\n"


def test_config_nul_byte_is_an_error_with_its_line(db):
    conf = db.tmp_path / "binary.cfg"
    # Before: the NUL ended line 2 there, so PORT read as 50 and the rest was dropped.
    conf.write_bytes(b"LOG_LEVEL = info\nPORT = 50\x0000\nHOST = 127.0.0.2\n")
    r = db.fails(1, "--config", str(conf), "client", "list")
    assert r.stderr == f"stats-service: {conf}:2: NUL byte (\\x00): a configuration file is text\n"


def test_config_missing_file(db):
    r = db.fails(1, "--config", str(db.tmp_path / "none.cfg"), "client", "list")
    assert "cannot read configuration file" in r.stderr


def test_help_works_with_broken_config(db):
    conf = write(db.tmp_path / "bad.cfg", "PROT = 5000\n")
    assert "Usage: stats-service client list" in db.ok("--config", conf, "client", "list",
                                                       "--help").stdout


def test_environment_bad_value_names_variable(db):
    r = db.fails(1, "client", "list", env={"MAX_PAGE_SIZE": "lots"})
    assert "invalid value for environment variable MAX_PAGE_SIZE: 'lots'" in r.stderr


def test_environment_wins_over_file(db):
    conf = write(db.tmp_path / "stats.cfg", "DATABASE_URI = sqlite:////nonexistent/dir/x.db\n")
    db.ok("--config", conf, "client", "create", "--name", "env-wins")
    assert [c["name"] for c in db.clients()] == ["env-wins"]


def test_legacy_keys_warn_and_run(db):
    conf = write(db.tmp_path / "production.cfg",
                 'DEBUG = False\nTESTING = False\nSQLALCHEMY_TRACK_MODIFICATIONS = False\n')
    r = db.ok("--config", conf, "client", "list")
    assert f"stats-service: warning: {conf}:1: DEBUG is not used by this service" in r.stderr
    assert r.stderr.count("warning:") == 3


def test_bad_timezone_refused(db):
    r = db.fails(1, "client", "list", env={"TIMEZONE": "Mars/Olympus_Mons"})
    assert "TIMEZONE" in r.stderr


# --- db ---------------------------------------------------------------------------------

def test_db_init_is_idempotent(cli):
    first = cli.ok("db", "init").stdout
    assert SCHEMA_LINE.search(first)
    assert cli.ok("db", "init").stdout == first


@sqlite_only
def test_db_init_creates_folder_and_file(cli):
    path = cli.tmp_path / "var" / "stats.db"
    assert not path.parent.exists()
    cli.ok("db", "init")
    assert path.is_file()


@sqlite_only
def test_db_create_makes_sqlite_file(cli):
    cli.ok("db", "create")
    assert (cli.tmp_path / "var" / "stats.db").is_file()
    cli.ok("db", "create")  # already there: not an error


def test_db_create_on_a_database_with_schema_says_so(db):
    db.create("--name", "kept")
    r = db.ok("db", "create")
    first, second, third = r.stdout.splitlines()
    assert re.fullmatch(r"The database exists already, with its schema \(version [1-9]\d*\): "
                        r"nothing to create\.", first), r.stdout
    assert "'stats-service db init' brings the schema up to date" in second
    assert "'stats-service db empty'" in second
    assert [c["name"] for c in db.clients()] == ["kept"]
    assert SCHEMA_LINE.search(db.ok("db", "init").stdout)   # init stays idempotent


def test_db_create_on_a_new_database_says_what_comes_next(cli):
    assert cli.ok("db", "create").stdout == \
        "Database ready; 'stats-service db init' creates its schema.\n"


def missing_sqlite(tmp_path, folder_exists):
    """A command line on a SQLite file that does not exist, in a folder that may not either."""
    folder = tmp_path / "nowhere"
    if folder_exists:
        folder.mkdir()
    path = folder / "stats.db"
    nor = "" if folder_exists else f" (nor does its folder {folder})"
    message = (f"stats-service: the SQLite database file {path} does not exist{nor}: "
               "run 'stats-service db init' first\n")
    return Cli(tmp_path, f"sqlite:///{path}"), path, message


def nothing_created(tmp_path, folder_existed):
    left = sorted(p.name for p in (tmp_path / "nowhere").glob("*")) if folder_existed else None
    assert (tmp_path / "nowhere").exists() == folder_existed
    assert left in (None, [])


READING = [("client", "list"), ("client", "list", "--json"), ("client", "sharing-list"),
           ("stats", "list-last"), ("stats", "export"), ("stats", "export", "--format", "csv"),
           ("stats", "remove-duplicate", "--type", "risk"),
           ("stats", "push", "--remote-token", "t")]
SOME_UUID = "5b4f9f6e-0c84-4f5b-9a57-0d2f6e2c1a10"
WRITING = [("client", "create", "--name", "x"), ("client", "token-reset", "--uuid", SOME_UUID),
           ("client", "delete", "--uuid", SOME_UUID, "-y"), ("stats", "purge"),
           ("stats", "import", "--client-uuid", SOME_UUID, "-")]


@pytest.mark.parametrize("folder_exists", [True, False], ids=["folder", "no-folder"])
@pytest.mark.parametrize("args", READING + WRITING, ids=" ".join)
def test_commands_on_a_missing_sqlite_file_create_nothing(tmp_path, args, folder_exists):
    """Only the commands that make a schema (db create/init/import-original, serve)
    create a SQLite file and its folder; the others say, in one line, that it is not there."""
    cli, path, message = missing_sqlite(tmp_path, folder_exists)
    r = cli.fails(1, *args)
    assert r.stderr == message
    assert r.stdout == ""
    nothing_created(tmp_path, folder_exists)


@pytest.mark.parametrize("folder_exists", [True, False], ids=["folder", "no-folder"])
def test_db_empty_on_a_missing_sqlite_file_has_nothing_to_drop(tmp_path, folder_exists):
    cli, path, _ = missing_sqlite(tmp_path, folder_exists)
    r = cli.ok("db", "empty")   # not even asked: there is nothing to lose
    assert r.stdout.startswith(f"Nothing to drop: the SQLite database file {path} does not exist")
    nothing_created(tmp_path, folder_exists)


@pytest.mark.parametrize("args", [("db", "init"), ("db", "create")], ids=" ".join)
def test_commands_making_a_schema_create_file_and_folder(tmp_path, args):
    cli, path, _ = missing_sqlite(tmp_path, False)
    cli.ok(*args)
    assert path.is_file()


def test_client_commands_need_schema(cli):
    cli.ok("db", "create")
    r = cli.fails(1, "client", "list")
    assert "db init" in r.stderr


def test_db_empty_refuses_without_terminal(db):
    db.create("--name", "kept")
    r = db.fails(1, "db", "empty")
    assert "--yes" in r.stderr
    assert [c["name"] for c in db.clients()] == ["kept"]


@pytest.mark.parametrize("flag", ["-y", "--yes"])
def test_db_empty_with_yes_drops_everything(db, flag):
    db.create("--name", "gone")
    assert db.ok("db", "empty", flag).stdout == "All tables dropped.\n"
    db.fails(1, "client", "list")
    db.ok("db", "init")
    assert db.clients() == []


def test_db_create_takes_no_yes(db):
    assert "unknown option '-y'" in db.fails(2, "db", "create", "-y").stderr


def on_terminal(cli, args, answer):
    """Runs a command whose stdin is a terminal, typing `answer`."""
    master, slave = os.openpty()
    try:
        proc = subprocess.Popen([BIN, *args], env=cli.env, stdin=slave, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        os.write(master, answer.encode())
        out, err = proc.communicate(timeout=60)
    finally:
        os.close(master)
        os.close(slave)
    return proc.returncode, out, err


def test_db_empty_asks_on_terminal(db):
    db.create("--name", "kept")
    code, out, err = on_terminal(db, ["db", "empty"], "n\n")
    assert code == 1
    assert "[y/N]" in err
    assert [c["name"] for c in db.clients()] == ["kept"]
    code, out, err = on_terminal(db, ["db", "empty"], "y\n")
    assert code == 0, err
    db.fails(1, "client", "list")


# --- client create / list ---------------------------------------------------------------

def test_client_create_prints_everything_once(db):
    r = db.ok("client", "create", "--name", "NC3")
    c = parse_block(r.stdout)
    assert list(c) == ["uuid", "name", "role", "local", "is_sharing_enabled", "coordinates",
                       "last_seen", "created_at", "token"]
    assert uuid.UUID(c["uuid"]).version == 4
    assert c["name"] == "NC3"
    assert c["role"] == "user"
    assert c["local"] == "true"
    assert c["is_sharing_enabled"] == "true"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", c["created_at"])
    assert re.fullmatch(r"[A-Za-z0-9_-]{86}", c["token"])
    # The token stored is the one printed: the list shows its hash's fingerprint.
    listed = db.client(c["uuid"])
    assert listed["token_fingerprint"] == fingerprint(c["token"])


def test_client_list_never_shows_token(db):
    c = db.create("--name", "secretive")
    full_hash = hashlib.sha256(c["token"].encode()).hexdigest()
    for args in (("client", "list"), ("client", "list", "--json"), ("client", "sharing-list")):
        r = db.ok(*args)
        assert c["token"] not in r.stdout + r.stderr
        assert full_hash not in r.stdout
        assert fingerprint(c["token"]) in r.stdout
        assert "secretive" in r.stdout


def test_client_list_text_and_json(db):
    assert db.ok("client", "list").stdout == ""
    assert db.clients() == []
    a = db.create("--name", "A")
    b = db.create("--name", "B", "--role", "admin", "--remote")
    text = db.ok("client", "list").stdout
    blocks = [parse_block(block) for block in text.split("\n\n")]
    assert [blk["name"] for blk in blocks] == ["A", "B"]
    assert blocks[1]["role"] == "admin"
    assert blocks[1]["local"] == "false"
    assert blocks[0]["last_seen"] == "never"
    assert "token" not in blocks[0]
    listed = db.clients()
    assert [c["uuid"] for c in listed] == [a["uuid"], b["uuid"]]
    assert listed[0] == {"uuid": a["uuid"], "name": "A", "role": "user", "local": True,
                         "is_sharing_enabled": True, "latitude": None, "longitude": None,
                         "last_seen": None, "created_at": a["created_at"],
                         "token_fingerprint": fingerprint(a["token"])}


def test_client_create_with_uuid_token_role(db):
    given = "5B4F9F6E-0C84-4F5B-9A57-0D2F6E2C1A10"
    c = db.create("--name", "given", "--uuid", given, "--token", "my-own-token_123",
                  "--role", "admin")
    assert c["uuid"] == given.lower()
    assert c["token"] == "my-own-token_123"
    assert c["role"] == "admin"
    assert db.client(given.lower())["token_fingerprint"] == fingerprint("my-own-token_123")


def test_client_create_duplicates_refused(db):
    first = db.create("--name", "one", "--token", "tok-1")
    assert "one" in db.fails(1, "client", "create", "--name", "one").stderr
    db.fails(1, "client", "create", "--name", "two", "--uuid", first["uuid"])
    db.fails(1, "client", "create", "--name", "three", "--token", "tok-1")
    assert [c["name"] for c in db.clients()] == ["one"]


@pytest.mark.parametrize("args, message", [
    ((), "--name is required"),
    (("--name", ""), "--name must not be empty"),
    (("--name", "x", "--uuid", "not-a-uuid"), "malformed UUID 'not-a-uuid'"),
    (("--name", "x", "--role", "root"), "--role must be user or admin"),
    (("--name", "x", "--token", "has space"), "--token"),
    (("--name", "x", "--json"), "unknown option '--json'"),
    (("--name",), "option '--name' needs a value"),
    (("--name", "x", "extra"), "unexpected argument 'extra'"),
])
def test_client_create_bad_arguments(db, args, message):
    r = db.fails(2, "client", "create", *args)
    assert message in r.stderr
    assert r.stderr.count("\n") == 1
    assert db.clients() == []


# --- commands on one client -------------------------------------------------------------

UUID_COMMANDS = [
    ("delete", "-y"), ("token-reset",), ("coordinates-set", "--latitude", "1", "--longitude", "2"),
    ("coordinates-unset",), ("sharing-activate",), ("sharing-deactivate",),
]


@pytest.mark.parametrize("command", UUID_COMMANDS, ids=lambda c: c[0])
def test_unknown_client(db, command):
    missing = str(uuid.uuid4())
    r = db.fails(1, "client", command[0], "--uuid", missing, *command[1:])
    assert r.stderr == f"stats-service: no client with uuid {missing}\n"


@pytest.mark.parametrize("command", UUID_COMMANDS, ids=lambda c: c[0])
def test_malformed_uuid(db, command):
    r = db.fails(2, "client", command[0], "--uuid", "1234", *command[1:])
    assert "malformed UUID '1234'" in r.stderr


@pytest.mark.parametrize("command", UUID_COMMANDS, ids=lambda c: c[0])
def test_uuid_required(db, command):
    assert "--uuid is required" in db.fails(2, "client", *command).stderr


def test_client_delete_refuses_without_terminal(db):
    c = db.create("--name", "kept")
    assert "--yes" in db.fails(1, "client", "delete", "--uuid", c["uuid"]).stderr
    assert db.client(c["uuid"]) is not None


def test_client_delete_with_yes(db):
    a = db.create("--name", "A")
    b = db.create("--name", "B")
    r = db.ok("client", "delete", "--uuid", a["uuid"].upper(), "--yes")
    assert a["uuid"] in r.stdout
    assert [c["uuid"] for c in db.clients()] == [b["uuid"]]
    db.fails(1, "client", "delete", "--uuid", a["uuid"], "-y")


def test_client_delete_asks_on_terminal(db):
    c = db.create("--name", "A")
    code, _, err = on_terminal(db, ["client", "delete", "--uuid", c["uuid"]], "no\n")
    assert code == 1 and "Delete client 'A'" in err
    assert db.client(c["uuid"]) is not None
    code, _, err = on_terminal(db, ["client", "delete", "--uuid", c["uuid"]], "yes\n")
    assert code == 0, err
    assert db.clients() == []


def test_token_reset_changes_token(db):
    c = db.create("--name", "A")
    other = db.create("--name", "B")
    r = db.ok("client", "token-reset", "--uuid", c["uuid"])
    reset = parse_block(r.stdout)
    assert reset["uuid"] == c["uuid"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{86}", reset["token"])
    assert reset["token"] != c["token"]
    assert db.client(c["uuid"])["token_fingerprint"] == fingerprint(reset["token"])
    assert db.client(other["uuid"])["token_fingerprint"] == fingerprint(other["token"])


def test_coordinates_set_and_unset(db):
    c = db.create("--name", "A")
    db.ok("client", "coordinates-set", "--uuid", c["uuid"], "--latitude", "49.6116",
          "--longitude", "6.1319")
    listed = db.client(c["uuid"])
    assert (listed["latitude"], listed["longitude"]) == (49.6116, 6.1319)
    assert "coordinates: 49.6116, 6.1319" in db.ok("client", "list").stdout
    db.ok("client", "coordinates-set", "--uuid", c["uuid"], "--latitude", "-90",
          "--longitude", "180")
    listed = db.client(c["uuid"])
    assert (listed["latitude"], listed["longitude"]) == (-90, 180)
    db.ok("client", "coordinates-unset", "--uuid", c["uuid"])
    listed = db.client(c["uuid"])
    assert (listed["latitude"], listed["longitude"]) == (None, None)


@pytest.mark.parametrize("latitude, longitude, bad", [
    ("200", "6", "--latitude"), ("-90.5", "6", "--latitude"), ("49", "180.01", "--longitude"),
    ("abc", "6", "--latitude"), ("1e3", "6", "--latitude"), ("nan", "6", "--latitude"),
    ("49", "inf", "--longitude"), ("", "6", "--latitude"), ("0x10", "6", "--latitude"),
])
def test_coordinates_out_of_range(db, latitude, longitude, bad):
    c = db.create("--name", "A")
    r = db.fails(2, "client", "coordinates-set", "--uuid", c["uuid"], "--latitude", latitude,
                 "--longitude", longitude)
    assert f"{bad} must be a number" in r.stderr
    assert db.client(c["uuid"])["latitude"] is None


def test_coordinates_need_both(db):
    c = db.create("--name", "A")
    r = db.fails(2, "client", "coordinates-set", "--uuid", c["uuid"], "--latitude", "4")
    assert "--longitude is required" in r.stderr


def test_sharing_flags_and_list(db):
    a = db.create("--name", "A")
    b = db.create("--name", "B")
    db.create("--name", "remote", "--remote")
    shared = json.loads(db.ok("client", "sharing-list", "--json").stdout)
    assert [c["name"] for c in shared] == ["A", "B"]  # remote clients are not listed
    db.ok("client", "sharing-deactivate", "--uuid", a["uuid"])
    assert db.client(a["uuid"])["is_sharing_enabled"] is False
    text = db.ok("client", "sharing-list").stdout
    assert [parse_block(blk)["uuid"] for blk in text.split("\n\n")] == [b["uuid"]]
    db.ok("client", "sharing-activate", "--uuid", a["uuid"])
    assert db.client(a["uuid"])["is_sharing_enabled"] is True


# --- the original's command names -------------------------------------------------------

def test_old_names(cli):
    assert SCHEMA_LINE.search(cli.ok("db_init").stdout)
    cli.ok("db_create")
    c = parse_block(cli.ok("client_create", "--name", "old").stdout)
    assert "name: old" in cli.ok("client_list").stdout
    cli.ok("client_coordinates_set", "--uuid", c["uuid"], "--latitude", "1.5", "--longitude", "2")
    assert cli.client(c["uuid"])["latitude"] == 1.5
    cli.ok("client_coordinates_unset", "--uuid", c["uuid"])
    assert cli.client(c["uuid"])["latitude"] is None
    cli.ok("client_sharing_deactivate", "--uuid", c["uuid"])
    assert cli.ok("client_is_sharing_enabled").stdout == ""
    cli.ok("client_sharing_activate", "--uuid", c["uuid"])
    assert c["uuid"] in cli.ok("client_is_sharing_enabled").stdout
    cli.fails(1, "client_delete", "--uuid", c["uuid"])
    cli.ok("client_delete", "--uuid", c["uuid"], "--yes")
    assert cli.clients() == []
    cli.fails(1, "db_empty")
    cli.ok("db_empty", "-y")
    cli.fails(1, "client_list")


# --- ADMIN_TOKEN, applied when the server starts ----------------------------------------

def start_and_stop_server(cli, env, while_running=None):
    """Starts `serve` on a free port, waits until it listens, calls
    while_running(proc) if given, and stops it with SIGTERM."""
    proc = subprocess.Popen([BIN, "serve", "--port", "0"], env={**cli.env, **env},
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        line = proc.stdout.readline() if sel.select(timeout=30) else ""
        if "Listening" not in line:
            proc.kill()
            _, err = proc.communicate(timeout=30)
            return proc.returncode, err
        if while_running:
            while_running(proc)
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=60)
        return proc.returncode, err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_serve_port_in_use_is_one_line(db):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        r = db.run("serve", "--port", str(port), env={"ADMIN_TOKEN": "t"})
    assert r.returncode == 1
    # Not libmicrohttpd's own "Failed to bind to port …" line before ours.
    assert r.stderr == f"stats-service serve: cannot listen on 127.0.0.1:{port}: address already in use\n"


def test_serve_creates_a_missing_sqlite_folder(tmp_path):
    cli, path, _ = missing_sqlite(tmp_path, False)
    code, err = start_and_stop_server(cli, {"ADMIN_TOKEN": "t"})
    assert code == 0, err
    assert path.is_file()
    assert [c["name"] for c in cli.clients()] == ["admin"]


def test_admin_token_creates_then_updates_admin(db):
    code, err = start_and_stop_server(db, {"ADMIN_TOKEN": "first-admin-token"})
    assert code == 0, err
    [admin] = db.clients()
    assert (admin["name"], admin["role"]) == ("admin", "admin")
    assert admin["token_fingerprint"] == fingerprint("first-admin-token")
    code, err = start_and_stop_server(db, {"ADMIN_TOKEN": "second-admin-token"})
    assert code == 0, err
    [again] = db.clients()
    assert again["uuid"] == admin["uuid"]
    assert again["token_fingerprint"] == fingerprint("second-admin-token")


def test_admin_token_promotes_existing_admin_client(db):
    existing = db.create("--name", "admin", "--role", "user")
    code, err = start_and_stop_server(db, {"ADMIN_TOKEN": "promoted-token"})
    assert code == 0, err
    admin = db.client(existing["uuid"])
    assert admin["role"] == "admin"
    assert admin["token_fingerprint"] == fingerprint("promoted-token")


def test_admin_token_of_another_client_refused(db):
    db.create("--name", "someone", "--token", "taken-token")
    code, err = start_and_stop_server(db, {"ADMIN_TOKEN": "taken-token"})
    assert code == 1
    assert "ADMIN_TOKEN is already the token of another client" in err
    assert [c["name"] for c in db.clients()] == ["someone"]


# --- the log file -----------------------------------------------------------------------

LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} (DEBUG|INFO|WARNING|ERROR) stats\.\w+ \S")


def test_log_file_lines_and_reopen_on_sighup(db):
    log = db.tmp_path / "logs" / "deep" / "stats.log"   # folders created as needed
    rotated = db.tmp_path / "logs" / "deep" / "stats.log.1"

    def rotate(proc):
        log.rename(rotated)
        proc.send_signal(signal.SIGHUP)
        for _ in range(100):      # the server reopens the file in its own time
            if log.exists():
                break
            time.sleep(0.05)

    code, err = start_and_stop_server(db, {"LOG_PATH": str(log), "ADMIN_TOKEN": "t"}, rotate)
    assert code == 0, err
    before, after = rotated.read_text(), log.read_text()
    assert "listening" in before
    assert "log file reopened" in after and "stopped" in after
    for line in (before + after).splitlines():
        assert LOG_LINE.match(line), line


def test_log_level_filters(db):
    log = db.tmp_path / "stats.log"
    code, err = start_and_stop_server(db, {"LOG_PATH": str(log), "LOG_LEVEL": "ERROR",
                                           "ADMIN_TOKEN": "t"})
    assert code == 0, err
    assert log.read_text() == ""
