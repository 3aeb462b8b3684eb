"""Builds a small tracker store shaped like Rasa's SQLTrackerStore (rasa/core/tracker_store.py SQLEvent):
table `events` (id, sender_id, type_name, timestamp, intent_name, action_name, data JSON), with the events
Rasa logs for a turn: user → action_answer → bot … → slot answer_kind / answered_measures / answered_hotlines →
action_listen, and a session start that re-sets carried-over slots (which must not be counted)."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

TAIPEI = ZoneInfo("Asia/Taipei")
SCHEMA = """create table events (
    id INTEGER NOT NULL PRIMARY KEY,
    sender_id VARCHAR(255) NOT NULL,
    type_name VARCHAR(255) NOT NULL,
    timestamp FLOAT,
    intent_name VARCHAR(255),
    action_name VARCHAR(255),
    data TEXT
);
create index ix_events_sender_id on events (sender_id);"""


def ts(day: str, hm: str = "10:00") -> float:
    return datetime.fromisoformat(f"{day}T{hm}:00").replace(tzinfo=TAIPEI).timestamp()


@dataclass
class T:
    text: str
    intent: str
    kind: str
    at: float
    measures: list = field(default_factory=list)
    hotlines: list = field(default_factory=list)
    bot: str = "（機器人的回答）"
    buttons: list = field(default_factory=list)  # quick replies on the bot's message: [{"title", "payload"}]
    confidence: float | None = None  # NLU's; None: 0.3 for nlu_fallback, else 0.9
    stated: list | None = None  # the bot's reply_meta.stated (line kinds); None: no metadata (older bots)
    delay: float = 1.0  # seconds from the message to the answer


def _row(con, sender, type_name, at, data, intent=None, action=None):
    data = {"event": type_name, "timestamp": at, "metadata": {}, **data}
    con.execute(
        "insert into events (sender_id, type_name, timestamp, intent_name, action_name, data) "
        "values (?, ?, ?, ?, ?, ?)",
        (sender, type_name, at, intent, action, json.dumps(data, ensure_ascii=False)),
    )


def write_tracker(path: Path, conversations: dict) -> Path:
    """conversations: sender_id -> [T, ...]."""
    con = sqlite3.connect(path)
    con.executescript(SCHEMA)
    for sender, turns in conversations.items():
        start = turns[0].at - 1
        _row(
            con,
            sender,
            "action",
            start,
            {"name": "action_session_start", "policy": None, "confidence": 1.0},
            action="action_session_start",
        )
        _row(con, sender, "session_started", start, {})
        # carried-over slots after a session start: not an answer, must not be counted
        _row(con, sender, "slot", start, {"name": "answered_hotlines", "value": ["center"]}, action="answered_hotlines")
        _row(
            con,
            sender,
            "action",
            start,
            {"name": "action_listen", "policy": None, "confidence": None},
            action="action_listen",
        )
        for i, t in enumerate(turns):
            confidence = t.confidence if t.confidence is not None else 0.3 if t.intent == "nlu_fallback" else 0.9
            parse = {
                "intent": {"name": t.intent, "confidence": confidence},
                "entities": [],
                "text": t.text,
                "message_id": f"{sender}-{i}",
                "metadata": {},
                "intent_ranking": [{"name": t.intent, "confidence": confidence}],
            }
            _row(
                con,
                sender,
                "user",
                t.at,
                {"text": t.text, "parse_data": parse, "input_channel": "rest", "message_id": f"{sender}-{i}"},
                intent=t.intent,
            )
            _row(con, sender, "user_featurization", t.at, {"use_text_for_featurization": False})
            done = t.at + t.delay
            _row(
                con,
                sender,
                "action",
                done,
                {"name": "action_answer", "policy": "RulePolicy", "confidence": 1.0},
                action="action_answer",
            )
            bot = {"text": t.bot, "data": {"buttons": t.buttons} if t.buttons else {}}
            if t.stated is not None:
                bot["metadata"] = {"reply_meta": {"stated": t.stated}}
            _row(con, sender, "bot", done, bot)
            for name, value in (
                ("focus_measures", t.measures),
                ("fallback_stage", 0.0),
                ("answer_kind", t.kind),
                ("answered_measures", t.measures),
                ("answered_hotlines", t.hotlines),
            ):
                _row(con, sender, "slot", done, {"name": name, "value": value}, action=name)
            _row(
                con,
                sender,
                "action",
                done + 1,
                {"name": "action_listen", "policy": "RulePolicy", "confidence": 1.0},
                action="action_listen",
            )
    con.commit()
    con.close()
    return path


_today = datetime.now(TAIPEI).date()
DAY1, DAY2 = (_today - timedelta(days=2)).isoformat(), (_today - timedelta(days=1)).isoformat()

SAMPLE = {
    "firm-a": [
        T(
            "我營業額掉了15%能貸多少",
            "ask_amount",
            "answer",
            ts(DAY1, "09:00"),
            ["sme_loan", "export_loan_guarantee"],
            ["mbd", "smeg"],
        ),
        T("這個補助跟那個有什麼不同？", "nlu_fallback", "clarify", ts(DAY1, "09:05")),
        T("這個補助跟那個有什麼不同", "nlu_fallback", "fallback", ts(DAY1, "09:06"), [], ["center"]),
        T("👍", "affirm", "social", ts(DAY1, "09:07")),
    ],
    "firm-b": [
        T("这个补助跟那个有什么不同", "nlu_fallback", "clarify", ts(DAY2, "14:00")),
        T("房貸利率多少", "out_of_scope", "out_of_scope", ts(DAY2, "14:01")),
        T("信保電話", "ask_hotline", "answer", ts(DAY2, "14:02"), [], ["smeg"]),
        T("<script>alert(1)</script>=SUM(A1)", "nlu_fallback", "clarify", ts(DAY2, "14:03"), ["sme_loan"], ["mbd"]),
        T("👎 沒回答到", "deny", "social", ts(DAY2, "14:04")),
        T("=1+1 是什麼", "out_of_scope", "out_of_scope", ts(DAY2, "14:05")),
    ],
}
