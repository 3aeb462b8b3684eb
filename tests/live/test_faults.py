"""Faults, against the whole bot: the action server down, then slower than ACTION_TIMEOUT, then the knowledge base
missing or half-written. Each time the firm gets an apology with the general line (never silence) and, once the
fault is gone, answers resume without restarting Rasa."""

from __future__ import annotations

import os
import shutil
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from channels.guard import apology
from knowledge.kb import emergency_text
from tests.conftest import LIVE_ENV
from tests.live.bot import line_texts, texts

NORMAL = "我營業額掉了15%能貸多少"
GENERAL_LINE = "0800-000-257"


def answered_normally(answer: str) -> bool:
    return "3,500萬" in answer and "0800-280-280" in answer


@pytest.fixture
def bot(live_bot):
    """The live bot; whatever a test stopped is running again afterwards."""
    rasa_pid = live_bot.rasa.proc.pid
    yield live_bot
    if live_bot.actions is None:
        live_bot.start_actions()
    assert live_bot.rasa.alive() and live_bot.rasa.proc.pid == rasa_pid, "Rasa was restarted or died"


def test_action_server_down_then_back(bot):
    sender, user = f"down-{uuid.uuid4().hex[:6]}", "U" + uuid.uuid4().hex
    assert answered_normally(texts(bot.say(sender, NORMAL)))

    bot.stop_actions()
    assert texts(bot.say(sender, "電話呢？")) == apology()
    assert line_texts(bot.line_say(user, NORMAL)) == apology()
    assert GENERAL_LINE in apology()

    bot.start_actions()  # Rasa is not restarted: the next turn simply works again
    assert answered_normally(texts(bot.say(sender, NORMAL)))
    assert answered_normally(line_texts(bot.line_say(user, NORMAL)))


class SlowActionServer:
    """Accepts the action call and does not answer for `delay` seconds (or until closed)."""

    def __init__(self, port: int, delay: float = 60) -> None:
        release = self.release = threading.Event()
        self.calls = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                outer.calls += 1
                release.wait(delay)
                self.send_response(500)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def test_slow_action_server_times_out_into_the_apology(bot):
    sender = f"slow-{uuid.uuid4().hex[:6]}"
    timeout = float(LIVE_ENV["ACTION_TIMEOUT"])
    bot.stop_actions()
    slow = SlowActionServer(bot.action_port)
    try:
        start = time.monotonic()
        answer = texts(bot.say(sender, NORMAL, timeout=60))
        waited = time.monotonic() - start
    finally:
        slow.close()
    assert slow.calls >= 1, "the action server was not called"
    assert answer == apology()
    assert timeout <= waited < timeout + 10, f"the apology came after {waited:.1f} s (ACTION_TIMEOUT {timeout} s)"

    bot.start_actions()
    assert answered_normally(texts(bot.say(sender, NORMAL)))


def test_knowledge_base_missing_or_half_written_then_back(bot):
    sender = f"kb-{uuid.uuid4().hex[:6]}"
    unavailable = emergency_text("kb_unavailable")
    assert GENERAL_LINE in unavailable
    kept = bot.kb.with_suffix(".kept")
    os.replace(bot.kb, kept)
    try:
        assert texts(bot.say(sender, NORMAL)) == unavailable  # missing
        bot.kb.write_bytes(kept.read_bytes()[:4096])  # a rebuild caught half-way
        assert texts(bot.say(sender, NORMAL)) == unavailable
        bot.kb.write_bytes(b"not a database at all")
        assert texts(bot.say(sender, NORMAL)) == unavailable
    finally:
        tmp = bot.kb.with_suffix(".new")
        shutil.copy(kept, tmp)
        os.replace(tmp, bot.kb)  # as `make kb` swaps it in
        kept.unlink()
    assert bot.actions.alive(), "the action server crashed"
    assert answered_normally(texts(bot.say(sender, NORMAL)))
