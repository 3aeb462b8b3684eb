"""Never leave a firm in silence.

When the action server is down or times out, Rasa 3.6 logs the error and sends nothing. `never_silent` wraps a
channel's on_new_message: if a turn sent no message at all, it sends the apology `busy` from knowledge/messages.yml
with the general line from knowledge/hotlines.yml, so the firm always gets an answer. The next turn is tried
normally, so answers resume by themselves when the action server is back.

A slow action server counts as down after ACTION_TIMEOUT seconds (default 10): Rasa 3.6 hard-codes 5 minutes
(rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT, RasaHQ/rasa#9789), far longer than anyone waits in a chat.

`protected` is what every public channel wraps its on_new_message in: never silent (unless a staff member holds
the conversation: channels/handoff.py), rate-limited per sender (limits.py), staff messages not yet delivered
sent first (channels/handoff.py), input cleaned and bounded (clean.py).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Awaitable, Callable
from functools import lru_cache

import rasa.core.actions.action
from rasa.core.channels.channel import UserMessage

from channels.clean import cleaned
from channels.handoff import held, staff_first
from channels.limits import rate_limited
from knowledge.kb import emergency_text

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
        except Exception as exc:  # the firm still gets an answer; the error is in the log
            # the error's type only: exception messages may quote what the firm typed (traceback at DEBUG)
            logger.error("turn failed: %s", type(exc).__name__)
            logger.debug("turn failure traceback", exc_info=True)
        finally:
            out.send_response = original
        if sent == 0 and held(message.sender_id):
            logger.debug("a staff member holds this conversation: the bot stays quiet")
        elif sent == 0:
            logger.warning("no reply was produced for a turn; sending the apology with the general line")
            await original(message.sender_id, {"text": apology()})

    return handler


DEFAULT_ACTION_TIMEOUT = 10.0


def action_timeout() -> float:
    try:
        seconds = float(os.environ.get("ACTION_TIMEOUT") or DEFAULT_ACTION_TIMEOUT)
    except ValueError:
        logger.error("ACTION_TIMEOUT is not a number of seconds; using %s", DEFAULT_ACTION_TIMEOUT)
        return DEFAULT_ACTION_TIMEOUT
    return seconds if seconds > 0 else DEFAULT_ACTION_TIMEOUT


def protected(on_new_message: Callable[[UserMessage], Awaitable[None]]):
    # read at call time by RemoteAction.run, so setting it when the channels are built is enough
    rasa.core.actions.action.DEFAULT_REQUEST_TIMEOUT = action_timeout()
    return never_silent(rate_limited(staff_first(cleaned(on_new_message))))
