"""channels/rest.py: bad requests get a 400/413 with a JSON body before Rasa sees them; good ones are cleaned,
rate-limited per sender and answered. A scripted agent stands in for the model (channel_server.py)."""

import asyncio
import base64
import hashlib
import hmac
import json

import aiohttp
import pytest
from channel_server import EchoAgent, serving
from sanic import Sanic

from channels.clean import MAX_INPUT_CHARS
from channels.limits import notice
from channels.line import LineInput
from channels.rest import RestInput

NORMAL = "我營業額掉了15%能貸多少"


@pytest.fixture(autouse=True)
def sanic_test_mode(monkeypatch):
    monkeypatch.setattr(Sanic, "test_mode", True)


async def post(session, url, body: bytes, content_type="application/json"):
    async with session.post(url + "/webhooks/rest/webhook", data=body, headers={"Content-Type": content_type}) as resp:
        return resp.status, resp.headers.get("Content-Type", ""), await resp.text()


def say(sender, text, **extra) -> bytes:
    return json.dumps({"sender": sender, "message": text, **extra}).encode()  # \uXXXX: lone surrogates too


BAD = {
    "truncated JSON": (b'{"sender": "firm", "message": ', "malformed JSON"),
    "not JSON": (b"sender=firm&message=hi", "malformed JSON"),
    "not UTF-8": (b'{"sender": "firm", "message": "\xff\xfe"}', "malformed JSON"),
    "empty body": (b"", "malformed JSON"),
    "a list": (b'["firm", "hi"]', "not a JSON object"),
    "message a number": (b'{"sender": "firm", "message": 5}', '"message"'),
    "message null": (b'{"sender": "firm", "message": null}', '"message"'),
    "no message": (b'{"sender": "firm"}', '"message"'),
    "no sender": (b'{"message": "hi"}', '"sender"'),
    "sender a list": (b'{"sender": ["a"], "message": "hi"}', '"sender"'),
    "sender blank": (b'{"sender": "  ", "message": "hi"}', '"sender"'),
    "sender too long": (say("x" * 256, "hi"), '"sender"'),
    "metadata a string": (b'{"sender": "firm", "message": "hi", "metadata": "x"}', '"metadata"'),
}


def test_bad_requests_get_400_with_a_json_reason_and_the_next_message_is_answered():
    agent = EchoAgent()

    async def scenario():
        results = {}
        async with serving([RestInput()], agent) as url, aiohttp.ClientSession() as session:
            for name, (body, _) in BAD.items():
                results[name] = await post(session, url, body)
                results[name + " then"] = await post(session, url, say("firm", NORMAL))
            results["no content type"] = await post(session, url, b"{", content_type="")
        return results

    results = asyncio.run(scenario())
    for name, (_, reason) in BAD.items():
        status, content_type, text = results[name]
        assert status == 400, name
        assert content_type.startswith("application/json"), name
        body = json.loads(text)
        assert reason in body["error"], name
        assert '"sender"' in body["message"] and '"message"' in body["message"], name
        status, _, text = results[name + " then"]
        assert status == 200 and json.loads(text)[0]["text"] == f"收到：{NORMAL}", name
    assert results["no content type"][0] == 400 and "json" in results["no content type"][1]
    assert agent.texts == [NORMAL] * len(BAD)  # no bad request reached the bot


def test_a_body_over_one_megabyte_is_413():
    agent = EchoAgent()

    async def scenario():
        async with serving([RestInput()], agent) as url, aiohttp.ClientSession() as session:
            return await post(session, url, say("firm", "字" * 400_000))

    status, content_type, text = asyncio.run(scenario())
    assert status == 413 and content_type.startswith("application/json")
    assert "bytes" in json.loads(text)["error"]
    assert agent.received == []


def test_odd_texts_are_cleaned_and_bounded_before_the_bot_sees_them():
    agent = EchoAgent()
    odd = {
        "blank": "  \n\t ",
        "emoji": "😀🙏🏻👍",
        "controls": "\u200b \x00\x07貸\x1b款\u202e\u200b",
        "html": "<script>alert(1)</script>",
        "sql": "'; DROP TABLE events; --",
        "surrogate": "\ud800貸款",
        "long": NORMAL * 1000,
    }

    async def scenario():
        async with serving([RestInput()], agent) as url, aiohttp.ClientSession() as session:
            for name, text in odd.items():
                assert (await post(session, url, say(name, text)))[0] == 200, name

    asyncio.run(scenario())
    assert agent.texts == [
        "",
        "😀🙏🏻👍",
        "貸款",
        "<script>alert(1)</script>",
        "'; DROP TABLE events; --",
        "貸款",
        (NORMAL * 1000)[:MAX_INPUT_CHARS],
    ]


def test_over_the_rate_limit_a_sender_gets_the_notice(monkeypatch):
    monkeypatch.setenv("RATE_LIMIT_PER_MINUTE", "3")
    agent = EchoAgent()

    async def scenario():
        async with serving([RestInput()], agent) as url, aiohttp.ClientSession() as session:
            mine = [json.loads((await post(session, url, say("busy-firm", f"q{i}")))[2]) for i in range(5)]
            other = json.loads((await post(session, url, say("other-firm", "hi")))[2])
            return mine, other

    mine, other = asyncio.run(scenario())
    assert [m[0]["text"] for m in mine] == ["收到：q0", "收到：q1", "收到：q2", notice(), notice()]
    assert other[0]["text"] == "收到：hi"
    assert agent.texts == ["q0", "q1", "q2", "hi"]


def test_the_checks_are_the_rest_channels_only():
    """Blueprint middleware: the LINE webhook next to it is not held to REST's body format."""
    agent = EchoAgent()
    body = json.dumps({"destination": "Ubot", "events": []}).encode()
    signature = base64.b64encode(hmac.new(b"secret", body, hashlib.sha256).digest()).decode()

    async def scenario():
        async with (
            serving([RestInput(), LineInput("secret", "token")], agent) as url,
            aiohttp.ClientSession() as session,
        ):
            async with session.post(
                url + "/webhooks/line/webhook", data=body, headers={"X-Line-Signature": signature}
            ) as resp:
                line = resp.status
            async with session.get(url + "/webhooks/rest/") as resp:
                health = resp.status, await resp.json()
            return line, health

    assert asyncio.run(scenario()) == (200, (200, {"status": "ok"}))
