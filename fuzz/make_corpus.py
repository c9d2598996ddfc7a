#!/usr/bin/env python3
"""Writes the seed corpus of every fuzz target from the MONARC fixtures.

    fuzz/make_corpus.py OUTDIR [FIXTURES]     (default FIXTURES: tests/fixtures/monarc/)

OUTDIR/<target>/ receives one file per seed: for json, validate and pull (the
ingestion fast path), the fixture files, their items and their `data` values
(pull also each item alone in an upload); for params, query strings and JSON bodies as MONARC and browsers send them; for config,
configuration files in the styles config.md allows; for extract, the
`data` of every fixture item; for double (the shortest text of a double), the
numbers of the fixtures and means like those answers hold, as text and as 8 bytes.  Files are named by their content's hash, so
running it again over a fuzzer-grown corpus adds nothing twice.
"""
import hashlib
import json
import pathlib
import struct
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]


def write(outdir, target, content):
    if isinstance(content, str):
        content = content.encode()
    d = outdir / target
    d.mkdir(parents=True, exist_ok=True)
    (d / ("seed-" + hashlib.sha1(content).hexdigest()[:16])).write_bytes(content)


def php_json(value):
    """Compact, with \\/ and \\uXXXX escapes, as PHP's json_encode writes."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=True).replace("/", "\\/")


def items_of(fixtures):
    for path in sorted(fixtures.glob("*.json")):
        for item in json.loads(path.read_text()):
            yield path, item


def json_and_validate(outdir, fixtures):
    for path in sorted(fixtures.glob("*.json")):
        for target in ("json", "validate", "pull"):
            write(outdir, target, path.read_bytes())
    for _, item in items_of(fixtures):
        for target in ("json", "validate", "pull"):
            write(outdir, target, php_json(item))
        for target in ("json", "validate", "extract", "pull"):
            write(outdir, target, php_json(item["data"]))
        write(outdir, "pull", "[" + php_json(item) + "]")
    for text in ('{"a":1,"a":2}', '[1.50,-0,1e308,9223372036854775807,-9223372036854775808]',
                 '"\\ud835\\udd38\\u00e9\\/"', '[[[[[[[[]]]]]]]]', '{"":null,"x":[true,false]}',
                 '"\\u001f\\b\\u0022\\/\\u007f"', ' [ -0 , -0.0 , 1E2 ] '):
        for target in ("json", "pull"):
            write(outdir, target, text)


def params(outdir, fixtures):
    anrs = sorted({item["anr"] for _, item in items_of(fixtures)})
    queries = [
        "type=risk&date_from=2026-03-09&date_to=2026-03-09",
        f"type=threat&anrs={','.join(anrs)}&get_last=true",
        f"type=vulnerability&anr={anrs[0]}&offset=10&limit=20",
        "type=risk&processor=risk_averages_on_date&processor_params=%7B%7D",
        'type=threat&processor=threat_average_on_date&processor_params={"nbdays":30}',
        "type=compliance&get_last=yes&limit=0&group_by_anr=1",
    ]
    bodies = [
        {"type": "risk", "date_from": "2026-03-09", "date_to": "2026-03-09"},
        {"type": "threat", "anrs": anrs, "get_last": True, "offset": "0", "limit": "10"},
        {"type": "risk", "processor": "risk_averages_on_date", "processor_params": []},
        {"type": "cartography", "anr": anrs[-1], "date_from": "2026-01-01T10:00:00Z"},
        {"type": "vulnerability", "processor": "vulnerability_average_on_date",
         "processor_params": {"top": 5, "order": "desc"}, "local_stats_only": 1},
    ]
    for q in queries:
        write(outdir, "params", q + "\n")
    for b in bodies:
        write(outdir, "params", "\n" + php_json(b))
    write(outdir, "params", queries[1] + "\n" + php_json(bodies[0]))


def config(outdir):
    files = [
        "HOST = 127.0.0.1\nPORT = 5000\nDATABASE_URI = sqlite:///./var/stats.db\n",
        "# production.py rewritten\n[settings]\nHOST = '::'\nPORT = \"8080\"\nDEBUG = False\n"
        "TESTING = False\nSQLALCHEMY_TRACK_MODIFICATIONS = False\n"
        "ACTIVE_BLUEPRINTS = [\"stats_bp\", \"admin_bp\"]\n",
        "DB_HOSTNAME = db\nDB_PORT = 5432\nDB_NAME = stats\nDB_USERNAME = u\nDB_PASSWORD = p;w#d\n",
        "MAX_BODY_SIZE = 64MiB\nMAX_PAGE_SIZE = 100000\nTHREADS = 4\nLOG_LEVEL = warning\n"
        "METRICS_ALLOW = loopback\nTIMEZONE = Europe/Luxembourg\nFIX_PROXY = on\n",
        "INSTANCE_URL = https://stats.example.org/\nREMOTE_STATS_SERVER = https://dashboard.monarc.lu\n"
        "MOSP_URL = https://objects.monarc.lu\nREMOTE_TIMEOUT = 30\nREMOTE_RETRIES = 5\n"
        "SECURITY_TXT_EXPIRES = 2030-01-01T00:00:00Z\nADMIN_TOKEN = \nAUTH_FAILURES_PER_MINUTE = 30\n",
        "UPDATE_COMMAND = git pull; make\nCLIENT_REGISTRATION_OPEN = yes\n",
    ]
    for text in files:
        write(outdir, "config", text)


def numbers_in(value):
    if isinstance(value, bool):
        return
    if isinstance(value, (int, float)):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from numbers_in(v)
    elif isinstance(value, list):
        for v in value:
            yield from numbers_in(v)


def double(outdir, fixtures):
    numbers = {float(n) for f in sorted(fixtures.glob("*.json")) for n in numbers_in(json.loads(f.read_text()))}
    numbers |= {s / n for s in (1, 7, 61, 1234, 99999) for n in (3, 7, 11, 13, 120)}
    numbers |= {0.1 + 0.2, 999999999999999.9, 1e-4, 5e-324, 1.7976931348623157e308, 773973810897056.25}
    for n in sorted(numbers):
        write(outdir, "double", repr(n))
        write(outdir, "double", struct.pack("<d", n))


def main():
    outdir = pathlib.Path(sys.argv[1])
    fixtures = pathlib.Path(sys.argv[2]) if len(sys.argv) > 2 else ROOT / "tests" / "fixtures" / "monarc"
    if not sorted(fixtures.glob("*.json")):
        sys.exit(f"make_corpus.py: no fixture (*.json) in {fixtures}")
    json_and_validate(outdir, fixtures)
    params(outdir, fixtures)
    config(outdir)
    double(outdir, fixtures)


if __name__ == "__main__":
    main()
