"""REST load client: each sender plays whole conversations (a question, follow-ups that need the slots, thanks),
one message at a time, waiting for each reply; latency per turn and messages per second over the run.
Every turn goes through action_answer, so the action server is in the loop."""

from __future__ import annotations

import asyncio
import statistics
import time
import uuid
from dataclasses import dataclass, field

import aiohttp

CONVERSATION = (
    "我營業額掉了15%能貸多少",
    "電話呢？",
    "我們是中小企業",
    "利率多少",
    "研發轉型補助是什麼",
    "謝謝",
)


@dataclass
class Run:
    latencies_ms: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    wall_s: float = 0.0

    @property
    def messages(self) -> int:
        return len(self.latencies_ms)

    def summary(self) -> dict:
        lat = sorted(self.latencies_ms)
        q = statistics.quantiles(lat, n=100, method="inclusive") if len(lat) > 1 else lat * 99
        return {
            "messages": self.messages,
            "failures": len(self.failures),
            "p50_ms": round(q[49], 1),
            "p95_ms": round(q[94], 1),
            "p99_ms": round(q[98], 1),
            "max_ms": round(lat[-1], 1) if lat else None,
            "throughput_msgs_s": round(self.messages / self.wall_s, 1) if self.wall_s else None,
        }


def stand_ins() -> frozenset:
    """What the channels send instead of an answer: the apology when the action server failed, the rate-limit
    notice, the notice that the knowledge base cannot be read."""
    from knowledge.kb import emergency_text

    texts = set()
    for key in ("busy", "rate_limited", "kb_unavailable"):
        try:
            texts.add(emergency_text(key))
        except KeyError:
            pass
    return frozenset(texts)


def is_answer(body, not_answers=frozenset()) -> bool:
    """A real answer: a non-empty list of bot messages with text, none of them a stand-in (see stand_ins)."""
    if not isinstance(body, list) or not body:
        return False
    texts = [m.get("text") or "" for m in body if isinstance(m, dict)]
    return any(texts) and not any(t in not_answers for t in texts)


async def _turn(session, url: str, sender: str, text: str, run: Run, not_answers: frozenset) -> None:
    start = time.perf_counter()
    try:
        async with session.post(url, json={"sender": sender, "message": text}) as response:
            body = await response.json(content_type=None) if response.status == 200 else None
            ok = is_answer(body, not_answers)
            problem = f"HTTP {response.status}" if response.status != 200 else "no answer"
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        ok, problem = False, repr(error)
    run.latencies_ms.append((time.perf_counter() - start) * 1000)
    if not ok:
        run.failures.append(f"{sender} {text!r}: {problem}")


async def _sender(session, url, prefix, conversations, run, not_answers, turns):
    for c in range(conversations):
        sender = f"{prefix}-{c}"
        for text in turns:
            await _turn(session, url, sender, text, run, not_answers)


async def _run(url: str, senders: int, conversations_each: int, not_answers: frozenset, turns) -> Run:
    run = Run()
    tag = uuid.uuid4().hex[:8]
    connector = aiohttp.TCPConnector(limit=senders)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=120)) as session:
        start = time.perf_counter()
        await asyncio.gather(
            *(
                _sender(session, url, f"bench-{tag}-{s}", conversations_each, run, not_answers, turns)
                for s in range(senders)
            )
        )
        run.wall_s = time.perf_counter() - start
    return run


def load(
    url: str, senders: int, conversations_each: int, not_answers: frozenset = frozenset(), turns=CONVERSATION
) -> Run:
    """`senders` conversations in flight at once, each sender playing `conversations_each` conversations."""
    return asyncio.run(_run(url, senders, conversations_each, not_answers, turns))
