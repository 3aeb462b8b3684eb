"""A staff reply reaches the widget live whichever Rasa process holds its socket (issue 16 under `make scale-up`):
two processes (tests/channels/relay_process.py: the real socket.io channel and staff relay, a scripted agent) on
one handoff store; the page's socket is on B, the staff helper's relay call reaches A. B's outbox watcher
(channels/handoff.py watch_outbox) emits the reply within about a second, and A's answer tells the helper it was
delivered, not that the firm is away."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid

import pytest
import socketio

from bench.procs import free_port
from handoff.store import HandoffStore, engine_for
from tests.conftest import ROOT

TOKEN = "relay-test-token"


class Process:
    def __init__(self, env: dict, log):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "tests.channels.relay_process", "--port", str(self.port)],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"relay process exited with {self.proc.returncode}")
            try:
                urllib.request.urlopen(self.url + "/status", timeout=2).close()
                return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("relay process did not come up")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(3)  # Sanic's graceful stop waits for the page's long poll: no need
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


@pytest.fixture(scope="module")
def two(tmp_path_factory, kb_path):
    work = tmp_path_factory.mktemp("two-processes")
    (work / "token").write_text(TOKEN, encoding="ascii")
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "HANDOFF_DB": str(work / "handoff.db"),
        "RASA_API_TOKEN_FILE": str(work / "token"),
        "KB_PATH": str(kb_path),
        "RATE_LIMIT_PER_MINUTE": "0",
        "RASA_TELEMETRY_ENABLED": "false",
    }
    log = (work / "processes.log").open("wb")
    a, b = Process(env, log), Process(env, log)
    try:
        a.wait_ready()
        b.wait_ready()
    except RuntimeError as e:
        a.stop(), b.stop()
        pytest.fail(f"{e}:\n{(work / 'processes.log').read_text(errors='replace')[-3000:]}")
    yield a, b, HandoffStore(engine_for(work / "handoff.db"))
    a.stop(), b.stop()
    log.close()


def relay(process: Process, sender: str) -> dict:
    request = urllib.request.Request(
        process.url + "/webhooks/staff_relay/deliver",
        json.dumps({"sender": sender, "channel": "socketio"}).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {TOKEN}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.loads(response.read())


async def page_on(url: str, session: str):
    """A widget page with its socket on the process at `url` (polling transport: see tests/e2e/test_socketio.py)."""
    client = socketio.AsyncClient(reconnection=False)
    messages: asyncio.Queue = asyncio.Queue()
    confirmed: asyncio.Queue = asyncio.Queue()
    client.on("bot_uttered", messages.put)
    client.on("session_confirm", confirmed.put)
    await asyncio.wait_for(client.connect(url, transports=["polling"], socketio_path="/socket.io"), 30)
    await client.emit("session_request", {"session_id": session})
    await asyncio.wait_for(confirmed.get(), 30)
    return client, messages


def test_a_staff_reply_reaches_the_page_on_the_other_process(two, kb):
    a, b, store = two
    session = f"sess-{uuid.uuid4().hex[:8]}"
    reply = kb.message("handoff_staff_says", text="您好，額度最多3,500萬元")

    async def scenario():
        client, messages = await page_on(b.url, session)  # the page's socket lives in B
        try:
            store.post(session, "socketio", "reply", "您好，額度最多3,500萬元")  # what the staff helper writes
            started = time.monotonic()
            answer = await asyncio.get_running_loop().run_in_executor(None, relay, a, session)  # A has no page
            got = await asyncio.wait_for(messages.get(), 10)
            return answer, got, time.monotonic() - started
        finally:
            await client.disconnect()

    answer, got, seconds = asyncio.run(scenario())
    assert got["text"] == reply
    assert answer == {"delivered": 0, "pending": 0, "error": None}  # A emitted nothing; B did, so none waits
    assert store.pending(session) == [] and seconds < 5


def test_with_no_page_open_the_reply_waits_and_the_helper_is_told(two):
    a, _, store = two
    session = f"away-{uuid.uuid4().hex[:8]}"
    store.post(session, "socketio", "reply", "稍後回覆您")
    assert relay(a, session) == {"delivered": 0, "pending": 1, "error": None}
    assert len(store.pending(session)) == 1  # kept for the page's return (deliver_on_reconnect)


def test_the_relay_still_needs_the_token(two):
    a, _, _ = two
    request = urllib.request.Request(
        a.url + "/webhooks/staff_relay/deliver",
        json.dumps({"sender": "x", "channel": "socketio"}).encode(),
        {"Content-Type": "application/json", "Authorization": "Bearer wrong"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 401
