"""The web front over HTTP: pages, static files, about.json and the text files.

What is checked here is what a browser or a reverse proxy relies on: MIME types,
caching headers and conditional requests, the Content-Security-Policy, no
directory listing, no path escape (plain and encoded `..`), the language
choice, and the proxy prefix (FIX_PROXY) in every generated URL.  The pages'
behaviour in a browser is tested in tests/browser/.
"""
import html.parser
import json
import re

import pytest

from conftest import BACKENDS, RawConnection, Server, http_bytes, run_cli, server_today

PAGES = ["/", "/evolution", "/map/", "/about", "/about/more", "/help", "/api/v1/"]
OPERATOR_ENV = {
    "ADMIN_EMAIL": "ops@example.org",
    "ADMIN_URL": "https://example.org/ops",
    "SECURITY_CONTACT": "mailto:security@example.org",
    "SECURITY_TXT_EXPIRES": "2030-01-31",
    "INSTANCE_URL": "https://stats.example.org",
}
PROXY = {"X-Forwarded-Prefix": "/stats", "X-Forwarded-Host": "dash.example.org",
         "X-Forwarded-Proto": "https"}


@pytest.fixture(scope="module")
def proxied(tmp_path_factory):
    """A server that trusts X-Forwarded-* (FIX_PROXY on)."""
    srv = Server("sqlite", tmp_path_factory.mktemp("web-proxied"), {**OPERATOR_ENV, "FIX_PROXY": "1"})
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def direct(tmp_path_factory):
    """A server that must ignore X-Forwarded-* (FIX_PROXY off, the default)."""
    srv = Server("sqlite", tmp_path_factory.mktemp("web-direct"), OPERATOR_ENV)
    yield srv
    srv.stop()


class Links(html.parser.HTMLParser):
    """Every URL of a page (href, src, data-* URLs) and its inline scripts."""

    def __init__(self):
        super().__init__()
        self.urls = []
        self.inline_scripts = []
        self.script_types = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        for name in ("href", "src", "data-spec", "data-countries"):
            if attrs.get(name):
                self.urls.append(attrs[name])
        if tag == "script":
            self._in_script = attrs
            self.script_types.append(attrs.get("type"))

    def handle_data(self, data):
        if self._in_script is not None and "src" not in self._in_script and data.strip():
            self.inline_scripts.append((self._in_script.get("type"), data))

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = None


def parse(body):
    p = Links()
    p.feed(body.decode())
    return p


def get(server, path, headers=None):
    c = server.client(user_agent="Mozilla/5.0")
    r = c.get(path, headers=headers)
    c.close()
    return r


def raw_get(server, path, headers=None):
    """A request line sent byte for byte (no client-side normalisation of `..`)."""
    conn = RawConnection(server.port)
    try:
        conn.send(http_bytes("GET", path, headers))
        return conn.read_response()
    finally:
        conn.close()


# --- pages ---------------------------------------------------------------------------

@pytest.mark.parametrize("path", PAGES)
def test_page_is_html_with_strict_csp(proxied, path):
    r = get(proxied, path)
    assert r.status == 200, r
    assert r.header("Content-Type") == "text/html; charset=utf-8"
    csp = r.header("Content-Security-Policy")
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'self'"
    assert directives["script-src"] == "'self'"          # no inline code, no eval
    assert directives["object-src"] == "'none'"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["connect-src"] == "'self'"
    assert "unsafe-eval" not in csp
    if path != "/api/v1/":
        assert directives["style-src"] == "'self'"
    assert r.header("Cache-Control") == "no-cache"
    assert r.header("X-Content-Type-Options") == "nosniff"
    page = parse(r.body)
    # Only JSON data blocks are inline; every script is a file of this instance.
    assert all(kind == "application/json" for kind, _ in page.inline_scripts), page.inline_scripts
    assert page.script_types.count("application/json") == 1
    texts = json.loads(page.inline_scripts[0][1])
    assert texts["empty"] and "{{" not in r.body.decode().replace("{{=", "")


@pytest.mark.parametrize("path", PAGES)
def test_every_asset_of_a_page_is_served(proxied, path):
    page = parse(get(proxied, path).body)
    assets = [u for u in page.urls if u.startswith("/static/")]
    assert assets
    for url in assets:
        r = get(proxied, url)
        assert r.status == 200, (url, r)
        assert r.header("Cache-Control") == "public, max-age=31536000, immutable", url
    # Nothing is loaded from another site.
    assert not [u for u in page.urls if re.match(r"(https?:)?//", u)
                and "example.org" not in u], page.urls


def test_pages_answer_head(proxied):
    c = proxied.client(user_agent="Mozilla/5.0")
    r = c.request("HEAD", "/about")
    assert r.status == 200 and r.body == b""
    assert r.header("Content-Type") == "text/html; charset=utf-8"


BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"


@pytest.mark.parametrize("headers,lang,heading", [
    ({}, "en", "Page not found"),
    ({"Accept-Language": "fr-BE,fr;q=0.9"}, "fr", "Page introuvable"),
    ({"Accept-Language": "de"}, "de", "Seite nicht gefunden"),
    ({"Cookie": "lang=nl"}, "nl", "Pagina niet gevonden"),
])
def test_unknown_page_is_a_404_page_in_the_layout_and_language(proxied, headers, lang, heading):
    r = get(proxied, "/no-such-page/deeper", dict(headers, Accept=BROWSER_ACCEPT, **PROXY))
    assert r.status == 404
    assert r.header("Content-Type") == "text/html; charset=utf-8"
    assert r.header("Content-Language") == lang
    assert "script-src 'self'" in r.header("Content-Security-Policy")
    body = r.body.decode()
    assert f'<html lang="{lang}"' in body
    assert f"<h1>{heading}</h1>" in body
    assert 'class="navbar' in body and '<main id="main"' in body and "site-footer" in body
    assert 'href="/stats/"' in body and 'href="/stats/help"' in body   # the proxy prefix
    assert 'href="?lang=fr"' in body   # the language switch keeps the address
    assert 'aria-current="page"' not in body   # no menu entry is this page


def test_404_page_follows_lang_query(proxied):
    r = get(proxied, "/nothing-here?lang=de", {"Accept": BROWSER_ACCEPT})
    assert r.status == 404 and "<h1>Seite nicht gefunden</h1>" in r.body.decode()


@pytest.mark.parametrize("path,accept", [
    ("/api/v1/nothing", BROWSER_ACCEPT),          # the API
    ("/api", BROWSER_ACCEPT),
    ("/stats/nothing.json", BROWSER_ACCEPT),      # JSON addresses
    ("/map/nothing.json", BROWSER_ACCEPT),
    ("/admin/nothing.json/1234", BROWSER_ACCEPT),
    ("/no-such-page", None),                      # MONARC, curl, scripts: no HTML asked
    ("/no-such-page", "*/*"),
    ("/no-such-page", "application/json"),
])
def test_programs_keep_the_json_404(proxied, path, accept):
    r = get(proxied, path, {"Accept": accept})
    assert r.status == 404
    assert r.header("Content-Type") == "application/json"
    assert r.json == {"message": "Not Found - No such resource."}


def test_404_page_answers_head(proxied):
    c = proxied.client(user_agent="Mozilla/5.0")
    r = c.request("HEAD", "/no-such-page", headers={"Accept": BROWSER_ACCEPT})
    assert r.status == 404 and r.body == b""
    assert r.header("Content-Type") == "text/html; charset=utf-8"


def test_about_shows_the_operator(proxied):
    body = get(proxied, "/about").body.decode()
    assert 'href="mailto:ops@example.org"' in body
    assert 'href="https://example.org/ops"' in body
    assert 'href="/api/v1/"' in body


def about_figures(server):
    body = get(server, "/about/more").body.decode()
    return {name: re.search(rf'id="about-{name}">([^<]*)<', body).group(1)
            for name in ("version", "organisations", "sharing", "stats", "last-received")}, body


@pytest.mark.parametrize("backend", BACKENDS)
def test_about_more_shows_what_a_visitor_wants_and_no_library_versions(backend, tmp_path):
    """Organisations (never the admin), those sharing, the stats and the date the
    last shared stats came in; not the exact versions of the libraries or the
    compiler (stats-service --version tells the operator)."""
    srv = Server(backend, tmp_path)
    try:
        figures, body = about_figures(srv)
        assert figures == {"version": "0.1.0", "organisations": "0", "sharing": "0", "stats": "0",
                           "last-received": "\u2014"}
        version = run_cli(srv.env, "--version").stdout.splitlines()
        for exact in re.findall(r"(?:^|, )[^,]+? (\d+\.\d+[.\d]*)", version[2]) + [version[1]]:
            assert exact not in body, exact
        for name in ("OpenSSL", "libcurl", "libmicrohttpd", "GCC", "clang", "json-c", "libpq"):
            assert name not in body, name
        item = {"anr": "11111111-2222-4333-8444-555555555555", "type": "threat", "date": "2026-05-18",
                "data": []}
        private, _ = srv.new_client(sharing=False)
        assert private.post("/api/v1/stats/", [item]).status == 201   # not shared
        figures, _ = about_figures(srv)
        assert (figures["organisations"], figures["sharing"], figures["stats"]) == ("1", "0", "1")
        assert figures["last-received"] == "\u2014"
        assert srv.admin().post("/api/v1/stats/", [item]).status == 201   # the admin is no organisation
        figures, _ = about_figures(srv)
        assert (figures["organisations"], figures["sharing"], figures["stats"]) == ("1", "0", "2")
        sharing, _ = srv.new_client(sharing=True)
        assert sharing.post("/api/v1/stats/", [item]).status == 201
        figures, _ = about_figures(srv)
        assert (figures["organisations"], figures["sharing"], figures["stats"]) == ("2", "1", "3")
        assert figures["last-received"] == server_today(srv).isoformat()
    finally:
        srv.stop()


# --- languages -------------------------------------------------------------------------

@pytest.mark.parametrize("accept,lang,text", [
    ("fr-BE,fr;q=0.9,en;q=0.5", "fr", "Paysage actuel de la cybersécurité"),
    ("de-DE", "de", "Aktuelle Lage der Cybersicherheit"),
    ("nl", "nl", "Huidig cyberbeveiligingslandschap"),
    ("es-ES,es;q=0.9", "en", "Current cybersecurity landscape"),
    ("en;q=0.4,fr;q=0.8", "fr", "Paysage actuel"),
    ("fr;q=0,de;q=0.1", "de", "Aktuelle Lage"),
])
def test_language_from_accept_language(proxied, accept, lang, text):
    r = get(proxied, "/", {"Accept-Language": accept})
    assert r.header("Content-Language") == lang
    assert f'<html lang="{lang}"' in r.body.decode()
    assert text in r.body.decode()
    assert "Accept-Language" in r.header("Vary")


def test_language_switch_sets_a_cookie_that_wins(proxied):
    r = get(proxied, "/help?lang=de", {"Accept-Language": "fr"})
    assert r.header("Content-Language") == "de"
    cookie = r.header("Set-Cookie")
    assert cookie.startswith("lang=de;") and "Path=/;" in cookie and "SameSite=Lax" in cookie
    r = get(proxied, "/help", {"Accept-Language": "fr", "Cookie": "theme=dark; lang=nl"})
    assert r.header("Content-Language") == "nl"
    r = get(proxied, "/help?lang=xx", {"Accept-Language": "fr"})
    assert r.header("Content-Language") == "fr" and r.header("Set-Cookie") is None


def test_switch_links_on_every_page(proxied):
    body = get(proxied, "/evolution", {"Accept-Language": "fr"}).body.decode()
    for lang in ("en", "fr", "de", "nl"):
        assert f'href="?lang={lang}"' in body
    assert re.search(r'href="\?lang=fr"[^>]*aria-current="true"', body)


# --- static files ------------------------------------------------------------------------

@pytest.mark.parametrize("suffix,mime", [
    (".js", "text/javascript; charset=utf-8"),
    (".css", "text/css; charset=utf-8"),
    (".woff2", "font/woff2"),
    (".png", "image/png"),
    (".svg", "image/svg+xml"),
    (".json", "application/json"),
])
def test_mime_types(proxied, suffix, mime):
    urls = {u.split("?")[0] for path in ("/", "/map/", "/api/v1/") for u in parse(get(proxied, path).body).urls}
    css = get(proxied, "/static/css/fonts.css").body.decode() + get(proxied, "/static/vendor/leaflet.css").body.decode()
    urls |= {"/static/" + m for m in re.findall(r"url\(\.\./([a-z0-9/._-]+)", css)}
    urls |= {"/static/vendor/" + m for m in re.findall(r"url\((leaflet-[a-z0-9-]+\.png)", css)}
    matching = sorted(u for u in urls if u.endswith(suffix) and u.startswith("/static/"))
    assert matching, suffix
    for url in matching:
        r = get(proxied, url)
        assert r.status == 200, url
        assert r.header("Content-Type") == mime, url
        assert r.header("X-Content-Type-Options") == "nosniff"
        assert int(r.header("Content-Length")) == len(r.body) > 0


def test_versioned_urls_are_immutable_others_revalidate(proxied):
    page = parse(get(proxied, "/").body)
    url = next(u for u in page.urls if u.startswith("/static/js/common.js?v="))
    r = get(proxied, url)
    assert r.header("Cache-Control") == "public, max-age=31536000, immutable"
    etag = r.header("ETag")
    assert re.fullmatch(r'"[0-9a-f]{12}"', etag)
    assert url.endswith("?v=" + etag.strip('"'))
    for other in ("/static/js/common.js", "/static/js/common.js?v=stale"):
        r = get(proxied, other)
        assert r.status == 200
        assert r.header("Cache-Control") == "public, max-age=3600, must-revalidate"
        assert r.header("ETag") == etag
    assert "default-src 'none'" in r.header("Content-Security-Policy")


@pytest.mark.parametrize("if_none_match", ['"{etag}"', 'W/"{etag}"', '"0000", "{etag}"', "*"])
def test_conditional_request_answers_304(proxied, if_none_match):
    etag = get(proxied, "/static/css/app.css").header("ETag").strip('"')
    r = get(proxied, "/static/css/app.css", {"If-None-Match": if_none_match.format(etag=etag)})
    assert r.status == 304
    assert r.body == b""
    assert r.header("ETag") == f'"{etag}"'
    r = get(proxied, "/static/css/app.css", {"If-None-Match": '"0000"'})
    assert r.status == 200 and r.body


@pytest.mark.parametrize("path", ["/static", "/static/", "/static/css", "/static/css/",
                                  "/static/vendor", "/static/fonts/"])
def test_no_directory_listing(proxied, path):
    status, headers, body = raw_get(proxied, path)
    assert status == 404
    assert b"app.css" not in body and b"fonts.css" not in body


@pytest.mark.parametrize("path", [
    "/static/../meson.build",
    "/static/css/../../meson.build",
    "/static/css/../js/common.js",
    "/static/../../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/etc/passwd",
    "/static/css/%2e%2e",
    "/static/css/%2E%2E/app.css",
    "/static/%2e%2e/web_assets.c",
    "/static/css%2f..%2f..%2fmeson.build",
    "/static/css/..%2f..%2f..%2fetc%2fpasswd",
    "/static/..%5c..%5cetc%5cpasswd",
    "/static/css/..\\app.css",
    "/static/css/.",
    "/static/./css/app.css",
    "/static//..//..//etc/passwd",
    "/static/%252e%252e/%252e%252e/etc/passwd",
])
def test_path_traversal_is_refused(proxied, path):
    status, headers, body = raw_get(proxied, path)
    assert status in (400, 404), (path, status)
    assert b"root:" not in body and b"project(" not in body and b"#include" not in body
    assert b"StatsWeb" not in body


def test_page_templates_and_openapi_source_are_not_static_files(proxied):
    for path in ("/static/page/en", "/static/en/index", "/static/api/openapi.json"):
        assert get(proxied, path).status == 404


# --- about.json and the text files -----------------------------------------------------------

def test_about_json(direct):
    r = get(direct, "/about.json")
    assert r.status == 200
    assert r.header("Content-Type") == "application/json"
    about = r.json
    assert set(about) == {"version", "version_url", "api_v1_root", "contact"}
    assert re.fullmatch(r"\d+\.\d+\.\d+", about["version"])
    assert about["api_v1_root"] == "/api/v1/"
    assert about["contact"] == "ops@example.org"
    assert about["version_url"] == "https://stats.example.org/about/more"


def test_forwarded_headers_ignored_without_fix_proxy(direct):
    about = get(direct, "/about.json", PROXY).json
    assert about["api_v1_root"] == "/api/v1/"
    assert about["version_url"] == "https://stats.example.org/about/more"
    body = get(direct, "/", PROXY).body.decode()
    assert 'data-prefix=""' in body and "/stats/static/" not in body


def test_about_json_behind_the_proxy(proxied):
    about = get(proxied, "/about.json", PROXY).json
    assert about["api_v1_root"] == "/stats/api/v1/"
    assert about["version_url"] == "https://dash.example.org/stats/about/more"
    about = get(proxied, "/about.json", {"X-Forwarded-Prefix": "/a/b/"}).json
    assert about["api_v1_root"] == "/a/b/api/v1/"
    assert about["version_url"] == "https://stats.example.org/a/b/about/more"


@pytest.mark.parametrize("bad", ['/x"><script>alert(1)</script>', "stats", "/a/../b",
                                 "/a b", "//evil.example"])
def test_unsafe_prefix_is_ignored(proxied, bad):
    r = get(proxied, "/", {"X-Forwarded-Prefix": bad})
    assert 'data-prefix=""' in r.body.decode()
    assert get(proxied, "/about.json", {"X-Forwarded-Prefix": bad}).json["api_v1_root"] == "/api/v1/"


def test_unsafe_forwarded_host_is_ignored(proxied):
    about = get(proxied, "/about.json", {"X-Forwarded-Host": "evil.example/<x>"}).json
    assert about["version_url"] == "https://stats.example.org/about/more"


@pytest.mark.parametrize("path", PAGES)
def test_every_link_and_fetch_carries_the_prefix(proxied, path):
    r = get(proxied, path, PROXY)
    body = r.body.decode()
    assert 'data-prefix="/stats"' in body
    page = parse(r.body)
    absolute = [u for u in page.urls if u.startswith("/")]
    assert absolute
    assert all(u.startswith("/stats/") for u in absolute), absolute
    assert "Path=/stats/" in get(proxied, path + "?lang=fr", PROXY).header("Set-Cookie")


def test_security_txt(proxied):
    r = get(proxied, "/.well-known/security.txt", PROXY)
    assert r.status == 200
    assert r.header("Content-Type") == "text/plain; charset=utf-8"
    fields = dict(line.split(": ", 1) for line in r.body.decode().splitlines())
    assert fields["Contact"] == "mailto:security@example.org"
    assert fields["Expires"] == "2030-01-31T00:00:00Z"
    assert fields["Canonical"] == "https://dash.example.org/stats/.well-known/security.txt"


def test_security_txt_defaults(tmp_path):
    srv = Server("sqlite", tmp_path, {"ADMIN_EMAIL": "admin@example.net"})
    try:
        text = get(srv, "/.well-known/security.txt").body.decode()
        assert "Contact: mailto:admin@example.net\n" in text
        expires = re.search(r"^Expires: (\d{4})-\d{2}-\d{2}T00:00:00Z$", text, re.M)
        assert expires and int(expires.group(1)) >= 2026
    finally:
        srv.stop()


@pytest.mark.parametrize("path", ["/robots.txt", "/human.txt"])
def test_text_files(proxied, path):
    r = get(proxied, path, PROXY)
    assert r.status == 200
    assert r.header("Content-Type") == "text/plain; charset=utf-8"
    text = r.body.decode()
    if path == "/robots.txt":
        assert "User-agent: *" in text and "Disallow: /stats/api/" in text
    else:
        assert "Contact: ops@example.org" in text and "https://example.org/ops" in text


def test_switched_off_groups_answer_404(tmp_path):
    srv = Server("sqlite", tmp_path, {"ACTIVE_BLUEPRINTS": "stats_bp"})
    try:
        for path in ("/", "/evolution", "/about", "/about.json", "/help", "/robots.txt", "/map/"):
            assert get(srv, path).status == 404, path
        # The API and its documentation page are always on, with the files they need.
        assert get(srv, "/api/v1/").status == 200
        assert get(srv, "/api/v1/swagger.json").status == 200
        assert get(srv, "/static/vendor/swagger-ui-bundle.js").status == 200
    finally:
        srv.stop()


def test_map_page_gets_tiles_only_when_configured(proxied, tmp_path):
    assert 'data-tiles=""' in get(proxied, "/map/").body.decode()
    srv = Server("sqlite", tmp_path, {"MAP_TILES_URL": "https://{s}.tile.example.net/{z}/{x}/{y}.png"})
    try:
        r = get(srv, "/map/")
        assert 'data-tiles="https://{s}.tile.example.net/{z}/{x}/{y}.png"' in r.body.decode()
        assert "img-src 'self' data: blob: https://*.tile.example.net;" in r.header("Content-Security-Policy")
        assert "tile.example.net" not in get(srv, "/").header("Content-Security-Policy")
    finally:
        srv.stop()
