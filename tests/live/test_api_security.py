"""Safe by default: the bot started exactly as `make run` starts it (the Makefile target itself, on free ports,
with its own tracker store, token file and endpoints file), then called the way strangers would.

* Rasa's HTTP API refuses a caller without the generated token: tracker (a firm's whole conversation and facts),
  PUT /model (replacing the model), /status, from loopback and from another address (a network namespace on
  this machine, when root); the channels answer everyone, as firms need.
* Only Rasa listens beyond loopback; the action server and the page listen on 127.0.0.1.
* The token file has mode 600, and no generated secret or configured key is in the logs of the whole run.

The bot is the session's `make run` (tests/conftest.py, tests/live/make_run.py), which the browser test against the
whole bot (tests/e2e/test_widget.py) shares: one model load for both."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import stat
import time
import urllib.error
import urllib.request
import uuid

from bench.procs import descendants
from tests.live.bot import line_texts
from tests.live.make_run import LINE_SECRET, LINE_TOKEN
from tests.netns import foreign_host, listening

QUESTION = "我營業額掉了15%能貸多少"


def call(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(
        url, data=body, method=method, headers={"Content-Type": "application/json", **(headers or {})}
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def rest_texts(body) -> str:
    return "\n".join(m.get("text") or "" for m in json.loads(body))


def test_the_token_file_is_generated_with_mode_600(make_run):
    mode = stat.S_IMODE(make_run["token_file"].stat().st_mode)
    assert mode == 0o600, oct(mode)
    assert len(make_run["token"]) >= 40


def test_api_refuses_a_caller_without_the_token_and_the_channels_answer(make_run):
    rasa, token = make_run["rasa"], make_run["token"]
    sender = f"firm-{uuid.uuid4().hex[:8]}"
    status, body = call(
        f"{rasa}/webhooks/rest/webhook", "POST", json.dumps({"sender": sender, "message": QUESTION}).encode()
    )
    assert status == 200 and "3,500萬" in rest_texts(body)

    for url, method in (
        (f"{rasa}/conversations/{sender}/tracker", "GET"),
        (f"{rasa}/model", "PUT"),
        (f"{rasa}/status", "GET"),
        (f"{rasa}/conversations/{sender}/tracker?token=guess", "GET"),
        (f"{rasa}/model/parse", "POST"),
    ):
        status, _ = call(url, method, b'{"model_file": "/tmp/evil.tar.gz", "text": "x"}' if method != "GET" else None)
        assert status == 401, (url, method, status)

    status, body = call(f"{rasa}/conversations/{sender}/tracker?token={token}")
    assert status == 200 and json.loads(body)["slots"]["revenue_change"] == -15


def test_line_answers_through_make_run(make_run):
    body = json.dumps(
        {
            "destination": "U",
            "events": [
                {
                    "type": "message",
                    "mode": "active",
                    "timestamp": int(time.time() * 1000),
                    "webhookEventId": uuid.uuid4().hex,
                    "deliveryContext": {"isRedelivery": False},
                    "replyToken": "rt-make-run",
                    "source": {"type": "user", "userId": "U" + uuid.uuid4().hex},
                    "message": {
                        "id": "1",
                        "type": "text",
                        "quoteToken": "q",
                        "text": QUESTION,
                        "markAsReadToken": "mr-1",
                    },
                }
            ],
        }
    ).encode()
    signature = base64.b64encode(hmac.new(LINE_SECRET.encode(), body, hashlib.sha256).digest()).decode()
    status, _ = call(f"{make_run['rasa']}/webhooks/line/webhook", "POST", body, {"X-Line-Signature": signature})
    assert status == 200
    calls = make_run["line"].calls
    replies = [c for c in calls if (c["json"] or {}).get("replyToken") == "rt-make-run"]
    assert len(replies) == 1 and "3,500萬" in line_texts(replies[0]["json"]["messages"])
    paths = [c["path"] for c in calls]
    assert "/v2/bot/chat/loading/start" in paths and "/v2/bot/chat/markAsRead" in paths


def test_only_rasa_listens_beyond_loopback(make_run):
    ports = make_run["ports"]
    pids = [make_run["proc"].proc.pid, *descendants(make_run["proc"].proc.pid)]
    sockets = listening(pids)
    by_port = {port: {address for address, p in sockets if p == port} for port in ports.values()}
    assert by_port[ports["RASA_PORT"]] and by_port[ports["RASA_PORT"]] <= {"0.0.0.0", "::"}, sockets
    assert by_port[ports["ACTIONS_PORT"]] == {"127.0.0.1"}, sockets
    assert by_port[ports["WEB_PORT"]] == {"127.0.0.1"}, sockets
    wild = {(a, p) for a, p in sockets if a not in ("127.0.0.1", "::1") and p != ports["RASA_PORT"]}
    assert not wild, f"listening beyond loopback: {wild}"


def test_from_another_address_only_the_channels_answer(make_run):
    ports, sender = make_run["ports"], f"firm-{uuid.uuid4().hex[:8]}"
    with foreign_host() as stranger:
        rasa = f"http://{stranger.host_ip}:{ports['RASA_PORT']}"
        answer = stranger.request(
            f"{rasa}/webhooks/rest/webhook", "POST", json.dumps({"sender": sender, "message": QUESTION}).encode()
        )
        assert answer.get("status") == 200 and "3,500萬" in rest_texts(answer["body"]), answer
        for url, method in (
            (f"{rasa}/conversations/{sender}/tracker", "GET"),
            (f"{rasa}/model", "PUT"),
            (f"{rasa}/status", "GET"),
        ):
            assert stranger.request(url, method, b"{}" if method == "PUT" else None).get("status") == 401, url
        for port in (ports["ACTIONS_PORT"], ports["WEB_PORT"]):
            refused = stranger.request(f"http://{stranger.host_ip}:{port}/", timeout=5)
            assert "error" in refused, f"port {port} answered another address: {refused}"


def test_no_generated_secret_or_key_is_in_the_logs_of_the_whole_run(make_run):
    """Runs last in this file: the logs then hold a start, REST and LINE turns, refused calls."""
    log = make_run["proc"].log.read_text(encoding="utf-8", errors="replace")
    assert "Rasa server is up and running" in log
    assert str(make_run["token_file"]) in log, "make run did not say where the token is"
    for secret in (make_run["token"], LINE_SECRET, LINE_TOKEN):
        assert secret not in log, f"a secret is in {make_run['proc'].log}"
    assert os.environ.get("LINE_CHANNEL_SECRET") is None or os.environ["LINE_CHANNEL_SECRET"] not in log
