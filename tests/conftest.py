"""Shared fixtures: a knowledge base built from the repo's sources into a temporary folder, and the
dispatcher/tracker pair that Rasa's demo bots use to unit-test actions."""

from __future__ import annotations

import os
import shutil
import sys
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
DECK = ROOT.parent / "shared" / "seed" / "measures-deck.md"


@pytest.fixture(scope="session", autouse=True)
def handoff_store_of_the_tests(tmp_path_factory):
    """The handoff store (handoff/store.py) of every test in this process is a temporary file, never var/."""
    old = os.environ.get("HANDOFF_DB")
    os.environ["HANDOFF_DB"] = str(tmp_path_factory.mktemp("handoff-db") / "handoff.db")
    yield
    if old is None:
        os.environ.pop("HANDOFF_DB", None)
    else:
        os.environ["HANDOFF_DB"] = old


@pytest.fixture(scope="session")
def kb_path(tmp_path_factory) -> Path:
    from knowledge.build import build

    out = tmp_path_factory.mktemp("kb")
    return build(ROOT / "knowledge", out / "kb.sqlite", out / "dict")


@pytest.fixture(scope="session")
def kb(kb_path):
    from knowledge.kb import KB

    return KB(kb_path)


@pytest.fixture
def kb_src(tmp_path) -> Path:
    """A writable copy of the knowledge sources, for tests that break them."""
    src = tmp_path / "src"
    shutil.copytree(ROOT / "knowledge", src, ignore=shutil.ignore_patterns("*.sqlite", "dict", "__pycache__"))
    return src


@pytest.fixture(scope="session")
def deck_text() -> str:
    if not DECK.exists():
        if os.environ.get("CI"):  # CI lays shared/ beside the clone: a missing deck is an error, not a skip
            pytest.fail(f"the source deck is not at {DECK}")
        pytest.skip(f"the source deck is not at {DECK}")
    return DECK.read_text(encoding="utf-8")


@pytest.fixture
def dispatcher():
    from rasa_sdk.executor import CollectingDispatcher

    return CollectingDispatcher()


@pytest.fixture
def domain():
    import yaml

    return yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


def make_tracker(
    text: str,
    intent: str = "nlu_fallback",
    slots: dict | None = None,
    entities=None,
    confidence: float = 0.9,
    events: list | None = None,
):
    from rasa_sdk import Tracker

    msg = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "intent_ranking": [{"name": intent, "confidence": confidence}],
    }
    return Tracker("test-sender", slots or {}, msg, events or [], False, None, {}, "action_listen")


@pytest.fixture
def tracker_for():
    return make_tracker


# -- whole bots, one of each for the session (starting Rasa takes half a minute to minutes) ---------------------
# ACTION_TIMEOUT: short, so the slow-action-server test waits seconds, not the default 10 s.
# RATE_LIMIT_PER_MINUTE=0: the soak measures capacity; the limit is tested per channel in tests/channels/.
LIVE_ENV = {"ACTION_TIMEOUT": "4", "RATE_LIMIT_PER_MINUTE": "0"}


@pytest.fixture(scope="session")
def live_bot(tmp_path_factory, kb_path):
    """The whole bot of tests/live/bot.py (pieces can be stopped, slowed, restarted): tests/live/ and the FAQ
    checks (tests/test_faq.py, through its /model/parse)."""
    from tests.e2e.servers import ARTIFACTS
    from tests.live.bot import LiveBot, require_model

    require_model()
    logs = ARTIFACTS / "live"
    logs.mkdir(parents=True, exist_ok=True)
    for old in logs.glob("live-*.log"):
        old.unlink()
    base = tmp_path_factory.mktemp("live")
    token = base / "rasa-api-token"  # the staff relay's token (channels/handoff.py); the live Rasa API has none
    token.write_text(uuid.uuid4().hex)
    token.chmod(0o600)
    env = {**LIVE_ENV, "HANDOFF_DB": str(base / "handoff.db"), "RASA_API_TOKEN_FILE": str(token)}
    bot = LiveBot(base, kb_path, logs, env)
    try:
        bot.start()
        yield bot
    finally:
        bot.close()


@pytest.fixture(scope="session")
def make_run(tmp_path_factory):
    """`make run` itself (tests/live/make_run.py): tests/live/test_api_security.py and the whole-bot browser test."""
    from tests.live.make_run import make_run as started

    with started(tmp_path_factory.mktemp("make-run")) as bot:
        yield bot


# -- pytest-xdist (`make test` runs two workers, --dist loadgroup) ----------------------------------------------
# Every test goes to a worker with the rest of its module (module fixtures, such as a trained tiny model, are made
# once), and every test that uses one of the session's whole bots goes with the others that use it, so each bot
# starts once (whole_bot is tests/e2e/test_widget.py's way to make_run). The longest groups come first (measured:
# `--durations`, 2026-12-01), so the two workers end at about the same time; the scale-out stack (two Rasa loads)
# used to come last and kept one worker busy for minutes after the other had finished.
SHARED_BOTS = {"live_bot": "live_bot", "make_run": "make_run", "whole_bot": "make_run", "stub_bot": "stub_bot"}
FIRST = (
    "live_bot",
    "make_run",
    "tests/test_scale_out.py",
    "tests/test_second_reader.py",
    "tests/test_spacy_variant.py",
    "stub_bot",
)


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config, items):
    def group(item) -> str:
        bots = [bot for name, bot in SHARED_BOTS.items() if name in getattr(item, "fixturenames", ())]
        return bots[0] if bots else item.nodeid.split("::")[0]

    groups = {item: group(item) for item in items}
    for item, name in groups.items():
        item.add_marker(pytest.mark.xdist_group(name))
    rank = {name: i for i, name in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(groups[item], len(FIRST)))  # stable: the rest keep their order
