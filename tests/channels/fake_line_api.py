"""A fake LINE Messaging API (aiohttp) bound to 127.0.0.1 on an ephemeral port, serving both of LINE's hosts
(api.line.me and api-data.line.me). It records every call (method, path, headers, JSON body, raw body) and
answers like LINE does:

* ``POST /v2/bot/message/reply`` -> 200 ``{}``; after ``fake.expire_reply_tokens = True``, 400 "Invalid reply
  token". ``POST /v2/bot/message/push`` -> 200 ``{}``. Both 400 when ``messages`` is missing, empty or over 5.
* ``POST /v2/bot/chat/loading/start`` -> 202 ``{}``; 400 unless ``loadingSeconds`` is 5..60 in steps of 5.
  ``fake.fail_loading = True`` -> 500 (LINE down for that call); ``fake.loading_delay`` seconds before answering.
* ``POST /v2/bot/chat/markAsRead`` -> 200 ``{}``; 400 without ``markAsReadToken``.
* rich menus: ``POST /v2/bot/richmenu`` (-> ``richMenuId``), ``GET /v2/bot/richmenu/list``,
  ``POST /v2/bot/richmenu/{id}/content`` (image/png or image/jpeg, at most 1 MB), ``GET`` / ``POST``
  ``/v2/bot/user/all/richmenu[/{id}]``, ``DELETE /v2/bot/richmenu/{id}``; state in ``fake.rich_menus``,
  ``fake.rich_menu_images``, ``fake.default_rich_menu``.
* 401 without a ``Bearer`` token, 404 for any other path.

Usage (inside a running event loop)::

    async with FakeLineApi() as fake:
        ... fake.base_url ... fake.calls ...
"""

import asyncio
import json
import uuid
from typing import Any

from aiohttp import web

REPLY_PATH = "/v2/bot/message/reply"
PUSH_PATH = "/v2/bot/message/push"
LOADING_PATH = "/v2/bot/chat/loading/start"
MARK_AS_READ_PATH = "/v2/bot/chat/markAsRead"
RICHMENU = "/v2/bot/richmenu"
DEFAULT_RICHMENU = "/v2/bot/user/all/richmenu"


def _error(message: str, status: int = 400) -> web.Response:
    return web.json_response({"message": message}, status=status)


class FakeLineApi:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []
        self.expire_reply_tokens = False
        self.push_quota_exhausted = False  # push answers 429 as LINE does when the monthly quota is used up
        self.fail_loading = False
        self.loading_delay = 0.0
        self.rich_menus: dict[str, dict[str, Any]] = {}
        self.rich_menu_images: dict[str, bytes] = {}
        self.default_rich_menu: str | None = None
        self._runner: web.AppRunner | None = None
        self.port: int | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def calls_to(self, path: str) -> list[dict[str, Any]]:
        return [c for c in self.calls if c["path"] == path]

    def changes(self) -> list[dict[str, Any]]:
        """Every call that changes something on LINE's side (not a GET)."""
        return [c for c in self.calls if c["method"] != "GET"]

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except (ValueError, UnicodeDecodeError):
            body = None
        self.calls.append(
            {"method": request.method, "path": request.path, "headers": dict(request.headers), "json": body, "raw": raw}
        )
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return web.json_response({"message": "Authentication failed"}, status=401)
        path, method = request.path, request.method
        if path in (REPLY_PATH, PUSH_PATH) and method == "POST":
            return self._message(path, body)
        if path == LOADING_PATH and method == "POST":
            return await self._loading(body)
        if path == MARK_AS_READ_PATH and method == "POST":
            ok = isinstance(body, dict) and isinstance(body.get("markAsReadToken"), str)
            return web.json_response({}) if ok else _error("markAsReadToken is required")
        if path.startswith(RICHMENU) or path.startswith(DEFAULT_RICHMENU):
            return self._rich_menu(method, path, body, raw, request.headers.get("Content-Type", ""))
        return _error("Not found", 404)

    def _message(self, path: str, body: Any) -> web.Response:
        messages = body.get("messages") if isinstance(body, dict) else None
        if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
            return web.json_response(
                {
                    "message": "The request body has 1 error(s)",
                    "details": [{"message": "Size must be between 1 and 5", "property": "messages"}],
                },
                status=400,
            )
        if path == REPLY_PATH and self.expire_reply_tokens:
            return _error("Invalid reply token")
        if path == PUSH_PATH and self.push_quota_exhausted:
            return _error("You have reached your monthly limit.", 429)
        return web.json_response({})

    async def _loading(self, body: Any) -> web.Response:
        if self.loading_delay:
            await asyncio.sleep(self.loading_delay)
        if self.fail_loading:
            return _error("Internal server error", 500)
        seconds = body.get("loadingSeconds") if isinstance(body, dict) else None
        if (
            not isinstance(body, dict)
            or not isinstance(body.get("chatId"), str)
            or not (isinstance(seconds, int) and 5 <= seconds <= 60 and seconds % 5 == 0)
        ):
            return _error("The request body has 1 error(s)")
        return web.json_response({}, status=202)

    def _rich_menu(self, method: str, path: str, body: Any, raw: bytes, content_type: str) -> web.Response:
        parts = path.strip("/").split("/")
        if path == RICHMENU and method == "POST":
            if not isinstance(body, dict) or not body.get("areas") or body.get("size") is None:
                return _error("invalid rich menu")
            menu_id = f"richmenu-{uuid.uuid4().hex}"
            self.rich_menus[menu_id] = {**body, "richMenuId": menu_id}
            return web.json_response({"richMenuId": menu_id})
        if path == f"{RICHMENU}/list" and method == "GET":
            return web.json_response({"richmenus": list(self.rich_menus.values())})
        if path.startswith(RICHMENU + "/") and path.endswith("/content") and method == "POST":
            menu_id = parts[3]
            if menu_id not in self.rich_menus:
                return _error("Not found", 404)
            if content_type not in ("image/png", "image/jpeg") or len(raw) > 1024 * 1024:
                return _error("invalid image")
            if menu_id in self.rich_menu_images:
                return _error("An image has already been uploaded to the richmenu")
            self.rich_menu_images[menu_id] = raw
            return web.json_response({})
        if path.startswith(RICHMENU + "/") and method == "DELETE" and len(parts) == 4:
            if self.rich_menus.pop(parts[3], None) is None:
                return _error("Not found", 404)
            self.rich_menu_images.pop(parts[3], None)
            if self.default_rich_menu == parts[3]:
                self.default_rich_menu = None
            return web.json_response({})
        if path == DEFAULT_RICHMENU and method == "GET":
            if self.default_rich_menu is None:
                return _error("no default rich menu", 404)
            return web.json_response({"richMenuId": self.default_rich_menu})
        if path.startswith(DEFAULT_RICHMENU + "/") and method == "POST":
            menu_id = parts[-1]
            if menu_id not in self.rich_menus or menu_id not in self.rich_menu_images:
                return _error("must upload richmenu image before applying it to user")
            self.default_rich_menu = menu_id
            return web.json_response({})
        return _error("Not found", 404)

    async def start(self) -> "FakeLineApi":
        app = web.Application(client_max_size=2 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> "FakeLineApi":
        return await self.start()

    async def __aexit__(self, *exc: Any) -> None:
        await self.stop()
