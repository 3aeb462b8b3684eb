"""The audit log: who viewed, claimed, replied to, handed back, closed, exported or looked up what, and when.

Targets are conversation ids, case codes, table names or account names, never message text or phone numbers.
Only admins read it (the /audit page is behind require_role("admin")).
"""

from __future__ import annotations

import time

import sqlalchemy as sa

from staff.db import metadata

ACTIONS = (
    "login",
    "view",
    "export",
    "lookup",
    "lookup_failed",
    "claim",
    "reply",
    "handback",
    "close",
    "account",
    "kb_edit",
    "kb_publish",
    "kb_rollback",
    "kb_discard",
    "unmask",  # an admin showed a conversation's personal data (issue 18)
    "review_mark",  # a turn marked correct or corrected
)

audit = sa.Table(
    "staff_audit",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.Float, nullable=False, index=True),
    sa.Column("actor", sa.String(32), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("target", sa.String(200), nullable=False, default=""),
)


class AuditLog:
    def __init__(self, engine: sa.engine.Engine):
        self.engine = engine

    def record(self, actor: str, action: str, target: str = "") -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        with self.engine.begin() as con:
            con.execute(audit.insert().values(at=time.time(), actor=actor, action=action, target=str(target)[:200]))

    def entries(self, limit: int = 500, actor: str | None = None, action: str | None = None) -> list[dict]:
        q = sa.select(audit).order_by(audit.c.id.desc()).limit(limit)
        if actor:
            q = q.where(audit.c.actor == actor)
        if action:
            q = q.where(audit.c.action == action)
        with self.engine.connect() as con:
            rows = con.execute(q).all()
        return [
            {
                "at": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(r.at)),
                "actor": r.actor,
                "action": r.action,
                "target": r.target,
            }
            for r in rows
        ]
