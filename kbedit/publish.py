"""Publish: build a knowledge base from validated sources and swap it in atomically, as `make kb` does.

The new kb.sqlite is written to a temporary file beside the live one and renamed over it (os.replace: atomic on
POSIX), so a reader sees the old file or the new one, never half of one, and a publish killed at any point
leaves the previous knowledge base serving. The action server's knowledge/kb.py notices the new file by its
(inode, mtime, size) at the next message and reloads it (a few ms), and every matcher compiled from it
(advisor/words.py) is rebuilt once for the new snapshot: no restart, no retraining.

The jieba dictionary (knowledge/dict/userdict.txt) is written beside it the same way. A changed dictionary means
the NLU model was trained with other words: `make train` retrains (scripts/model_hash.py covers knowledge/dict),
and the page says a retrain is advisable. Until then the action side already reads new aliases from the KB.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from pathlib import Path

from knowledge.build import build_db, write_dictionary

EXTRA_WORDS = Path(__file__).resolve().parent.parent / "knowledge" / "userdict_extra.txt"


def _publish_row(con: sqlite3.Connection, info: dict) -> None:
    con.execute(
        "create table publish_info (version integer, kind text, published_at text, author text, why text, "
        "source_doc text, source_date text)"
    )
    con.execute(
        "insert into publish_info values (?, ?, ?, ?, ?, ?, ?)",
        (
            info["version"],
            info["kind"],
            info["published_at"],
            info["author"],
            info["why"],
            info["source_doc"],
            info["source_date"],
        ),
    )
    con.commit()


def build_kb_file(sources: dict, kb_path: Path, info: dict) -> Path:
    """A complete knowledge base in a temporary file beside kb_path (same file system, so the rename is atomic)."""
    fd, tmp = tempfile.mkstemp(prefix=".kb-publish-", suffix=".sqlite", dir=kb_path.parent)
    os.close(fd)
    os.unlink(tmp)
    try:
        build_db(sources, Path(tmp))
        con = sqlite3.connect(tmp)
        try:
            _publish_row(con, info)
        finally:
            con.close()
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return Path(tmp)


def swap_in(tmp: Path, kb_path: Path) -> None:
    os.replace(tmp, kb_path)  # the one step that changes what the bot serves


def clean_leftovers(kb_path: Path) -> None:
    """Temporary files of a publish that was killed before its rename."""
    for old in kb_path.parent.glob(".kb-publish-*"):
        old.unlink(missing_ok=True)


def write_dict(sources: dict, dict_dir: Path) -> bool:
    """Write jieba's dictionary for these sources (atomically); True if its words changed (retrain advisable)."""
    dict_dir.mkdir(parents=True, exist_ok=True)
    target = dict_dir / "userdict.txt"
    before = target.read_text(encoding="utf-8") if target.exists() else None
    with tempfile.TemporaryDirectory(dir=dict_dir.parent) as tmp:  # not inside: jieba reads every file there
        written = write_dictionary(sources, Path(tmp), EXTRA_WORDS)
        after = written.read_text(encoding="utf-8")
        if after != before:
            os.replace(written, target)
    return before is not None and after != before


def live_info(kb_path: Path) -> dict | None:
    """The publish record of the knowledge base being served; None when `make kb` built it (or it is missing)."""
    if not kb_path.exists():
        return None
    con = sqlite3.connect(f"file:{kb_path}?mode=ro", uri=True)
    try:
        con.row_factory = sqlite3.Row
        if not con.execute(
            "select 1 from sqlite_master where type = 'table' and name = ?", ("publish_info",)
        ).fetchone():
            return None
        row = con.execute("select * from publish_info").fetchone()
        return dict(row) if row else None
    finally:
        con.close()
