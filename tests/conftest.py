"""Shared fixtures: a knowledge base built from the repo's sources into a temporary folder, and the
dispatcher/tracker pair that Rasa's demo bots use to unit-test actions."""

from __future__ import annotations

import os
import shutil
import sys
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
    text: str, intent: str = "nlu_fallback", slots: dict | None = None, entities=None, confidence: float = 0.9
):
    from rasa_sdk import Tracker

    msg = {
        "text": text,
        "intent": {"name": intent, "confidence": confidence},
        "entities": entities or [],
        "intent_ranking": [{"name": intent, "confidence": confidence}],
    }
    return Tracker("test-sender", slots or {}, msg, [], False, None, {}, "action_listen")


@pytest.fixture
def tracker_for():
    return make_tracker
