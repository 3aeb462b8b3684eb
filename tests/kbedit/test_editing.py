"""The editor's core without the web: changes with who/when/why/source, the optimistic check between two
editors, publish as a version, diff of any two, rollback as a publish, the history after `make kb`."""

from __future__ import annotations

import copy

import pytest

from kbedit import diff
from kbedit.draft import Meta, record_hash
from kbedit.editing import Editor, Refused
from knowledge.kb import KB
from tests.conftest import ROOT
from tests.kbedit.conftest import meta


def _cap(rec: dict, value) -> dict:
    rec = copy.deepcopy(rec)
    next(f for f in rec["figures"] if f["key"] == "loan_cap")["value"] = value
    return rec


def loan_cap(kb: KB) -> float:
    return next(f["value"] for f in kb.figures("sme_loan") if f["key"] == "loan_cap")


def test_a_make_kb_build_is_recorded_as_the_first_version(editor, store):
    (v,) = store.versions()
    assert (v["kind"], v["status"], v["author"]) == ("repository", "live", "make kb")
    assert editor.serving() is None  # no publish record: make kb built it
    assert editor.draft().files == store.version(v["id"])["files"]


def test_a_change_without_a_source_is_refused(editor):
    rec, h = editor.open("measures.yml", "sme_loan")
    for bad, field in (
        (Meta("a", "", "新聞稿", "2026-03-02"), "why"),
        (Meta("a", "調整", "", "2026-03-02"), "source_doc"),
        (Meta("a", "調整", "新聞稿", ""), "source_date"),
        (Meta("a", "調整", "新聞稿", "3月2日"), "source_date"),
    ):
        result = editor.save("measures.yml", "sme_loan", _cap(rec, 4000), h, bad, "edit")
        assert not result.saved and field in result.meta_problems
    assert editor.pending() == []


def test_save_publish_and_the_served_kb_changes(editor, live_dir):
    kb = KB(live_dir / "kb.sqlite")
    assert loan_cap(kb) == 3500
    rec, h = editor.open("measures.yml", "sme_loan")
    result = editor.save("measures.yml", "sme_loan", _cap(rec, 4000), h, meta(), "edit")
    assert result.saved
    (change,) = editor.pending()
    assert (change["author"], change["why"], change["source_doc"], change["source_date"]) == (
        "editor-a",
        "測試",
        "經濟部新聞稿",
        "2026-03-02",
    )
    assert loan_cap(kb) == 3500, "a draft is not served"

    pub = editor.publish(meta(why="上限調高"))
    assert loan_cap(kb) == 4000  # the same KB object: reloaded from the swapped file
    assert kb.snap.publish["version"] == pub.version_id and kb.snap.publish["why"] == "上限調高"
    assert editor.pending() == []
    assert [c["record_id"] for c in editor.store.changes(version_id=pub.version_id)] == ["sme_loan"]
    assert pub.retrain is False  # a figure is not a word of jieba's dictionary


def test_two_editors_the_second_is_told_the_record_changed(editor):
    rec, h = editor.open("measures.yml", "sme_loan")  # both open the form
    assert editor.save("measures.yml", "sme_loan", _cap(rec, 4000), h, meta("editor-a"), "edit").saved
    second = editor.save("measures.yml", "sme_loan", _cap(rec, 4500), h, meta("editor-b"), "edit")
    assert not second.saved
    assert second.conflict.last_change["author"] == "editor-a"
    assert loan_cap_of(second.conflict.current) == 4000
    # after reading the current record, the second editor's change goes in on top of the first
    again = editor.save(
        "measures.yml",
        "sme_loan",
        _cap(second.conflict.current, 4500),
        second.conflict.current_hash,
        meta("editor-b"),
        "edit",
    )
    assert again.saved
    assert [c["author"] for c in editor.pending()] == ["editor-b", "editor-a"]


def loan_cap_of(rec):
    return next(f["value"] for f in rec["figures"] if f["key"] == "loan_cap")


def test_two_editors_on_different_records_both_land(editor):
    m, mh = editor.open("measures.yml", "sme_loan")
    h, hh = editor.open("hotlines.yml", "mbd")
    assert editor.save("measures.yml", "sme_loan", _cap(m, 4000), mh, meta("editor-a"), "edit").saved
    assert editor.save(
        "hotlines.yml",
        "mbd",
        {**h, "hours": {"open": "09:00", "close": "17:00", "text": "09:00–17:00"}},
        hh,
        meta("editor-b"),
        "edit",
    ).saved
    draft = editor.draft()
    assert loan_cap_of(draft.record("measures.yml", "sme_loan")) == 4000
    assert draft.record("hotlines.yml", "mbd")["hours"]["open"] == "09:00"


def test_add_a_measure_and_an_alias(editor, live_dir):
    new = copy.deepcopy(editor.draft().record("measures.yml", "finance_diagnosis"))
    new.update(id="finance_clinic", name="融資門診", short_name="融資門診", aliases=["融資門診", "資金門診"])
    assert editor.save("measures.yml", "finance_clinic", new, record_hash(None), meta(), "add").saved
    rec, h = editor.open("measures.yml", "debt_negotiation")
    rec = {**rec, "aliases": [*rec["aliases"], "喘息方案"]}
    assert editor.save("measures.yml", "debt_negotiation", rec, h, meta(), "alias").saved
    pub = editor.publish(meta())
    kb = KB(live_dir / "kb.sqlite")
    assert kb.measure("finance_clinic")["short_name"] == "融資門診"
    assert ("喘息方案", "debt_negotiation") in kb.aliases()
    assert pub.retrain is True  # new words for jieba: the page advises `make train`
    assert "喘息方案" in (live_dir / "dict" / "userdict.txt").read_text(encoding="utf-8")


def test_adding_an_existing_id_is_a_conflict_not_an_overwrite(editor):
    rec = editor.draft().record("measures.yml", "sme_loan")
    result = editor.save("measures.yml", "sme_loan", _cap(rec, 1), record_hash(None), meta(), "add")
    assert not result.saved and result.conflict is not None


def test_versions_diff_and_rollback(editor, live_dir):
    kb = KB(live_dir / "kb.sqlite")
    first = editor.store.live_version()["id"]
    rec, h = editor.open("measures.yml", "sme_loan")
    editor.save("measures.yml", "sme_loan", _cap(rec, 4000), h, meta(), "edit")
    v2 = editor.publish(meta()).version_id
    rec, h = editor.open("hotlines.yml", "mbd")
    editor.save("hotlines.yml", "mbd", {**rec, "name": "馬上辦服務中心（新）"}, h, meta(), "edit")
    v3 = editor.publish(meta()).version_id

    changes = diff.record_changes(editor.store.version(first)["files"], editor.store.version(v3)["files"])
    assert {(c.file, c.record_id, c.change) for c in changes} == {
        ("measures.yml", "sme_loan", "changed"),
        ("hotlines.yml", "mbd", "changed"),
    }
    (cap,) = next(c for c in changes if c.record_id == "sme_loan").fields
    assert (cap.path, cap.old, cap.new) == ("figures[loan_cap].value", 3500, 4000)
    text = diff.text_diff(editor.store.version(v2)["files"], editor.store.version(v3)["files"])
    assert "-    name: 馬上辦服務中心\n+    name: 馬上辦服務中心（新）" in text and "measures.yml" not in text

    back = editor.rollback(first, meta(why="撤回"))
    assert loan_cap(kb) == 3500 and kb.hotline("mbd")["name"] == "馬上辦服務中心"
    row = editor.store.version(back.version_id)
    assert (row["kind"], row["rollback_of"], row["status"]) == ("rollback", first, "live")
    assert row["files"] == editor.store.version(first)["files"]
    assert kb.snap.publish["kind"] == "rollback"


def test_rollback_waits_for_an_empty_draft(editor):
    rec, h = editor.open("measures.yml", "sme_loan")
    editor.save("measures.yml", "sme_loan", _cap(rec, 4000), h, meta(), "edit")
    with pytest.raises(Refused) as e:
        editor.rollback(editor.store.live_version()["id"], meta())
    assert e.value.key == "draft_not_empty"
    editor.discard("editor-a")
    assert editor.pending() == [] and loan_cap_of(editor.draft().record("measures.yml", "sme_loan")) == 3500


def test_nothing_to_publish_is_refused(editor):
    with pytest.raises(Refused) as e:
        editor.publish(meta())
    assert e.value.key == "nothing_to_publish"


def test_a_rebuild_by_make_kb_is_noticed(editor, live_dir, store, kb_path):
    """After an export went through the repository, `make kb` serves the repository's files again: the history
    records it as a version instead of pretending the last publish is still served."""
    import shutil

    rec, h = editor.open("measures.yml", "sme_loan")
    editor.save("measures.yml", "sme_loan", _cap(rec, 4000), h, meta(), "edit")
    editor.publish(meta())
    shutil.copy(kb_path, live_dir / "kb.sqlite")  # make kb with the repository's (older) files
    again = Editor(store, live_dir / "kb.sqlite", live_dir / "dict", ROOT / "knowledge")
    assert again.serving() is None
    assert store.versions()[0]["kind"] == "repository" and store.versions()[0]["status"] == "live"
    assert loan_cap_of(again.draft().record("measures.yml", "sme_loan")) == 3500
