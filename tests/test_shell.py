"""scripts/shell.py (make shell) driven as a user would: typed lines on stdin, a stub REST channel behind it."""

import json
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.conftest import ROOT

SHELL = ROOT / "scripts" / "shell.py"
SIZE_QUESTION = [
    {"recipient_id": "x", "text": "請問貴公司是中小微企業嗎？"},
    {
        "recipient_id": "x",
        "text": "產業競爭力發展中心 0800-000-257",
        "buttons": [{"title": "📞 0800-000-257 總機", "type": "web_url", "url": "tel:0800000257"}],
    },
    {
        "recipient_id": "x",
        "text": "請選擇貴公司的規模：",
        "buttons": [
            {"title": "中小微企業", "payload": '/inform_size{"size": "sme"}'},
            {"title": "非中小微企業", "payload": '/inform_size{"size": "large"}'},
        ],
    },
]


class StubRest(BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        assert self.path == "/webhooks/rest/webhook" and body["sender"]
        StubRest.received.append(body["message"])
        reply = json.dumps(SIZE_QUESTION, ensure_ascii=False).encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


def drive(typed: str):
    StubRest.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), StubRest)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        out = subprocess.run(
            [sys.executable, str(SHELL), "--url", f"http://127.0.0.1:{server.server_port}"],
            input=typed,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        server.shutdown()
    assert out.returncode == 0, out.stderr
    return out.stdout, list(StubRest.received)


def test_text_typed_after_buttons_is_sent_as_typed():
    stdout, received = drive("我營業額掉了15%能貸多少\n電話呢？\n")
    assert received == ["我營業額掉了15%能貸多少", "電話呢？"]  # no menu swallowed the second question


def test_a_number_taps_a_button_and_other_numbers_are_text():
    stdout, received = drive("你好\n2\n15\n")
    assert received == ["你好", '/inform_size{"size": "large"}', "15"]  # only 2 options: 15 is text


def test_buttons_are_numbered_options_and_tel_links_show_the_number():
    stdout, _ = drive("你好\n")
    assert "[1] 中小微企業" in stdout and "[2] 非中小微企業" in stdout
    assert "0800-000-257 總機" in stdout
    assert "payload" not in stdout and "tel:" not in stdout  # no raw button JSON
    assert stdout.index("請問貴公司是中小微企業嗎？") < stdout.index("[1] 中小微企業")


def test_stop_ends_without_sending():
    _, received = drive("/stop\n不該送出\n")
    assert received == []
