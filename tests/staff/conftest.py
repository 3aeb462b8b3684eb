"""Fixtures for the staff helper: settings with a cheap password hash, a small tracker store, and the app
served on 127.0.0.1 (an ephemeral port) in a background thread, for HTTP and browser tests."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

import pytest
import requests

from staff import db
from staff.accounts import AccountStore
from staff.config import Settings
from staff.passwords import make_hash
from tests.staff.tracker_factory import SAMPLE, write_tracker

PASSWORD = "correct horse battery staple"
STAFF, ADMIN = "wang", "lin"  # one account per role the tests need
LOGIN = {"name": STAFF, "password": PASSWORD}
ADMIN_LOGIN = {"name": ADMIN, "password": PASSWORD}


def make_staff_db(path: Path) -> Path:
    """A staff database with a `staff` and an `admin` account (cheap hashes; production default is 600,000)."""
    store = AccountStore(db.open_store(path))
    store.create(STAFF, "staff", make_hash(PASSWORD, iterations=1000))
    store.create(ADMIN, "admin", make_hash(PASSWORD, iterations=1000))
    return path


@pytest.fixture(scope="session")
def staff_db(tmp_path_factory) -> Path:
    return make_staff_db(tmp_path_factory.mktemp("staffdb") / "staff.db")


@pytest.fixture(scope="session")
def tracker_db(tmp_path_factory) -> Path:
    return write_tracker(tmp_path_factory.mktemp("tracker") / "tracker.db", SAMPLE)


class Server:
    """An aiohttp app on 127.0.0.1:<free port>, run by its own event loop in a daemon thread."""

    def __init__(self, app, **runner_options):
        from aiohttp import web

        self.app, self.web = app, web
        self.runner_options = runner_options or {"access_log": None}
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        asyncio.set_event_loop(self.loop)
        self.runner = self.web.AppRunner(self.app, **self.runner_options)
        self.loop.run_until_complete(self.runner.setup())
        site = self.web.TCPSite(self.runner, "127.0.0.1", 0)
        self.loop.run_until_complete(site.start())
        self.port = self.runner.addresses[0][1]
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self.runner.cleanup())
        self.loop.close()

    def __enter__(self):
        self.thread.start()
        assert self.ready.wait(10), "the staff app did not start"
        self.url = f"http://127.0.0.1:{self.port}"
        return self

    def __exit__(self, *exc):
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


def make_settings(staff_db: Path, tracker: Path, kb_path: Path) -> Settings:
    return Settings(db=str(staff_db), tracker_db=tracker, kb_path=kb_path, login_delay=0.0)


@pytest.fixture(scope="session")
def server(kb, kb_path, staff_db, tracker_db):
    from staff.app import create_app

    app = create_app(make_settings(staff_db, tracker_db, kb_path), kb)
    with Server(app) as s:
        yield s


def client(base: str) -> requests.Session:
    s = requests.Session()
    s.trust_env = False  # no proxy for 127.0.0.1
    s.base = base
    return s


@pytest.fixture
def anon(server) -> requests.Session:
    return client(server.url)


@pytest.fixture
def staff(server) -> requests.Session:
    return logged_in(server, LOGIN)


@pytest.fixture
def admin(server) -> requests.Session:
    return logged_in(server, ADMIN_LOGIN)


def logged_in(server, login: dict) -> requests.Session:
    s = client(server.url)
    r = s.post(server.url + "/login", data={**login, "next": "/"}, allow_redirects=False)
    assert r.status_code == 303, r.text
    return s
