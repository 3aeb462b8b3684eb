"""What the staff helper asks of the running bot (issue 16), over HTTP with the Rasa API token:
pause and resume a conversation (Rasa's ConversationPaused / ConversationResumed events: the bot stays quiet
while staff hold it) and deliver staff messages now (channels/handoff.py StaffRelay).

RASA_URL (default http://localhost:5005) and RASA_API_TOKEN_FILE (default var/rasa-api-token, what `make run`
generates). Every call returns whether it worked; a bot that is down loses nothing (the outbox keeps the messages,
and the pause is retried at the next claim or reply).
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import quote

import aiohttp

logger = logging.getLogger("staff.rasa")
ROOT = Path(__file__).resolve().parent.parent


class RasaApi:
    def __init__(self, url: str | None = None, token_file: str | os.PathLike | None = None, timeout: float = 10.0):
        self.url = (url or os.environ.get("RASA_URL") or "http://localhost:5005").rstrip("/")
        self.token_file = Path(token_file or os.environ.get("RASA_API_TOKEN_FILE") or ROOT / "var" / "rasa-api-token")
        self.timeout = aiohttp.ClientTimeout(total=timeout)

    def _token(self) -> str | None:
        try:
            return self.token_file.read_text(encoding="utf-8").strip() or None
        except OSError:
            return None

    async def _post(self, path: str, payload, params=None, headers=None) -> dict | None:
        try:
            async with (
                aiohttp.ClientSession(timeout=self.timeout) as session,
                session.post(self.url + path, json=payload, params=params, headers=headers) as r,
            ):
                if r.status >= 300:
                    logger.warning("bot answered HTTP %s to %s", r.status, path.split("/")[1])
                    return None
                return await r.json(content_type=None) or {}
        except (aiohttp.ClientError, TimeoutError, ValueError) as e:
            logger.warning("bot unreachable (%s)", type(e).__name__)
            return None

    async def _events(self, sender: str, events: list) -> bool:
        token = self._token()
        params = {"include_events": "NONE", **({"token": token} if token else {})}
        return await self._post(f"/conversations/{quote(sender, safe='')}/tracker/events", events, params) is not None

    async def pause(self, sender: str) -> bool:
        return await self._events(sender, [{"event": "pause"}])

    async def resume(self, sender: str) -> bool:
        return await self._events(sender, [{"event": "resume"}])

    async def deliver(self, sender: str, channel: str) -> dict | None:
        token = self._token() or ""
        return await self._post(
            "/webhooks/staff_relay/deliver",
            {"sender": sender, "channel": channel},
            headers={"Authorization": f"Bearer {token}"},
        )
