"""The token that guards Rasa's HTTP API (`/conversations/…/tracker`, `PUT /model`, `/status` …): generated once
into a file only its owner can read (mode 600), handed to Rasa in-process by `python -m serving run
--auth-token-file FILE`, so it never shows on a command line (`ps`) or in a log.

    python -m serving.api_token [FILE]   # creates FILE if missing (default var/rasa-api-token); on creation
                                         # says how to use it, printing the token itself only to a terminal
"""

from __future__ import annotations

import os
import secrets
import stat
import sys
from pathlib import Path

DEFAULT_FILE = Path("var") / "rasa-api-token"


def ensure(path: Path) -> tuple[str, bool]:
    """(token, created): the file's token, or a new one written with mode 600 (never readable by others, not
    even for a moment: the file is created with that mode). A file others could read is tightened first."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        if stat.S_IMODE(path.stat().st_mode) & 0o077:
            os.chmod(path, 0o600)
        token = path.read_text(encoding="ascii").strip()
        if len(token) < 32:
            raise SystemExit(f"{path}: not a token (delete the file to generate a new one)") from None
        return token, False
    token = secrets.token_urlsafe(32)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(token + "\n")
    return token, True


def read(path: Path) -> str:
    return ensure(path)[0]


def usage(path: Path, token: str | None) -> str:
    shown = token if token else f"$(cat {path})"
    return (
        f"Rasa's HTTP API (conversations, model) needs a token, generated into {path} (mode 600).\n"
        + (f"  token: {token}\n" if token else "")
        + f'  e.g. curl "http://localhost:{os.environ.get("RASA_PORT", "5005")}/conversations/<id>/tracker'
        f'?token={shown}"\n'
        + "  The channels (/webhooks/…, /socket.io/) need none. Delete the file to generate a new token."
    )


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    path = Path(args[0]) if args else DEFAULT_FILE
    token, created = ensure(path)
    if created:
        # to a terminal only: output sent to a file or a pipe is a log, and the token stays out of logs
        print(usage(path, token if sys.stdout.isatty() else None), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
