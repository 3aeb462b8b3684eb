"""`make soak`: 16 firms typing at once for 60 s on REST. Every message must get an answer (not the apology) and
be in the tracker store; prints messages, errors, lost, p50/p95 latency and messages per second, and exits 1 if
any message failed or was lost.

    python scripts/soak.py                          # starts its own action server + Rasa (free ports, fresh tracker)
    python scripts/soak.py --senders 16 --duration 60 --url http://localhost:5005 --tracker-db var/tracker.db
    python scripts/soak.py --url http://localhost:5005   # checks the store through Rasa's API, with the token of
                                                         # `make run` (var/rasa-api-token; --token-file another)

Each sender plays whole conversations one message at a time, waiting for each reply (a firm reads before it types),
with a new conversation id for each conversation. The bot it starts runs with RATE_LIMIT_PER_MINUTE=0: the soak
measures capacity, and the per-sender limit (30 a minute) would otherwise answer a fast sender with the notice.
Against a running bot (--url), start that bot with RATE_LIMIT_PER_MINUTE=0 too; replies that are the limit's
notice are counted as errors, so a distorted run shows.

The REST client (RestClient, Turn) and the figures (summary) are meant to be reused by other load tools.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.procs import SERVING, child_env, free_port  # noqa: E402

CONVERSATION = (
    "我營業額掉了15%能貸多少",
    "電話呢？",
    "我們是中小企業",
    "如果只借80萬呢",
    "利率多少",
    "研發轉型補助是什麼",
    "謝謝",
)


@dataclass
class Turn:
    sender: str
    text: str
    status: int = 0  # HTTP status, 0 when the request itself failed
    seconds: float = 0.0
    messages: list = field(default_factory=list)
    error: str = ""  # why the turn is not a good answer ("" when it is)


def failure_texts() -> dict:
    """The texts that mean the turn did not really work: the channel's apology, the knowledge base's, the limit's."""
    from knowledge.kb import emergency_text

    return {emergency_text(k): k for k in ("busy", "kb_unavailable", "rate_limited")}


class RestClient:
    """Rasa's REST channel: one POST per message, the bot's messages in the response."""

    def __init__(self, url: str, session: aiohttp.ClientSession, failures: dict | None = None) -> None:
        self.webhook = url.rstrip("/") + "/webhooks/rest/webhook"
        self.session = session
        self.failures = failures if failures is not None else failure_texts()

    async def send(self, sender: str, text: str) -> Turn:
        turn = Turn(sender, text)
        start = time.perf_counter()
        try:
            async with self.session.post(self.webhook, json={"sender": sender, "message": text}) as response:
                turn.status = response.status
                body = await response.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
            body, turn.error = None, f"request failed: {type(error).__name__}"
        turn.seconds = time.perf_counter() - start
        if turn.error:
            return turn
        if turn.status != 200:
            turn.error = f"HTTP {turn.status}"
        elif not isinstance(body, list) or not any(isinstance(m, dict) and m.get("text") for m in body):
            turn.error = "no reply"
        else:
            turn.messages = body
            failed = [self.failures[m["text"]] for m in body if m.get("text") in self.failures]
            if failed:
                turn.error = f"replied {failed[0]}"
        return turn


async def _sender(client: RestClient, name: str, deadline: float, turns: list) -> None:
    conversation = 0
    while time.monotonic() < deadline:
        sender = f"{name}-{conversation}"
        for text in CONVERSATION:
            if time.monotonic() >= deadline:
                return
            turns.append(await client.send(sender, text))
        conversation += 1


async def soak(url: str, senders: int = 16, duration: float = 60.0, timeout: float = 60.0) -> tuple[list, float]:
    """All the turns of `senders` concurrent senders during `duration` seconds, and the wall time."""
    turns: list = []
    run = uuid.uuid4().hex[:8]
    connector = aiohttp.TCPConnector(limit=senders)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=timeout)) as session:
        client = RestClient(url, session)
        start = time.monotonic()
        await asyncio.gather(*(_sender(client, f"soak-{run}-{s}", start + duration, turns) for s in range(senders)))
        return turns, time.monotonic() - start


def stored_user_texts(
    senders: set, tracker_db: Path | None = None, url: str | None = None, token: str | None = None
) -> dict:
    """sender -> the user messages the tracker store holds, read from the SQLite file or through Rasa's API (with
    its token, when it has one)."""
    stored: dict = {s: [] for s in senders}
    if tracker_db:
        con = sqlite3.connect(f"file:{tracker_db}?mode=ro", uri=True, timeout=30)
        try:
            for sender, data in con.execute(
                "select sender_id, data from events where type_name = 'user' and sender_id like 'soak-%' order by id"
            ):
                if sender in stored:
                    stored[sender].append(json.loads(data).get("text"))
        finally:
            con.close()
        return stored
    for sender in senders:
        query = f"?token={urllib.parse.quote(token)}" if token else ""
        with urllib.request.urlopen(f"{url.rstrip('/')}/conversations/{sender}/tracker{query}", timeout=30) as response:
            events = json.loads(response.read())["events"]
        stored[sender] = [e.get("text") for e in events if e.get("event") == "user"]
    return stored


def summary(turns: list, wall: float, stored: dict | None = None) -> dict:
    """The figures: messages, errors, lost (no reply, or not in the tracker store), latency, throughput."""
    latencies = sorted(t.seconds * 1000 for t in turns)
    q = statistics.quantiles(latencies, n=100, method="inclusive") if len(latencies) > 1 else latencies * 99
    unanswered = sum(t.error == "no reply" for t in turns)
    missing = 0
    if stored is not None:
        for sender in {t.sender for t in turns}:
            sent = Counter(t.text for t in turns if t.sender == sender and t.status == 200)
            missing += sum((sent - Counter(stored.get(sender, []))).values())
    return {
        "senders": len({t.sender.rsplit("-", 1)[0] for t in turns}),
        "conversations": len({t.sender for t in turns}),
        "messages": len(turns),
        "errors": sum(bool(t.error) and t.error != "no reply" for t in turns),
        "lost": unanswered + missing,
        "unanswered": unanswered,
        "missing_from_store": missing,
        "p50_ms": round(q[49]) if q else None,
        "p95_ms": round(q[94]) if q else None,
        "max_ms": round(latencies[-1]) if latencies else None,
        "msgs_per_s": round(len(turns) / wall, 1) if wall else None,
        "seconds": round(wall, 1),
        "first_errors": sorted({f"{t.error} ({t.text})" for t in turns if t.error})[:5],
    }


# --------------------------------------------------------------------------------------- a bot of its own
def _ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@contextmanager
def local_bot(
    workdir: Path,
    env: dict | None = None,
    timeout: float = 300,
    tracker_db: Path | None = None,
    model: Path | None = None,
):
    """The action server and Rasa (models/current-config.tar.gz or `model`, the repo's credentials) on free ports,
    with a fresh tracker store in workdir (or tracker_db); yields (Rasa's URL, the tracker file)."""
    action_port, rasa_port = free_port(), free_port()
    endpoints = workdir / "endpoints.yml"
    endpoints.write_text(
        (ROOT / "endpoints.yml").read_text(encoding="utf-8").replace("localhost:5055", f"127.0.0.1:{action_port}"),
        encoding="utf-8",
    )
    tracker_db = tracker_db or workdir / "tracker.db"
    env = child_env(TRACKER_DB=tracker_db, **(env or {}))
    rasa = str(ROOT / ".venv" / "bin" / "rasa")
    commands = {
        "actions": [rasa, "run", "actions", "--actions", "actions", "--port", str(action_port)],
        "rasa": [
            *SERVING,
            "run",
            "--model",
            str(model or ROOT / "models" / "current-config.tar.gz"),
            "--enable-api",
            "-i",
            "127.0.0.1",
            "--port",
            str(rasa_port),
            "--credentials",
            str(ROOT / "credentials.yml"),
            "--endpoints",
            str(endpoints),
        ],
    }
    procs = []
    try:
        for name, command in commands.items():
            log = open(workdir / f"{name}.log", "wb")
            procs.append(
                subprocess.Popen(
                    command,
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,
                )
            )
        url = f"http://127.0.0.1:{rasa_port}"
        deadline = time.monotonic() + timeout
        while not (_ready(f"http://127.0.0.1:{action_port}/health") and _ready(url + "/status")):
            if time.monotonic() > deadline or any(p.poll() is not None for p in procs):
                raise SystemExit(f"the bot did not start: see {workdir}/actions.log and {workdir}/rasa.log")
            time.sleep(1)
        yield url, tracker_db
    finally:
        for proc in procs:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
        for proc in procs:
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)


def report(figures: dict) -> str:
    lines = [
        f"soak: {figures['senders']} senders × {figures['seconds']} s on REST "
        f"({figures['conversations']} conversations)",
        f"  messages {figures['messages']} · errors {figures['errors']} · lost {figures['lost']} "
        f"(unanswered {figures['unanswered']}, missing from the tracker store {figures['missing_from_store']})",
        f"  latency p50 {figures['p50_ms']} ms · p95 {figures['p95_ms']} ms · max {figures['max_ms']} ms · "
        f"{figures['msgs_per_s']} msgs/s",
    ]
    lines += [f"  e.g. {e}" for e in figures["first_errors"]]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--senders", type=int, default=16)
    parser.add_argument("--duration", type=float, default=60.0, help="seconds")
    parser.add_argument("--url", help="a running bot (default: start one with a fresh tracker store)")
    parser.add_argument("--tracker-db", type=Path, help="with --url: its tracker store (default: Rasa's API)")
    parser.add_argument(
        "--token-file",
        type=Path,
        default=ROOT / "var" / "rasa-api-token",
        help="with --url and no --tracker-db: Rasa's API token (default: make run's)",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args(argv)

    def run(url, tracker_db):
        turns, wall = asyncio.run(soak(url, args.senders, args.duration))
        token = None
        if not tracker_db and args.token_file.is_file():
            token = args.token_file.read_text(encoding="ascii").strip()
        stored = stored_user_texts({t.sender for t in turns}, tracker_db, url, token)
        return summary(turns, wall, stored)

    if args.url:
        figures = run(args.url, args.tracker_db)
    else:
        with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
            print("starting the action server and Rasa (about half a minute)…", file=sys.stderr)
            with local_bot(Path(tmp), {"RATE_LIMIT_PER_MINUTE": "0"}) as (url, tracker_db):
                figures = run(url, tracker_db)
    print(json.dumps(figures, ensure_ascii=False) if args.json else report(figures))
    return 0 if figures["messages"] and not figures["errors"] and not figures["lost"] else 1


if __name__ == "__main__":
    sys.exit(main())
