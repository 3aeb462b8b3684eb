"""The LINE input channel Rasa mounts at /webhooks/line (credentials.yml: ``channels.line.LineInput``).

* ``GET  /webhooks/line/``        -> ``{"status": "ok"}`` (health check)
* ``POST /webhooks/line/webhook`` -> LINE's webhook

Nothing is parsed, counted, sent to Rasa or to LINE unless every check passes, in this order:
secret not configured -> 401 (fail closed); Content-Length over 1 MB -> 413 (body not read); no
X-Line-Signature -> 400; body over 1 MB while reading -> 413; HMAC-SHA256 mismatch -> 401; not a JSON object
with ``events`` -> 400. Then each event is handled (channels/line/events.py) and the answer is 200. Each turn
goes through channels.guard.protected: text cleaned, rate limit per user, the apology when a turn produced
nothing. The user's text and the secrets are never logged; user ids only as a short hash.
"""

import base64
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Awaitable, Callable
from typing import Any

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from channels.guard import protected
from channels.line.api import DEFAULT_API_BASE, DEFAULT_DATA_API_BASE, LineApiClient
from channels.line.events import EventHandler

logger = logging.getLogger(__name__)

ENV_CHANNEL_SECRET = "LINE_CHANNEL_SECRET"
ENV_CHANNEL_ACCESS_TOKEN = "LINE_CHANNEL_ACCESS_TOKEN"
ENV_API_BASE = "LINE_API_BASE"
ENV_DATA_API_BASE = "LINE_DATA_API_BASE"
MAX_BODY_BYTES = 1024 * 1024
SIGNATURE_HEADER = "X-Line-Signature"


def compute_signature(channel_secret: str, body: bytes) -> str:
    """base64(HMAC-SHA256(channel_secret, body)) as LINE computes it."""
    digest = hmac.new(channel_secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def is_valid_signature(channel_secret: str, body: bytes, signature: str) -> bool:
    """Constant-time comparison of the expected and the received signature."""
    expected = compute_signature(channel_secret, body).encode("ascii")
    return hmac.compare_digest(expected, signature.encode("utf-8"))


def resolve_setting(value: Any, env_name: str) -> str | None:
    """A credentials value, unless it is empty or an unexpanded ``${...}``: then the environment variable."""
    if isinstance(value, str):
        value = value.strip()
        if value and not (value.startswith("${") and value.endswith("}")):
            return value
    elif value is not None:
        return str(value)
    return (os.environ.get(env_name) or "").strip() or None


def _error(status: int, message: str) -> HTTPResponse:
    return response.json({"status": "error", "message": message}, status=status)


class LineInput(InputChannel):
    """LINE Messaging API webhook (``POST /webhooks/line/webhook``)."""

    @classmethod
    def name(cls) -> str:
        return "line"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> "LineInput":
        credentials = credentials or {}
        secret = resolve_setting(credentials.get("channel_secret"), ENV_CHANNEL_SECRET)
        token = resolve_setting(credentials.get("channel_access_token"), ENV_CHANNEL_ACCESS_TOKEN)
        base = (os.environ.get(ENV_API_BASE) or "").strip() or DEFAULT_API_BASE
        return cls(secret, token, base, data_api_base=(os.environ.get(ENV_DATA_API_BASE) or "").strip() or None)

    def __init__(
        self,
        channel_secret: str | None,
        channel_access_token: str | None,
        api_base: str = DEFAULT_API_BASE,
        max_body_bytes: int = MAX_BODY_BYTES,
        http_timeout: float = 10.0,
        data_api_base: str | None = None,
    ) -> None:
        self._channel_secret = channel_secret or None
        self.max_body_bytes = max_body_bytes
        # uploads go to LINE's data host; a test's fake API serves both
        data_api_base = data_api_base or (DEFAULT_DATA_API_BASE if api_base == DEFAULT_API_BASE else api_base)
        self.api = LineApiClient(api_base, channel_access_token or None, http_timeout, data_api_base)
        self.events = EventHandler(self.api, self.name())
        if not self._channel_secret and not channel_access_token:
            # The usual case when LINE is not used: one line, not an error (REST and the widget work).
            logger.info(
                "LINE channel not configured (%s and %s unset): its webhook answers 401; "
                "REST and the web widget are unaffected.",
                ENV_CHANNEL_SECRET,
                ENV_CHANNEL_ACCESS_TOKEN,
            )
            return
        if not self._channel_secret:
            logger.error(
                "LINE: channel secret is not configured (set %s); every webhook call will be rejected with 401.",
                ENV_CHANNEL_SECRET,
            )
        if not channel_access_token:
            logger.error(
                "LINE: channel access token is not configured (set %s); the bot cannot answer.",
                ENV_CHANNEL_ACCESS_TOKEN,
            )
        logger.info("LINE channel ready (api_base=%s).", self.api.api_base)

    def __repr__(self) -> str:  # never show secrets
        return f"LineInput(api_base={self.api.api_base!r})"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        line_webhook = Blueprint("line_webhook", __name__)
        # never silent, rate-limited per user, text cleaned; runs only for events that passed the checks
        on_new_message = protected(on_new_message)

        @line_webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @line_webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            return await self._handle_webhook(request, on_new_message)

        return line_webhook

    async def _read_body(self, request: Request) -> bytes | None:
        """The raw body, or None as soon as it exceeds ``max_body_bytes``."""
        if request.stream is None:  # not streamed: already read
            body = request.body or b""
            return body if len(body) <= self.max_body_bytes else None
        chunks, size = [], 0
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
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        if not self._channel_secret:
            logger.error(
                "LINE webhook rejected (401): channel secret is not configured (set %s). Failing closed.",
                ENV_CHANNEL_SECRET,
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

        if not payload["events"]:
            logger.debug("LINE webhook verification call (no events).")
        for event in payload["events"]:
            await self.events.handle_safely(event, on_new_message)
        return response.json({"status": "ok"})
