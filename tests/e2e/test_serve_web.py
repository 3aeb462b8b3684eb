"""scripts/serve_web.py: the page, its config and the widget bundle, and nothing else of the repository."""
from __future__ import annotations

import http.client
import importlib.util
import threading

import pytest

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


def test_the_config_says_where_rasa_is(server):
    status, headers, body = fetch(server, "/config.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert body.decode() == 'window.WEBCHAT_CONFIG = {"socketUrl": "http://rasa.test:5999", "socketPath": "/socket.io/"};\n'


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


@pytest.mark.parametrize("path", [
    "/web/", "/web/index.html", "/../README.md", "/..%2fREADME.md", "/%2e%2e/Makefile", "/scripts/serve_web.py",
    "/package.json", "/node_modules/rasa-webchat/lib/index.js", "/credentials.yml", "//etc/passwd", "/.git/config",
    "/vendor/", "/vendor/../credentials.yml",
])
def test_nothing_else(server, path):
    status, _, body = fetch(server, path)
    assert status == 404, path
    assert body == b"not found\n"


def test_head_and_no_other_methods(server):
    status, headers, body = fetch(server, "/", "HEAD")
    assert status == 200 and body == b"" and int(headers["Content-Length"]) > 0
    assert fetch(server, "/", "POST")[0] == 501
