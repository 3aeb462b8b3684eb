"""Rasa input channel for the LINE Messaging API.

Configure it in ``credentials.yml``::

    channels.line.LineInput:
      channel_secret: ${LINE_CHANNEL_SECRET}
      channel_access_token: ${LINE_CHANNEL_ACCESS_TOKEN}

Routes (Rasa mounts the blueprint under ``/webhooks/line``):

* ``GET  /webhooks/line/``        -> ``{"status": "ok"}`` (health check)
* ``POST /webhooks/line/webhook`` -> LINE webhook endpoint

Request handling order (nothing is processed and no LINE API call is made
unless every step passes):

1. channel secret not configured            -> 401 (fail closed)
2. ``Content-Length`` above 1 MB             -> 413 (body is not read)
3. ``X-Line-Signature`` header missing       -> 400
4. body read with a 1 MB cap                 -> 413 when exceeded
5. HMAC-SHA256 signature mismatch            -> 401
6. body is not a JSON object with ``events`` -> 400
7. events processed one by one; always 200 (a failing event is logged
   and skipped, it never stops the others). Each turn goes through
   ``channels.guard.protected``: text cleaned, rate limit per user, the
   apology when the turn produced nothing.

The Rasa -> LINE message conversion lives in pure functions
(:func:`build_line_messages` and helpers) so it can be unit-tested without
a server.  Privacy: user text, channel secret and access token are never
logged; user ids are logged as a short SHA-256 prefix.
"""

import asyncio
import base64
import copy
import hashlib
import hmac
import json
import logging
import os
import re
from functools import lru_cache
from typing import Any, Awaitable, Callable, Dict, Iterable, List, Optional, Text, Tuple

import aiohttp
from linebot.models import (
    BoxComponent,
    BubbleContainer,
    ButtonComponent,
    FlexSendMessage,
    ImageSendMessage,
    PostbackAction,
    QuickReplyButton,
    SeparatorComponent,
    TextComponent,
    TextSendMessage,
    URIAction,
)
from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from actions.kb import emergency_text
from channels.guard import protected

logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------
# Configuration / LINE limits
# --------------------------------------------------------------------------

ENV_CHANNEL_SECRET = "LINE_CHANNEL_SECRET"
ENV_CHANNEL_ACCESS_TOKEN = "LINE_CHANNEL_ACCESS_TOKEN"
ENV_API_BASE = "LINE_API_BASE"
DEFAULT_API_BASE = "https://api.line.me"

REPLY_PATH = "/v2/bot/message/reply"
PUSH_PATH = "/v2/bot/message/push"

MAX_BODY_BYTES = 1024 * 1024  # webhook bodies above 1 MB are rejected (413)
SIGNATURE_HEADER = "X-Line-Signature"

MAX_MESSAGES = 5  # messages per reply/push call
MAX_TEXT = 5000  # text message
MAX_ALT_TEXT = 400  # flex altText
MAX_LABEL = 20  # action label (quick reply, URI button)
MAX_QUICK_REPLIES = 13
MAX_POSTBACK_DATA = 300
MAX_DISPLAY_TEXT = 300
MAX_URI = 1000
MAX_LINK_BUTTONS = 6  # tap-to-call / link buttons shown in one Flex bubble
MAX_FLEX_TEXT = 2000  # longer texts go in their own text message

# Reply tokens LINE used for its old "Verify" dummy events; never reply to them.
DUMMY_REPLY_TOKENS = frozenset({"0" * 32, "f" * 32})

FOLLOW_PAYLOAD = "/greet"


@lru_cache(maxsize=None)
def channel_text(key: str) -> str:
    """A LINE-only sentence from knowledge/messages.yml (read from the YAML, so it works without kb.sqlite)."""
    return emergency_text(key)

ELLIPSIS = "…"

_PLACEHOLDER_RE = re.compile(r"^\$\{[^}]*\}$")
_PHONE_RE = re.compile(r"\+?\d[\d\-\s()#]{4,}\d")
_LINK_SCHEMES = ("tel:", "https://", "http://")


# --------------------------------------------------------------------------
# Small pure helpers
# --------------------------------------------------------------------------


def utf16_len(text: Text) -> int:
    """Length as LINE counts it at worst (UTF-16 code units).

    Counting UTF-16 units is never smaller than counting code points, so
    staying within a limit measured this way is safe either way.
    """
    return len(text.encode("utf-16-le")) // 2


def truncate_text(text: Text, limit: int, ellipsis: Text = ELLIPSIS) -> Text:
    """Truncates ``text`` to at most ``limit`` UTF-16 units.

    Never splits a code point (so no broken surrogate pairs); appends
    ``ellipsis`` when something was cut.
    """
    if utf16_len(text) <= limit:
        return text
    budget = limit - utf16_len(ellipsis)
    if budget <= 0:
        return ellipsis[:limit]
    used = 0
    out = []
    for char in text:
        size = 2 if ord(char) > 0xFFFF else 1
        if used + size > budget:
            break
        out.append(char)
        used += size
    return "".join(out).rstrip() + ellipsis


def make_label(title: Any, limit: int = MAX_LABEL) -> Text:
    """An action label: whitespace collapsed, truncated to ``limit``."""
    label = " ".join(str(title or "").split())
    return truncate_text(label, limit)


def hotline_label(title: Any, uri: Text, limit: int = MAX_LABEL) -> Text:
    """A readable label for a ``tel:`` button that keeps the phone number.

    ``"📞 馬上辦服務中心 0800-280-280"`` (too long) becomes
    ``"馬上辦服務中心 0800-280-280"``; a longer name is shortened before the
    number is ("產業競爭力發… 0800-000-257").
    """
    title = " ".join(str(title or "").split())
    if title and utf16_len(title) <= limit:
        return title
    # Drop leading emoji / symbols such as "📞 ".
    cleaned = re.sub(r"^[^\w+]+", "", title)
    if cleaned and utf16_len(cleaned) <= limit:
        return cleaned
    match = _PHONE_RE.search(cleaned)
    number = match.group().strip() if match else uri[len("tel:"):]
    name = (cleaned[: match.start()] + cleaned[match.end():]) if match else cleaned
    name = " ".join(name.split()).strip(" -:：,，")
    room = limit - utf16_len(number) - 1
    if name and room >= 2:
        return f"{truncate_text(name, room)} {number}"
    return truncate_text(number, limit)


def user_hash(user_id: Optional[Text]) -> Text:
    """Pseudonymous id for logs (never log the raw LINE user id)."""
    if not user_id:
        return "-"
    return hashlib.sha256(user_id.encode("utf-8")).hexdigest()[:12]


def compute_signature(channel_secret: Text, body: bytes) -> Text:
    """base64(HMAC-SHA256(channel_secret, body)) as LINE computes it."""
    digest = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def is_valid_signature(channel_secret: Text, body: bytes, signature: Text) -> bool:
    """Constant-time comparison of the expected and the received signature."""
    expected = compute_signature(channel_secret, body).encode("ascii")
    return hmac.compare_digest(expected, signature.encode("utf-8"))


def resolve_setting(value: Any, env_name: Text) -> Optional[Text]:
    """A credentials value, unless it is empty or an unexpanded ``${...}``.

    In that case the environment variable ``env_name`` is used instead.
    """
    if isinstance(value, str):
        value = value.strip()
        if value and not _PLACEHOLDER_RE.match(value):
            return value
    elif value is not None:
        return str(value)
    env_value = (os.environ.get(env_name) or "").strip()
    return env_value or None


# --------------------------------------------------------------------------
# Rasa bot message -> LINE message conversion (pure functions)
# --------------------------------------------------------------------------


def text_message(text: Text) -> Dict[Text, Any]:
    """A LINE text message (truncated to 5000 characters)."""
    return TextSendMessage(text=truncate_text(text, MAX_TEXT)).as_json_dict()


def _link_uri(button: Dict[Text, Any]) -> Optional[Text]:
    url = button.get("url")
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url.lower().startswith(_LINK_SCHEMES):
        return None
    if url.lower().startswith("tel:"):
        url = "tel:" + re.sub(r"\s+", "", url[4:])
    if len(url) > MAX_URI or url.lower() == "tel:":
        return None
    return url


def split_buttons(
    buttons: Iterable[Any],
) -> Tuple[List[Tuple[Dict[Text, Any], Text]], List[Dict[Text, Any]]]:
    """Splits Rasa buttons into (link buttons with their uri, payload buttons).

    ``url`` with ``tel:`` / ``http(s)://`` -> link (tap-to-call / open page);
    otherwise a string ``payload`` -> quick reply; anything else is dropped.
    """
    links: List[Tuple[Dict[Text, Any], Text]] = []
    payloads: List[Dict[Text, Any]] = []
    for button in buttons or []:
        if not isinstance(button, dict):
            continue
        uri = _link_uri(button)
        if uri:
            links.append((button, uri))
        elif isinstance(button.get("payload"), str) and button["payload"].strip():
            payloads.append(button)
    return links, payloads


def quick_reply_items(buttons: Iterable[Dict[Text, Any]]) -> List[Dict[Text, Any]]:
    """Quick reply items (postback actions) for payload buttons.

    ``data`` = payload (LINE sends it back as a postback event),
    ``displayText`` = the title (shown as the user's message),
    label truncated to 20. Duplicated payloads and payloads longer than
    LINE's 300 character limit are skipped. Not capped here.
    """
    items: List[Dict[Text, Any]] = []
    seen = set()
    for button in buttons:
        payload = str(button.get("payload") or "").strip()
        if not payload or payload in seen or len(payload) > MAX_POSTBACK_DATA:
            if len(payload) > MAX_POSTBACK_DATA:
                logger.warning("LINE: dropped a quick reply whose payload is too long.")
            continue
        seen.add(payload)
        title = " ".join(str(button.get("title") or "").split()) or payload
        action = PostbackAction(
            label=make_label(title),
            data=payload,
            display_text=truncate_text(title, MAX_DISPLAY_TEXT),
        )
        items.append(QuickReplyButton(action=action).as_json_dict())
    return items


def _describe_link(button: Dict[Text, Any], uri: Text) -> Text:
    """Full, readable line for a link button, e.g. '📞 馬上辦服務中心 0800-280-280'."""
    title = " ".join(str(button.get("title") or "").split())
    if uri.lower().startswith("tel:"):
        number = uri[4:]
        digits = re.sub(r"\D", "", number)
        if not title:
            return number
        if digits and digits not in re.sub(r"\D", "", title):
            return f"{title} {number}"
        return title
    return f"{title} {uri}".strip() if title else uri


def _strip_symbols(title: Any) -> Text:
    """Title without leading emoji/symbols and with whitespace collapsed."""
    return re.sub(r"^[^\w+]+", "", " ".join(str(title or "").split()))


def link_messages(
    text: Text, links: List[Tuple[Dict[Text, Any], Text]]
) -> List[Dict[Text, Any]]:
    """A Flex bubble: the bot text, then one tap-to-call / link button each.

    Labels are at most 20 characters; whenever a label had to be shortened
    (or there are more than ``MAX_LINK_BUTTONS`` links) the full titles are
    listed as text in the bubble, so no phone number is ever lost. The
    altText (what notifications and old clients show) is the text plus the
    full titles. A text too long for a bubble is sent as its own text
    message first.
    """
    text = (text or "").strip()
    messages: List[Dict[Text, Any]] = []
    if utf16_len(text) > MAX_FLEX_TEXT:
        messages.append(text_message(text))
        text = ""
    body_text = text or channel_text("line_link_prompt")

    shown, hidden = links[:MAX_LINK_BUTTONS], links[MAX_LINK_BUTTONS:]
    buttons = []
    details = []
    for button, uri in shown:
        description = _describe_link(button, uri)
        if uri.lower().startswith("tel:"):
            label = hotline_label(button.get("title") or uri[4:], uri)
            style = "primary"
        else:
            label = make_label(button.get("title") or uri)
            style = "link"
        if _strip_symbols(label) != _strip_symbols(button.get("title")):
            details.append(description)  # label was shortened: show it in full
        buttons.append(
            ButtonComponent(
                action=URIAction(label=label, uri=uri), style=style, height="sm"
            )
        )
    details.extend(_describe_link(button, uri) for button, uri in hidden)

    body_contents: List[Any] = [TextComponent(text=body_text, wrap=True)]
    if details:
        body_contents.append(SeparatorComponent(margin="md"))
        body_contents.extend(
            TextComponent(text=line, wrap=True, size="sm", color="#555555", margin="sm")
            for line in details
        )
    bubble = BubbleContainer(
        body=BoxComponent(layout="vertical", contents=body_contents),
        footer=BoxComponent(layout="vertical", spacing="sm", contents=buttons),
    )
    all_lines = [_describe_link(button, uri) for button, uri in links]
    alt_text = truncate_text("\n".join([text or body_text] + all_lines), MAX_ALT_TEXT)
    messages.append(FlexSendMessage(alt_text=alt_text, contents=bubble).as_json_dict())
    return messages


def convert_bot_message(
    message: Dict[Text, Any],
) -> Tuple[List[Dict[Text, Any]], List[Dict[Text, Any]]]:
    """One Rasa bot message -> (LINE messages, quick reply items).

    * ``text`` -> text message;
    * ``buttons`` / ``quick_replies`` with a ``tel:``/``http(s)`` ``url`` ->
      Flex bubble with URI buttons (text included in the bubble);
    * buttons with a ``payload`` -> quick reply items (returned separately;
      the caller attaches them to the last message of the reply);
    * ``image`` with an https URL -> image message;
    * ``custom: {"line": {...} | [{...}]}`` -> raw LINE message(s) passed through.
    """
    text = message.get("text")
    text = text if isinstance(text, str) else ""
    buttons = list(message.get("buttons") or []) + list(
        message.get("quick_replies") or []
    )
    links, payload_buttons = split_buttons(buttons)

    messages: List[Dict[Text, Any]] = []
    if links:
        messages.extend(link_messages(text, links))
    elif text.strip():
        messages.append(text_message(text.strip()))

    image = message.get("image")
    if isinstance(image, str) and image.startswith("https://") and len(image) <= 2000:
        messages.append(
            ImageSendMessage(
                original_content_url=image, preview_image_url=image
            ).as_json_dict()
        )

    custom = message.get("custom")
    if isinstance(custom, dict) and custom.get("line"):
        raw = custom["line"]
        for item in raw if isinstance(raw, list) else [raw]:
            if isinstance(item, dict) and item.get("type"):
                messages.append(copy.deepcopy(item))

    return messages, quick_reply_items(payload_buttons)


def message_as_text(message: Dict[Text, Any]) -> Text:
    """Plain-text stand-in for a LINE message (used when merging overflow)."""
    if message.get("type") == "text":
        return message.get("text") or ""
    if message.get("type") == "image":
        return message.get("originalContentUrl") or ""
    return message.get("altText") or ""


def _is_plain_text(message: Dict[Text, Any]) -> bool:
    return message.get("type") == "text" and set(message) <= {"type", "text"}


def fit_messages(
    messages: List[Dict[Text, Any]], limit: int = MAX_MESSAGES
) -> List[Dict[Text, Any]]:
    """Makes ``messages`` fit into one LINE call (at most ``limit`` messages).

    First merges adjacent text messages (joined by a blank line, as long as
    the result stays within 5000 characters); if that is not enough, the
    messages from position ``limit`` on are folded into one text message
    (Flex bubbles contribute their altText, which holds the phone numbers).
    """
    merged = [copy.deepcopy(m) for m in messages]
    while len(merged) > limit:
        for i in range(len(merged) - 1):
            first, second = merged[i], merged[i + 1]
            if _is_plain_text(first) and _is_plain_text(second):
                joined = f"{first['text']}\n\n{second['text']}"
                if utf16_len(joined) <= MAX_TEXT:
                    merged[i : i + 2] = [text_message(joined)]
                    break
        else:
            break
    if len(merged) > limit:
        head, tail = merged[: limit - 1], merged[limit - 1 :]
        folded = "\n\n".join(t for t in (message_as_text(m) for m in tail) if t)
        merged = head + ([text_message(folded)] if folded.strip() else [])
    return merged


def build_line_messages(
    bot_messages: Iterable[Dict[Text, Any]], limit: int = MAX_MESSAGES
) -> List[Dict[Text, Any]]:
    """All Rasa bot messages of one turn -> the messages of ONE LINE call.

    At most ``limit`` messages; quick replies of the whole turn (deduplicated,
    at most 13) are attached to the last message only.
    """
    messages: List[Dict[Text, Any]] = []
    items: List[Dict[Text, Any]] = []
    seen_data = set()
    for bot_message in bot_messages:
        if not isinstance(bot_message, dict):
            continue
        converted, quick = convert_bot_message(bot_message)
        messages.extend(converted)
        for item in quick:
            data = item["action"]["data"]
            if data not in seen_data:
                seen_data.add(data)
                items.append(item)

    for message in messages:
        message.pop("quickReply", None)
    if items and not messages:
        messages.append(text_message(channel_text("line_quick_reply_prompt")))
    messages = fit_messages(messages, limit)
    if items and messages:
        messages[-1]["quickReply"] = {"items": items[:MAX_QUICK_REPLIES]}
    return messages


# --------------------------------------------------------------------------
# Output channel buffering one Rasa turn
# --------------------------------------------------------------------------


class LineOutput(OutputChannel):
    """Buffers every bot message of a turn; the input channel sends them in
    one reply call afterwards (a LINE reply token can be used only once)."""

    @classmethod
    def name(cls) -> Text:
        return "line"

    def __init__(self) -> None:
        self.messages: List[Dict[Text, Any]] = []

    async def send_response(self, recipient_id: Text, message: Dict[Text, Any]) -> None:
        # Keep the whole message (text + buttons together); the base class
        # would split it over several send_* calls.
        self.messages.append(copy.deepcopy(message))

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        self.messages.append({"text": text})

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        self.messages.append({"text": text, "buttons": buttons})

    async def send_image_url(self, recipient_id: Text, image: Text, **kwargs: Any) -> None:
        self.messages.append({"image": image})

    async def send_custom_json(
        self, recipient_id: Text, json_message: Dict[Text, Any], **kwargs: Any
    ) -> None:
        self.messages.append({"custom": json_message})


# --------------------------------------------------------------------------
# LINE Messaging API client (reply / push)
# --------------------------------------------------------------------------


class LineApiResult:
    """Status and decoded JSON body (if any) of a LINE API call."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def error_message(self) -> Text:
        if isinstance(self.body, dict):
            return str(self.body.get("message") or "")[:200]
        return ""

    @property
    def invalid_reply_token(self) -> bool:
        return self.status == 400 and "invalid reply token" in self.error_message.lower()


class LineApiClient:
    """Minimal async client for the two endpoints we need."""

    def __init__(self, api_base: Text, access_token: Optional[Text], timeout: float = 10.0):
        self.api_base = api_base.rstrip("/")
        self._access_token = access_token
        self.timeout = timeout

    async def _post(self, path: Text, payload: Dict[Text, Any]) -> LineApiResult:
        if not self._access_token:
            logger.error(
                "LINE: channel access token is not configured (set %s); "
                "cannot call %s.", ENV_CHANNEL_ACCESS_TOKEN, path,
            )
            return LineApiResult(0, None)
        headers = {
            "Authorization": f"Bearer {self._access_token}",
            "Content-Type": "application/json",
        }
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(
                self.api_base + path,
                data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),
                headers=headers,
            ) as resp:
                raw = await resp.read()
                try:
                    body = json.loads(raw.decode("utf-8")) if raw else None
                except ValueError:
                    body = None
                return LineApiResult(resp.status, body)

    async def reply(self, reply_token: Text, messages: List[Dict[Text, Any]]) -> LineApiResult:
        return await self._post(REPLY_PATH, {"replyToken": reply_token, "messages": messages})

    async def push(self, to: Text, messages: List[Dict[Text, Any]]) -> LineApiResult:
        return await self._post(PUSH_PATH, {"to": to, "messages": messages})


# --------------------------------------------------------------------------
# Input channel
# --------------------------------------------------------------------------


def _error(status: int, message: Text) -> HTTPResponse:
    return response.json({"status": "error", "message": message}, status=status)


class LineInput(InputChannel):
    """LINE Messaging API webhook (``POST /webhooks/line/webhook``)."""

    @classmethod
    def name(cls) -> Text:
        return "line"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> "LineInput":
        credentials = credentials or {}
        secret = resolve_setting(credentials.get("channel_secret"), ENV_CHANNEL_SECRET)
        token = resolve_setting(
            credentials.get("channel_access_token"), ENV_CHANNEL_ACCESS_TOKEN
        )
        api_base = (os.environ.get(ENV_API_BASE) or "").strip() or DEFAULT_API_BASE
        return cls(secret, token, api_base)

    def __init__(
        self,
        channel_secret: Optional[Text],
        channel_access_token: Optional[Text],
        api_base: Text = DEFAULT_API_BASE,
        max_body_bytes: int = MAX_BODY_BYTES,
        http_timeout: float = 10.0,
    ) -> None:
        self._channel_secret = channel_secret or None
        self.max_body_bytes = max_body_bytes
        self.api = LineApiClient(api_base, channel_access_token or None, http_timeout)
        if not self._channel_secret and not channel_access_token:
            # The usual case when LINE is not used: one line, not an error (REST and the widget work).
            logger.info(
                "LINE channel not configured (%s and %s unset): its webhook answers 401; "
                "REST and the web widget are unaffected.", ENV_CHANNEL_SECRET, ENV_CHANNEL_ACCESS_TOKEN,
            )
            return
        if not self._channel_secret:
            logger.error(
                "LINE: channel secret is not configured (set %s); every webhook "
                "call will be rejected with 401.", ENV_CHANNEL_SECRET,
            )
        if not channel_access_token:
            logger.error(
                "LINE: channel access token is not configured (set %s); the bot "
                "cannot answer.", ENV_CHANNEL_ACCESS_TOKEN,
            )
        logger.info("LINE channel ready (api_base=%s).", self.api.api_base)

    def __repr__(self) -> Text:  # never show secrets
        return f"LineInput(api_base={self.api.api_base!r})"

    # -- webhook -------------------------------------------------------------

    def blueprint(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> Blueprint:
        line_webhook = Blueprint("line_webhook", __name__)
        # never silent, rate-limited per user, text cleaned; runs only for events that passed the checks below
        on_new_message = protected(on_new_message)

        @line_webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @line_webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            return await self._handle_webhook(request, on_new_message)

        return line_webhook

    async def _read_body(self, request: Request) -> Optional[bytes]:
        """The raw body, or None as soon as it exceeds ``max_body_bytes``."""
        if request.stream is None:  # non-streaming request (body already read)
            body = request.body or b""
            return body if len(body) <= self.max_body_bytes else None
        chunks = []
        size = 0
        while True:
            chunk = await request.stream.read()
            if chunk is None:
                break
            size += len(chunk)
            if size > self.max_body_bytes:
                return None
            chunks.append(chunk)
        return b"".join(chunks)

    async def _handle_webhook(
        self,
        request: Request,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> HTTPResponse:
        if not self._channel_secret:
            logger.error(
                "LINE webhook rejected (401): channel secret is not configured "
                "(set %s). Failing closed.", ENV_CHANNEL_SECRET,
            )
            return _error(401, "channel secret not configured")

        content_length = request.headers.get("content-length")
        if content_length is not None:
            try:
                too_large = int(content_length) > self.max_body_bytes
            except ValueError:
                return _error(400, "invalid Content-Length")
            if too_large:
                logger.warning("LINE webhook rejected (413): body too large.")
                return _error(413, "request body too large")

        signature = (request.headers.get(SIGNATURE_HEADER) or "").strip()
        if not signature:
            logger.warning("LINE webhook rejected (400): missing %s header.", SIGNATURE_HEADER)
            return _error(400, f"missing {SIGNATURE_HEADER} header")

        body = await self._read_body(request)
        if body is None:
            logger.warning("LINE webhook rejected (413): body too large.")
            return _error(413, "request body too large")

        if not is_valid_signature(self._channel_secret, body, signature):
            logger.warning("LINE webhook rejected (401): invalid signature.")
            return _error(401, "invalid signature")

        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            logger.warning("LINE webhook rejected (400): body is not valid JSON.")
            return _error(400, "malformed JSON body")
        if not isinstance(payload, dict) or not isinstance(payload.get("events"), list):
            logger.warning("LINE webhook rejected (400): no 'events' list in body.")
            return _error(400, "body must be a JSON object with an 'events' list")

        events = payload["events"]
        if not events:
            logger.debug("LINE webhook verification call (no events).")
        for event in events:
            await self._process_event_safely(event, on_new_message)
        return response.json({"status": "ok"})

    # -- events --------------------------------------------------------------

    async def _process_event_safely(
        self, event: Any, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        if not isinstance(event, dict):
            logger.warning("LINE: skipped an event that is not a JSON object.")
            return
        source = event.get("source") if isinstance(event.get("source"), dict) else {}
        event_type = str(event.get("type") or "?")
        try:
            await self._process_event(event, source, on_new_message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # one bad event must not stop the others
            # No message text and no traceback at ERROR level (exception
            # messages may quote user input); the traceback goes to DEBUG.
            logger.error(
                "LINE: failed to handle %s event (user=%s): %s",
                event_type, user_hash(source.get("userId")), type(exc).__name__,
            )
            logger.debug("LINE: event failure traceback", exc_info=True)

    async def _process_event(
        self,
        event: Dict[Text, Any],
        source: Dict[Text, Any],
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        event_type = event.get("type")
        if event.get("mode") == "standby":
            logger.debug("LINE: skipped %s event in standby mode.", event_type)
            return
        sender_id = source.get("userId") or source.get("groupId") or source.get("roomId")
        if not sender_id:
            logger.warning("LINE: skipped %s event without a source id.", event_type)
            return
        log_user = user_hash(sender_id)

        if event_type == "message":
            message = event.get("message") if isinstance(event.get("message"), dict) else {}
            if message.get("type") == "text":
                text = message.get("text")
                if isinstance(text, str):  # whitespace only too: the bot asks for a question
                    await self._run_turn(event, source, sender_id, text, on_new_message)
                return
            logger.info(
                "LINE: unsupported %s message from user=%s; sent the text-only hint.",
                message.get("type"), log_user,
            )
            await self._deliver(event, source, [text_message(channel_text("line_unsupported"))])
        elif event_type == "postback":
            postback = event.get("postback") if isinstance(event.get("postback"), dict) else {}
            data = postback.get("data")
            if isinstance(data, str) and data.strip():
                await self._run_turn(event, source, sender_id, data, on_new_message)
        elif event_type == "follow":
            await self._run_turn(event, source, sender_id, FOLLOW_PAYLOAD, on_new_message)
        else:
            logger.debug("LINE: ignored %s event (user=%s).", event_type, log_user)

    async def _run_turn(
        self,
        event: Dict[Text, Any],
        source: Dict[Text, Any],
        sender_id: Text,
        text: Text,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
    ) -> None:
        """Sends ``text`` to Rasa, then all bot messages in one LINE call."""
        collector = LineOutput()
        await on_new_message(
            UserMessage(
                text,
                collector,
                sender_id,
                input_channel=self.name(),
                metadata={
                    "line_event_type": event.get("type"),
                    "line_source_type": source.get("type"),
                },
            )
        )
        messages = build_line_messages(collector.messages)
        if messages:
            await self._deliver(event, source, messages)
        else:
            logger.debug(
                "LINE: no bot response for %s event (user=%s).",
                event.get("type"), user_hash(sender_id),
            )

    async def _deliver(
        self,
        event: Dict[Text, Any],
        source: Dict[Text, Any],
        messages: List[Dict[Text, Any]],
    ) -> None:
        """Reply with the event's token; push if the token is expired/invalid."""
        event_type = event.get("type")
        log_user = user_hash(source.get("userId"))
        reply_token = event.get("replyToken")
        if isinstance(reply_token, str) and reply_token in DUMMY_REPLY_TOKENS:
            return
        if isinstance(reply_token, str) and reply_token:
            result = await self.api.reply(reply_token, messages)
            if result.ok:
                return
            if not result.invalid_reply_token:
                logger.error(
                    "LINE reply failed for %s event (user=%s): HTTP %s %s",
                    event_type, log_user, result.status, result.error_message,
                )
                return
            logger.info(
                "LINE reply token expired/invalid for %s event (user=%s); "
                "falling back to push.", event_type, log_user,
            )
        # Push to the chat the event came from (the user in 1:1 chats).
        if source.get("type") == "group":
            to = source.get("groupId")
        elif source.get("type") == "room":
            to = source.get("roomId")
        else:
            to = source.get("userId")
        to = to or source.get("userId") or source.get("groupId") or source.get("roomId")
        if not to:
            logger.error("LINE: cannot push for %s event: no recipient.", event_type)
            return
        result = await self.api.push(to, messages)
        if not result.ok:
            logger.error(
                "LINE push failed for %s event (user=%s): HTTP %s %s",
                event_type, log_user, result.status, result.error_message,
            )
