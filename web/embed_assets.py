#!/usr/bin/env python3
"""embed_assets.py — turns web/ and the pinned npm packages into one C file.

The build (src/web/meson.build) runs it; the service then carries every page,
script, style sheet, font, map outline and the OpenAPI document inside its one
executable, so it needs no file next to it at run time.

It writes a sorted table of {key, MIME type, bytes, length, ETag, version, gzip
bytes, gzip length, gzip ETag}:
  static/...           files served under /static/ (vendor files from
                       node_modules, web/css, web/js, web/img, fonts, map data)
  page/<lang>/<name>   the pages of web/pages, one per language, with every
                       build-time placeholder resolved; only {{=name}}
                       placeholders are left for src/web/pages.c to fill
  api/openapi.json     docs/openapi.json, compact, without its "servers"
                       member (src/web/openapi.c appends it with the proxy
                       prefix of each request)

Page templates (web/pages/*.html, composed into web/pages/layout.html as
listed in web/pages/pages.json) know these placeholders:
  {{part:name|a=x|b=y}}  web/pages/parts/name.html, its {{arg:a}} replaced by x
                   (before anything else: {{t:metric.{{arg:a}}}} works); parts
                   may use parts
  {{t:key}}        the text of key in the page's language (web/i18n/*.json),
                   HTML-escaped
  {{asset:path}}   the URL of static/path with its content version
  {{=name}}        a value only known per request (see RUNTIME_VARS)
A CSS file's url(...) pointing at another static file gets its version too,
so every URL a page uses can be cached for a year.

Files under static/ are also stored gzip-compressed (zlib's best level, no
time stamp, so the build is reproducible) when that saves at least a tenth:
src/web/static.c sends that form to a client whose Accept-Encoding takes gzip.
Fonts (woff2) and images are compressed already and stay as they are.

Usage: embed_assets.py --root SRC_ROOT --out FILE.c [--depfile FILE.d]
"""
import argparse
import gzip
import hashlib
import html
import json
import pathlib
import re
import sys

LANGS = ("en", "fr", "de", "nl")

# Values src/web/pages.c provides; a template naming another one is a build error.
RUNTIME_VARS = {"prefix", "admin_email", "admin_url", "version", "build_date", "organisations",
                "sharing", "last_received", "backend", "stats", "tiles_url", "api_root",
                "min_organisations", "object", "object_type", "mosp_url", "data_license",
                "evolution_window"}

MIME = {
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".json": "application/json",
    ".html": "text/html; charset=utf-8",
    ".png": "image/png",
    ".svg": "image/svg+xml",
    ".woff2": "font/woff2",
    ".txt": "text/plain; charset=utf-8",
}

# (served under static/, file in node_modules).  Always <dir>/<file>: that is
# what the router's pattern /static/<dir>/<file> matches.
VENDOR = [
    ("vendor/bootstrap.min.css", "bootstrap/dist/css/bootstrap.min.css"),
    ("vendor/bootstrap.bundle.min.js", "bootstrap/dist/js/bootstrap.bundle.min.js"),
    ("vendor/chart.umd.min.js", "chart.js/dist/chart.umd.min.js"),
    ("vendor/leaflet.js", "leaflet/dist/leaflet.js"),
    ("vendor/leaflet.css", "leaflet/dist/leaflet.css"),
    ("vendor/leaflet-layers.png", "leaflet/dist/images/layers.png"),
    ("vendor/leaflet-layers-2x.png", "leaflet/dist/images/layers-2x.png"),
    ("vendor/leaflet-marker-icon.png", "leaflet/dist/images/marker-icon.png"),
    ("vendor/topojson-client.min.js", "topojson-client/dist/topojson-client.min.js"),
    ("vendor/swagger-ui-bundle.js", "swagger-ui-dist/swagger-ui-bundle.js"),
    ("vendor/swagger-ui.css", "swagger-ui-dist/swagger-ui.css"),
    ("data/countries-50m.json", "world-atlas/countries-50m.json"),
] + [
    (f"fonts/inter-{subset}-{weight}-normal.woff2",
     f"@fontsource/inter/files/inter-{subset}-{weight}-normal.woff2")
    for subset in ("latin", "latin-ext") for weight in (400, 600, 700)
]

# Leaflet's style sheet names its images relative to an images/ folder.
LEAFLET_IMAGES = re.compile(r"url\(images/([a-z0-9-]+\.png)\)")
SOURCE_MAP = re.compile(rb"\n?(//|/\*)# sourceMappingURL=[^\n]*")
CSS_URL = re.compile(r"url\((['\"]?)([^)'\"]+)\1\)")
PLACEHOLDER = re.compile(r"\{\{([a-z0-9_]+:[^}]*|=[a-z_]+|[a-z0-9_]+)\}\}")
LEFTOVER = re.compile(r"\{\{(?!=[a-z_]+\}\})")
PART = re.compile(r"\{\{part:([a-z0-9-]+)((?:\|[a-z_]+=[a-z0-9_-]*)*)\}\}")
ARG = re.compile(r"\{\{arg:([a-z_]+)\}\}")


class BuildError(Exception):
    pass


class Assets:
    """Collects the embedded files and the source files they were made from."""

    def __init__(self, root):
        self.root = root
        self.items = {}       # key → (mime, bytes)
        self.inputs = set()

    def read(self, path):
        if not path.is_file():
            hint = " (run `npm ci --ignore-scripts` at the repository root)" \
                if "node_modules" in path.parts else ""
            raise BuildError(f"missing input {path}{hint}")
        self.inputs.add(path)
        return path.read_bytes()

    def add(self, key, data, mime=None):
        if key in self.items:
            raise BuildError(f"two files for {key}")
        mime = mime or MIME.get(pathlib.PurePosixPath(key).suffix)
        if not mime:
            raise BuildError(f"no MIME type known for {key}")
        if key.startswith("static/") and len(pathlib.PurePosixPath(key).parts) != 3:
            raise BuildError(f"{key}: static files are static/<dir>/<file> (the router's pattern)")
        self.items[key] = (mime, data)

    def version(self, key):
        return hashlib.sha256(self.items[key][1]).hexdigest()[:12]

    def url(self, static_path):
        key = "static/" + static_path
        if key not in self.items:
            raise BuildError(f"unknown asset {static_path}")
        return "{{=prefix}}/static/" + static_path + "?v=" + self.version(key)


def add_vendor_files(assets, modules):
    for served, source in VENDOR:
        data = SOURCE_MAP.sub(b"", assets.read(modules / source))
        if served == "vendor/leaflet.css":
            data = LEAFLET_IMAGES.sub(r"url(leaflet-\1)", data.decode()).encode()
        assets.add("static/" + served, data)


def add_own_files(assets, web):
    for folder in ("img", "js", "css"):
        assets.inputs.add(web / folder)  # a new file changes the folder's time
        for path in sorted((web / folder).iterdir()):
            if path.is_file():
                assets.add(f"static/{folder}/{path.name}", assets.read(path))


def version_css_urls(assets):
    """Adds ?v=<version> to every url() of a style sheet that names another static file."""
    for key, (mime, data) in list(assets.items.items()):
        if not key.endswith(".css"):
            continue
        folder = pathlib.PurePosixPath(key).parent

        def versioned(m):
            target = m.group(2)
            if ":" in target or target.startswith(("#", "/")):
                return m.group(0)
            resolved = str(pathlib.PurePosixPath(os_normpath(folder / target)))
            if resolved not in assets.items:
                raise BuildError(f"{key}: url({target}) is not an embedded file")
            return f"url({target}?v={assets.version(resolved)})"

        assets.items[key] = (mime, CSS_URL.sub(versioned, data.decode()).encode())


def os_normpath(path):
    parts = []
    for part in path.parts:
        if part == "..":
            parts.pop()
        elif part != ".":
            parts.append(part)
    return pathlib.PurePosixPath(*parts)


def load_texts(assets, web):
    texts = {}
    for lang in LANGS:
        texts[lang] = json.loads(assets.read(web / "i18n" / f"{lang}.json"))
    reference = set(texts["en"])
    for lang in LANGS:
        missing = reference - set(texts[lang])
        extra = set(texts[lang]) - reference
        if missing or extra:
            raise BuildError(f"i18n/{lang}.json: missing {sorted(missing)}, unknown {sorted(extra)}")
    return texts


def script_json(value):
    """JSON that can sit inside a <script type="application/json"> element."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True).replace("</", "<\\/")


def fill(template, lang, texts, assets, where, slots):
    def one(m):
        token = m.group(1)
        if token.startswith("="):
            if token[1:] not in RUNTIME_VARS:
                raise BuildError(f"{where}: unknown runtime value {token}")
            return m.group(0)
        if token.startswith("t:"):
            key = token[2:]
            if key not in texts[lang]:
                raise BuildError(f"{where}: no text {key}")
            return html.escape(texts[lang][key])
        if token.startswith("asset:"):
            return assets.url(token[6:])
        if token in slots:
            return slots[token]
        raise BuildError(f"{where}: unknown placeholder {{{{{token}}}}}")

    return PLACEHOLDER.sub(one, template)


def expand_parts(template, assets, web, where, depth=0):
    """Replaces each {{part:…}} by its file, arguments filled in, parts in it expanded."""
    if depth > 4:
        raise BuildError(f"{where}: parts nested too deep")

    def one(m):
        name, args = m.group(1), dict(a.split("=", 1) for a in m.group(2).split("|")[1:])
        text = assets.read(web / "pages" / "parts" / f"{name}.html").decode()

        def arg(a):
            if a.group(1) not in args:
                raise BuildError(f"{where}: part {name} needs argument {a.group(1)}")
            return args[a.group(1)]

        return expand_parts(ARG.sub(arg, text).rstrip("\n"), assets, web, f"{where} > {name}", depth + 1)

    return PART.sub(one, template)


def add_pages(assets, web, texts):
    manifest = json.loads(assets.read(web / "pages" / "pages.json"))
    layout = assets.read(web / "pages" / "layout.html").decode()
    for name, page in manifest.items():
        body = expand_parts(assets.read(web / "pages" / f"{name}.html").decode(), assets, web, f"{name}.html")
        for lang in LANGS:
            js_texts = {k[3:]: v for k, v in texts[lang].items() if k.startswith("js.")}
            nav = {f"nav_{item}": ' aria-current="page"' if item == page["nav"] else ""
                   for item in ("index", "evolution", "map", "opendata", "help", "about", "api")}
            lang_links = {f"lang_{code}": ' aria-current="true"' if code == lang else ""
                          for code in LANGS}
            slots = {
                "lang": lang,
                "page": name,
                "title": html.escape(texts[lang][page["title"]]),
                "body": fill(body, lang, texts, assets, f"{name}.html", {}),
                "styles": "".join(f'<link rel="stylesheet" href="{assets.url(s)}">\n'
                                  for s in page.get("styles", [])),
                "scripts": "".join(f'<script src="{assets.url(s)}"></script>\n'
                                   for s in page.get("scripts", [])),
                "i18n_js": script_json(js_texts),
                **nav,
                **lang_links,
            }
            text = fill(layout, lang, texts, assets, "layout.html", slots)
            if LEFTOVER.search(text.replace(slots["i18n_js"], "")):
                raise BuildError(f"{name}: a placeholder was left unfilled")
            assets.add(f"page/{lang}/{name}", text.encode(), "text/html; charset=utf-8")


def add_openapi(assets, root):
    doc = json.loads(assets.read(root / "docs" / "openapi.json"))
    if not str(doc.get("openapi", "")).startswith("3."):
        raise BuildError("docs/openapi.json is not an OpenAPI 3 document")
    doc.pop("servers", None)
    assets.add("api/openapi.json", json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode(),
               "application/json")


def gzip_form(key, data):
    """The gzip form of a static file, or None when it would not save a tenth."""
    if not key.startswith("static/"):
        return None
    packed = gzip.compress(data, compresslevel=9, mtime=0)
    return packed if len(packed) <= len(data) * 0.9 else None


def c_string(data):
    """The bytes as C string literal lines (octal escapes for the rest of ASCII)."""
    out, line = [], []
    for byte in data:
        ch = chr(byte)
        if ch in '"\\?':
            line.append("\\" + ch)
        elif 0x20 <= byte < 0x7F:
            line.append(ch)
        else:
            line.append(f"\\{byte:03o}")
        if len(line) >= 100 or byte == 0x0A:
            out.append('"' + "".join(line) + '"')
            line = []
    if line or not out:
        out.append('"' + "".join(line) + '"')
    return "\n    ".join(out)


def write_c(assets, out):
    keys = sorted(assets.items)
    parts = ["/* Generated by web/embed_assets.py from web/, docs/openapi.json and the npm\n"
             " * packages of package.json: do not edit. */\n",
             '#include "web/assets.h"\n\n']
    packed = {key: gzip_form(key, assets.items[key][1]) for key in keys}
    for i, key in enumerate(keys):
        parts.append(f"/* {key} */\nstatic const char asset_{i}[] =\n    {c_string(assets.items[key][1])};\n\n")
        if packed[key]:
            parts.append(f"static const char asset_{i}_gz[] =\n    {c_string(packed[key])};\n\n")
    parts.append("const struct web_asset web_assets[] = {\n")
    for i, key in enumerate(keys):
        mime, data = assets.items[key]
        version = assets.version(key)
        gz = f'asset_{i}_gz, {len(packed[key])}, "\\"{version}-gzip\\""' if packed[key] else "NULL, 0, NULL"
        parts.append(f'    {{"{key}", "{mime}", asset_{i}, {len(data)}, "\\"{version}\\"", "{version}", {gz}}},\n')
    parts.append("};\n\nconst size_t web_assets_count = sizeof web_assets / sizeof web_assets[0];\n")
    out.write_text("".join(parts))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--root", required=True, type=pathlib.Path)
    ap.add_argument("--out", required=True, type=pathlib.Path)
    ap.add_argument("--depfile", type=pathlib.Path)
    args = ap.parse_args()
    root = args.root.resolve()
    web = root / "web"
    assets = Assets(root)
    try:
        add_vendor_files(assets, root / "node_modules")
        add_own_files(assets, web)
        version_css_urls(assets)
        texts = load_texts(assets, web)
        add_pages(assets, web, texts)
        add_openapi(assets, root)
    except (BuildError, json.JSONDecodeError) as e:
        sys.exit(f"embed_assets.py: {e}")
    write_c(assets, args.out)
    if args.depfile:
        deps = " ".join(str(p).replace(" ", "\\ ") for p in sorted(assets.inputs))
        args.depfile.write_text(f"{args.out}: {deps}\n")


if __name__ == "__main__":
    main()
