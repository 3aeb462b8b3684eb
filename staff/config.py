"""Settings of the staff helper, from the environment. Anything wrong stops the start with a clear message.

STAFF_PASSWORD_HASH   the team password's hash (scripts/staff_password.py prints one), or
STAFF_PASSWORD_FILE   a file outside the git work tree holding that hash on its first line
STAFF_HOST            default 127.0.0.1 (loopback only: the helper is internal)
STAFF_PORT            default 8090
STAFF_SESSION_HOURS   how long a login lasts, default 10 (a shift)
TRACKER_DB            Rasa's tracker store (SQLite), default var/tracker.db, opened read-only
KB_PATH               knowledge base, default knowledge/kb.sqlite (read by knowledge/kb.py)
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from staff.passwords import BadHash, PasswordHash, parse

ROOT = Path(__file__).resolve().parent.parent
HOW_TO = (
    "Create one with\n"
    "    .venv/bin/python scripts/staff_password.py\n"
    "then either\n"
    "    export STAFF_PASSWORD_HASH='<the printed hash>'\n"
    "or save the hash in a file outside the git work tree (e.g. ~/.config/tariff-staff/password-hash,\n"
    "chmod 600) and\n"
    "    export STAFF_PASSWORD_FILE=~/.config/tariff-staff/password-hash"
)


class ConfigError(RuntimeError):
    """The helper cannot start; the message says how to fix it."""


@dataclass
class Settings:
    password: PasswordHash
    host: str = "127.0.0.1"
    port: int = 8090
    tracker_db: Path = field(default_factory=lambda: ROOT / "var" / "tracker.db")
    kb_path: Path | None = None  # None: knowledge.kb's default (KB_PATH or knowledge/kb.sqlite)
    session_hours: float = 10.0
    login_delay: float = 1.0  # seconds added to every failed login (slows guessing)
    secure_cookie: bool = False  # set when served behind HTTPS


def _inside_repo(path: Path) -> bool:
    try:
        rel = path.resolve().relative_to(ROOT)
    except ValueError:
        return False
    return not rel.parts or rel.parts[0] != "var"  # var/ is git-ignored


def password_from_env(env) -> PasswordHash:
    encoded, file_name = env.get("STAFF_PASSWORD_HASH", "").strip(), env.get("STAFF_PASSWORD_FILE", "").strip()
    if encoded and file_name:
        raise ConfigError("Both STAFF_PASSWORD_HASH and STAFF_PASSWORD_FILE are set: keep only one.")
    if not encoded and not file_name:
        raise ConfigError(
            "The staff helper needs a password: neither STAFF_PASSWORD_HASH nor STAFF_PASSWORD_FILE is set.\n" + HOW_TO
        )
    origin = "STAFF_PASSWORD_HASH"
    if file_name:
        path = Path(file_name).expanduser()
        origin = f"STAFF_PASSWORD_FILE ({path})"
        if _inside_repo(path):
            raise ConfigError(f"{origin} is inside the git work tree; keep the hash outside git.\n" + HOW_TO)
        try:
            lines = [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
        except OSError as e:
            raise ConfigError(f"{origin} cannot be read: {e.strerror}.\n" + HOW_TO) from None
        if not lines:
            raise ConfigError(f"{origin} is empty.\n" + HOW_TO)
        encoded = lines[0]
    try:
        return parse(encoded)
    except BadHash as e:
        raise ConfigError(f"{origin} is not a valid password hash: {e}.\n" + HOW_TO) from None


def load_settings(env=None) -> Settings:
    env = os.environ if env is None else env
    password = password_from_env(env)
    try:
        port = int(env.get("STAFF_PORT") or 8090)
        hours = float(env.get("STAFF_SESSION_HOURS") or 10)
    except ValueError:
        raise ConfigError("STAFF_PORT must be an integer and STAFF_SESSION_HOURS a number.") from None
    if not 0 < port < 65536 or hours <= 0:
        raise ConfigError("STAFF_PORT must be 1-65535 and STAFF_SESSION_HOURS positive.")
    tracker = Path(env.get("TRACKER_DB") or ROOT / "var" / "tracker.db").expanduser()
    return Settings(
        password=password,
        host=env.get("STAFF_HOST") or "127.0.0.1",
        port=port,
        tracker_db=tracker,
        kb_path=Path(env["KB_PATH"]) if env.get("KB_PATH") else None,
        session_hours=hours,
        secure_cookie=env.get("STAFF_SECURE_COOKIE") == "1",
    )
