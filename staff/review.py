"""Review of past conversations, read from Rasa's tracker store (SQLTrackerStore, SQLite) without writing.

The `events` table (rasa/core/tracker_store.py SQLTrackerStore.SQLEvent) holds one row per event:
id, sender_id, type_name (user / bot / action / slot / ...), timestamp, intent_name, action_name (for a slot
event: the slot's name), data (the event as JSON). After each user message Rasa logs `action_answer`, then the
events it returned: bot messages and SlotSet for answer_kind, answered_measures, answered_hotlines. A turn here
is one user message with what followed it until the next user message; slot events count only when they
follow action_answer (session starts re-set carried-over slots, which must not count twice).
"""
from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

TAIPEI = ZoneInfo("Asia/Taipei")
FALLBACK_KINDS = {"clarify", "fallback", "out_of_scope"}
FALLBACK_INTENTS = {"nlu_fallback", "out_of_scope"}
ANSWER_SLOTS = {"answer_kind", "answered_measures", "answered_hotlines"}
THUMBS_UP, THUMBS_DOWN = "👍", "👎"
FEEDBACK_INTENT_UP = re.compile(r"^(feedback_(positive|up|good|helpful)|thumbs_up)$")
FEEDBACK_INTENT_DOWN = re.compile(r"^(feedback_(negative|down|bad|unhelpful)|thumbs_down)$")
TRAILING = re.compile(r"[\s。.!！?？~～…,，、;；:：]+$")


class TrackerUnavailable(RuntimeError):
    """No tracker store to read (file missing, not a Rasa tracker store, unreadable)."""


@dataclass
class Turn:
    sender_id: str
    timestamp: float
    text: str
    intent: str | None
    confidence: float | None = None
    kind: str | None = None          # answer_kind set by action_answer
    measures: list = field(default_factory=list)
    hotlines: list = field(default_factory=list)
    answer_ts: float | None = None   # when action_answer set the slots
    bot: list = field(default_factory=list)

    @property
    def fell_back(self) -> bool:
        return self.kind in FALLBACK_KINDS or (self.intent or "") in FALLBACK_INTENTS

    @property
    def reason(self) -> str:
        parts = []
        if self.kind in FALLBACK_KINDS:
            parts.append(self.kind)
        if (self.intent or "") in FALLBACK_INTENTS and self.intent not in parts:
            parts.append(self.intent)
        return "+".join(parts)

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
    except Exception:        # OpenCC missing or broken: still group on NFKC + whitespace
        import unicodedata
        text = " ".join(unicodedata.normalize("NFKC", text or "").split())
    return TRAILING.sub("", text.casefold()).strip()


def day(ts: float | None) -> str:
    return datetime.fromtimestamp(ts or 0, TAIPEI).strftime("%Y-%m-%d")


def when(ts: float | None) -> str:
    return datetime.fromtimestamp(ts or 0, TAIPEI).strftime("%Y-%m-%d %H:%M")


def connect(path: Path) -> sqlite3.Connection:
    """Read-only connection; raises TrackerUnavailable with a message for the page."""
    path = Path(path)
    if not path.exists():
        raise TrackerUnavailable(f"找不到對話紀錄檔 {path}（機器人還沒有對話，或 TRACKER_DB 指向別處）。")
    try:
        con = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
        con.execute("select id, sender_id, type_name, timestamp, intent_name, action_name, data from events limit 1")
    except sqlite3.Error as e:
        raise TrackerUnavailable(f"無法讀取對話紀錄檔 {path}：{e}") from None
    return con


def load_turns(con: sqlite3.Connection, since: float | None = None, sender_id: str | None = None) -> list:
    """Every user turn (oldest first) since `since` (unix time), optionally of one conversation."""
    sql = "select sender_id, type_name, timestamp, intent_name, action_name, data from events"
    where, args = [], []
    if since is not None:
        where.append("timestamp >= ?")
        args.append(since)
    if sender_id is not None:
        where.append("sender_id = ?")
        args.append(sender_id)
    if where:
        sql += " where " + " and ".join(where)
    sql += " order by sender_id, id"
    turns, current, last_action, last_sender = [], None, None, object()
    for sender, type_name, ts, intent_name, action_name, data in con.execute(sql, args):
        if sender != last_sender:
            current, last_action, last_sender = None, None, sender
        try:
            payload = json.loads(data) if data else {}
        except (TypeError, ValueError):
            payload = {}
        if type_name == "user":
            parse = payload.get("parse_data") or {}
            intent = intent_name or (parse.get("intent") or {}).get("name")
            conf = (parse.get("intent") or {}).get("confidence")
            current = Turn(sender, ts or 0.0, payload.get("text") or "", intent, conf)
            turns.append(current)
            last_action = None
        elif type_name == "action":
            last_action = action_name
        elif type_name == "bot" and current is not None:
            if payload.get("text"):
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


# ------------------------------------------------------------------------------------------- tables
# Each table: (columns, rows). Columns are (key, Chinese header); rows are dicts.

def conversations(turns: list, limit: int = 50) -> tuple:
    by_sender = defaultdict(list)
    for t in turns:
        by_sender[t.sender_id].append(t)
    rows = []
    for sender, ts in by_sender.items():
        rows.append({"sender_id": sender, "started": when(ts[0].timestamp), "last": when(ts[-1].timestamp),
                     "messages": len(ts), "fallbacks": sum(t.fell_back for t in ts), "last_text": ts[-1].text,
                     "_ts": ts[-1].timestamp})
    rows.sort(key=lambda r: -r["_ts"])
    cols = [("sender_id", "對話代號"), ("started", "開始"), ("last", "最後訊息"), ("messages", "使用者訊息數"),
            ("fallbacks", "沒聽懂／範圍外"), ("last_text", "最後一句")]
    return cols, rows[:limit]


def fallbacks(turns: list) -> tuple:
    groups = {}
    for t in turns:
        if not t.fell_back or not t.text.strip():
            continue
        key = normalise(t.text)
        g = groups.setdefault(key, {"text": key, "count": 0, "senders": set(), "reasons": Counter(),
                                    "examples": Counter(), "first": t.timestamp, "last": t.timestamp})
        g["count"] += 1
        g["senders"].add(t.sender_id)
        g["reasons"][t.reason] += 1
        g["examples"][t.text.strip()] += 1
        g["first"], g["last"] = min(g["first"], t.timestamp), max(g["last"], t.timestamp)
    rows = [{"text": g["text"], "count": g["count"], "conversations": len(g["senders"]),
             "reasons": "、".join(f"{r}×{n}" for r, n in g["reasons"].most_common()),
             "examples": " ／ ".join(e for e, _ in g["examples"].most_common(3)),
             "first": when(g["first"]), "last": when(g["last"]), "_last": g["last"]}
            for g in groups.values()]
    rows.sort(key=lambda r: (-r["count"], -r["_last"]))
    cols = [("text", "問題（正規化）"), ("count", "次數"), ("conversations", "對話數"), ("reasons", "原因"),
            ("examples", "原文示例"), ("first", "首次"), ("last", "最近")]
    return cols, rows


def per_day(turns: list, attr: str, names: dict) -> tuple:
    counts = Counter()
    for t in turns:
        for ref in dict.fromkeys(getattr(t, attr)):
            counts[(day(t.answer_ts or t.timestamp), ref)] += 1
    rows = [{"day": d, "id": ref, "name": names.get(ref, ref), "count": n} for (d, ref), n in counts.items()]
    rows.sort(key=lambda r: (-int(r["day"].replace("-", "")), -r["count"], r["id"]))
    label = "專線" if attr == "hotlines" else "措施"
    cols = [("day", "日期"), ("id", f"{label}代號"), ("name", label), ("count", "回答次數")]
    return cols, rows


def feedback(turns: list) -> tuple:
    counts = defaultdict(Counter)
    for t in turns:
        if t.feedback:
            counts[day(t.timestamp)][t.feedback] += 1
    rows = [{"day": d, "up": c["up"], "down": c["down"]} for d, c in sorted(counts.items(), reverse=True)]
    return [("day", "日期"), ("up", "👍"), ("down", "👎")], rows


def transcript(turns: list) -> list:
    return [{"when": when(t.timestamp), "text": t.text, "intent": t.intent or "", "kind": t.kind or "",
             "fell_back": t.fell_back, "bot": t.bot, "hotlines": t.hotlines, "measures": t.measures} for t in turns]


TABLES = {"conversations": "最近的對話", "fallbacks": "沒聽懂或範圍外的問題", "hotlines": "各專線每日回答次數",
          "measures": "各措施每日回答次數", "feedback": "使用者回饋"}


def build_tables(con, kb, days: int, now: float | None = None) -> dict:
    now = now if now is not None else datetime.now(TAIPEI).timestamp()
    turns = load_turns(con, since=now - days * 86400)
    hotline_names = {h["id"]: f"{h['name']} {h['number']}" for h in kb.hotlines()}
    measure_names = {m["id"]: m["short_name"] for m in kb.measures()}
    measure_names.update({pid: (kb.program(pid) or {}).get("name", pid) for pid in ("coaching_team", "package_700")})
    return {"conversations": conversations(turns), "fallbacks": fallbacks(turns),
            "hotlines": per_day(turns, "hotlines", hotline_names), "measures": per_day(turns, "measures", measure_names),
            "feedback": feedback(turns), "_turns": len(turns)}

