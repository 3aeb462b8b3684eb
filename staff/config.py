"""Settings of the staff helper, from the environment. Anything wrong stops the start with a clear message.

STAFF_DB              accounts, audit log and handoff queue: a path (default var/staff.db) or a postgresql:// URL;
                      accounts are created with `make staff-user` (staff/users.py)
STAFF_HOST            default 127.0.0.1 (loopback only: the helper is internal)
STAFF_PORT            default 8090
STAFF_SESSION_HOURS   how long a login lasts, default 10 (a shift)
RASA_ENDPOINTS        the endpoints file the bot runs with (default endpoints.yml): its tracker_store is what the
                      review, transcripts, case pages, dashboard and preview read, read-only (staff/tracker_store.py)
TRACKER_DB            endpoints.yml's tracker store: a SQLite path (default var/tracker.db; the editor's versions go
                      beside it) or a postgresql:// URL, read the same way
KB_PATH               knowledge base, default knowledge/kb.sqlite (read by knowledge/kb.py)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from staff.tracker_store import TrackerConfigError, as_url, configured_url

ROOT = Path(__file__).resolve().parent.parent
HOW_TO = (
    "Create the first (admin) account with\n"
    "    make staff-user NAME=<name> ROLE=admin\n"
    "(it asks for the password twice), then `make staff` again. See staff/README.md."
)


class ConfigError(RuntimeError):
    """The helper cannot start; the message says how to fix it."""


@dataclass
class Settings:
    db: str | None = None  # staff.db.url_for: None is var/staff.db
    host: str = "127.0.0.1"
    port: int = 8090
    tracker_db: Path | str = field(default_factory=lambda: ROOT / "var" / "tracker.db")  # a path, or a URL
    tracker_url: str | None = None  # the bot's tracker store (staff/tracker_store.py); None: tracker_db
    kb_path: Path | None = None  # None: knowledge.kb's default (KB_PATH or knowledge/kb.sqlite)
    session_hours: float = 10.0
    login_delay: float = 1.0  # seconds added to every failed login (slows guessing)
    secure_cookie: bool = False  # set when served behind HTTPS

    @property
    def tracker(self) -> str:
        """The SQLAlchemy URL of the tracker store the staff pages read."""
        return self.tracker_url or as_url(self.tracker_db)


def load_settings(env=None) -> Settings:
    env = os.environ if env is None else env
    try:
        port = int(env.get("STAFF_PORT") or 8090)
        hours = float(env.get("STAFF_SESSION_HOURS") or 10)
    except ValueError:
        raise ConfigError("STAFF_PORT must be an integer and STAFF_SESSION_HOURS a number.") from None
    if not 0 < port < 65536 or hours <= 0:
        raise ConfigError("STAFF_PORT must be 1-65535 and STAFF_SESSION_HOURS positive.")
    tracker = env.get("TRACKER_DB") or ROOT / "var" / "tracker.db"
    tracker = tracker if "://" in str(tracker) else Path(tracker).expanduser()  # a URL stays as it is
    try:
        tracker_url = configured_url(env)
    except TrackerConfigError as e:
        raise ConfigError(f"the bot's tracker store: {e}") from None
    return Settings(
        db=env.get("STAFF_DB") or None,
        host=env.get("STAFF_HOST") or "127.0.0.1",
        port=port,
        tracker_db=tracker,
        tracker_url=tracker_url,
        kb_path=Path(env["KB_PATH"]) if env.get("KB_PATH") else None,
        session_hours=hours,
        secure_cookie=env.get("STAFF_SECURE_COOKIE") == "1",
    )
