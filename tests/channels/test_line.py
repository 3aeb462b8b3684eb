"""Tests for channels.line (LINE Messaging API input channel): the webhook, events and message conversion.

The webhook tests run, inside one ``asyncio.run`` per test, a real Sanic
server (Rasa's ``register`` mounts the channel at /webhooks/line) and the
fake LINE API from ``fake_line_api.py``, both on 127.0.0.1 ephemeral ports.
The Rasa agent is a stub that records the UserMessage and answers with a
fixed bot response (a tel: hotline button and a payload button).
"""

import asyncio
import base64
import contextlib
import hashlib
import hmac
import json
import logging
import socket
import uuid
from typing import Any

import aiohttp
import pytest
from fake_line_api import LOADING_PATH, MARK_AS_READ_PATH, PUSH_PATH, REPLY_PATH, FakeLineApi
from line_limits import assert_valid_messages
from rasa.core.channels.channel import UserMessage, register
from sanic import Sanic

from channels.clean import MAX_INPUT_CHARS
from channels.guard import apology
from channels.limits import notice
from channels.line import LineInput, webhook
from channels.line.messages import (
    build_line_messages,
    channel_text,
    convert_bot_message,
    fit_messages,
    hotline_label,
    quick_reply_items,
)
from channels.line.text import make_label, truncate_text, utf16_len

SECRET = "test-channel-secret"
TOKEN = "test-access-token"
USER_ID = "U0123456789abcdef0123456789abcdef"
PRIVATE_TEXT = "我們公司營業額掉了15%，想問貸款"

HOTLINE_BUTTON = {
    "title": "📞 馬上辦服務中心 0800-280-280",
    "type": "web_url",
    "url": "tel:0800280280",
}
PAYLOAD_BUTTON = {"title": "查詢優惠利率", "payload": "/ask_rate"}
BOT_RESPONSE = {
    "text": "融資問題可以直接打馬上辦服務中心，專人協助診斷。",
    "buttons": [HOTLINE_BUTTON, PAYLOAD_BUTTON],
    # the extra keys rasa's BotUttered.message() carries
    "image": None,
    "attachment": None,
    "custom": None,
    "elements": None,
    "quick_replies": None,
    "timestamp": 1700000000.0,
}


# --------------------------------------------------------------------------
# Harness
# --------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def sanic_test_mode(monkeypatch):
    """Several Sanic apps start in one process: Sanic (like sanic-testing)
    needs test_mode for that (unique app names, touch-up rerun safely)."""
    monkeypatch.setattr(Sanic, "test_mode", True)


def sign(body: bytes, secret: str = SECRET) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def text_event(text: str = PRIVATE_TEXT, token: str = "reply-token-1", user_id: str = USER_ID) -> dict[str, Any]:
    return {
        "type": "message",
        "mode": "active",
        "timestamp": 1700000000000,
        "webhookEventId": uuid.uuid4().hex,
        "deliveryContext": {"isRedelivery": False},
        "replyToken": token,
        "source": {"type": "user", "userId": user_id},
        "message": {"id": "1", "type": "text", "quoteToken": "q", "text": text},
    }


def webhook_body(*events: dict[str, Any]) -> bytes:
    return json.dumps({"destination": "Ubot", "events": list(events)}, ensure_ascii=False).encode("utf-8")


class StubAgent:
    """Stands in for rasa's Agent: records messages, sends BOT_RESPONSE."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.received: list[UserMessage] = []
        self.fail_on = fail_on

    async def handle_message(self, message: UserMessage) -> None:
        self.received.append(message)
        if self.fail_on is not None and message.text == self.fail_on:
            raise RuntimeError(f"boom while handling {message.text}")
        await message.output_channel.send_response(message.sender_id, json.loads(json.dumps(BOT_RESPONSE)))

    @property
    def texts(self) -> list[str]:
        return [m.text for m in self.received]


class Stack:
    def __init__(self, fake: FakeLineApi, agent: StubAgent, base_url: str, session: aiohttp.ClientSession) -> None:
        self.fake = fake
        self.agent = agent
        self.base_url = base_url
        self.session = session

    async def post(self, body: bytes, signature: str | None = "sign", headers: dict[str, str] | None = None):
        hdrs = {"Content-Type": "application/json"}
        if signature == "sign":
            hdrs["X-Line-Signature"] = sign(body)
        elif signature is not None:
            hdrs["X-Line-Signature"] = signature
        hdrs.update(headers or {})
        async with self.session.post(f"{self.base_url}/webhooks/line/webhook", data=body, headers=hdrs) as resp:
            try:
                payload = await resp.json(content_type=None)
            except ValueError:
                payload = None
            return resp.status, payload


@contextlib.asynccontextmanager
async def running_stack(secret: str | None = SECRET, token: str = TOKEN, agent: StubAgent | None = None):
    agent = agent or StubAgent()
    async with FakeLineApi() as fake:
        channel = LineInput(secret, token, api_base=fake.base_url, http_timeout=5)
        app = Sanic(f"line_test_{uuid.uuid4().hex}")
        app.config.MOTD = False
        app.ctx.agent = agent
        register([channel], app, route="/webhooks/")

        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        await server.startup()  # the socket is already listening after create_server
        try:
            async with aiohttp.ClientSession() as session:
                yield Stack(fake, agent, f"http://127.0.0.1:{port}", session)
        finally:
            server.close()
            await server.wait_closed()
            sock.close()


def run(coro):
    return asyncio.run(coro)


def sent(fake: FakeLineApi) -> list[dict[str, Any]]:
    """The calls that carry messages (reply, push), every message checked against LINE's limits."""
    calls = [c for c in fake.calls if c["path"] in (REPLY_PATH, PUSH_PATH)]
    for call in calls:
        assert_valid_messages(call["json"]["messages"])
    return calls


def uri_actions(message: dict[str, Any]) -> list[dict[str, Any]]:
    """All URI actions anywhere inside a LINE message."""
    found = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "uri":
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(message)
    return found


# --------------------------------------------------------------------------
# Webhook tests
# --------------------------------------------------------------------------


def test_health_route():
    async def scenario():
        async with running_stack() as s, s.session.get(f"{s.base_url}/webhooks/line/") as resp:
            return resp.status, await resp.json()

    assert run(scenario()) == (200, {"status": "ok"})


def test_valid_signature_sends_one_reply_with_hotline_and_quick_replies():
    async def scenario():
        async with running_stack() as s:
            status, _ = await s.post(webhook_body(text_event()))
            return status, sent(s.fake), s.agent

    status, calls, agent = run(scenario())
    assert status == 200
    assert agent.texts == [PRIVATE_TEXT]
    assert agent.received[0].sender_id == USER_ID
    assert agent.received[0].input_channel == "line"

    assert len(calls) == 1
    call = calls[0]
    assert call["path"] == REPLY_PATH
    assert call["headers"]["Authorization"] == f"Bearer {TOKEN}"
    assert call["json"]["replyToken"] == "reply-token-1"
    messages = call["json"]["messages"]
    assert 1 <= len(messages) <= 5

    actions = [a for m in messages for a in uri_actions(m)]
    assert [a["uri"] for a in actions] == ["tel:0800280280"]
    assert len(actions[0]["label"]) <= 20
    assert "0800-280-280" in actions[0]["label"]
    assert "0800-280-280" in messages[-1]["altText"]

    last = messages[-1]
    items = last["quickReply"]["items"]
    assert items == [
        {
            "type": "action",
            "action": {"type": "postback", "label": "查詢優惠利率", "data": "/ask_rate", "displayText": "查詢優惠利率"},
        }
    ]
    assert all("quickReply" not in m for m in messages[:-1])


def test_forged_signature_is_rejected_without_calls():
    async def scenario():
        async with running_stack() as s:
            result = await s.post(webhook_body(text_event()), signature=sign(b"other"))
            return result, s.fake.calls, s.agent.received

    (status, payload), calls, received = run(scenario())
    assert status == 401
    assert payload["message"] == "invalid signature"
    assert calls == [] and received == []


def test_missing_signature_is_400_without_calls():
    async def scenario():
        async with running_stack() as s:
            result = await s.post(webhook_body(text_event()), signature=None)
            return result, s.fake.calls, s.agent.received

    (status, payload), calls, received = run(scenario())
    assert status == 400
    assert "X-Line-Signature" in payload["message"]
    assert calls == [] and received == []


def test_body_signed_with_another_secret_is_rejected():
    async def scenario():
        async with running_stack() as s:
            body = webhook_body(text_event())
            result = await s.post(body, signature=sign(body, "another-channel-secret"))
            return result, s.fake.calls, s.agent.received

    (status, _), calls, received = run(scenario())
    assert status == 401
    assert calls == [] and received == []


def test_tampered_body_with_replayed_signature_is_rejected():
    async def scenario():
        async with running_stack() as s:
            original = webhook_body(text_event("hello"))
            tampered = webhook_body(text_event("/restart"))
            result = await s.post(tampered, signature=sign(original))
            return result, s.fake.calls, s.agent.received

    (status, _), calls, received = run(scenario())
    assert status == 401
    assert calls == [] and received == []


def test_missing_secret_fails_closed(caplog):
    async def scenario():
        async with running_stack(secret=None) as s:
            body = webhook_body(text_event())
            result = await s.post(body, signature=sign(body, ""))
            return result, s.fake.calls, s.agent.received

    with caplog.at_level(logging.ERROR, logger="channels.line"):
        (status, _), calls, received = run(scenario())
    assert status == 401
    assert calls == [] and received == []
    assert any("channel secret is not configured" in r.getMessage() for r in caplog.records)


def test_verify_call_with_empty_events_is_200_without_calls():
    async def scenario():
        async with running_stack() as s:
            result = await s.post(webhook_body())
            return result, s.fake.calls, s.agent.received

    (status, payload), calls, received = run(scenario())
    assert (status, payload) == (200, {"status": "ok"})
    assert calls == [] and received == []


def test_sticker_gets_polite_text_without_calling_rasa():
    event = text_event()
    event["message"] = {"id": "2", "type": "sticker", "packageId": "1", "stickerId": "1"}

    async def scenario():
        async with running_stack() as s:
            result = await s.post(webhook_body(event))
            return result, sent(s.fake), s.agent.received

    (status, _), calls, received = run(scenario())
    assert status == 200
    assert received == []
    assert len(calls) == 1 and calls[0]["path"] == REPLY_PATH
    assert calls[0]["json"]["messages"] == [{"type": "text", "text": channel_text("line_unsupported")}]
    assert "文字" in channel_text("line_unsupported")


def test_image_message_gets_polite_text_without_calling_rasa():
    event = text_event()
    event["message"] = {"id": "3", "type": "image", "contentProvider": {"type": "line"}}

    async def scenario():
        async with running_stack() as s:
            await s.post(webhook_body(event))
            return sent(s.fake), s.agent.received

    calls, received = run(scenario())
    assert received == []
    assert calls[0]["json"]["messages"][0]["text"] == channel_text("line_unsupported")


def test_follow_sends_greet_to_rasa_and_replies():
    event = {
        "type": "follow",
        "mode": "active",
        "timestamp": 1,
        "replyToken": "rt-follow",
        "source": {"type": "user", "userId": USER_ID},
    }

    async def scenario():
        async with running_stack() as s:
            await s.post(webhook_body(event))
            return sent(s.fake), s.agent

    calls, agent = run(scenario())
    assert agent.texts == ["/greet"]
    assert len(calls) == 1 and calls[0]["json"]["replyToken"] == "rt-follow"


def test_postback_data_is_sent_to_rasa():
    event = {
        "type": "postback",
        "mode": "active",
        "timestamp": 1,
        "replyToken": "rt-pb",
        "source": {"type": "user", "userId": USER_ID},
        "postback": {"data": "/ask_rate"},
    }

    async def scenario():
        async with running_stack() as s:
            await s.post(webhook_body(event))
            return sent(s.fake), s.agent

    calls, agent = run(scenario())
    assert agent.texts == ["/ask_rate"]
    assert agent.received[0].sender_id == USER_ID
    assert len(calls) == 1 and calls[0]["path"] == REPLY_PATH


def test_group_message_uses_user_id_then_group_id_as_sender():
    in_group = text_event()
    in_group["source"] = {"type": "group", "groupId": "Cgroup", "userId": USER_ID}
    no_user = text_event("second", token="rt-2")
    no_user["source"] = {"type": "group", "groupId": "Cgroup"}

    async def scenario():
        async with running_stack() as s:
            await s.post(webhook_body(in_group, no_user))
            return s.agent

    agent = run(scenario())
    assert [m.sender_id for m in agent.received] == [USER_ID, "Cgroup"]


def test_expired_reply_token_falls_back_to_push():
    async def scenario():
        async with running_stack() as s:
            s.fake.expire_reply_tokens = True
            result = await s.post(webhook_body(text_event()))
            return result, sent(s.fake)

    (status, _), calls = run(scenario())
    assert status == 200
    assert [c["path"] for c in calls] == [REPLY_PATH, PUSH_PATH]
    push = calls[1]["json"]
    assert push["to"] == USER_ID
    assert push["messages"] == calls[0]["json"]["messages"]
    assert calls[1]["headers"]["Authorization"] == f"Bearer {TOKEN}"


def test_oversized_body_is_413_without_calls():
    big = webhook_body(text_event("x" * (1024 * 1024)))
    assert len(big) > 1024 * 1024

    async def scenario():
        async with running_stack() as s:
            result = await s.post(big)
            return result, s.fake.calls, s.agent.received

    (status, _), calls, received = run(scenario())
    assert status == 413
    assert calls == [] and received == []


def test_oversized_chunked_body_is_413():
    big = webhook_body(text_event("x" * (1024 * 1024)))

    async def chunks():
        for i in range(0, len(big), 64 * 1024):
            yield big[i : i + 64 * 1024]

    async def scenario():
        async with running_stack() as s:
            headers = {"X-Line-Signature": sign(big), "Content-Type": "application/json"}
            async with s.session.post(f"{s.base_url}/webhooks/line/webhook", data=chunks(), headers=headers) as resp:
                assert "Content-Length" not in resp.request_info.headers
                return resp.status, s.fake.calls, s.agent.received

    status, calls, received = run(scenario())
    assert status == 413
    assert calls == [] and received == []


def test_malformed_json_with_valid_signature_is_400():
    async def scenario():
        async with running_stack() as s:
            first = await s.post(b'{"events": [')
            second = await s.post(b'["not", "an", "object"]')
            return first, second, s.fake.calls, s.agent.received

    (status, payload), (status2, _), calls, received = run(scenario())
    assert status == 400 and "malformed JSON" in payload["message"]
    assert status2 == 400
    assert calls == [] and received == []


def test_over_the_rate_limit_the_message_gets_the_notice_and_is_not_processed(monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "3")
    other_user = "U" + "f" * 32

    async def scenario():
        async with running_stack() as s:
            for i in range(5):
                assert (await s.post(webhook_body(text_event(f"q{i}", token=f"rt-{i}"))))[0] == 200
            await s.post(webhook_body(text_event("other", token="rt-other", user_id=other_user)))
            return sent(s.fake), s.agent

    calls, agent = run(scenario())
    assert agent.texts == ["q0", "q1", "q2", "other"]  # the 4th and 5th never reached Rasa
    replies = {c["json"]["replyToken"]: c["json"]["messages"] for c in calls}
    assert replies["rt-3"] == replies["rt-4"] == [{"type": "text", "text": notice()}]
    assert "0800-000-257" in notice()
    assert replies["rt-0"] != replies["rt-3"] and replies["rt-other"] == replies["rt-0"]


def test_rejected_requests_do_not_use_up_the_users_limit(monkeypatch):
    """Forged calls naming a user cannot lock that user out: nothing is counted before the signature passes."""
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "2")

    async def scenario():
        async with running_stack() as s:
            body = webhook_body(text_event())
            forged = [await s.post(body, signature=sign(body, "another-channel-secret")) for _ in range(10)]
            garbage = [await s.post(body, signature=sig) for sig in ("not base64 at all!", "=" * 5000, "A" * 44)]
            genuine = [await s.post(webhook_body(text_event(f"q{i}", token=f"rt-{i}"))) for i in range(2)]
            return forged + garbage, genuine, sent(s.fake), s.agent.texts

    rejected, genuine, calls, texts = run(scenario())
    assert {status for status, _ in rejected} == {401}
    assert [status for status, _ in genuine] == [200, 200]
    assert texts == ["q0", "q1"]
    assert all(c["json"]["messages"] != [{"type": "text", "text": notice()}] for c in calls)


def test_whitespace_control_characters_and_long_texts_reach_rasa_cleaned():
    long_text = "我營業額掉了15%能貸多少" * 1000

    async def scenario():
        async with running_stack() as s:
            await s.post(
                webhook_body(
                    text_event("   \n ", token="rt-blank"),
                    text_event("\x00\x1b[31m貸款\u202e\u200b", token="rt-ctrl"),
                    text_event(long_text, token="rt-long"),
                )
            )
            return sent(s.fake), s.agent.texts

    calls, texts = run(scenario())
    assert texts == ["", "[31m貸款", long_text[:MAX_INPUT_CHARS]]
    assert [c["json"]["replyToken"] for c in calls] == ["rt-blank", "rt-ctrl", "rt-long"]  # each one answered


def test_one_bad_event_does_not_stop_the_others_and_text_is_not_logged(caplog):
    agent = StubAgent(fail_on=PRIVATE_TEXT)

    async def scenario():
        async with running_stack(agent=agent) as s:
            result = await s.post(
                webhook_body(
                    text_event(PRIVATE_TEXT, token="rt-bad"),
                    "not an event",
                    text_event("second message", token="rt-good"),
                )
            )
            return result, sent(s.fake)

    with caplog.at_level(logging.INFO):
        (status, _), calls = run(scenario())
    assert status == 200
    assert agent.texts == [PRIVATE_TEXT, "second message"]
    # the failed turn is not silent: the firm gets the apology with the general line (channels/guard.py)
    assert [c["json"]["replyToken"] for c in calls] == ["rt-bad", "rt-good"]
    assert calls[0]["json"]["messages"] == [{"type": "text", "text": apology()}]

    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert errors and "RuntimeError" in errors[0].getMessage()
    assert all(r.exc_info is None for r in caplog.records), "a traceback at INFO or above may quote the text"
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for secret_thing in (PRIVATE_TEXT, USER_ID, SECRET, TOKEN):
        assert secret_thing not in logged


def test_from_credentials_prefers_env_for_empty_or_placeholder(monkeypatch):
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "env-secret")
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "env-token")
    monkeypatch.setenv("LINE_API_BASE", "http://127.0.0.1:9/")

    ch = LineInput.from_credentials({"channel_secret": "${LINE_CHANNEL_SECRET}", "channel_access_token": ""})
    assert ch._channel_secret == "env-secret"
    assert ch.api._access_token == "env-token"
    assert ch.api.api_base == "http://127.0.0.1:9"
    assert "env-secret" not in repr(ch) and "env-token" not in repr(ch)

    ch = LineInput.from_credentials(None)
    assert ch._channel_secret == "env-secret"

    ch = LineInput.from_credentials({"channel_secret": "yml-secret", "channel_access_token": "yml-token"})
    assert ch._channel_secret == "yml-secret"
    assert ch.api._access_token == "yml-token"

    monkeypatch.delenv("LINE_API_BASE")
    monkeypatch.delenv("LINE_CHANNEL_SECRET")
    ch = LineInput.from_credentials({"channel_secret": "${LINE_CHANNEL_SECRET}"})
    assert ch._channel_secret is None
    assert ch.api.api_base == "https://api.line.me"
    assert LineInput.name() == "line"


# --------------------------------------------------------------------------
# Pure conversion tests
# --------------------------------------------------------------------------


def test_plain_text_becomes_text_message_and_is_truncated_to_5000():
    assert build_line_messages([{"text": "你好"}]) == [{"type": "text", "text": "你好"}]
    long = build_line_messages([{"text": "字" * 6000}])
    assert len(long) == 1
    assert utf16_len(long[0]["text"]) == 5000
    assert long[0]["text"].endswith("…")
    # emoji (surrogate pairs in UTF-16) are never split
    cut = truncate_text("😀" * 10, 5)
    assert cut == "😀😀…" and utf16_len(cut) <= 5


def test_at_most_five_messages_by_merging_texts():
    bot = [{"text": f"第{i}段"} for i in range(8)]
    messages = build_line_messages(bot)
    assert len(messages) <= 5
    joined = "\n\n".join(m["text"] for m in messages)
    for i in range(8):
        assert f"第{i}段" in joined
    # order preserved
    assert joined.index("第0段") < joined.index("第7段")


def test_overflow_of_non_text_messages_is_folded_into_the_fifth():
    bot = [
        {"text": f"專線{i}", "buttons": [{"title": f"撥打 0800-000-00{i}", "url": f"tel:080000000{i}"}]}
        for i in range(7)
    ]
    messages = fit_messages([m for b in bot for m in convert_bot_message(b)[0]])
    assert len(messages) == 5
    assert [m["type"] for m in messages] == ["flex"] * 4 + ["text"]
    for i in (4, 5, 6):
        assert f"0800-000-00{i}" in messages[-1]["text"]


def test_hotline_button_becomes_tel_uri_action_with_short_label():
    messages, quick = convert_bot_message(BOT_RESPONSE)
    assert quick and quick[0]["action"]["data"] == "/ask_rate"
    assert len(messages) == 1 and messages[0]["type"] == "flex"
    (action,) = uri_actions(messages[0])
    assert action == {"type": "uri", "label": "馬上辦服務中心 0800-280-280", "uri": "tel:0800280280"}
    body_texts = [c["text"] for c in messages[0]["contents"]["body"]["contents"] if c["type"] == "text"]
    assert body_texts[0] == BOT_RESPONSE["text"]
    assert messages[0]["altText"].startswith(BOT_RESPONSE["text"])


def test_long_hotline_title_label_comes_from_the_buttons_data_not_the_title():
    """The action's button carries the hotline's name and number (data); the channel never parses the title."""
    title = "📞 撥打 產業競爭力發展中心 諮詢專線 0800-000-257"
    button = {
        "title": title,
        "url": "tel:0800000257",
        "hotline": "general",
        "name": "產業競爭力發展中心",
        "number": "0800-000-257",
    }
    label = hotline_label(button, "tel:0800000257")
    assert utf16_len(label) <= 20 and label.endswith(" 0800-000-257") and label.startswith("產業競爭力")
    nested = {
        "title": title,
        "url": "tel:0800000257",
        "hotline": {"id": "general", "name": "產業競爭力發展中心", "number": "0800-000-257"},
    }
    assert hotline_label(nested, "tel:0800000257") == label
    messages, _ = convert_bot_message({"text": "請洽", "buttons": [button]})
    body_texts = [c.get("text") for c in messages[0]["contents"]["body"]["contents"]]
    assert title in body_texts  # the label was shortened: the full line is in the bubble
    assert_valid_messages(messages)


def test_hotline_button_without_data_falls_back_to_the_urls_number():
    title = "📞 撥打 產業競爭力發展中心 諮詢專線 0800-000-257"
    label = hotline_label({"title": title, "url": "tel:0800000257"}, "tel:0800000257")
    assert label == "0800000257"  # the tel: uri's number, not a regex over the title
    messages, _ = convert_bot_message({"text": "請洽", "buttons": [{"title": title, "url": "tel:0800000257"}]})
    assert title in [c.get("text") for c in messages[0]["contents"]["body"]["contents"]]


def test_label_truncation():
    assert make_label("短") == "短"
    long_label = make_label("這是一個非常非常非常非常非常長的按鈕標題文字")
    assert utf16_len(long_label) <= 20 and long_label.endswith("…")
    items = quick_reply_items([{"title": "一二三四五六七八九十一二三四五六七八九十一二", "payload": "/x"}])
    assert utf16_len(items[0]["action"]["label"]) <= 20
    # the full title is still what the user "says"
    assert items[0]["action"]["displayText"] == "一二三四五六七八九十一二三四五六七八九十一二"


def test_quick_replies_only_on_last_message_and_capped_at_13():
    bot = [
        {"text": "第一則", "buttons": [{"title": f"選項{i}", "payload": f"/opt{i}"} for i in range(10)]},
        {"text": "第二則", "buttons": [HOTLINE_BUTTON]},
        {
            "text": "第三則",
            "buttons": [{"title": f"更多{i}", "payload": f"/more{i}"} for i in range(10)]
            + [PAYLOAD_BUTTON, PAYLOAD_BUTTON],
        },
    ]
    messages = build_line_messages(bot)
    assert len(messages) == 3
    assert all("quickReply" not in m for m in messages[:-1])
    items = messages[-1]["quickReply"]["items"]
    assert len(items) == 13
    data = [i["action"]["data"] for i in items]
    assert len(set(data)) == 13
    assert data[:10] == [f"/opt{i}" for i in range(10)]


def test_quick_replies_without_text_get_a_prompt_message():
    messages = build_line_messages([{"buttons": [PAYLOAD_BUTTON]}])
    assert messages[0]["type"] == "text" and messages[0]["quickReply"]["items"]


def test_empty_turn_produces_no_messages():
    assert build_line_messages([]) == []
    assert build_line_messages([{"text": "   ", "timestamp": 1}]) == []


def test_signature_helper_matches_line_sdk():
    from linebot import SignatureValidator

    body = webhook_body(text_event())
    signature = webhook.compute_signature(SECRET, body)
    assert SignatureValidator(SECRET).validate(body.decode("utf-8"), signature)
    assert webhook.is_valid_signature(SECRET, body, signature)
    assert not webhook.is_valid_signature(SECRET, body + b" ", signature)
    assert not webhook.is_valid_signature(SECRET, body, "不是base64")


@pytest.mark.parametrize("value", ["", "   ", "${LINE_CHANNEL_SECRET}", None])
def test_resolve_setting_falls_back_to_env(monkeypatch, value):
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "from-env")
    assert webhook.resolve_setting(value, "LINE_CHANNEL_SECRET") == "from-env"


def test_every_flex_message_the_channel_builds_is_within_lines_limits():
    """Hotline bubbles of every shape the bot can produce: short and long titles, many links, long texts,
    emoji, quick replies over the cap, link and payload buttons mixed."""
    long_name = "經濟部中小及新創企業署" * 3
    hotlines = [
        {
            "title": f"📞 撥打 {long_name}{i} 0800-000-25{i}",
            "url": f"tel:080000025{i}",
            "name": f"{long_name}{i}",
            "number": f"0800-000-25{i}",
        }
        for i in range(9)
    ]
    cases = [
        [BOT_RESPONSE],
        [{"text": "請洽", "buttons": hotlines[:3]}],
        [{"text": "字" * 1999 + "😀", "buttons": hotlines}],
        [{"text": "字" * 4000, "buttons": hotlines[:1]}],
        [{"text": "", "buttons": hotlines[:2] + [PAYLOAD_BUTTON]}],
        [{"text": "網站", "buttons": [{"title": "經濟部" * 20, "url": "https://www.moea.gov.tw/" + "a" * 900}]}],
        [
            {
                "text": f"第{i}則",
                "buttons": hotlines[i : i + 2]
                + [{"title": "選項" * 15 + str(i), "payload": f"/o{i}"} for _ in range(3)],
            }
            for i in range(7)
        ],
        [{"text": "選", "buttons": [{"title": f"選項{i}" * 8, "payload": f"/p{i}"} for i in range(30)]}],
    ]
    for bot in cases:
        messages = build_line_messages(json.loads(json.dumps(bot)))
        assert_valid_messages(messages)
        flex = [m for m in messages if m["type"] == "flex"]
        assert flex or not any(b.get("url") for m in bot for b in m.get("buttons", [])), "a hotline was dropped"
        quick = messages[-1].get("quickReply", {}).get("items", [])
        assert len(quick) <= 13 and all(utf16_len(i["action"]["label"]) <= 20 for i in quick)


def test_the_validator_refuses_what_line_refuses():
    good = build_line_messages([BOT_RESPONSE])
    assert_valid_messages(good)
    bad_cases = []
    too_many = json.loads(json.dumps(good))
    too_many[-1]["quickReply"]["items"] *= 14
    bad_cases.append(too_many)
    long_label = json.loads(json.dumps(good))
    uri_actions(long_label[0])[0]["label"] = "一二三四五六七八九十一二三四五六七八九十一"
    bad_cases.append(long_label)
    bad_cases.append([{"type": "text", "text": "x" * 5001}])
    bad_cases.append([{"type": "text", "text": "x"}] * 6)
    empty_text = json.loads(json.dumps(good))
    empty_text[0]["contents"]["body"]["contents"][0]["text"] = ""
    bad_cases.append(empty_text)
    for bad in bad_cases:
        with pytest.raises(AssertionError):
            assert_valid_messages(bad)


# --------------------------------------------------------------------------
# LINE the way LINE users expect it: loading animation, mark as read, redeliveries
# --------------------------------------------------------------------------


def test_loading_animation_starts_before_rasa_is_called_in_one_to_one_chats():
    class Recording(StubAgent):
        async def handle_message(self, message):
            self.paths_at_call = [c["path"] for c in self.fake.calls]
            await super().handle_message(message)

    agent = Recording()

    async def scenario():
        async with running_stack(agent=agent) as s:
            agent.fake = s.fake
            await s.post(webhook_body(text_event()))
            return s.fake.calls

    calls = run(scenario())
    assert agent.paths_at_call == [LOADING_PATH]  # before Rasa saw the message
    loading = calls[0]["json"]
    assert loading["chatId"] == USER_ID and 5 <= loading["loadingSeconds"] <= 60
    assert loading["loadingSeconds"] % 5 == 0
    assert [c["path"] for c in calls] == [LOADING_PATH, REPLY_PATH]


def test_no_loading_animation_in_groups():
    event = text_event()
    event["source"] = {"type": "group", "groupId": "Cgroup", "userId": USER_ID}

    async def scenario():
        async with running_stack() as s:
            await s.post(webhook_body(event))
            return s.fake.calls

    assert [c["path"] for c in run(scenario())] == [REPLY_PATH]


@pytest.mark.parametrize("failure", ["error", "slow"])
def test_a_failing_or_slow_loading_call_never_blocks_the_answer(failure):
    async def scenario():
        async with running_stack() as s:
            if failure == "error":
                s.fake.fail_loading = True
            else:
                s.fake.loading_delay = 30
            started = asyncio.get_running_loop().time()
            status, _ = await s.post(webhook_body(text_event()))
            return status, asyncio.get_running_loop().time() - started, sent(s.fake), s.agent.texts

    status, seconds, replies, texts = run(scenario())
    assert status == 200 and texts == [PRIVATE_TEXT]
    assert len(replies) == 1 and uri_actions(replies[0]["json"]["messages"][0])
    assert seconds < 10, f"the answer waited {seconds:.1f} s for the loading call"


def test_marked_as_read_after_the_answer_when_line_gives_a_token():
    event = text_event()
    event["message"]["markAsReadToken"] = "mark-token-1"
    no_token = text_event("second", token="rt-2")

    async def scenario():
        async with running_stack() as s:
            await s.post(webhook_body(event))
            await s.post(webhook_body(no_token))
            return s.fake.calls

    calls = run(scenario())
    assert [c["path"] for c in calls] == [LOADING_PATH, REPLY_PATH, MARK_AS_READ_PATH, LOADING_PATH, REPLY_PATH]
    assert calls[2]["json"] == {"markAsReadToken": "mark-token-1"}


def test_a_redelivered_event_is_answered_once():
    event = text_event()
    redelivery = json.loads(json.dumps(event))
    redelivery["deliveryContext"] = {"isRedelivery": True}

    async def scenario():
        async with running_stack() as s:
            first = await s.post(webhook_body(event))
            second = await s.post(webhook_body(redelivery))
            third = await s.post(webhook_body(text_event("another question", token="rt-3")))
            return [first[0], second[0], third[0]], sent(s.fake), s.agent.texts

    statuses, replies, texts = run(scenario())
    assert statuses == [200, 200, 200]  # LINE must not keep redelivering it
    assert texts == [PRIVATE_TEXT, "another question"]
    assert [c["json"]["replyToken"] for c in replies] == ["reply-token-1", "rt-3"]


def test_remembered_event_ids_are_bounded():
    from channels.line.events import SeenEvents

    seen = SeenEvents(size=3)
    assert all(seen.first_time(f"id{i}") for i in range(5))
    assert len(seen) == 3
    assert not seen.first_time("id4") and seen.first_time("id0")  # the oldest were forgotten
    assert seen.first_time(None) and seen.first_time(None)  # no id: always handled


def test_unconfigured_line_is_one_info_line_not_errors(caplog):
    """LINE is optional: without either secret, starting the bot logs one INFO line, no ERROR."""
    with caplog.at_level(logging.DEBUG, logger="channels.line.webhook"):
        LineInput(None, None)
    records = [r for r in caplog.records if r.name == "channels.line.webhook"]
    assert [r.levelno for r in records] == [logging.INFO]
    assert "not configured" in records[0].getMessage()


def test_half_configured_line_is_an_error(caplog):
    with caplog.at_level(logging.INFO, logger="channels.line.webhook"):
        LineInput(None, TOKEN)
    assert any(
        r.levelno == logging.ERROR and "channel secret is not configured" in r.getMessage() for r in caplog.records
    )
