"""Staff accounts: one per person, each with a role, the password hashed by staff/passwords.py.

Roles: `staff` (the queue, look-ups, search, calculator, review), `editor` (as staff, plus editing the knowledge
base, issue 17) and `admin` (everything, including the audit log and accounts). `admin` passes every role check.

    store = AccountStore(staff.db.open_store())
    store.create("wang", "staff", make_hash(password))
    account = store.verify("wang", password)      # Account or None
    @require_role("admin")                         # on an aiohttp handler: 403 for any other role
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass

import sqlalchemy as sa

from staff.db import metadata
from staff.passwords import BadHash, make_hash, parse

ROLES = ("staff", "editor", "admin")
NAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,31}$")
ACCOUNT_KEY = "account"  # request[ACCOUNT_KEY] is the logged-in Account (set by the app's login middleware)

accounts = sa.Table(
    "staff_accounts",
    metadata,
    sa.Column("name", sa.String(32), primary_key=True),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.Text, nullable=False),
    sa.Column("active", sa.Boolean, nullable=False, default=True),
    sa.Column("created", sa.Float, nullable=False),
    sa.Column("updated", sa.Float, nullable=False),
)
# verifying an unknown name costs as much as a known one (no telling which names exist by timing)
_DUMMY = parse(make_hash("dummy password, never matches", iterations=1000))


class AccountError(ValueError):
    """A bad name, role or password, or an account that does (not) exist; the message says which."""


@dataclass(frozen=True)
class Account:
    name: str
    role: str
    active: bool = True

    def has_role(self, *roles: str) -> bool:
        return self.active and (self.role == "admin" or self.role in roles)


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
    return role


def check_name(name: str) -> str:
    if not NAME.match(name or ""):
        raise AccountError("a name is 2-32 characters: lower-case letters, digits, '.', '_' or '-'")
    return name


class AccountStore:
    def __init__(self, engine: sa.engine.Engine):
        self.engine = engine

    def create(self, name: str, role: str, password_hash: str) -> Account:
        check_name(name), check_role(role)
        try:
            parse(password_hash)
        except BadHash as e:
            raise AccountError(f"not a valid password hash: {e}") from None
        now = time.time()
        with self.engine.begin() as con:
            if con.execute(sa.select(accounts.c.name).where(accounts.c.name == name)).first():
                raise AccountError(f"account {name!r} exists already")
            con.execute(
                accounts.insert().values(
                    name=name, role=role, password_hash=password_hash, active=True, created=now, updated=now
                )
            )
        return Account(name, role)

    def update(self, name: str, *, role: str | None = None, password_hash: str | None = None, active=None) -> Account:
        values = {"updated": time.time()}
        if role is not None:
            values["role"] = check_role(role)
        if password_hash is not None:
            parse(password_hash)
            values["password_hash"] = password_hash
        if active is not None:
            values["active"] = bool(active)
        with self.engine.begin() as con:
            if not con.execute(accounts.update().where(accounts.c.name == name).values(**values)).rowcount:
                raise AccountError(f"no account {name!r}")
        return self.get(name)

    def get(self, name: str) -> Account | None:
        with self.engine.connect() as con:
            row = con.execute(sa.select(accounts).where(accounts.c.name == name)).first()
        return Account(row.name, row.role, bool(row.active)) if row else None

    def all(self) -> list[Account]:
        with self.engine.connect() as con:
            rows = con.execute(sa.select(accounts).order_by(accounts.c.name)).all()
        return [Account(r.name, r.role, bool(r.active)) for r in rows]

    def count(self) -> int:
        with self.engine.connect() as con:
            return con.execute(sa.select(sa.func.count()).select_from(accounts).where(accounts.c.active)).scalar()

    def verify(self, name: str, password: str) -> Account | None:
        """The active account with this name and password, or None (slow by design: run it in a thread)."""
        with self.engine.connect() as con:
            row = con.execute(sa.select(accounts).where(accounts.c.name == (name or "").strip().lower())).first()
        if row is None or not row.active:
            _DUMMY.verify(password or "")
            return None
        try:
            ok = bool(password) and parse(row.password_hash).verify(password)
        except BadHash:
            ok = False
        return Account(row.name, row.role, True) if ok else None


def require_role(*roles: str):
    """Decorate an aiohttp handler: the logged-in account must have one of `roles` (admin always does)."""
    from aiohttp import web

    def wrap(handler):
        @functools.wraps(handler)
        async def checked(request):
            account = request.get(ACCOUNT_KEY)
            if account is None or not account.has_role(*roles):
                raise web.HTTPForbidden(text="forbidden for this role")
            return await handler(request)

        checked.roles = roles
        return checked

    return wrap
