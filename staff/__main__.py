"""`python -m staff`: check the settings, then serve the helper (default http://127.0.0.1:8090/)."""

from __future__ import annotations

import ipaddress
import logging
import sys

from aiohttp import web

from staff.config import HOW_TO, ConfigError, load_settings
from staff.review import redact_url


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def main() -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        settings = load_settings()
    except ConfigError as e:
        print(f"staff helper not started: {e}", file=sys.stderr)
        return 2
    from knowledge.kb import KB, KBUnavailable
    from staff import db
    from staff.accounts import AccountStore

    try:
        engine = db.open_store(settings.db)
        accounts = AccountStore(engine).count()
    except Exception as e:  # noqa: BLE001 -- any database error: say which kind, not the URL (it may hold a password)
        print(f"staff helper not started: the staff database cannot be opened ({type(e).__name__})", file=sys.stderr)
        return 2
    if not accounts:
        print(f"staff helper not started: there is no account yet.\n{HOW_TO}", file=sys.stderr)
        return 2
    from staff.access_log import runner_options
    from staff.app import create_app

    kb = KB(settings.kb_path) if settings.kb_path else KB()
    try:
        kb.snap  # noqa: B018 -- reading the snapshot opens the knowledge base: fail here, not on the first page
    except KBUnavailable as e:
        print(f"staff helper not started: {e}", file=sys.stderr)
        return 2
    if not _loopback(settings.host):
        logging.warning(
            "STAFF_HOST=%s is not a loopback address: the helper is internal; put it behind HTTPS "
            "(and set STAFF_SECURE_COOKIE=1) before anyone else can reach it",
            settings.host,
        )
    shown = "localhost" if settings.host in ("127.0.0.1", "localhost") else settings.host
    web.run_app(
        create_app(settings, kb, engine),
        host=settings.host,
        port=settings.port,
        **runner_options(),
        print=lambda _: print(
            f"staff helper on http://{shown}:{settings.port}/ (Ctrl-C stops it); "
            f"tracker store: {redact_url(settings.tracker_db)}",
            flush=True,
        ),
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
