"""Cases, case codes, callbacks and the outbox of staff messages, in SQLite (default var/handoff.db, mode 600) or
PostgreSQL (HANDOFF_DB=postgresql://…), through SQLAlchemy Core: the same queries on both.

Written by the action server (a firm asks for a person: a code, a written-reply case, a callback), read and
changed by the staff helper (claim, reply, hand back, close), read by the Rasa channels (is a person holding this
conversation? staff messages not yet delivered). Every row survives a restart of any of them.
"""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "var" / "handoff.db"
KINDS = ("written", "callback")
STATUSES = ("open", "claimed", "closed")
OUTBOX_KINDS = ("reply", "claimed", "handback")

metadata = sa.MetaData()


def _conversation_columns() -> list:
    """What a case and a staff message both start with: their id, the conversation, its channel, their kind
    (new Column objects each call: a column belongs to one table)."""
    return [
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("sender_id", sa.String(255), nullable=False, index=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
    ]


cases = sa.Table(
    "handoff_cases",
    metadata,
    *_conversation_columns(),
    sa.Column("status", sa.String(16), nullable=False, index=True),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
    sa.Column("claimed_by", sa.String(32)),
    sa.Column("resolution", sa.String(32)),
    sa.Column("code", sa.String(8)),
    sa.Column("context", sa.JSON, nullable=False),  # facts, measures, the bot's last answers, the firm's question
    sa.Column("phone", sa.String(32)),  # callbacks only; purged (settings.callback_days)
    sa.Column("preferred", sa.String(100)),
    sa.Column("consent_at", sa.Float),
)
codes = sa.Table(
    "handoff_codes",
    metadata,
    sa.Column("code", sa.String(8), primary_key=True),
    sa.Column("sender_id", sa.String(255), nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("expires", sa.Float, nullable=False, index=True),
    sa.Column("context", sa.JSON, nullable=False),
)
outbox = sa.Table(
    "handoff_outbox",
    metadata,
    *_conversation_columns(),
    sa.Column("text", sa.Text, nullable=False, default=""),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("delivered", sa.Float),
    sa.Column("error", sa.String(64)),
)


def url_for(value=None) -> str:
    text = str(value or os.environ.get("HANDOFF_DB") or DEFAULT_PATH)
    return text if "://" in text else "sqlite:///" + str(Path(text).expanduser().resolve())


def engine_for(value=None) -> sa.engine.Engine:
    url = url_for(value)
    if url.startswith("sqlite:///"):
        path = Path(url.split("sqlite:///", 1)[1])
        if not path.parent.exists():
            path.parent.mkdir(parents=True, mode=0o700)
        if not path.exists():  # created here with 600, never with the umask's 644
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        engine = sa.create_engine(url, future=True, connect_args={"timeout": 10, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(con, _record):  # WAL: three processes read and write it
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
            con.execute("PRAGMA secure_delete=ON")  # a purged phone number is overwritten, not just unlinked
    else:
        engine = sa.create_engine(url, future=True, pool_pre_ping=True)
    metadata.create_all(engine)
    return engine


@dataclass
class Case:
    id: int
    sender_id: str
    channel: str
    kind: str
    status: str
    created: float
    updated: float
    claimed_by: str | None
    resolution: str | None
    code: str | None
    context: dict
    phone: str | None
    preferred: str | None
    consent_at: float | None

    @property
    def age_minutes(self) -> int:
        return int((time.time() - self.created) // 60)


def _case(row) -> Case:
    return Case(**{c.name: getattr(row, c.name) for c in cases.columns})


class HandoffStore:
    def __init__(self, engine: sa.engine.Engine | None = None):
        self.engine = engine or engine_for()

    def _rows(self, query) -> list:
        with self.engine.connect() as con:
            return con.execute(query).all()

    def _first(self, query):
        rows = self._rows(query.limit(1))
        return rows[0] if rows else None

    def _change(self, statement) -> int:
        """One statement in a transaction of its own; how many rows it changed."""
        with self.engine.begin() as con:
            return con.execute(statement).rowcount

    # -- case codes ------------------------------------------------------------------------------------------
    def issue_code(self, code: str, sender_id: str, channel: str, context: dict, hours: float) -> None:
        now = time.time()
        with self.engine.begin() as con:
            con.execute(
                codes.insert().values(
                    code=code,
                    sender_id=sender_id,
                    channel=channel,
                    created=now,
                    expires=now + hours * 3600,
                    context=context,
                )
            )

    def find_code(self, code: str, now: float | None = None) -> dict | None:
        """The live code's conversation ({sender_id, channel, context, expires}), None if unknown or expired."""
        row = self._first(sa.select(codes).where(codes.c.code == code))
        if row is None or row.expires < (now or time.time()):
            return None
        return {
            "code": row.code,
            "sender_id": row.sender_id,
            "channel": row.channel,
            "context": row.context,
            "expires": row.expires,
        }

    # -- cases -----------------------------------------------------------------------------------------------
    def open_case(
        self, sender_id: str, channel: str, kind: str, context: dict, *, code=None, phone=None, preferred=None
    ) -> int:
        if kind not in KINDS:
            raise ValueError(kind)
        now = time.time()
        with self.engine.begin() as con:
            # one open request per conversation and kind: asking twice updates it, it does not queue twice
            row = con.execute(
                sa.select(cases.c.id).where(
                    cases.c.sender_id == sender_id, cases.c.kind == kind, cases.c.status != "closed"
                )
            ).first()
            values = dict(
                channel=channel,
                updated=now,
                context=context,
                code=code,
                phone=phone,
                preferred=preferred,
                consent_at=now if phone else None,
            )
            if row:
                con.execute(cases.update().where(cases.c.id == row.id).values(**values))
                return row.id
            return con.execute(
                cases.insert().values(sender_id=sender_id, kind=kind, status="open", created=now, **values)
            ).inserted_primary_key[0]

    def get(self, case_id: int) -> Case | None:
        row = self._first(sa.select(cases).where(cases.c.id == case_id))
        return _case(row) if row else None

    def queue(self, include_closed: bool = False, limit: int = 200) -> list[Case]:
        """Open and claimed cases, oldest first (closed ones after them, newest first, when asked)."""
        with self.engine.connect() as con:
            live = con.execute(
                sa.select(cases).where(cases.c.status != "closed").order_by(cases.c.created).limit(limit)
            ).all()
            done = (
                con.execute(
                    sa.select(cases).where(cases.c.status == "closed").order_by(cases.c.updated.desc()).limit(limit)
                ).all()
                if include_closed
                else []
            )
        return [_case(r) for r in [*live, *done]]

    def version(self) -> str:
        """Changes whenever the queue does (new case, claim, close): what the queue page polls for."""
        with self.engine.connect() as con:
            n, last = con.execute(sa.select(sa.func.count(), sa.func.max(cases.c.updated)).select_from(cases)).one()
        return f"{n}-{last or 0:.3f}"

    def _set(self, case_id: int, where, **values) -> bool:
        values["updated"] = time.time()
        return bool(self._change(cases.update().where(cases.c.id == case_id, where).values(**values)))

    def claim(self, case_id: int, who: str) -> bool:
        """Claim an open case, or one this account holds already; False when someone else holds it or it is closed."""
        return self._set(
            case_id,
            sa.or_(cases.c.status == "open", sa.and_(cases.c.status == "claimed", cases.c.claimed_by == who)),
            status="claimed",
            claimed_by=who,
        )

    def hand_back(self, case_id: int, who: str) -> bool:
        return self._set(
            case_id, sa.and_(cases.c.status == "claimed", cases.c.claimed_by == who), status="open", claimed_by=None
        )

    def close(self, case_id: int, who: str, resolution: str) -> bool:
        return self._set(
            case_id,
            sa.and_(cases.c.status != "closed", sa.or_(cases.c.claimed_by.is_(None), cases.c.claimed_by == who)),
            status="closed",
            resolution=resolution,
        )

    def held(self, sender_id: str) -> bool:
        """Is a staff member holding this conversation (the bot stays quiet)?"""
        return (
            self._first(sa.select(cases.c.id).where(cases.c.sender_id == sender_id, cases.c.status == "claimed"))
            is not None
        )

    # -- outbox ----------------------------------------------------------------------------------------------
    def post(self, sender_id: str, channel: str, kind: str, text: str = "") -> int:
        if kind not in OUTBOX_KINDS:
            raise ValueError(kind)
        with self.engine.begin() as con:
            return con.execute(
                outbox.insert().values(sender_id=sender_id, channel=channel, kind=kind, text=text, created=time.time())
            ).inserted_primary_key[0]

    def pending(self, sender_id: str | None = None, channel: str | None = None) -> list[dict]:
        q = sa.select(outbox).where(outbox.c.delivered.is_(None)).order_by(outbox.c.id)
        if sender_id is not None:
            q = q.where(outbox.c.sender_id == sender_id)
        if channel is not None:
            q = q.where(outbox.c.channel == channel)
        return [dict(r._mapping) for r in self._rows(q)]

    def waiting(self, sender_ids: list[str], channel: str) -> list[str]:
        """Which of these conversations have staff messages not yet delivered on `channel`."""
        if not sender_ids:
            return []
        q = (
            sa.select(outbox.c.sender_id)
            .where(outbox.c.delivered.is_(None), outbox.c.channel == channel, outbox.c.sender_id.in_(sender_ids))
            .distinct()
        )
        return [r.sender_id for r in self._rows(q)]

    def delivered(self, ids: list[int]) -> None:
        if ids:
            self._change(outbox.update().where(outbox.c.id.in_(ids)).values(delivered=time.time(), error=None))

    def failed(self, ids: list[int], error: str) -> None:
        if ids:
            self._change(outbox.update().where(outbox.c.id.in_(ids)).values(error=error[:64]))

    def messages(self, sender_id: str) -> list[dict]:
        return [
            dict(r._mapping)
            for r in self._rows(sa.select(outbox).where(outbox.c.sender_id == sender_id).order_by(outbox.c.id))
        ]

    # -- retention -------------------------------------------------------------------------------------------
    def purge(self, callback_days: int, now: float | None = None, days: float | None = None) -> dict:
        """Phone numbers of callbacks last changed over `callback_days` ago; expired codes; with `days` (the
        conversations' retention), closed cases and staff messages older than that."""
        now = now or time.time()
        cutoff = now - callback_days * 86400
        with self.engine.begin() as con:
            phones = con.execute(
                cases.update()
                .where(cases.c.phone.is_not(None), cases.c.updated < cutoff)
                .values(phone=None, preferred=None)
            ).rowcount
            expired = con.execute(codes.delete().where(codes.c.expires < now)).rowcount
            old = messages = 0
            if days is not None:
                before = now - days * 86400
                old = con.execute(cases.delete().where(cases.c.status == "closed", cases.c.updated < before)).rowcount
                messages = con.execute(outbox.delete().where(outbox.c.created < before)).rowcount
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as con:  # the freed pages out of the write-ahead log and the file
                con.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        return {"phones": phones, "codes": expired, "cases": old, "messages": messages}
