"""What firms type (company names, figures) stays out of the logs: the whole bot runs at INFO (the default), a
turn on each channel carries a company name and a figure, and neither appears in the logs of Rasa or the action
server, in any spelling (as is, JSON \\u-escaped, Python-escaped)."""

from __future__ import annotations

import asyncio
import json
import uuid

from tests.live.bot import line_texts, texts
from tests.live.test_bad_input import Widget

PRIVATE = ("鴻運精密工業股份有限公司", "營業額掉了17%")
MESSAGE = f"我們是{PRIVATE[0]}，{PRIVATE[1]}，能貸多少"


def spellings(text: str) -> set:
    return {text, json.dumps(text)[1:-1], text.encode("unicode_escape").decode("ascii")}


def test_info_logs_carry_no_message_text(live_bot):
    line_user = "U" + uuid.uuid4().hex
    assert "3,500萬" in texts(live_bot.say(f"privacy-{uuid.uuid4().hex[:6]}", MESSAGE))
    assert "3,500萬" in line_texts(live_bot.line_say(line_user, MESSAGE))

    async def widget_turn():
        async with Widget(live_bot.url) as widget:
            return await widget.turn(MESSAGE, ("3,500萬",))

    assert "3,500萬" in asyncio.run(widget_turn())

    log = live_bot.log_text()
    assert " INFO " in log and "Rasa server is up and running" in log, "the bot did not log at INFO"
    for private in PRIVATE:
        for spelling in spellings(private):
            assert spelling not in log, f"{spelling!r} is in the logs ({live_bot.logs})"
    assert line_user not in log
    for secret in (live_bot.env["LINE_CHANNEL_SECRET"], live_bot.env["LINE_CHANNEL_ACCESS_TOKEN"]):
        assert secret not in log, "a LINE secret is in the logs"
