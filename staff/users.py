"""`python -m staff.users` (`make staff-user`): an admin creates and changes the helper's accounts.

    make staff-user NAME=wang ROLE=staff                      # asks for the password twice, without echo
    make staff-user NAME=lin ROLE=admin PASSWORD_FILE=/path   # or: the first line of a file (then delete it)
    .venv/bin/python -m staff.users list | role NAME ROLE | password NAME | disable NAME | enable NAME

The database is STAFF_DB (a path or a postgresql:// URL; default var/staff.db, created with mode 600).
Every change is written to the audit log (actor: the Unix user running the command).
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path

from staff import db
from staff.accounts import ROLES, AccountError, AccountStore
from staff.audit import AuditLog
from staff.passwords import PBKDF2_ITERATIONS, make_hash

MIN_LENGTH = 10


def read_password(args) -> str:
    if args.password_file:
        lines = Path(args.password_file).expanduser().read_text(encoding="utf-8").splitlines()
        password = lines[0].rstrip("\r\n") if lines else ""
    elif args.stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
        if getpass.getpass("again: ") != password:
            raise AccountError("the two entries differ")
    if len(password) < MIN_LENGTH:
        raise AccountError(f"use at least {MIN_LENGTH} characters")
    return password


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m staff.users", description="Accounts of the staff helper.")
    ap.add_argument("--db", default=os.environ.get("STAFF_DB") or None, help="path or URL (default var/staff.db)")
    sub = ap.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="create an account")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="staff")
    for p in (add, pw := sub.add_parser("password", help="set a new password")):
        p.add_argument("--password-file", help="read the password from the first line of this file")
        p.add_argument("--stdin", action="store_true", help="read the password from standard input")
        p.add_argument("--iterations", type=int, default=PBKDF2_ITERATIONS, help=argparse.SUPPRESS)
    pw.add_argument("name")
    role = sub.add_parser("role", help="change an account's role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    for cmd in ("disable", "enable"):
        sub.add_parser(cmd, help=f"{cmd} an account").add_argument("name")
    sub.add_parser("list", help="names, roles, active")
    args = ap.parse_args(argv)

    engine = db.open_store(args.db)
    store, log = AccountStore(engine), AuditLog(engine)
    actor = "cli:" + (os.environ.get("USER") or getpass.getuser() or "?")[:20]
    try:
        if args.command == "list":
            for a in store.all():
                print(f"{a.name}\t{a.role}\t{'active' if a.active else 'disabled'}")
            return 0
        if args.command == "add":
            store.create(args.name, args.role, make_hash(read_password(args), iterations=args.iterations))
            done = f"created {args.name} ({args.role})"
        elif args.command == "password":
            if store.get(args.name) is None:
                raise AccountError(f"no account {args.name!r}")
            store.update(args.name, password_hash=make_hash(read_password(args), iterations=args.iterations))
            done = f"new password for {args.name}"
        elif args.command == "role":
            store.update(args.name, role=args.role)
            done = f"{args.name} is now {args.role}"
        else:
            store.update(args.name, active=args.command == "enable")
            done = f"{args.command}d {args.name}"
    except (AccountError, OSError) as e:
        print(f"nothing changed: {e}", file=sys.stderr)
        return 1
    log.record(actor, "account", f"{args.command} {args.name}")
    print(done)
    return 0


if __name__ == "__main__":
    sys.exit(main())
