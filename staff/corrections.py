"""What reviewers said about the bot's turns (issue 18): a turn marked correct, or corrected (the answer kind,
intent, measure and hotline it should have had, and the facts the firm stated). Stored in the staff database
(staff/db.py, SQLite or PostgreSQL); nothing is written into the repository from the web page:
`make review-export` (scripts/review_export.py) turns the marks into a conversation test and NLU examples.

Each mark keeps the conversation up to its turn, already masked (staff/masking.py), so the export needs neither
the tracker store (which `make purge` empties after 90 days) nor any unmasked text.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import sqlalchemy as sa

from staff.db import metadata

VERDICTS = ("correct", "corrected")

marks = sa.Table(
    "review_marks",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("sender_id", sa.String(255), nullable=False, index=True),
    sa.Column("turn_index", sa.Integer, nullable=False),
    sa.Column("turn_ts", sa.Float, nullable=False),
    sa.Column("verdict", sa.String(16), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False, default=""),
    sa.Column("intent", sa.String(64), nullable=False, default=""),
    sa.Column("measure", sa.String(64), nullable=False, default=""),
    sa.Column("hotline", sa.String(64), nullable=False, default=""),
    sa.Column("words", sa.String(64), nullable=False, default=""),  # the words naming the measure, for NLU
    sa.Column("facts", sa.Text, nullable=False, default="{}"),  # JSON: fact name -> value
    sa.Column("turns", sa.Text, nullable=False, default="[]"),  # JSON: the masked user messages up to this turn
    sa.Column("was", sa.Text, nullable=False, default="{}"),  # JSON: what the bot did (kind, intent, measures …)
    sa.Column("actor", sa.String(32), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.UniqueConstraint("sender_id", "turn_index", name="uq_review_marks_turn"),
)


@dataclass
class Mark:
    sender_id: str
    turn_index: int
    turn_ts: float
    verdict: str
    turns: list
    was: dict
    actor: str
    kind: str = ""
    intent: str = ""
    measure: str = ""
    hotline: str = ""
    words: str = ""  # the words of the message that name the measure: annotated as its entity in the example
    facts: dict = field(default_factory=dict)
    at: float = 0.0


class MarkStore:
    def __init__(self, engine: sa.engine.Engine):
        self.engine = engine
        metadata.create_all(engine, tables=[marks])

    def save(self, mark: Mark) -> None:
        """One mark per turn: a later one replaces the earlier (the reviewer changed their mind)."""
        if mark.verdict not in VERDICTS:
            raise ValueError(f"unknown verdict {mark.verdict!r}")
        values = {
            "sender_id": mark.sender_id,
            "turn_index": mark.turn_index,
            "turn_ts": mark.turn_ts,
            "verdict": mark.verdict,
            "kind": mark.kind or "",
            "intent": mark.intent or "",
            "measure": mark.measure or "",
            "hotline": mark.hotline or "",
            "words": mark.words or "",
            "facts": json.dumps(mark.facts or {}, ensure_ascii=False, sort_keys=True),
            "turns": json.dumps(mark.turns, ensure_ascii=False),
            "was": json.dumps(mark.was, ensure_ascii=False, sort_keys=True),
            "actor": mark.actor,
            "at": time.time(),
        }
        with self.engine.begin() as con:
            con.execute(
                marks.delete().where(marks.c.sender_id == mark.sender_id, marks.c.turn_index == mark.turn_index)
            )
            con.execute(marks.insert().values(**values))

    def for_sender(self, sender_id: str) -> dict:
        """turn index -> Mark, for one conversation."""
        with self.engine.connect() as con:
            rows = con.execute(sa.select(marks).where(marks.c.sender_id == sender_id)).all()
        return {r.turn_index: _mark(r) for r in rows}

    def reviewed(self) -> dict:
        """sender id -> set of reviewed turn indexes, for the queue."""
        out: dict = {}
        with self.engine.connect() as con:
            for sender, index in con.execute(sa.select(marks.c.sender_id, marks.c.turn_index)):
                out.setdefault(sender, set()).add(index)
        return out

    def all(self) -> list:
        with self.engine.connect() as con:
            rows = con.execute(sa.select(marks).order_by(marks.c.at, marks.c.id)).all()
        return [_mark(r) for r in rows]


def _mark(r) -> Mark:
    return Mark(
        sender_id=r.sender_id,
        turn_index=r.turn_index,
        turn_ts=r.turn_ts,
        verdict=r.verdict,
        turns=json.loads(r.turns or "[]"),
        was=json.loads(r.was or "{}"),
        actor=r.actor,
        kind=r.kind,
        intent=r.intent,
        measure=r.measure,
        hotline=r.hotline,
        words=r.words,
        facts=json.loads(r.facts or "{}"),
        at=r.at,
    )
