"""Settings of the staff helper, from the environment. Anything wrong stops the start with a clear message.

STAFF_DB              accounts, audit log and handoff queue: a path (default var/staff.db) or a postgresql:// URL;
                      accounts are created with `make staff-user` (staff/users.py)
STAFF_HOST            default 127.0.0.1 (loopback only: the helper is internal)
STAFF_PORT            default 8090
STAFF_SESSION_HOURS   how long a login lasts, default 10 (a shift)
TRACKER_DB            Rasa's tracker store: a SQLite path (default var/tracker.db) or a postgresql:// URL, read-only
KB_PATH               knowledge base, default knowledge/kb.sqlite (read by knowledge/kb.py)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

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
    tracker_db: Path | str = field(default_factory=lambda: ROOT / "var" / "tracker.db")
    kb_path: Path | None = None  # None: knowledge.kb's default (KB_PATH or knowledge/kb.sqlite)
    session_hours: float = 10.0
    login_delay: float = 1.0  # seconds added to every failed login (slows guessing)
    secure_cookie: bool = False  # set when served behind HTTPS


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
    return Settings(
        db=env.get("STAFF_DB") or None,
        host=env.get("STAFF_HOST") or "127.0.0.1",
        port=port,
        tracker_db=tracker,
        kb_path=Path(env["KB_PATH"]) if env.get("KB_PATH") else None,
        session_hours=hours,
        secure_cookie=env.get("STAFF_SECURE_COOKIE") == "1",
    )
