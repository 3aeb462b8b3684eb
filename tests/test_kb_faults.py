"""The knowledge base missing, broken or being rebuilt: a clear error for the maintainer (KBUnavailable naming the
file and `make kb`), the apology with the general line for the firm, no crash, and answers again once the file is
back (the action server keeps running: tests/live/test_faults.py checks that with the real one)."""

import asyncio
import shutil
import threading

import pytest

from actions.actions import ActionAnswer
from knowledge.build import build
from knowledge.kb import KB, KBUnavailable, emergency_text
from tests.conftest import ROOT


def answer(kb_object, dispatcher, tracker_for, domain, monkeypatch, text="我營業額掉了15%能貸多少"):
    monkeypatch.setattr("actions.actions.default_kb", lambda: kb_object)
    dispatcher.messages.clear()
    events = asyncio.run(ActionAnswer().run(dispatcher, tracker_for(text), domain))
    return " ".join(m["text"] or "" for m in dispatcher.messages), events


@pytest.mark.parametrize("damage", ["missing", "empty", "half written", "not a database"])
def test_a_broken_file_is_a_clear_error_and_the_apology(
    damage, kb_path, tmp_path, dispatcher, tracker_for, domain, monkeypatch
):
    path = tmp_path / "kb.sqlite"
    if damage == "empty":
        path.write_bytes(b"")
    elif damage == "half written":
        path.write_bytes(kb_path.read_bytes()[:8192])
    elif damage == "not a database":
        path.write_bytes(b"<html>502 Bad Gateway</html>")
    broken = KB(path)
    with pytest.raises(KBUnavailable, match="make kb") as error:
        broken.general_hotline()
    assert str(path) in str(error.value)

    text, events = answer(broken, dispatcher, tracker_for, domain, monkeypatch)
    assert text == emergency_text("kb_unavailable") and "0800-000-257" in text
    assert events == []


def test_answers_resume_when_the_file_is_back(kb_path, tmp_path, dispatcher, tracker_for, domain, monkeypatch):
    path = tmp_path / "kb.sqlite"
    kb = KB(path)
    assert answer(kb, dispatcher, tracker_for, domain, monkeypatch)[0] == emergency_text("kb_unavailable")
    shutil.copy(kb_path, path)
    text, _ = answer(kb, dispatcher, tracker_for, domain, monkeypatch)
    assert "3,500萬" in text and "0800-280-280" in text


def test_reads_during_rebuilds_never_fail(kb_path, tmp_path):
    """`make kb` builds a temporary file and renames it over the old one: a reader sees one or the other."""
    path = tmp_path / "kb.sqlite"
    shutil.copy(kb_path, path)
    kb = KB(path)
    stop, failures, reads, stamps = threading.Event(), [], [0], set()

    def reader():
        while not stop.is_set():
            try:
                assert kb.general_hotline()["number"] == "0800-000-257"
                assert kb.measure("sme_loan") and kb.message("greet")
                stamps.add(kb.snap.stamp)
                reads[0] += 1
            except Exception as error:  # noqa: BLE001 - any failure is the finding
                failures.append(repr(error))

    threads = [threading.Thread(target=reader) for _ in range(2)]
    for t in threads:
        t.start()
    try:
        for _ in range(3):
            build(ROOT / "knowledge", path, tmp_path / "dict")
    finally:
        stop.set()
        for t in threads:
            t.join(10)
    assert failures == []
    assert reads[0] > 0 and len(stamps) >= 2, "the readers did not see the rebuilt file"
