"""A fake LINE Messaging API (aiohttp) bound to 127.0.0.1 on an ephemeral port.

It records every call (method, path, headers, JSON body) and answers like
LINE does for the two endpoints the channel uses:

* ``POST /v2/bot/message/reply`` -> 200 ``{}``; or, after
  ``fake.expire_reply_tokens = True``, 400 ``{"message": "Invalid reply token"}``
* ``POST /v2/bot/message/push``  -> 200 ``{}``

Like LINE, it answers 400 when ``messages`` is missing/empty or has more
than 5 entries, and 401 without a ``Bearer`` token.

Usage (inside a running event loop)::

    async with FakeLineApi() as fake:
        ... fake.base_url ... fake.calls ...
"""

import json
from typing import Any, Dict, List, Optional

from aiohttp import web

REPLY_PATH = "/v2/bot/message/reply"
PUSH_PATH = "/v2/bot/message/push"


class FakeLineApi:
    def __init__(self) -> None:
        self.calls: List[Dict[str, Any]] = []
        self.expire_reply_tokens = False
        self._runner: Optional[web.AppRunner] = None
        self.port: Optional[int] = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def calls_to(self, path: str) -> List[Dict[str, Any]]:
        return [c for c in self.calls if c["path"] == path]

    async def _handle(self, request: web.Request) -> web.Response:
        raw = await request.read()
        try:
            body = json.loads(raw.decode("utf-8")) if raw else None
        except ValueError:
            body = None
        self.calls.append(
            {
                "method": request.method,
                "path": request.path,
                "headers": dict(request.headers),
                "json": body,
            }
        )
        if not request.headers.get("Authorization", "").startswith("Bearer "):
            return web.json_response({"message": "Authentication failed"}, status=401)
        if request.path not in (REPLY_PATH, PUSH_PATH):
            return web.json_response({"message": "Not found"}, status=404)
        messages = (body or {}).get("messages") if isinstance(body, dict) else None
        if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
            return web.json_response(
                {"message": "The request body has 1 error(s)",
                 "details": [{"message": "Size must be between 1 and 5",
                              "property": "messages"}]},
                status=400,
            )
        if request.path == REPLY_PATH and self.expire_reply_tokens:
            return web.json_response({"message": "Invalid reply token"}, status=400)
        return web.json_response({})

    async def start(self) -> "FakeLineApi":
        app = web.Application()
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
