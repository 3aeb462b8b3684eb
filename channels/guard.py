"""Never leave a firm in silence.

When the action server is down or times out, Rasa 3.6 logs the error and sends nothing. `never_silent` wraps a
channel's on_new_message: if a turn sent no message at all, it sends the apology `busy` from knowledge/messages.yml
with the general line from knowledge/hotlines.yml, so the firm always gets an answer. The next turn is tried normally, so answers
resume by themselves when the action server is back.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from typing import Awaitable, Callable

from rasa.core.channels.channel import UserMessage

from actions.kb import emergency_text

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1)
def apology() -> str:
    return emergency_text("busy")


def never_silent(on_new_message: Callable[[UserMessage], Awaitable[None]]):
    async def handler(message: UserMessage) -> None:
        out = message.output_channel
        sent = 0
        original = out.send_response

        async def counting(recipient_id, msg):
            nonlocal sent
            await original(recipient_id, msg)
            sent += 1  # only a message that went out counts: a send that raised leaves the firm in silence

        out.send_response = counting
        try:
            await on_new_message(message)
        except Exception:  # the firm still gets an answer; the error is in the log
            logger.exception("turn failed")
        finally:
            out.send_response = original
        if sent == 0:
            logger.warning("no reply was produced for a turn; sending the apology with the general line")
            await original(message.sender_id, {"text": apology()})

    return handler
