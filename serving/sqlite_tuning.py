"""SQLite tracker store: write-ahead log, no fsync on every commit, connections kept open.

Rasa's SQLTrackerStore reads and writes the conversation synchronously, inside the event loop, so while it waits
no other conversation is served. With SQLite's defaults (rollback journal, synchronous=FULL) each commit creates,
fsyncs and deletes a journal file (py-spy: ~8% of Rasa's samples in `do_commit` at 16 concurrent senders), and
SQLAlchemy 1.4 opens and closes a connection for every session on a SQLite file (NullPool: another ~5%).
WAL with synchronous=NORMAL syncs only at checkpoints, and readers (the staff helper opens the file read-only)
never block the writer; what a power cut can lose is the last few commits, not the database. The connection is
kept per thread (SingletonThreadPool; Rasa uses the store from its event loop's thread).
"""

from __future__ import annotations

import sqlite3

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=NORMAL")


def _on_connect(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        for pragma in PRAGMAS:
            cursor.execute(pragma)
        cursor.close()


def _pooled(create_engine_kwargs):
    def engine_kwargs(url) -> dict:
        from sqlalchemy.pool import SingletonThreadPool

        kwargs = create_engine_kwargs(url)
        if str(url).startswith("sqlite"):
            kwargs.setdefault("poolclass", SingletonThreadPool)
        return kwargs

    engine_kwargs.pooled = True
    return engine_kwargs


def install() -> None:
    """Pragmas for every SQLite connection SQLAlchemy opens in this process (in Rasa: the tracker store's), and a
    kept connection for Rasa's SQL tracker store on SQLite; PostgreSQL and other databases are untouched."""
    import rasa.core.tracker_store as tracker_store
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    if not event.contains(Engine, "connect", _on_connect):
        event.listen(Engine, "connect", _on_connect)
    if not getattr(tracker_store.create_engine_kwargs, "pooled", False):
        tracker_store.create_engine_kwargs = _pooled(tracker_store.create_engine_kwargs)
