"""Versions of the knowledge base, the changes that made them, and the shared draft, beside the tracker store.

SQLite by default (`kb-versions.db` in the tracker store's folder, var/ for `make run`), or any SQLAlchemy URL in
KB_VERSIONS_URL, e.g. the scale-out's PostgreSQL (postgresql://user:password@127.0.0.1:58432/rasa): SQLAlchemy
Core and psycopg2 are already pinned for Rasa's own SQL tracker store, and every statement is the same on both.

A version holds all five source texts (about 60 kB), so diff, export and rollback need nothing else.
The draft is one shared row with a revision number: a save is accepted only if nobody saved in between
(the record-level check is in kbedit/editing.py), so two editors never overwrite each other silently.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

META = sa.MetaData()
VERSIONS = sa.Table(
    "kb_versions",
    META,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("created_at", sa.String(32), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),  # repository | publish | rollback
    sa.Column("status", sa.String(16), nullable=False),  # pending | live | failed
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("why", sa.Text, nullable=False),
    sa.Column("source_doc", sa.Text, nullable=False),
    sa.Column("source_date", sa.String(10), nullable=False),
    sa.Column("rollback_of", sa.Integer, nullable=True),
    sa.Column("retrain", sa.Boolean, nullable=False, default=False),
    sa.Column("files", sa.Text, nullable=False),  # JSON: file name -> text
)
CHANGES = sa.Table(
    "kb_changes",
    META,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("version_id", sa.Integer, nullable=True, index=True),  # None: still in the draft
    sa.Column("at", sa.String(32), nullable=False),
    sa.Column("author", sa.String(200), nullable=False),
    sa.Column("why", sa.Text, nullable=False),
    sa.Column("source_doc", sa.Text, nullable=False),
    sa.Column("source_date", sa.String(10), nullable=False),
    sa.Column("file", sa.String(40), nullable=False),
    sa.Column("record_id", sa.String(200), nullable=False),
    sa.Column("action", sa.String(20), nullable=False),  # edit | add | close | supersede | alias
    sa.Column("before", sa.Text, nullable=True),  # JSON of the record, None when added
    sa.Column("after", sa.Text, nullable=True),
)
DRAFT = sa.Table(
    "kb_draft",
    META,
    sa.Column("id", sa.Integer, primary_key=True),  # always 1: one shared draft
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("base_version", sa.Integer, nullable=False),
    sa.Column("files", sa.Text, nullable=False),
    sa.Column("updated_at", sa.String(32), nullable=False),
    sa.Column("updated_by", sa.String(200), nullable=False),
)
PARSES = sa.Table(
    "kb_parse_cache",
    META,
    sa.Column("model", sa.String(200), primary_key=True),
    sa.Column("text", sa.Text, primary_key=True),
    sa.Column("parse", sa.Text, nullable=False),
)


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def default_url(tracker_db: Path | str | None = None) -> str:
    if os.environ.get("KB_VERSIONS_URL"):
        return os.environ["KB_VERSIONS_URL"]
    tracker = str(tracker_db or os.environ.get("TRACKER_DB") or "var/tracker.db")
    if "://" in tracker:  # a PostgreSQL tracker store: the versions stay in var/ unless KB_VERSIONS_URL says
        tracker = "var/tracker.db"
    tracker = Path(tracker)
    return f"sqlite:///{tracker.resolve().parent / 'kb-versions.db'}"


class DraftMoved(RuntimeError):
    """Someone saved the draft between our read and our write: read again."""


@dataclass
class DraftRow:
    revision: int
    base_version: int
    files: dict
    updated_at: str
    updated_by: str


class Store:
    def __init__(self, url: str):
        self.url = url
        if url.startswith("sqlite:///"):
            path = Path(url.removeprefix("sqlite:///"))
            path.parent.mkdir(parents=True, exist_ok=True)
            fresh = not path.exists()
            self.engine = sa.create_engine(url, future=True, connect_args={"timeout": 30})
            META.create_all(self.engine)
            if fresh:
                os.chmod(path, 0o600)  # who changed what: staff names, not for every user of the machine
        else:
            self.engine = sa.create_engine(url, future=True, pool_pre_ping=True)
            META.create_all(self.engine)

    # -- versions ----------------------------------------------------------------------------------
    def add_version(self, files: dict, meta, kind: str, status: str, rollback_of: int | None = None) -> int:
        with self.engine.begin() as con:
            res = con.execute(
                VERSIONS.insert().values(
                    **meta.signed("created_at"),
                    kind=kind,
                    status=status,
                    rollback_of=rollback_of,
                    retrain=False,
                    files=json.dumps(files, ensure_ascii=False),
                )
            )
            return int(res.inserted_primary_key[0])

    def set_status(self, version_id: int, status: str, retrain: bool | None = None) -> None:
        values = {"status": status} | ({} if retrain is None else {"retrain": retrain})
        with self.engine.begin() as con:
            con.execute(VERSIONS.update().where(VERSIONS.c.id == version_id).values(**values))

    def versions(self, limit: int = 100) -> list:
        cols = [c for c in VERSIONS.c if c.name != "files"]
        with self.engine.connect() as con:
            rows = con.execute(sa.select(*cols).order_by(VERSIONS.c.id.desc()).limit(limit))
            return [dict(r._mapping) for r in rows]

    def version(self, version_id: int) -> dict | None:
        with self.engine.connect() as con:
            row = con.execute(sa.select(VERSIONS).where(VERSIONS.c.id == version_id)).first()
        if row is None:
            return None
        out = dict(row._mapping)
        out["files"] = json.loads(out["files"])
        return out

    def previous(self, version_id: int) -> dict | None:
        """The version recorded before this one (ids may have gaps: PostgreSQL sequences do not roll back)."""
        with self.engine.connect() as con:
            vid = con.execute(
                sa.select(VERSIONS.c.id).where(VERSIONS.c.id < version_id).order_by(VERSIONS.c.id.desc()).limit(1)
            ).scalar()
        return self.version(vid) if vid is not None else None

    def live_version(self) -> dict | None:
        with self.engine.connect() as con:
            vid = con.execute(
                sa.select(VERSIONS.c.id).where(VERSIONS.c.status == "live").order_by(VERSIONS.c.id.desc()).limit(1)
            ).scalar()
        return self.version(vid) if vid is not None else None

    def pending_versions(self) -> list:
        with self.engine.connect() as con:
            return list(con.execute(sa.select(VERSIONS.c.id).where(VERSIONS.c.status == "pending")).scalars())

    # -- changes -----------------------------------------------------------------------------------
    def changes(self, version_id: int | None = None, pending: bool = False, limit: int = 200) -> list:
        q = sa.select(CHANGES).order_by(CHANGES.c.id.desc()).limit(limit)
        if pending:
            q = q.where(CHANGES.c.version_id.is_(None))
        elif version_id is not None:
            q = q.where(CHANGES.c.version_id == version_id)
        with self.engine.connect() as con:
            return [dict(r._mapping) for r in con.execute(q)]

    def last_change(self, file: str, rid: str) -> dict | None:
        q = (
            sa.select(CHANGES)
            .where(CHANGES.c.file == file, CHANGES.c.record_id == rid)
            .order_by(CHANGES.c.id.desc())
            .limit(1)
        )
        with self.engine.connect() as con:
            row = con.execute(q).first()
        return dict(row._mapping) if row else None

    def attach_pending(self, version_id: int) -> None:
        with self.engine.begin() as con:
            con.execute(CHANGES.update().where(CHANGES.c.version_id.is_(None)).values(version_id=version_id))

    # -- the draft ---------------------------------------------------------------------------------
    def draft(self) -> DraftRow | None:
        with self.engine.connect() as con:
            row = con.execute(sa.select(DRAFT).where(DRAFT.c.id == 1)).first()
        if row is None:
            return None
        m = row._mapping
        return DraftRow(m["revision"], m["base_version"], json.loads(m["files"]), m["updated_at"], m["updated_by"])

    def reset_draft(self, files: dict, base_version: int, by: str) -> None:
        """The draft becomes `files` (after a publish: the published version); pending changes are kept apart."""
        with self.engine.begin() as con:
            row = con.execute(sa.select(DRAFT.c.revision).where(DRAFT.c.id == 1)).first()
            values = dict(
                base_version=base_version, files=json.dumps(files, ensure_ascii=False), updated_at=now(), updated_by=by
            )
            if row is None:
                con.execute(DRAFT.insert().values(id=1, revision=1, **values))
            else:
                con.execute(DRAFT.update().where(DRAFT.c.id == 1).values(revision=row[0] + 1, **values))

    def save_draft(self, files: dict, revision: int, by: str, change: dict) -> int:
        """Write the draft if it is still at `revision` and record the change with it, in one transaction."""
        with self.engine.begin() as con:
            res = con.execute(
                DRAFT.update()
                .where(DRAFT.c.id == 1, DRAFT.c.revision == revision)
                .values(
                    revision=revision + 1, files=json.dumps(files, ensure_ascii=False), updated_at=now(), updated_by=by
                )
            )
            if res.rowcount != 1:
                raise DraftMoved()
            con.execute(CHANGES.insert().values(version_id=None, **change))
        return revision + 1

    # -- NLU parses of test sentences, for the preview (kbedit/preview.py) -------------------------
    def cached_parse(self, model: str, text: str) -> dict | None:
        with self.engine.connect() as con:
            row = con.execute(sa.select(PARSES.c.parse).where(PARSES.c.model == model, PARSES.c.text == text)).first()
        return json.loads(row[0]) if row else None

    def cache_parse(self, model: str, text: str, parse: dict) -> None:
        with self.engine.begin() as con:
            con.execute(PARSES.delete().where(PARSES.c.model == model, PARSES.c.text == text))
            con.execute(PARSES.insert().values(model=model, text=text, parse=json.dumps(parse, ensure_ascii=False)))
