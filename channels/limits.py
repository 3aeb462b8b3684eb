"""Per-sender rate limit on the public channels (REST, socket.io, LINE).

A sender over RATE_LIMIT_PER_MINUTE messages in the last 60 seconds (default 30; 0 turns the limit off) gets
the polite notice `rate_limited` from knowledge/messages.yml and the message is not processed: no NLU, no
action call, nothing in the tracker store. A firm typing by hand stays far below 30 a minute; a script flooding
one conversation is answered cheaply.

The count lives in the memory of one Rasa process (a restart forgets it; with several processes behind a balancer
each counts its own share), one count per channel. The key is the sender id the client gives (REST "sender", the
widget's session id, the LINE user id): a client can invent new REST or socket.io ids, so this limits floods of
one conversation, not a determined attacker (that is the reverse proxy's job, per address).
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections import deque
from functools import lru_cache

from rasa.core.channels.channel import UserMessage

from knowledge.kb import emergency_text

logger = logging.getLogger(__name__)

ENV = "RATE_LIMIT_PER_MINUTE"
DEFAULT_LIMIT = 30
WINDOW = 60.0


def limit_from_env() -> int:
    raw = os.environ.get(ENV, "").strip()
    if not raw:
        return DEFAULT_LIMIT
    try:
        return max(0, int(raw))
    except ValueError:
        logger.error("%s=%r is not a whole number; using %d", ENV, raw, DEFAULT_LIMIT)
        return DEFAULT_LIMIT


class RateLimiter:
    """Sliding window: at most `limit` messages per key in any `window` seconds."""

    def __init__(self, limit: int, window: float = WINDOW, clock=time.monotonic) -> None:
        self.limit = limit
        self.window = window
        self.clock = clock
        self._seen: dict = {}  # key -> deque of the times of its accepted messages
        self._next_sweep = 0.0

    def allow(self, key) -> bool:
        if self.limit <= 0:
            return True
        now = self.clock()
        self._sweep(now)
        times = self._seen.setdefault(key, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) >= self.limit:
            return False
        times.append(now)
        return True

    def _sweep(self, now: float) -> None:
        """Forgets senders idle for a whole window, at most once a window, so memory follows recent traffic."""
        if now < self._next_sweep:
            return
        self._next_sweep = now + self.window
        for key in [k for k, t in self._seen.items() if not t or t[-1] <= now - self.window]:
            del self._seen[key]

    def __len__(self) -> int:
        return len(self._seen)


@lru_cache(maxsize=1)
def notice() -> str:
    return emergency_text("rate_limited")


def sender_hash(sender_id) -> str:
    return hashlib.sha256(str(sender_id).encode("utf-8")).hexdigest()[:12]


def rate_limited(on_new_message, limiter: RateLimiter | None = None):
    limiter = limiter or RateLimiter(limit_from_env())

    async def handler(message: UserMessage) -> None:
        # one limiter per channel, keyed by sender only: REST lets the client name the input_channel
        if limiter.allow(message.sender_id):
            await on_new_message(message)
            return
        logger.info(
            "rate limit: over %d messages a minute from sender=%s; sent the notice",
            limiter.limit,
            sender_hash(message.sender_id),
        )
        await message.output_channel.send_response(message.sender_id, {"text": notice()})

    handler.limiter = limiter  # for tests
    return handler
