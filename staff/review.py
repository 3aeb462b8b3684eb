"""Review of past conversations, read from Rasa's tracker store (SQLTrackerStore: SQLite, or PostgreSQL under
`make scale-up`; staff/tracker_store.py finds which) without writing.

The `events` table (rasa/core/tracker_store.py SQLTrackerStore.SQLEvent) holds one row per event:
id, sender_id, type_name (user / bot / action / slot / ...), timestamp, intent_name, action_name (for a slot
event: the slot's name), data (the event as JSON). After each user message Rasa logs `action_answer`, then the
events it returned: bot messages and SlotSet for answer_kind, answered_measures, answered_hotlines. A turn here
is one user message with what followed it until the next user message; slot events count only when they
follow action_answer (session starts re-set carried-over slots, which must not count twice).

A turn the bot failed is one whose answer_kind says so (clarify, fallback, out_of_scope): NLU's nlu_fallback
alone is not a failure when the composer answered anyway (「中小企業」 after the bot's size question, 「👎 沒幫助」).
A button tap arrives as its payload (「/ask_hotline」); it is shown as the label of the button with that
payload in the bot's previous messages, and a payload with no such button (the widget's 「/greet」 when the page
opens) as what its intent means (data/intent_descriptions.yml).
"""

from __future__ import annotations

import functools
import json
import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import yaml

from advisor.model import ReplyKind
from staff import labels, tracker_store
from staff.masking import mask

INTENT_DESCRIPTIONS = Path(__file__).resolve().parent.parent / "data" / "intent_descriptions.yml"
PAYLOAD = re.compile(r"^/(\w+)")
TAIPEI = ZoneInfo("Asia/Taipei")
FALLBACK_KINDS = {ReplyKind.CLARIFY.value, ReplyKind.FALLBACK.value, ReplyKind.OUT_OF_SCOPE.value}
FALLBACK_INTENTS = {"nlu_fallback", "out_of_scope"}
ANSWER_SLOTS = {"answer_kind", "answered_measures", "answered_hotlines"}
THUMBS_UP, THUMBS_DOWN = "👍", "👎"
FEEDBACK_INTENT_UP = re.compile(r"^(feedback_(positive|up|good|helpful)|thumbs_up)$")
FEEDBACK_INTENT_DOWN = re.compile(r"^(feedback_(negative|down|bad|unhelpful)|thumbs_down)$")


class TrackerUnavailable(RuntimeError):
    """No tracker store to read (file missing, not a Rasa tracker store, unreadable)."""


@dataclass
class Turn:
    sender_id: str
    timestamp: float
    text: str
    intent: str | None
    confidence: float | None = None
    kind: str | None = None  # answer_kind set by action_answer
    measures: list = field(default_factory=list)
    hotlines: list = field(default_factory=list)
    answer_ts: float | None = None  # when action_answer set the slots
    bot: list = field(default_factory=list)
    shown: str = ""  # what staff see: the text typed, or a tapped button's label
    typed: bool = True  # False for a button tap or another payload
    stated: list = field(default_factory=list)  # line kinds of the answer (bot metadata reply_meta.stated)
    index: int = 0  # position among the conversation's user turns (0 first)

    @property
    def fell_back(self) -> bool:
        """The bot itself said it could not answer; without an answer (no action_answer), NLU's fallback."""
        if self.kind is not None:
            return self.kind in FALLBACK_KINDS
        return (self.intent or "") in FALLBACK_INTENTS

    @property
    def reason(self) -> str:
        if not self.fell_back:
            return ""
        return labels.get("review.reasons").get(
            self.kind or self.intent or "no_answer", labels.get("review.reasons.no_answer")
        )

    @property
    def feedback(self) -> str | None:
        text = (self.text or "").strip()
        intent = self.intent or ""
        if text.startswith(THUMBS_UP) or FEEDBACK_INTENT_UP.match(intent):
            return "up"
        if text.startswith(THUMBS_DOWN) or FEEDBACK_INTENT_DOWN.match(intent):
            return "down"
        return None


def normalise(text: str) -> str:
    """Grouping key for questions: the bot's own normaliser (NFKC, Simplified→Traditional, whitespace),
    case folded, without trailing punctuation."""
    try:
        from components.normalize import normalize_text

        text = normalize_text(text or "")
    except Exception:  # OpenCC missing or broken: still group on NFKC + whitespace
        text = " ".join(unicodedata.normalize("NFKC", text or "").split())
    text = text.casefold().rstrip()
    while text and (text[-1].isspace() or text[-1] == "~" or unicodedata.category(text[-1]).startswith("P")):
        text = text[:-1]  # after NFKC, fullwidth ！？～ are ASCII; 。、… are punctuation (P*) too
    return text.strip()


def day(ts: float | None) -> str:
    return datetime.fromtimestamp(ts or 0, TAIPEI).strftime("%Y-%m-%d")


def when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts or 0, TAIPEI).strftime("%Y-%m-%d %H:%M")


def connect(source: str | Path) -> sa.engine.Connection:
    """A read-only connection to the tracker store at `source` (a SQLAlchemy URL, or a SQLite file's path);
    raises TrackerUnavailable with a message for the page."""
    url = tracker_store.as_url(source)
    path = tracker_store.sqlite_path(url)
    if path is not None and not path.exists():
        raise TrackerUnavailable(labels.get("errors.tracker_missing", path=path))
    shown = path or tracker_store.shown(url)
    try:
        con = tracker_store.read_only_engine(url).connect()
    except sa.exc.SQLAlchemyError as e:  # the type only: a driver's message may quote the URL
        raise TrackerUnavailable(labels.get("errors.tracker_unreadable", path=shown, error=type(e).__name__)) from None
    try:
        con.execute(
            sa.text("select id, sender_id, type_name, timestamp, intent_name, action_name, data from events limit 1")
        )
    except sa.exc.SQLAlchemyError as e:
        con.close()
        orig = getattr(e, "orig", None) or e
        reason = orig if path is not None else type(orig).__name__
        raise TrackerUnavailable(labels.get("errors.tracker_unreadable", path=shown, error=reason)) from None
    return con


def load_turns(con: sa.engine.Connection, since: float | None = None, sender_id: str | None = None) -> list:
    """Every user turn (oldest first) since `since` (unix time), optionally of one conversation."""
    sql = "select sender_id, type_name, timestamp, intent_name, action_name, data from events"
    where, args = [], {}
    if since is not None:
        where.append("timestamp >= :since")
        args["since"] = since
    if sender_id is not None:
        where.append("sender_id = :sender")
        args["sender"] = sender_id
    if where:
        sql += " where " + " and ".join(where)
    sql += " order by sender_id, id"
    turns, current, last_action, last_sender, buttons = [], None, None, object(), {}
    for sender, type_name, ts, intent_name, action_name, data in con.execute(sa.text(sql), args):
        if sender != last_sender:
            current, last_action, last_sender, buttons = None, None, sender, {}
        try:
            payload = json.loads(data) if data else {}
        except (TypeError, ValueError):
            payload = {}
        if type_name == "user":
            parse = payload.get("parse_data") or {}
            intent = intent_name or (parse.get("intent") or {}).get("name")
            conf = (parse.get("intent") or {}).get("confidence")
            index = current.index + 1 if current is not None else 0
            current = Turn(sender, ts or 0.0, payload.get("text") or "", intent, conf, index=index)
            current.shown, current.typed = shown_text(current.text, buttons)
            turns.append(current)
            last_action, buttons = None, {}
        elif type_name == "action":
            last_action = action_name
        elif type_name == "bot":
            meta = (payload.get("metadata") or {}).get("reply_meta") or {}
            if current is not None and isinstance(meta.get("stated"), list):
                current.stated = [str(x) for x in meta["stated"]]
            for b in (payload.get("data") or {}).get("buttons") or []:
                if isinstance(b, dict) and b.get("payload") and b.get("title"):
                    buttons[str(b["payload"])] = str(b["title"])
            if payload.get("text") and current is not None:
                current.bot.append(payload["text"])
        elif type_name == "slot" and current is not None and last_action == "action_answer":
            name = action_name or payload.get("name")
            if name not in ANSWER_SLOTS:
                continue
            value = payload.get("value")
            current.answer_ts = ts
            if name == "answer_kind":
                current.kind = value
            elif name == "answered_measures":
                current.measures = [v for v in value or [] if isinstance(v, str)]
            else:
                current.hotlines = [v for v in value or [] if isinstance(v, str)]
    return turns


@functools.lru_cache(maxsize=1)
def intent_meanings() -> dict:
    try:
        return yaml.safe_load(INTENT_DESCRIPTIONS.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError):
        return {}


def shown_text(text: str, buttons: dict) -> tuple:
    """(what to show, typed?) for a user message: a tapped button's label, a payload's meaning, or the text."""
    text = text or ""
    if text in buttons and buttons[text] != text:
        return buttons[text], False
    m = PAYLOAD.match(text.strip())
    if m:
        meaning = intent_meanings().get(m.group(1), m.group(1))
        return labels.get("review.not_typed", meaning=meaning), False
    return text, True


# ------------------------------------------------------------------------------------------- tables
# Each table: (columns, rows). Columns are (key, Chinese header); rows are dicts.


def conversations(turns: list, limit: int = 50) -> tuple:
    by_sender = defaultdict(list)
    for t in turns:
        by_sender[t.sender_id].append(t)
    rows = []
    for sender, ts in by_sender.items():
        rows.append(
            {
                "sender_id": sender,
                "started": when(ts[0].timestamp),
                "last": when(ts[-1].timestamp),
                "messages": len(ts),
                "fallbacks": sum(t.fell_back for t in ts),
                "last_text": mask(ts[-1].shown),
                "_ts": ts[-1].timestamp,
            }
        )
    rows.sort(key=lambda r: -r["_ts"])
    return labels.columns("review.columns.conversations"), rows[:limit]


def fallbacks(turns: list) -> tuple:
    groups = {}
    for t in turns:
        if not t.fell_back or not t.shown.strip():
            continue
        key = normalise(mask(t.shown))
        g = groups.setdefault(
            key,
            {
                "text": key,
                "count": 0,
                "senders": set(),
                "reasons": Counter(),
                "examples": Counter(),
                "first": t.timestamp,
                "last": t.timestamp,
            },
        )
        g["count"] += 1
        g["senders"].add(t.sender_id)
        g["reasons"][t.reason] += 1
        g["examples"][mask(t.shown.strip())] += 1
        g["first"], g["last"] = min(g["first"], t.timestamp), max(g["last"], t.timestamp)
    rows = [
        {
            "text": g["text"],
            "count": g["count"],
            "conversations": len(g["senders"]),
            "reasons": labels.get("list_sep").join(f"{r}×{n}" for r, n in g["reasons"].most_common()),
            "examples": labels.get("examples_sep").join(e for e, _ in g["examples"].most_common(3)),
            "first": when(g["first"]),
            "last": when(g["last"]),
            "_last": g["last"],
        }
        for g in groups.values()
    ]
    rows.sort(key=lambda r: (-r["count"], -r["_last"]))
    return labels.columns("review.columns.fallbacks"), rows


def per_day(turns: list, attr: str, names: dict) -> tuple:
    counts = Counter()
    for t in turns:
        for ref in dict.fromkeys(getattr(t, attr)):
            counts[(day(t.answer_ts or t.timestamp), ref)] += 1
    rows = [{"day": d, "id": ref, "name": names.get(ref, ref), "count": n} for (d, ref), n in counts.items()]
    rows.sort(key=lambda r: (-int(r["day"].replace("-", "")), -r["count"], r["id"]))
    return labels.columns("review.columns.per_day", label=labels.get("review.per_day_labels")[attr]), rows


def feedback(turns: list) -> tuple:
    counts = defaultdict(Counter)
    for t in turns:
        if t.feedback:
            counts[day(t.timestamp)][t.feedback] += 1
    rows = [{"day": d, "up": c["up"], "down": c["down"]} for d, c in sorted(counts.items(), reverse=True)]
    return labels.columns("review.columns.feedback"), rows


def transcript(turns: list) -> list:
    return [
        {
            "when": when(t.timestamp),
            "text": t.shown,
            "typed": t.typed,
            "raw": t.text,
            "intent": t.intent or "",
            "kind": t.kind or "",
            "reason": t.reason,
            "fell_back": t.fell_back,
            "bot": t.bot,
            "hotlines": t.hotlines,
            "measures": t.measures,
        }
        for t in turns
    ]


TABLES = labels.get("review.tables")


def build_tables(con, kb, days: int, now: float | None = None) -> dict:
    now = now if now is not None else datetime.now(TAIPEI).timestamp()
    turns = load_turns(con, since=now - days * 86400)
    hotline_names = {h["id"]: f"{h['name']} {h['number']}" for h in kb.hotlines()}
    measure_names = {m["id"]: m["short_name"] for m in kb.measures()}
    measure_names.update({pid: p["name"] for pid, p in kb.snap.programs.items()})
    return {
        "conversations": conversations(turns),
        "fallbacks": fallbacks(turns),
        "hotlines": per_day(turns, "hotlines", hotline_names),
        "measures": per_day(turns, "measures", measure_names),
        "feedback": feedback(turns),
        "_turns": len(turns),
    }
