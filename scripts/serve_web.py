#!/usr/bin/env python3
"""Serves the web widget page (web/) on http://127.0.0.1:8080/ with nothing but the standard library.

Only these paths answer; everything else is 404 (no directory listing, nothing outside web/):
  /                     web/index.html
  /<file in web/>       the files of web/ (flat: index.html, style.css, app.js, ...)
  /config.js            generated: where the page finds Rasa's socket.io channel (RASA_URL), and the hotlines the
                        page shows when it cannot reach the bot (read from the knowledge base, never typed in)
  /vendor/rasa-webchat.js   node_modules/rasa-webchat/lib/index.js (the widget's UMD bundle; `npm ci` installs it),
                        without its @import of Google Fonts: the page asks nothing of a third party

Environment: WEB_PORT (8080), WEB_HOST (127.0.0.1), RASA_URL (http://localhost:5005); the command line
options --port/--host/--rasa-url override them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sqlite3
import sys
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "web"
WIDGET_BUNDLE = ROOT / "node_modules" / "rasa-webchat" / "lib" / "index.js"
WIDGET_PATH = "/vendor/rasa-webchat.js"
KB = ROOT / "knowledge" / "kb.sqlite"
HOTLINES_YAML = ROOT / "knowledge" / "hotlines.yml"
# The lines the page gives when the bot cannot be reached: the general one (`general: true` in hotlines.yml) and
# 馬上辦 (urgent cases), by their ids in knowledge/hotlines.yml; names, numbers and hours come from there.
DOWN_NOTICE_LINES = ("mbd",)
# rasa-webchat's CSS starts with this @import (the Inter font): the page uses the system's fonts instead.
THIRD_PARTY_FONTS = re.compile(rb"@import url\(https?://fonts\.googleapis\.com/[^)]*\);?")

TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".svg": "image/svg+xml; charset=utf-8",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".json": "application/json; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
}


def csp(rasa_url: str) -> str:
    """Everything from this server; connections also to Rasa (http polling, then the websocket). Scripts only from
    here: no inline script, event handler or javascript: link can run, even if markup ever reached the page.
    Inline styles are needed by the widget (React style attributes and the CSS its bundle injects)."""
    rasa = urlsplit(rasa_url)
    connect = ["'self'"]
    if rasa.scheme in ("http", "https") and rasa.netloc:
        ws = "wss" if rasa.scheme == "https" else "ws"
        connect += [f"{rasa.scheme}://{rasa.netloc}", f"{ws}://{rasa.netloc}"]
    return (
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"font-src 'self'; connect-src {' '.join(connect)}; object-src 'none'; base-uri 'none'; "
        "frame-ancestors 'none'; form-action 'self'"
    )


def help_lines() -> list[dict]:
    """The general line and 馬上辦, from knowledge/kb.sqlite (or knowledge/hotlines.yml when it is not built)."""
    rows = []
    if KB.is_file():
        con = sqlite3.connect(f"file:{KB}?mode=ro", uri=True)
        try:
            rows = [
                {"id": r[0], "number": r[1], "name": r[2], "hours": r[3] or "", "general": bool(r[4])}
                for r in con.execute("select id, number, name, hours_text, general from hotlines")
            ]
        except sqlite3.Error:
            rows = []
        finally:
            con.close()
    if not rows:
        import yaml  # in .venv; only needed before `make kb`

        rows = [
            {
                "id": h["id"],
                "number": h["number"],
                "name": h["name"],
                "hours": (h.get("hours") or {}).get("text", ""),
                "general": bool(h.get("general")),
            }
            for h in yaml.safe_load(HOTLINES_YAML.read_text(encoding="utf-8"))["hotlines"]
        ]
    chosen = [r for r in rows if r["general"]] + [r for r in rows if r["id"] in DOWN_NOTICE_LINES and not r["general"]]
    return [
        {"name": r["name"], "number": r["number"], "tel": "tel:" + re.sub(r"\D", "", r["number"]), "hours": r["hours"]}
        for r in chosen
    ]


def config_js(rasa_url: str) -> bytes:
    config = {"socketUrl": rasa_url.rstrip("/"), "socketPath": "/socket.io/", "helpLines": help_lines()}
    return ("window.WEBCHAT_CONFIG = " + json.dumps(config, ensure_ascii=False) + ";\n").encode("utf-8")


def widget_bundle() -> bytes:
    return THIRD_PARTY_FONTS.sub(b"", WIDGET_BUNDLE.read_bytes())


def web_files() -> dict[str, Path]:
    """The files the server may send, by URL path: the regular files directly in web/ and the bundle."""
    files = {"/" + p.name: p for p in WEB.iterdir() if p.is_file() and not p.name.startswith(".")}
    files["/"] = WEB / "index.html"
    files[WIDGET_PATH] = WIDGET_BUNDLE
    return files


class Handler(BaseHTTPRequestHandler):
    server_version = "tariff-web/1"
    rasa_url = "http://localhost:5005"
    quiet = False

    def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
        self._serve(head=True)

    def do_GET(self) -> None:  # noqa: N802
        self._serve(head=False)

    def _serve(self, head: bool) -> None:
        path = unquote(urlsplit(self.path).path)
        if path == "/config.js":
            return self._send(HTTPStatus.OK, config_js(self.rasa_url), TYPES[".js"], head, cache=False)
        file = web_files().get(path)
        if file is None:
            return self._send(HTTPStatus.NOT_FOUND, b"not found\n", TYPES[".txt"], head)
        if not file.is_file():
            if file == WIDGET_BUNDLE:
                body = b"console.error('rasa-webchat is not installed: run npm ci in the repository');\n"
                return self._send(HTTPStatus.SERVICE_UNAVAILABLE, body, TYPES[".js"], head)
            return self._send(HTTPStatus.NOT_FOUND, b"not found\n", TYPES[".txt"], head)
        ctype = TYPES.get(file.suffix, "application/octet-stream")
        body = widget_bundle() if file == WIDGET_BUNDLE else file.read_bytes()
        self._send(HTTPStatus.OK, body, ctype, head, cache=file == WIDGET_BUNDLE)

    def _send(self, status: HTTPStatus, body: bytes, ctype: str, head: bool, cache: bool = False) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "public, max-age=3600" if cache else "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Referrer-Policy", "no-referrer")
        self.send_header("Content-Security-Policy", csp(self.rasa_url))
        self.end_headers()
        if not head:
            self.wfile.write(body)

    def log_message(self, fmt: str, *args) -> None:
        if not self.quiet:
            super().log_message(fmt, *args)


def make_server(host: str, port: int, rasa_url: str, quiet: bool = False) -> ThreadingHTTPServer:
    handler = type("ConfiguredHandler", (Handler,), {"rasa_url": rasa_url, "quiet": quiet})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default=os.environ.get("WEB_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("WEB_PORT", "8080")))
    parser.add_argument("--rasa-url", default=os.environ.get("RASA_URL", "http://localhost:5005"))
    parser.add_argument("--quiet", action="store_true", help="no access log")
    args = parser.parse_args(argv)
    if not WIDGET_BUNDLE.is_file():
        print(
            f"serve_web: {WIDGET_BUNDLE.relative_to(ROOT)} is missing: run `npm ci` (the page will say so)",
            file=sys.stderr,
        )
    server = make_server(args.host, args.port, args.rasa_url, args.quiet)
    print(
        f"serve_web: web widget on http://{args.host}:{server.server_address[1]}/ (Rasa at {args.rasa_url})", flush=True
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
