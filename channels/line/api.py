"""The LINE Messaging API calls the bot makes, with the HTTP client already installed (aiohttp): line-bot-sdk 3.x,
which has them, does not fit beside Rasa's pins. Every call returns an ApiResult; none raises for an HTTP error,
so a failing side call (loading animation, mark as read) can never stop an answer."""

import asyncio
import json
import logging
from typing import Any

import aiohttp

logger = logging.getLogger(__name__)

DEFAULT_API_BASE = "https://api.line.me"
DEFAULT_DATA_API_BASE = "https://api-data.line.me"  # uploads (rich menu images) go to this host

REPLY_PATH = "/v2/bot/message/reply"
PUSH_PATH = "/v2/bot/message/push"
LOADING_PATH = "/v2/bot/chat/loading/start"
MARK_AS_READ_PATH = "/v2/bot/chat/markAsRead"
RICHMENU_PATH = "/v2/bot/richmenu"
RICHMENU_LIST_PATH = "/v2/bot/richmenu/list"
DEFAULT_RICHMENU_PATH = "/v2/bot/user/all/richmenu"

LOADING_MIN, LOADING_MAX = 5, 60  # seconds, in steps of 5 (LINE's rule)


class ApiResult:
    """Status and decoded JSON body (if any) of a LINE API call; status 0 = not sent (no token, network)."""

    def __init__(self, status: int, body: Any) -> None:
        self.status = status
        self.body = body

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def error_message(self) -> str:
        if isinstance(self.body, dict):
            return str(self.body.get("message") or "")[:200]
        return ""

    @property
    def invalid_reply_token(self) -> bool:
        return self.status == 400 and "invalid reply token" in self.error_message.lower()


def loading_seconds(seconds: int) -> int:
    """A duration LINE accepts: a multiple of 5 between 5 and 60."""
    return max(LOADING_MIN, min(LOADING_MAX, (int(seconds) + 4) // 5 * 5))


class LineApiClient:
    """One aiohttp session per event loop (kept alive between calls), the access token in the header only."""

    def __init__(
        self, api_base: str, access_token: str | None, timeout: float = 10.0, data_api_base: str = DEFAULT_DATA_API_BASE
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self.data_api_base = data_api_base.rstrip("/")
        self._access_token = access_token
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def __repr__(self) -> str:  # never show the token
        return f"LineApiClient(api_base={self.api_base!r})"

    def _client(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._loop is not loop:
            self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=self.timeout))
            self._loop = loop
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    async def call(
        self,
        method: str,
        path: str,
        payload: Any = None,
        *,
        data: bytes | None = None,
        content_type: str = "application/json",
        base: str | None = None,
        timeout: float | None = None,
    ) -> ApiResult:
        if not self._access_token:
            logger.error("LINE: no channel access token (LINE_CHANNEL_ACCESS_TOKEN): cannot call %s.", path)
            return ApiResult(0, None)
        if data is None and payload is not None:
            data = json.dumps(payload, ensure_ascii=False).encode("utf-8")
        headers = {"Authorization": f"Bearer {self._access_token}"}
        if data is not None:
            headers["Content-Type"] = content_type
        request_timeout = aiohttp.ClientTimeout(total=timeout) if timeout else None
        try:
            async with self._client().request(
                method, (base or self.api_base) + path, data=data, headers=headers, timeout=request_timeout
            ) as resp:
                raw = await resp.read()
        except (aiohttp.ClientError, asyncio.TimeoutError) as error:
            logger.warning("LINE: %s %s failed: %s", method, path, type(error).__name__)
            return ApiResult(0, None)
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            body = None
        return ApiResult(resp.status, body)

    # -- messages ----------------------------------------------------------------------------------------------
    async def reply(self, reply_token: str, messages: list[dict[str, Any]]) -> ApiResult:
        return await self.call("POST", REPLY_PATH, {"replyToken": reply_token, "messages": messages})

    async def push(self, to: str, messages: list[dict[str, Any]]) -> ApiResult:
        return await self.call("POST", PUSH_PATH, {"to": to, "messages": messages})

    async def start_loading(self, chat_id: str, seconds: int, timeout: float = 2.0) -> ApiResult:
        """The typing animation in a one-to-one chat, until the next message or ``seconds`` pass."""
        return await self.call(
            "POST", LOADING_PATH, {"chatId": chat_id, "loadingSeconds": loading_seconds(seconds)}, timeout=timeout
        )

    async def mark_as_read(self, token: str, timeout: float = 2.0) -> ApiResult:
        return await self.call("POST", MARK_AS_READ_PATH, {"markAsReadToken": token}, timeout=timeout)

    # -- rich menus ----------------------------------------------------------------------------------------------
    async def list_rich_menus(self) -> ApiResult:
        return await self.call("GET", RICHMENU_LIST_PATH)

    async def create_rich_menu(self, definition: dict[str, Any]) -> ApiResult:
        return await self.call("POST", RICHMENU_PATH, definition)

    async def upload_rich_menu_image(self, rich_menu_id: str, png: bytes) -> ApiResult:
        return await self.call(
            "POST",
            f"{RICHMENU_PATH}/{rich_menu_id}/content",
            data=png,
            content_type="image/png",
            base=self.data_api_base,
            timeout=60,
        )

    async def default_rich_menu(self) -> ApiResult:
        return await self.call("GET", DEFAULT_RICHMENU_PATH)

    async def set_default_rich_menu(self, rich_menu_id: str) -> ApiResult:
        return await self.call("POST", f"{DEFAULT_RICHMENU_PATH}/{rich_menu_id}")

    async def delete_rich_menu(self, rich_menu_id: str) -> ApiResult:
        return await self.call("DELETE", f"{RICHMENU_PATH}/{rich_menu_id}")
