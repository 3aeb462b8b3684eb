"""Which tracker store the bot writes, read from the same place Rasa reads it, for every staff page that reads
conversations (對話回顧 and its transcripts, the review queue, the dashboard, the 案件 pages, the editor's preview).

Rasa's endpoints file (RASA_ENDPOINTS; default endpoints.yml, `make run`'s SQLite file `${TRACKER_DB}`, or a
`postgresql://` URL in TRACKER_DB taken as it is; `make scale-up`: deploy/endpoints-scale.yml, PostgreSQL, named in
var/scale/staff.env): its `tracker_store` section, `${VARS}` filled from the environment as Rasa fills them,
becomes the SQLAlchemy URL Rasa's SQLTrackerStore builds (rasa/core/tracker_store.py get_db_url, rewritten here:
importing Rasa costs the helper 5 s and 1,500 modules). The engine is read-only: SQLite opened with mode=ro,
PostgreSQL sessions with default_transaction_read_only.
"""

from __future__ import annotations

import functools
import os
import re
import sqlite3
from pathlib import Path
from urllib.parse import urlsplit

import sqlalchemy as sa
import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_TRACKER = ROOT / "var" / "tracker.db"
VARIABLE = re.compile(r"\$\{([^}]+)\}")


class TrackerConfigError(ValueError):
    """The endpoints file names no SQL tracker store the helper can read; the message says why."""


def _filled(value, env) -> object:
    if not isinstance(value, str):
        return value
    missing = [name for name in VARIABLE.findall(value) if name not in env]
    if missing:
        raise TrackerConfigError(f"the endpoints file's tracker_store needs {', '.join(missing)} in the environment")
    return VARIABLE.sub(lambda m: env[m.group(1)], value)


def sqlite_url(path: str | os.PathLike) -> str:
    return "sqlite:///" + str(Path(path).expanduser().resolve())


def as_url(source: str | os.PathLike) -> str:
    """A SQLAlchemy URL as it is (TRACKER_DB=postgresql://…), a SQLite file's path as its URL."""
    return str(source) if "://" in str(source) else sqlite_url(source)


def url_from_endpoints(path: str | os.PathLike, env) -> str:
    """The SQLAlchemy URL of the `tracker_store` in Rasa's endpoints file at `path`."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as e:
        raise TrackerConfigError(f"{path}: {type(e).__name__}") from None
    section = data.get("tracker_store")
    if not isinstance(section, dict) or str(section.get("type", "")).lower() != "sql":
        raise TrackerConfigError(f"{path}: the staff helper reads an SQL tracker store (tracker_store: type: SQL)")
    c = {k: _filled(v, env) for k, v in section.items()}
    dialect = str(c.get("dialect") or "sqlite")
    if dialect == "sqlite":  # endpoints.yml's db is ${TRACKER_DB}: a file, or a postgresql:// URL as it is
        return as_url(c.get("db") or "rasa.db")
    host, port = c.get("url"), c.get("port")
    if host and "://" in str(host):
        return str(host)
    if host:  # as Rasa: the port may come with the host
        parsed = urlsplit(f"scheme://{host}")
        host, port = parsed.hostname or host, parsed.port or port
    url = sa.engine.URL.create(
        dialect,
        username=c.get("username"),
        password=c.get("password"),
        host=host,
        port=int(port) if port else None,
        database=c.get("db") or "rasa",
        query=c.get("query") or {},
    )
    return url.render_as_string(hide_password=False)


def configured_url(env=None) -> str:
    """The bot's tracker store: RASA_ENDPOINTS' (or endpoints.yml's) tracker_store, TRACKER_DB defaulting to
    var/tracker.db as `make run` sets it."""
    env = dict(os.environ if env is None else env)
    env.setdefault("TRACKER_DB", str(DEFAULT_TRACKER))
    return url_from_endpoints(env.get("RASA_ENDPOINTS") or ROOT / "endpoints.yml", env)


def shown(url: str) -> str:
    """The URL for a page or a log: no password."""
    return sa.engine.make_url(url).render_as_string(hide_password=True)


def sqlite_path(url: str) -> Path | None:
    return Path(url.split("sqlite:///", 1)[1]) if url.startswith("sqlite:///") else None


@functools.lru_cache(maxsize=8)
def read_only_engine(url: str) -> sa.engine.Engine:
    path = sqlite_path(url)
    if path is not None:  # a new connection per use: the file may be replaced (make purge, a test)
        uri = path.resolve().as_uri() + "?mode=ro"
        return sa.create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False),
            poolclass=sa.pool.NullPool,
            future=True,
        )
    return sa.create_engine(
        url,
        future=True,
        pool_pre_ping=True,
        pool_size=2,
        connect_args={"options": "-c default_transaction_read_only=on", "connect_timeout": 10},
    )
