"""The whole bot as `make run` starts it — the action server and Rasa with models/current-config.tar.gz, REST,
socket.io and LINE — on free loopback ports, with its own SQLite tracker store and its own copy of the knowledge
base, so tests can stop, slow down and restart pieces of it without touching anything else. LINE talks to the fake
LINE API of tests/channels/, served from a thread of the test process.

Starting Rasa takes about half a minute, so one bot serves the whole session (tests/conftest.py); a test
that stops a piece starts it again before it ends.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import os
import shutil
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

import pytest

from bench.procs import SERVING, free_port
from tests.e2e.servers import ROOT, Process, get_json

sys.path.insert(0, str(ROOT / "tests" / "channels"))
from fake_line_api import FakeLineApi  # noqa: E402

RASA = str(ROOT / ".venv" / "bin" / "rasa")


MODEL = ROOT / "models" / "current-config.tar.gz"
LINE_SECRET = "live-test-channel-secret"


class FakeLine:
    """The fake LINE API in a background event loop; `calls` is what the bot sent to LINE."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, name="fake-line-api", daemon=True)
        self.thread.start()
        self.fake = FakeLineApi()
        asyncio.run_coroutine_threadsafe(self.fake.__aenter__(), self.loop).result(10)

    @property
    def base_url(self) -> str:
        return self.fake.base_url

    @property
    def calls(self) -> list:
        return list(self.fake.calls)

    def close(self) -> None:
        asyncio.run_coroutine_threadsafe(self.fake.__aexit__(None, None, None), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)


class LiveBot:
    def __init__(self, workdir: Path, kb_source: Path, logs: Path, env: dict | None = None) -> None:
        self.workdir = workdir
        self.logs = logs
        self.action_port = free_port()  # never one `make run` or `make staff` may be using
        self.rasa_port = free_port()
        self.url = f"http://127.0.0.1:{self.rasa_port}"
        self.action_url = f"http://127.0.0.1:{self.action_port}"
        self.tracker_db = workdir / "tracker.db"
        self.kb = workdir / "kb.sqlite"
        shutil.copy(kb_source, self.kb)
        self.endpoints = workdir / "endpoints.yml"
        self.endpoints.write_text(
            (ROOT / "endpoints.yml")
            .read_text(encoding="utf-8")
            .replace("localhost:5055", f"127.0.0.1:{self.action_port}"),
            encoding="utf-8",
        )
        self.line = FakeLine()
        self.env = {
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "TRACKER_DB": str(self.tracker_db),
            "KB_PATH": str(self.kb),
            "LOG_LEVEL": "INFO",
            "RASA_TELEMETRY_ENABLED": "false",
            "SANIC_HOST": "127.0.0.1",
            "LINE_CHANNEL_SECRET": LINE_SECRET,
            "LINE_CHANNEL_ACCESS_TOKEN": "live-test-token",
            "LINE_API_BASE": self.line.base_url,
            **(env or {}),
        }
        self.actions: Process | None = None
        self.rasa: Process | None = None
        self.starts = self.action_starts = 0  # numbers the log files: every start keeps its own

    # -- processes ------------------------------------------------------------------------------------------
    def start_actions(self, wait: bool = True) -> None:
        self.action_starts += 1
        self.actions = Process(
            f"live-actions-{self.action_starts}",
            [RASA, "run", "actions", "--actions", "actions", "--port", str(self.action_port)],
            env=self.env,
            log_dir=self.logs,
        )
        if wait:
            self.actions.wait_until(
                lambda: (get_json(self.action_url + "/health") or {}).get("status") == "ok", 120, "action server health"
            )

    def stop_actions(self) -> None:
        if self.actions:
            self.actions.stop()
            self.actions = None

    def start(self) -> None:
        """Both processes at once (as `make run`), then waits for both."""
        self.starts += 1
        self.start_actions(wait=False)
        self.rasa = Process(
            f"live-rasa-{self.starts}",
            [
                *SERVING,
                "run",
                "--model",
                str(MODEL),
                "--enable-api",
                "--cors",  # as make run: the widget's page (another port) polls socket.io across origins
                "*",
                "-i",
                "127.0.0.1",
                "--port",
                str(self.rasa_port),
                "--credentials",
                str(ROOT / "credentials.yml"),
                "--endpoints",
                str(self.endpoints),
            ],
            env=self.env,
            log_dir=self.logs,
        )
        self.actions.wait_until(
            lambda: (get_json(self.action_url + "/health") or {}).get("status") == "ok", 120, "action server health"
        )
        self.rasa.wait_until(
            lambda: bool((get_json(self.url + "/status") or {}).get("model_file")), 600, "model loaded (GET /status)"
        )

    def stop(self) -> None:
        for proc in (self.rasa, self.actions):
            if proc:
                proc.stop()
        self.rasa = self.actions = None

    def close(self) -> None:
        self.stop()
        self.line.close()

    def log_text(self) -> str:
        return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(self.logs.glob("live-*.log")))

    # -- REST -------------------------------------------------------------------------------------------------
    def post(
        self, body: bytes, path: str = "/webhooks/rest/webhook", headers: dict | None = None, timeout: float = 60
    ) -> tuple[int, dict, bytes]:
        request = urllib.request.Request(
            self.url + path, data=body, method="POST", headers={"Content-Type": "application/json", **(headers or {})}
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, {k.lower(): v for k, v in response.headers.items()}, response.read()
        except urllib.error.HTTPError as error:
            return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()

    def say(self, sender: str, text: str, timeout: float = 60) -> list:
        """The bot's messages for one REST turn."""
        status, _, body = self.post(json.dumps({"sender": sender, "message": text}).encode(), timeout=timeout)
        assert status == 200, body
        return json.loads(body)

    def tracker(self, sender: str) -> dict:
        tracker = get_json(f"{self.url}/conversations/{sender}/tracker", timeout=10)
        assert tracker is not None, f"no tracker for {sender}"
        return tracker

    # -- LINE -------------------------------------------------------------------------------------------------
    def line_say(self, user_id: str, text: str) -> list:
        """Posts a signed LINE text event; returns the messages the bot sent to LINE for it."""
        token = uuid.uuid4().hex
        event = {
            "type": "message",
            "mode": "active",
            "timestamp": int(time.time() * 1000),
            "webhookEventId": uuid.uuid4().hex,
            "deliveryContext": {"isRedelivery": False},
            "replyToken": token,
            "source": {"type": "user", "userId": user_id},
            "message": {"id": "1", "type": "text", "quoteToken": "q", "text": text},
        }
        body = json.dumps({"destination": "Ubot", "events": [event]}).encode()
        signature = base64.b64encode(hmac.new(LINE_SECRET.encode(), body, hashlib.sha256).digest()).decode()
        status, _, answer = self.post(body, "/webhooks/line/webhook", {"X-Line-Signature": signature})
        assert status == 200, answer
        calls = [c for c in self.line.calls if (c["json"] or {}).get("replyToken") == token]
        assert len(calls) == 1, f"expected one reply call for the event, got {len(calls)}"
        return calls[0]["json"]["messages"]


def line_texts(messages: list) -> str:
    """All the text a LINE user sees in the messages (text messages, Flex bubbles' texts and button labels)."""
    found = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key in ("text", "label", "altText"):
                if isinstance(node.get(key), str):
                    found.append(node[key])
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(messages)
    return "\n".join(found)


def texts(messages: list) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def require_model() -> None:
    if not MODEL.exists():
        why = f"{MODEL.relative_to(ROOT)} does not exist: run `make train` first"
        pytest.fail(why) if os.environ.get("CI") else pytest.skip(why)
