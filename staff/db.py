"""The staff side's own database: accounts, the audit log and (issue 16) the handoff queue.

One SQLAlchemy engine over SQLite (default `var/staff.db`, created with mode 600 in a mode-700 directory) or
PostgreSQL (a `postgresql://…` URL, e.g. the scale-out's server). Tables are SQLAlchemy Core objects on one
MetaData, so the same queries run on both; `open_store` creates what is missing.
"""

from __future__ import annotations

import os
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PATH = ROOT / "var" / "staff.db"
metadata = sa.MetaData()


def url_for(value: str | os.PathLike | None) -> str:
    """A path (or nothing: var/staff.db) becomes a sqlite URL; a URL is kept."""
    text = str(value or DEFAULT_PATH)
    if "://" in text:
        return text
    return "sqlite:///" + str(Path(text).expanduser().resolve())


def _prepare_sqlite_file(url: str) -> None:
    path = Path(url.split("sqlite:///", 1)[1])
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=0o700)
    if not path.exists():  # created here with 600, so SQLite never creates it with the umask's 644
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


def open_store(value: str | os.PathLike | None = None) -> sa.engine.Engine:
    url = url_for(value)
    if url.startswith("sqlite:///"):
        _prepare_sqlite_file(url)
        engine = sa.create_engine(url, future=True, connect_args={"timeout": 10, "check_same_thread": False})

        @sa.event.listens_for(engine, "connect")
        def _pragmas(con, _record):  # WAL: the action server writes while the helper reads
            con.execute("PRAGMA journal_mode=WAL")
            con.execute("PRAGMA synchronous=NORMAL")
    else:
        engine = sa.create_engine(url, future=True, pool_pre_ping=True)
    import staff.accounts  # noqa: F401 -- registers the tables on `metadata`
    import staff.audit  # noqa: F401
    import staff.corrections  # noqa: F401

    metadata.create_all(engine)
    return engine
