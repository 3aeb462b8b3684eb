"""channels/handoff.py without a live bot: staff messages go out first on a turn, the bot's silence while staff
hold a conversation is no failure (no apology), the widget gets them only when a page is in its room (else on
reconnect), and a LINE push over the monthly quota keeps them for the next reply."""

from __future__ import annotations

import asyncio

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from channels import handoff as relay
from channels.guard import apology, never_silent
from handoff.store import HandoffStore, engine_for


@pytest.fixture
def store(tmp_path, monkeypatch, kb):
    s = HandoffStore(engine_for(tmp_path / "handoff.db"))
    monkeypatch.setattr(relay, "store", lambda: s)
    monkeypatch.setattr(relay, "default_kb", lambda: kb)
    return s


def turn(sender, behaviour=None):
    out = CollectingOutputChannel()

    async def on_new_message(message):
        if behaviour:
            await behaviour(message)

    asyncio.run(never_silent(relay.staff_first(on_new_message))(UserMessage("在嗎", out, sender)))
    return [m["text"] for m in out.messages]


def test_pending_staff_messages_go_first_and_once(store, kb):
    store.post("firm-1", "rest", "reply", "您好")

    async def answer(message):
        await message.output_channel.send_response(message.sender_id, {"text": "機器人的回答"})

    assert turn("firm-1", answer) == [kb.message("handoff_staff_says", text="您好"), "機器人的回答"]
    assert turn("firm-1", answer) == ["機器人的回答"]


def test_quiet_while_held_without_an_apology(store):
    case = store.open_case("firm-2", "rest", "written", {})
    assert turn("firm-2") == [apology()]  # not held: silence is a failure
    store.claim(case, "wang")
    assert turn("firm-2") == []


class FakeSio:
    def __init__(self, rooms):
        self.rooms, self.emitted = rooms, []
        self.manager = self

    def get_participants(self, namespace, room):
        if not self.rooms:  # as python-socketio once the last client has left
            raise KeyError(namespace)
        return iter(self.rooms.get(room, []))

    async def emit(self, event, data, room=None, namespace=None):
        self.emitted.append((event, data["text"], room))


def test_widget_gets_them_only_with_a_page_open(store, kb):
    store.post("sess-1", "socketio", "claimed")
    closed = FakeSio({})
    assert asyncio.run(relay.deliver_socketio(closed, "sess-1", "bot_uttered", "sess-1")) == 0
    assert closed.emitted == [] and len(store.pending("sess-1")) == 1
    open_ = FakeSio({"sess-1": ["sid-9"]})
    assert asyncio.run(relay.deliver_socketio(open_, "sess-1", "bot_uttered", "sess-1")) == 1
    assert open_.emitted == [("bot_uttered", kb.message("handoff_claimed"), "sess-1")]
    assert store.pending("sess-1") == []


class FakeApi:
    def __init__(self, status):
        self.status, self.pushed = status, []

    async def push(self, to, messages):
        from channels.line.api import ApiResult

        self.pushed.append((to, messages))
        return ApiResult(self.status, {"message": "You have reached your monthly limit."} if self.status == 429 else {})


def test_line_push_and_the_quota(store):
    for i in range(7):
        store.post("Uabc", "line", "reply", f"第{i}則")
    over = FakeApi(429)
    assert asyncio.run(relay.deliver_line(over, "Uabc")) == (0, "quota")
    assert len(store.pending("Uabc")) == 7 and {r["error"] for r in store.pending("Uabc")} == {"quota"}
    ok = FakeApi(200)
    assert asyncio.run(relay.deliver_line(ok, "Uabc")) == (7, None)
    assert [len(m) for _, m in ok.pushed] == [5, 2]  # at most 5 messages a push
    assert store.pending("Uabc") == []


def test_relay_token(tmp_path, monkeypatch):
    token = tmp_path / "token"
    monkeypatch.setenv("RASA_API_TOKEN_FILE", str(token))
    assert relay.api_token() is None  # no file: every call refused
    token.write_text("s3cret\n")
    assert relay.api_token() == "s3cret"
