"""Bad input on REST, socket.io and LINE, against the whole bot: each odd message gets a sensible answer (never
silence, never the "busy" apology, never a 500), and the normal question after it is answered correctly, with the
figure and the hotline. Malformed REST requests get a 400 with a JSON reason."""

from __future__ import annotations

import asyncio
import json
import uuid

import pytest

from channels.guard import apology
from tests.live.bot import line_texts, texts

NORMAL = "我營業額掉了15%能貸多少"
EXPECTED = ("3,500萬", "0800-280-280")

ODD = {
    "empty": "",
    "whitespace": "  \n\t　 ",
    "very long": NORMAL * 1000,  # 12,000 characters
    "emoji only": "😀🙏🏻👍👨\u200d👩\u200d👧",
    "control characters": "\x00\x01\x1b[31m貸款\x7f\u202e\u200b\ufeff",
    "html and script": "<script>alert('x')</script><img src=x onerror=alert(1)><b>貸款</b>",
    "sql": "'; DROP TABLE events; -- 1' OR '1'='1\"; DELETE FROM measures; --",
}


def check_answer(kind: str, answer: str, kb) -> None:
    assert answer.strip(), f"{kind}: no answer"
    assert apology() not in answer, f"{kind}: the apology, i.e. the turn failed"
    assert "<script" not in answer and "onerror" not in answer, f"{kind}: the answer echoes markup"
    if kind in ("empty", "whitespace"):
        assert kb.message("empty_message") in answer
    if kind == "very long":
        assert kb.message("too_long", limit="2,000") in answer  # the notice, then the answer to the beginning
        assert all(e in answer for e in EXPECTED)


def check_normal(kind: str, answer: str) -> None:
    for expected in EXPECTED:
        assert expected in answer, f"after {kind}: {expected} missing from the normal answer:\n{answer}"


@pytest.mark.parametrize("kind", ODD)
def test_rest(live_bot, kb, kind):
    sender = f"rest-{kind.replace(' ', '-')}-{uuid.uuid4().hex[:6]}"
    check_answer(kind, texts(live_bot.say(sender, ODD[kind])), kb)
    check_normal(kind, texts(live_bot.say(sender, NORMAL)))
    events = live_bot.tracker(sender)["events"]
    users = [e["text"] for e in events if e["event"] == "user"]
    assert users[-1] == NORMAL and len(users) == 2, "both turns are in the tracker store"


def test_sql_looking_text_leaves_the_stores_intact(live_bot, kb):
    sender = f"sql-{uuid.uuid4().hex[:6]}"
    live_bot.say(sender, "x'); DROP TABLE events; --")
    live_bot.say(sender, "' UNION SELECT * FROM hotlines --")
    # the tracker store still holds this and every earlier conversation, and the knowledge base still answers
    assert [e["text"] for e in live_bot.tracker(sender)["events"] if e["event"] == "user"] == [
        "x'); DROP TABLE events; --",
        "' UNION SELECT * FROM hotlines --",
    ]
    check_normal("sql", texts(live_bot.say(f"after-sql-{uuid.uuid4().hex[:6]}", NORMAL)))


MALFORMED = [
    b'{"sender": "x", "message": ',
    b"message=hi",
    b"",
    b"[1, 2]",
    b'{"sender": "x", "message": 5}',
    b'{"sender": "x"}',
    b'{"message": "hi"}',
    b'{"sender": "x", "message": "\xff"}',
]


def test_rest_malformed_requests_get_a_json_400(live_bot):
    sender = f"malformed-{uuid.uuid4().hex[:6]}"
    for body in MALFORMED:
        for content_type in ("application/json", "text/plain"):
            status, headers, answer = live_bot.post(body, headers={"Content-Type": content_type})
            assert status == 400, (body, answer)
            assert headers.get("content-type", "").startswith("application/json"), (body, headers)
            reason = json.loads(answer)
            assert reason["error"] and '"sender"' in reason["message"], reason
        check_normal(repr(body), texts(live_bot.say(sender, NORMAL)))
    # nothing of the bad requests reached the conversation
    users = [e["text"] for e in live_bot.tracker(sender)["events"] if e["event"] == "user"]
    assert users == [NORMAL] * len(MALFORMED)


@pytest.mark.parametrize("kind", ODD)
def test_line(live_bot, kb, kind):
    user = "U" + uuid.uuid4().hex
    check_answer(kind, line_texts(live_bot.line_say(user, ODD[kind])), kb)
    check_normal(kind, line_texts(live_bot.line_say(user, NORMAL)))


class Widget:
    """A socket.io client that behaves as rasa-webchat does (session_request, then user_uttered), polling."""

    def __init__(self, url: str) -> None:
        import socketio

        self.url = url
        self.sio = socketio.AsyncClient(reconnection=False)
        self.inbox: asyncio.Queue = asyncio.Queue()
        self.confirmed: asyncio.Queue = asyncio.Queue()
        self.sio.on("bot_uttered", self.inbox.put)
        self.sio.on("session_confirm", self.confirmed.put)
        self.session_id = uuid.uuid4().hex

    async def __aenter__(self):
        await asyncio.wait_for(self.sio.connect(self.url, transports=["polling"]), 20)
        await self.sio.emit("session_request", {"session_id": self.session_id})
        assert await asyncio.wait_for(self.confirmed.get(), 20) == self.session_id
        return self

    async def __aexit__(self, *exc) -> None:
        await self.sio.disconnect()

    async def turn(self, text, until=(), quiet: float = 0.5) -> str:
        """Sends text; collects the bot's messages until every `until` string was seen, then until `quiet`
        seconds pass without one (so no message of this turn is left for the next)."""
        await self.sio.emit(
            "user_uttered", {"message": text, "session_id": self.session_id, "customData": {"language": "zh-Hant"}}
        )
        got = [await asyncio.wait_for(self.inbox.get(), 60)]
        joined = lambda: "\n".join(m.get("text") or "" for m in got)  # noqa: E731
        while not all(u in joined() for u in until):
            got.append(await asyncio.wait_for(self.inbox.get(), 60))
        while True:
            try:
                got.append(await asyncio.wait_for(self.inbox.get(), quiet))
            except asyncio.TimeoutError:
                return joined()


def test_socketio(live_bot, kb):
    async def scenario():
        results = {}
        async with Widget(live_bot.url) as widget:
            for kind, text in ODD.items():
                until = EXPECTED if kind == "very long" else ()
                results[kind] = (await widget.turn(text, until), await widget.turn(NORMAL, EXPECTED))
        return results

    for kind, (answer, normal) in asyncio.run(scenario()).items():
        check_answer(kind, answer, kb)
        check_normal(kind, normal)
