"""Export → `make kb` → the same tables the editor published; `make kb-import`; a publish killed mid-way leaves
the previous knowledge base serving."""

from __future__ import annotations

import copy
import os
import signal
import sqlite3
import subprocess
import sys
import textwrap

from kbedit import kb_import
from kbedit.store import Store
from knowledge.build import build
from knowledge.kb import KB
from tests.conftest import ROOT
from tests.kbedit.conftest import meta


def tables(path) -> dict:
    """Every table `make kb` builds, row for row (the publish record and SQLite's own tables aside)."""
    con = sqlite3.connect(path)
    try:
        names = [
            r[0]
            for r in con.execute("select name from sqlite_master where type = 'table' order by name")
            if r[0] != "publish_info" and not r[0].startswith(("sqlite_", "search_fts_"))
        ]
        return {n: sorted(map(repr, con.execute("select * from " + n))) for n in names}  # noqa: S608 - own names
    finally:
        con.close()


def _edit_everything(editor):
    """A figure, a hotline's hours, a new alias, a closed measure with a review date."""
    rec, h = editor.open("measures.yml", "sme_loan")
    rec = copy.deepcopy(rec)
    next(f for f in rec["figures"] if f["key"] == "loan_cap")["value"] = 4000
    rec["aliases"].append("多元貸款新制")
    rec["review_by"] = "2026-06-30"
    assert editor.save("measures.yml", "sme_loan", rec, h, meta(), "edit").saved
    rec, h = editor.open("measures.yml", "impact_visits")
    rec = {**rec, "status": {"state": "closed", "ad": "2026-02-28", "source": "經濟部公告 2026-02-20"}}
    assert editor.save("measures.yml", "impact_visits", rec, h, meta(), "close").saved
    rec, h = editor.open("hotlines.yml", "smeg")
    rec = {**rec, "hours": {"open": "09:00", "close": "17:30", "text": "09:00–17:30"}}
    assert editor.save("hotlines.yml", "smeg", rec, h, meta(), "edit").saved


def test_export_then_make_kb_gives_the_published_tables(editor, live_dir, tmp_path):
    _edit_everything(editor)
    version = editor.store.version(editor.publish(meta()).version_id)
    exported = tmp_path / "export"
    exported.mkdir()
    for name, text in version["files"].items():  # what the page's download gives, file by file
        (exported / name).write_text(text, encoding="utf-8")
    for extra in ("userdict_extra.txt",):
        (exported / extra).write_bytes((ROOT / "knowledge" / extra).read_bytes())
    rebuilt = build(exported, tmp_path / "rebuilt.sqlite", tmp_path / "dict")
    assert tables(rebuilt) == tables(live_dir / "kb.sqlite")
    assert (tmp_path / "dict" / "userdict.txt").read_bytes() == (live_dir / "dict" / "userdict.txt").read_bytes()
    # the export is the repository's file with the edited records' lines only
    orig = (ROOT / "knowledge" / "measures.yml").read_text(encoding="utf-8").splitlines()
    new = version["files"]["measures.yml"].splitlines()
    assert len(set(new) - set(orig)) <= 8 and new[:20] == orig[:20]


def test_make_kb_import(editor, tmp_path):
    _edit_everything(editor)
    version = editor.store.version(editor.publish(meta()).version_id)
    dest = tmp_path / "knowledge"
    dest.mkdir()
    for name, text in editor.store.version(1)["files"].items():
        (dest / name).write_text(text, encoding="utf-8")
    download = tmp_path / "downloads" / "measures.yml"
    download.parent.mkdir()
    download.write_text(version["files"]["measures.yml"], encoding="utf-8")
    assert kb_import.main([str(download), "--dest", str(dest)]) == 0
    assert (dest / "measures.yml").read_text(encoding="utf-8") == version["files"]["measures.yml"]

    broken = tmp_path / "bad" / "hotlines.yml"
    broken.parent.mkdir()
    broken.write_text(version["files"]["hotlines.yml"].replace("0800-280-280", "0800280280"), encoding="utf-8")
    before = (dest / "hotlines.yml").read_text(encoding="utf-8")
    assert kb_import.main([str(broken), "--dest", str(dest)]) == 1
    assert (dest / "hotlines.yml").read_text(encoding="utf-8") == before
    assert kb_import.main([str(tmp_path / "downloads"), "--dest", str(dest)]) == 2
    wrong = tmp_path / "downloads" / "kb.yml"
    wrong.write_text("x: 1", encoding="utf-8")
    assert kb_import.main([str(wrong), "--dest", str(dest)]) == 1


KILLED_PUBLISH = textwrap.dedent(
    """
    import os, sys, time
    sys.path.insert(0, {root!r})
    from kbedit import publish
    from kbedit.draft import Meta
    from kbedit.editing import Editor
    from kbedit.store import Store
    from pathlib import Path
    real_swap = publish.swap_in
    def slow_swap(tmp, kb):
        print("built", flush=True)  # the new file is complete and the version recorded: the worst moment
        time.sleep(120)
        real_swap(tmp, kb)
    publish.swap_in = slow_swap
    live = Path({live!r})
    ed = Editor(Store({url!r}), live / "kb.sqlite", live / "dict", Path({root!r}) / "knowledge")
    ed.publish(Meta("editor-a", "上限調高", "經濟部新聞稿", "2026-03-02"))
    """
)


def test_a_publish_killed_mid_way_leaves_the_previous_kb_serving(editor, live_dir, tmp_path):
    rec, h = editor.open("measures.yml", "sme_loan")
    rec = copy.deepcopy(rec)
    next(f for f in rec["figures"] if f["key"] == "loan_cap")["value"] = 4000
    assert editor.save("measures.yml", "sme_loan", rec, h, meta(), "edit").saved
    kb = KB(live_dir / "kb.sqlite")
    before = (live_dir / "kb.sqlite").read_bytes()

    script = KILLED_PUBLISH.format(root=str(ROOT), live=str(live_dir), url=editor.store.url)
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "built"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)

    assert (live_dir / "kb.sqlite").read_bytes() == before
    assert next(f["value"] for f in kb.figures("sme_loan") if f["key"] == "loan_cap") == 3500
    assert list(live_dir.glob(".kb-publish-*")), "the half-done publish left its temporary file"
    store = Store(editor.store.url)
    assert store.versions()[0]["status"] == "pending"

    # the helper's next start sees the publish never happened; the draft keeps the change; publishing again works
    from kbedit.editing import Editor

    again = Editor(store, live_dir / "kb.sqlite", live_dir / "dict", ROOT / "knowledge")
    assert store.versions()[0]["status"] == "failed"
    assert [c["record_id"] for c in again.pending()] == ["sme_loan"]
    again.publish(meta())
    assert next(f["value"] for f in kb.figures("sme_loan") if f["key"] == "loan_cap") == 4000
    assert not list(live_dir.glob(".kb-publish-*"))
