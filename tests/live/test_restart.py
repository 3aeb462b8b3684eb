"""A restart in the middle of a conversation: Rasa and the action server stop and start again on the same SQLite
tracker store (as Ctrl-C and `make run` do); the facts the firm gave and the history are still there, and the
follow-up is answered in context."""

from __future__ import annotations

import uuid

from tests.live.bot import texts

NORMAL = "我營業額掉了15%能貸多少"


def user_texts(tracker: dict) -> list:
    return [e["text"] for e in tracker["events"] if e["event"] == "user"]


def test_a_conversation_survives_a_restart(live_bot):
    sender = f"restart-{uuid.uuid4().hex[:6]}"
    first = texts(live_bot.say(sender, NORMAL))
    assert "3,500萬" in first and "0800-280-280" in first
    before = live_bot.tracker(sender)
    assert before["slots"]["revenue_change"] == -15.0 and before["slots"]["focus_measures"]

    old_pid = live_bot.rasa.proc.pid
    live_bot.stop()
    live_bot.start()
    assert live_bot.rasa.proc.pid != old_pid

    after = live_bot.tracker(sender)
    assert after["slots"]["revenue_change"] == -15.0
    assert after["slots"]["focus_measures"] == before["slots"]["focus_measures"]
    assert user_texts(after) == [NORMAL]

    # 「電話呢？」 means the measures talked about before the restart: their hotlines, not the general line a
    # firm without context gets
    phones = texts(live_bot.say(sender, "電話呢？"))
    assert "0800-280-280" in phones and "0800-089-921" in phones, phones
    fresh = texts(live_bot.say(f"fresh-{uuid.uuid4().hex[:6]}", "電話呢？"))
    assert "0800-280-280" not in fresh and "0800-000-257" in fresh, fresh

    # 「如果只借80萬呢」 adds the amount to the facts kept from before the restart
    live_bot.say(sender, "如果只借80萬呢")
    slots = live_bot.tracker(sender)["slots"]
    assert slots["amount"] == 80 and slots["revenue_change"] == -15.0
    assert user_texts(live_bot.tracker(sender)) == [NORMAL, "電話呢？", "如果只借80萬呢"]
