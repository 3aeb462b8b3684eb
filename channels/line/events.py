"""What the bot does with each verified LINE webhook event: a text or postback is one Rasa turn (loading
animation first, one reply call after, then mark as read), a follow is the greeting, stickers and images get the
text-only hint. A redelivered event already handled is skipped, so a firm is never answered twice."""

import asyncio
import copy
import hashlib
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from typing import Any, Optional

from rasa.core.channels.channel import OutputChannel, UserMessage

from channels.line.api import LineApiClient
from channels.line.messages import build_line_messages, channel_text, text_message

logger = logging.getLogger(__name__)

FOLLOW_PAYLOAD = "/greet"
# Reply tokens LINE used for its old "Verify" dummy events; never reply to them.
DUMMY_REPLY_TOKENS = frozenset({"0" * 32, "f" * 32})
LOADING_SECONDS = 20  # LINE stops the animation as soon as our reply arrives
LOADING_HEAD_START = 0.5  # Rasa is called once LINE took the animation call, or after this long anyway
LOADING_WAIT = 2.0  # the reply waits at most this long for the animation call to finish
SEEN_EVENTS = 10_000  # webhookEventIds remembered per process (LINE redelivers within about a day)

Handler = Callable[[UserMessage], Awaitable[Any]]


def user_hash(user_id: str | None) -> str:
    """Pseudonymous id for logs (never log the raw LINE user id)."""
    if not user_id:
        return "-"
    return hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:12]


class SeenEvents:
    """The last ``size`` webhookEventIds, oldest forgotten first: memory stays bounded under any load."""

    def __init__(self, size: int = SEEN_EVENTS) -> None:
        self.size = size
        self._ids: OrderedDict[str, None] = OrderedDict()

    def first_time(self, event_id: Any) -> bool:
        if not isinstance(event_id, str) or not event_id:
            return True  # nothing to recognise it by: handle it
        if event_id in self._ids:
            return False
        self._ids[event_id] = None
        if len(self._ids) > self.size:
            self._ids.popitem(last=False)
        return True

    def __len__(self) -> int:
        return len(self._ids)


class LineOutput(OutputChannel):
    """Buffers every bot message of a turn; they go out in one reply call afterwards (a reply token works once)."""

    @classmethod
    def name(cls) -> str:
        return "line"

    def __init__(self) -> None:
        self.messages: list[dict[str, Any]] = []

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        # the whole message (text and buttons together); the base class would split it over send_* calls
        self.messages.append(copy.deepcopy(message))

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        self.messages.append({"text": text})

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        self.messages.append({"text": text, "buttons": buttons})

    async def send_image_url(self, recipient_id: str, image: str, **kwargs: Any) -> None:
        self.messages.append({"image": image})

    async def send_custom_json(self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any) -> None:
        self.messages.append({"custom": json_message})


class EventHandler:
    def __init__(self, api: LineApiClient, channel_name: str = "line") -> None:
        self.api = api
        self.channel_name = channel_name
        self.seen = SeenEvents()

    async def handle_safely(self, event: Any, on_new_message: Handler) -> None:
        if not isinstance(event, dict):
            logger.warning("LINE: skipped an event that is not a JSON object.")
            return
        source = event.get("source") if isinstance(event.get("source"), dict) else {}
        event_type = str(event.get("type") or "?")
        try:
            await self.handle(event, source, on_new_message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # one bad event must not stop the others
            # no message text and no traceback at ERROR (exception messages may quote user input)
            logger.error(
                "LINE: failed to handle %s event (user=%s): %s",
                event_type,
                user_hash(source.get("userId")),
                type(exc).__name__,
            )
            logger.debug("LINE: event failure traceback", exc_info=True)

    async def handle(self, event: dict[str, Any], source: dict[str, Any], on_new_message: Handler) -> None:
        event_type = event.get("type")
        if event.get("mode") == "standby":
            logger.debug("LINE: skipped %s event in standby mode.", event_type)
            return
        sender_id = source.get("userId") or source.get("groupId") or source.get("roomId")
        if not sender_id:
            logger.warning("LINE: skipped %s event without a source id.", event_type)
            return
        if not self.seen.first_time(event.get("webhookEventId")):
            redelivery = (event.get("deliveryContext") or {}).get("isRedelivery") is True
            logger.info(
                "LINE: skipped %s event already handled (%s).",
                event_type,
                "redelivery" if redelivery else "same webhookEventId",
            )
            return

        if event_type == "message":
            message = event.get("message") if isinstance(event.get("message"), dict) else {}
            if message.get("type") == "text":
                text = message.get("text")
                if isinstance(text, str):  # whitespace only too: the bot asks for a question
                    await self.turn(event, source, sender_id, text, on_new_message)
                return
            logger.info(
                "LINE: unsupported %s message from user=%s; sent the text-only hint.",
                message.get("type"),
                user_hash(sender_id),
            )
            await self.deliver(event, source, [text_message(channel_text("line_unsupported"))])
        elif event_type == "postback":
            postback = event.get("postback") if isinstance(event.get("postback"), dict) else {}
            data = postback.get("data")
            if isinstance(data, str) and data.strip():
                await self.turn(event, source, sender_id, data, on_new_message)
        elif event_type == "follow":
            await self.turn(event, source, sender_id, FOLLOW_PAYLOAD, on_new_message)
        else:
            logger.debug("LINE: ignored %s event (user=%s).", event_type, user_hash(sender_id))

    async def turn(
        self, event: dict[str, Any], source: dict[str, Any], sender_id: str, text: str, on_new_message: Handler
    ) -> None:
        """The loading animation, ``text`` to Rasa, then every bot message in one LINE call."""
        loading = self._start_loading(source)
        if loading is not None:  # usually one round trip; a slow LINE does not hold the turn up
            await asyncio.wait({loading}, timeout=LOADING_HEAD_START)
        collector = LineOutput()
        try:
            await on_new_message(
                UserMessage(
                    text,
                    collector,
                    sender_id,
                    input_channel=self.channel_name,
                    metadata={"line_event_type": event.get("type"), "line_source_type": source.get("type")},
                )
            )
        finally:
            await self._settle(loading)
        messages = build_line_messages(collector.messages)
        if messages:
            await self.deliver(event, source, messages)
        else:
            logger.debug("LINE: no bot response for %s event (user=%s).", event.get("type"), user_hash(sender_id))

    def _start_loading(self, source: dict[str, Any]) -> Optional["asyncio.Task"]:
        """Started before Rasa is called, running beside it; LINE shows it in one-to-one chats only."""
        if source.get("type") != "user" or not source.get("userId"):
            return None
        return asyncio.ensure_future(self.api.start_loading(source["userId"], LOADING_SECONDS))

    async def _settle(self, loading: Optional["asyncio.Task"]) -> None:
        """The animation call is finished (or dropped) before the reply, so it never shows after the answer."""
        if loading is None:
            return
        try:
            result = await asyncio.wait_for(loading, LOADING_WAIT)
            if not result.ok:
                logger.info("LINE: loading animation not shown (HTTP %s).", result.status)
        except Exception as error:  # never blocks the answer (a timeout cancels the call)
            logger.info("LINE: loading animation not shown (%s).", type(error).__name__)

    async def deliver(self, event: dict[str, Any], source: dict[str, Any], messages: list[dict[str, Any]]) -> None:
        """Reply with the event's token (push if it expired), then mark the chat read."""
        if await self._send(event, source, messages):
            await self._mark_as_read(event)

    async def _send(self, event: dict[str, Any], source: dict[str, Any], messages: list[dict[str, Any]]) -> bool:
        event_type = event.get("type")
        log_user = user_hash(source.get("userId"))
        reply_token = event.get("replyToken")
        if isinstance(reply_token, str) and reply_token in DUMMY_REPLY_TOKENS:
            return False
        if isinstance(reply_token, str) and reply_token:
            result = await self.api.reply(reply_token, messages)
            if result.ok:
                return True
            if not result.invalid_reply_token:
                logger.error(
                    "LINE reply failed for %s event (user=%s): HTTP %s %s",
                    event_type,
                    log_user,
                    result.status,
                    result.error_message,
                )
                return False
            logger.info(
                "LINE reply token expired/invalid for %s event (user=%s); falling back to push.", event_type, log_user
            )
        to = {"group": source.get("groupId"), "room": source.get("roomId")}.get(source.get("type"))
        to = to or source.get("userId") or source.get("groupId") or source.get("roomId")
        if not to:
            logger.error("LINE: cannot push for %s event: no recipient.", event_type)
            return False
        result = await self.api.push(to, messages)
        if not result.ok:
            logger.error(
                "LINE push failed for %s event (user=%s): HTTP %s %s",
                event_type,
                log_user,
                result.status,
                result.error_message,
            )
        return result.ok

    async def _mark_as_read(self, event: dict[str, Any]) -> None:
        """Only where LINE gave a token (chat mode on: the firm's message shows 既読 once answered)."""
        message = event.get("message") if isinstance(event.get("message"), dict) else {}
        token = message.get("markAsReadToken")
        if isinstance(token, str) and token:
            result = await self.api.mark_as_read(token)
            if not result.ok:
                logger.info("LINE: mark as read failed (HTTP %s).", result.status)
