"""Fixtures for the staff editor's core: a store in a temporary folder and an editor publishing into a copy of the
knowledge base (never the worktree's own knowledge/kb.sqlite)."""

from __future__ import annotations

import shutil

import pytest

from kbedit.draft import Meta
from kbedit.editing import Editor
from kbedit.store import Store
from tests.conftest import ROOT


def meta(author: str = "editor-a", why: str = "測試", doc: str = "經濟部新聞稿", day: str = "2026-03-02") -> Meta:
    return Meta(author=author, why=why, source_doc=doc, source_date=day)


@pytest.fixture
def live_dir(tmp_path, kb_path):
    """A served knowledge base as `make kb` leaves it: kb.sqlite + dict/ (copied from the session's build)."""
    out = tmp_path / "live"
    out.mkdir()
    shutil.copy(kb_path, out / "kb.sqlite")
    shutil.copytree(kb_path.parent / "dict", out / "dict")
    return out


@pytest.fixture
def store(tmp_path):
    return Store(f"sqlite:///{tmp_path / 'var' / 'kb-versions.db'}")


@pytest.fixture
def editor(store, live_dir):
    return Editor(store, live_dir / "kb.sqlite", live_dir / "dict", ROOT / "knowledge")
