"""LINE against the whole bot: every rich menu area (channels/line/richmenu.yml) gets a real answer with a
hotline (a button to tap, or the directory's numbers), and a redelivered webhook event is answered once."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import uuid

import pytest

from channels.line import richmenu
from tests.live.bot import LINE_SECRET, line_texts


def post_event(bot, event: dict) -> int:
    body = json.dumps({"destination": "Ubot", "events": [event]}, ensure_ascii=False).encode()
    signature = base64.b64encode(hmac.new(LINE_SECRET.encode(), body, hashlib.sha256).digest()).decode()
    status, _, _ = bot.post(body, "/webhooks/line/webhook", {"X-Line-Signature": signature})
    return status


def event_for(area: dict, user_id: str) -> dict:
    event = {
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "webhookEventId": uuid.uuid4().hex,
        "deliveryContext": {"isRedelivery": False},
        "replyToken": uuid.uuid4().hex,
        "source": {"type": "user", "userId": user_id},
    }
    action = richmenu.action(area)
    if action["type"] == "postback":
        return {**event, "type": "postback", "postback": {"data": action["data"]}}
    return {**event, "type": "message", "message": {"id": "1", "type": "text", "text": action["text"]}}


def replies_to(bot, token: str) -> list:
    return [c["json"]["messages"] for c in bot.line.calls if (c["json"] or {}).get("replyToken") == token]


@pytest.mark.parametrize("area", richmenu.load()["areas"], ids=lambda a: a["label"])
def test_every_rich_menu_area_gets_an_answer_with_a_hotline(live_bot, area):
    event = event_for(area, "U" + uuid.uuid4().hex)
    assert post_event(live_bot, event) == 200
    (messages,) = replies_to(live_bot, event["replyToken"])
    shown = line_texts(messages)
    tel = [a for a in json.dumps(messages, ensure_ascii=False).split('"uri": "')[1:] if a.startswith("tel:")]
    # a hotline to tap, or (專線一覽) the directory: every hotline's number as text
    assert tel or shown.count("0800-") >= 5, f"{area['label']}: no hotline in {shown!r}"
    for unhelpful in ("不太確定您想問的是哪一項", "我還是沒聽懂", "不在關稅支持措施的範圍內"):
        assert unhelpful not in shown, f"{area['label']}: {shown!r}"


def test_a_redelivered_event_is_answered_once_by_the_whole_bot(live_bot):
    event = event_for({"label": "q", "text": "我營業額掉了15%能貸多少"}, "U" + uuid.uuid4().hex)
    assert post_event(live_bot, event) == 200
    redelivered = {**event, "deliveryContext": {"isRedelivery": True}}
    assert post_event(live_bot, redelivered) == 200
    replies = replies_to(live_bot, event["replyToken"])
    assert len(replies) == 1 and "3,500萬" in line_texts(replies[0])
