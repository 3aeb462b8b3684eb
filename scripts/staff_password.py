#!/usr/bin/env python3
"""Print a hash of the staff helper's password, for STAFF_PASSWORD_HASH or the file in STAFF_PASSWORD_FILE.

    .venv/bin/python scripts/staff_password.py              # asks twice, without echo (recommended)
    printf '%s' "$PW" | .venv/bin/python scripts/staff_password.py --stdin
    .venv/bin/python scripts/staff_password.py 'the password'   # works, but lands in the shell history
    ... --scheme scrypt                                         # hashlib.scrypt instead of PBKDF2-SHA256

Only the hash is printed (stdout); keep it outside git, e.g.
    .venv/bin/python scripts/staff_password.py > ~/.config/tariff-staff/password-hash && chmod 600 $_
"""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from staff.passwords import PBKDF2_ITERATIONS, SCHEMES, make_hash  # noqa: E402

MIN_LENGTH = 10


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description="Print a password hash for the staff helper (make staff).")
    ap.add_argument("password", nargs="?", help="the password (prefer the prompt: arguments stay in shell history)")
    ap.add_argument("--stdin", action="store_true", help="read the password from standard input")
    ap.add_argument("--scheme", choices=SCHEMES, default="pbkdf2_sha256")
    ap.add_argument("--iterations", type=int, default=PBKDF2_ITERATIONS, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    elif args.password is not None:
        password = args.password
        print("warning: a password given as an argument stays in the shell history", file=sys.stderr)
    else:
        password = getpass.getpass("staff password: ")
        if getpass.getpass("again: ") != password:
            print("the two entries differ; nothing printed", file=sys.stderr)
            return 1
    if len(password) < MIN_LENGTH:
        print(f"use at least {MIN_LENGTH} characters; nothing printed", file=sys.stderr)
        return 1
    print(make_hash(password, scheme=args.scheme, iterations=args.iterations))
    return 0


if __name__ == "__main__":
    sys.exit(main())
