"""channels/socketio.py: what the widget's socket (or anything posing as it) sends is checked, cleaned and
rate-limited before the bot sees it, and every message with a session gets an answer. The socket.io handler is
called directly, with the server's emit recorded (tests/e2e/test_socketio.py covers the wire)."""

import asyncio

import pytest
from channel_server import EchoAgent

from channels.clean import MAX_INPUT_CHARS
from channels.limits import notice
from channels.socketio import SocketIOInput

NORMAL = "我營業額掉了15%能貸多少"


class Widget:
    """The configured channel (credentials.yml's settings) with its bot messages recorded."""

    def __init__(self) -> None:
        self.agent = EchoAgent()
        self.channel = SocketIOInput(session_persistence=True)
        self.channel.blueprint(self.agent.handle_message)
        self.sent: list = []
        self.handle = self.channel.sio.handlers["/"]["user_uttered"]

        async def emit(event, data, room=None, **kwargs):
            self.sent.append((event, room, data))

        self.channel.sio.emit = emit

    def say(self, data, sid="sid-1"):
        asyncio.run(self.handle(sid, data))

    def answers(self, session_id: str) -> list:
        return [data.get("text") for event, room, data in self.sent if room == session_id and event == "bot_uttered"]


@pytest.fixture
def widget(monkeypatch):
    monkeypatch.delenv("RATE_LIMIT_PER_MINUTE", raising=False)
    return Widget()


def test_odd_messages_are_answered_and_cleaned(widget):
    odd = [
        "",
        "   ",
        "😀🙏🏻",
        "\x00\x1b[2J貸款\u202e",
        "<img src=x onerror=alert(1)>",
        "' OR '1'='1",
        NORMAL * 1000,
        None,
        42,
        ["a"],
        {"text": "x"},
    ]
    for i, text in enumerate(odd):
        widget.say({"message": text, "session_id": f"s{i}", "customData": {"language": "zh-Hant"}})
        widget.say({"message": NORMAL, "session_id": f"s{i}"})
        assert widget.answers(f"s{i}")[-1] == f"收到：{NORMAL}", f"no normal answer after {text!r}"
    assert widget.agent.texts[0::2] == [
        "",
        "",
        "😀🙏🏻",
        "[2J貸款",
        "<img src=x onerror=alert(1)>",
        "' OR '1'='1",
        (NORMAL * 1000)[:MAX_INPUT_CHARS],
        "",
        "",
        "",
        "",
    ]


@pytest.mark.filterwarnings("ignore:A message without a valid session_id")
def test_malformed_events_do_not_raise(widget):
    for data in (
        None,
        "just a string",
        5,
        ["x"],
        {"message": "hi"},
        {"message": "hi", "session_id": 7},
        {"message": "hi", "session_id": "s" * 256},
        {"message": "hi", "session_id": "s", "metadata": "{not json"},
        {"message": "hi", "session_id": "s", "metadata": [1]},
    ):
        widget.say(data)
    # without a session id there is no conversation to answer in (Rasa ignores those); the others are answered
    assert widget.agent.texts == ["hi", "hi"]
    assert all(m.metadata == {} for m in widget.agent.received)


def test_over_the_rate_limit_the_session_gets_the_notice(monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "2")
    widget = Widget()
    for i in range(4):
        widget.say({"message": f"q{i}", "session_id": "flood"})
    widget.say({"message": "hi", "session_id": "calm"})
    assert widget.answers("flood") == ["收到：q0", "收到：q1", notice(), notice()]
    assert widget.answers("calm") == ["收到：hi"]
    assert widget.agent.texts == ["q0", "q1", "hi"]
