"""scripts/serve_web.py: the page, its config and the widget bundle, and nothing else of the repository."""

from __future__ import annotations

import http.client
import importlib.util
import json
import threading

import pytest
import yaml

from tests.e2e.servers import ROOT

spec = importlib.util.spec_from_file_location("serve_web", ROOT / "scripts" / "serve_web.py")
serve_web = importlib.util.module_from_spec(spec)
spec.loader.exec_module(serve_web)


@pytest.fixture(scope="module")
def server():
    srv = serve_web.make_server("127.0.0.1", 0, "http://rasa.test:5999/", quiet=True)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv.server_address[1]
    srv.shutdown()
    srv.server_close()


def fetch(port: int, path: str, method: str = "GET"):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
    try:
        conn.request(method, path)
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_the_page(server):
    status, headers, body = fetch(server, "/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    page = body.decode("utf-8")
    assert '<html lang="zh-Hant">' in page and 'name="viewport"' in page
    for script in ("/config.js", serve_web.WIDGET_PATH, "/app.js"):
        assert f'src="{script}"' in page
    assert fetch(server, "/index.html")[2] == body
    assert fetch(server, "/?utm=1")[0] == 200


def config(port: int) -> dict:
    status, headers, body = fetch(port, "/config.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    prefix, suffix = "window.WEBCHAT_CONFIG = ", ";\n"
    text = body.decode("utf-8")
    assert text.startswith(prefix) and text.endswith(suffix), text
    return json.loads(text[len(prefix) : -len(suffix)])


def test_the_config_says_where_rasa_is(server):
    settings = config(server)
    assert settings["socketUrl"] == "http://rasa.test:5999" and settings["socketPath"] == "/socket.io/"


def test_the_config_gives_the_general_line_and_mbd_from_the_knowledge_base(server):
    hotlines = yaml.safe_load((ROOT / "knowledge" / "hotlines.yml").read_text(encoding="utf-8"))["hotlines"]
    general = next(h for h in hotlines if h.get("general"))
    mbd = next(h for h in hotlines if h["id"] == "mbd")
    expected = [
        {
            "name": h["name"],
            "number": h["number"],
            "tel": "tel:" + h["number"].replace("-", ""),
            "hours": (h.get("hours") or {}).get("text", ""),
        }
        for h in (general, mbd)
    ]
    assert config(server)["helpLines"] == expected
    assert expected[0]["hours"] == general["hours"]["text"] and expected[0]["tel"].startswith("tel:0800")


def test_the_lines_come_from_the_yaml_before_make_kb(server, monkeypatch, tmp_path):
    from_kb = serve_web.help_lines()
    monkeypatch.setattr(serve_web, "KB", tmp_path / "missing.sqlite")
    assert serve_web.help_lines() == from_kb


def test_no_third_party_fonts_and_a_strict_policy(server):
    status, headers, body = fetch(server, serve_web.WIDGET_PATH)
    if status == 200:
        assert b"fonts.googleapis.com" in serve_web.WIDGET_BUNDLE.read_bytes()  # what is stripped
        assert b"fonts.googleapis.com" not in body and b".rw-conversation-container" in body
    policy = fetch(server, "/")[1]["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "font-src 'self'" in policy and "script-src 'self';" in policy
    assert "connect-src 'self' http://rasa.test:5999 ws://rasa.test:5999;" in policy
    assert serve_web.csp("https://bot.example.tw").count("wss://bot.example.tw") == 1


def test_the_favicon(server):
    status, headers, body = fetch(server, "/favicon.svg")
    assert status == 200 and headers["Content-Type"].startswith("image/svg+xml") and body.startswith(b"<svg")


def test_the_page_files_and_the_bundle(server):
    for name in ("app.js", "style.css"):
        status, _, body = fetch(server, "/" + name)
        assert status == 200 and body == (ROOT / "web" / name).read_bytes()
    status, headers, body = fetch(server, serve_web.WIDGET_PATH)
    if serve_web.WIDGET_BUNDLE.exists():
        assert status == 200 and body[:200].startswith(b"!function(e,t){")  # the UMD bundle
        assert "max-age" in headers["Cache-Control"]
    else:
        assert status == 503 and b"npm ci" in body


@pytest.mark.parametrize(
    "path",
    [
        "/web/",
        "/web/index.html",
        "/../README.md",
        "/..%2fREADME.md",
        "/%2e%2e/Makefile",
        "/scripts/serve_web.py",
        "/package.json",
        "/node_modules/rasa-webchat/lib/index.js",
        "/credentials.yml",
        "//etc/passwd",
        "/.git/config",
        "/vendor/",
        "/vendor/../credentials.yml",
    ],
)
def test_nothing_else(server, path):
    status, _, body = fetch(server, path)
    assert status == 404, path
    assert body == b"not found\n"


def test_head_and_no_other_methods(server):
    status, headers, body = fetch(server, "/", "HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0
    assert fetch(server, "/", "POST")[0] == 501
