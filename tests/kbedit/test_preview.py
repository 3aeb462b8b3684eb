"""Preview: the draft beside the live KB over the test sentences and the tracker store's real questions; what would
change first, the differing figures, the checks that would break."""

from __future__ import annotations

import copy
import json
import sqlite3

from kbedit import preview
from knowledge.kb import KB
from tests.kbedit.conftest import meta
from tests.staff.tracker_factory import SCHEMA

LOAN = "我營業額掉了15%能貸多少"
PARSES = {  # what NLU reads in these sentences (as the running bot's /model/parse returns it)
    LOAN: {
        "intent": {"name": "ask_amount", "confidence": 0.98},
        "entities": [{"entity": "revenue_change", "value": -15}],
    },
    "AI人才培訓每家企業可以補助多少": {"intent": {"name": "ask_amount", "confidence": 0.97}, "entities": []},
}


def parser(text):
    return PARSES[text]


def _loan_cap(editor, value):
    rec, h = editor.open("measures.yml", "sme_loan")
    rec = copy.deepcopy(rec)
    next(f for f in rec["figures"] if f["key"] == "loan_cap")["value"] = value
    assert editor.save("measures.yml", "sme_loan", rec, h, meta(), "edit").saved


def _tracker(path, conversations):
    con = sqlite3.connect(path)
    con.executescript(SCHEMA)
    t = 1_790_000_000.0
    for sender, turns in conversations.items():
        for text, intent, entities in turns:
            t += 10
            data = {
                "event": "user",
                "timestamp": t,
                "text": text,
                "parse_data": {"intent": {"name": intent, "confidence": 0.9}, "entities": entities},
            }
            con.execute(
                "insert into events (sender_id, type_name, timestamp, intent_name, action_name, data) "
                "values (?, ?, ?, ?, ?, ?)",
                (sender, "user", t, intent, None, json.dumps(data, ensure_ascii=False)),
            )
    con.commit()
    con.close()
    return path


def test_the_loan_case_is_listed_as_changed_with_its_figures(editor, live_dir, tmp_path):
    _loan_cap(editor, 2500)
    live = KB(live_dir / "kb.sqlite")
    draft = preview.draft_kb(editor.draft().sources(), tmp_path)
    cases = [c for c in preview.acceptance_cases() if c.ident in ("p-loan-1", "p-ai-2")]
    assert len(cases) == 2
    result = preview.run(live, draft, cases, parser)
    first = result.rows[0]
    assert first.case.ident == "p-loan-1" and first.changed
    assert "3,500萬元" in first.figures_live and "2,500萬元" in first.figures_draft
    assert first.breaks, "the public case wants 3500萬: the draft would fail it, and the preview says so"
    assert any("3500萬" in p for p in first.draft_problems)
    assert not result.rows[1].changed and not result.rows[1].breaks


def test_real_questions_are_replayed_with_their_conversation(editor, live_dir, tmp_path):
    _loan_cap(editor, 4000)
    db = _tracker(
        tmp_path / "tracker.db",
        {
            "firm-1": [
                ("我想問貸款", "ask_amount", []),
                (
                    "我們是中小企業，營業額掉了兩成",
                    "inform",
                    [{"entity": "revenue_change", "value": -20}, {"entity": "size", "value": "sme"}],
                ),
            ],
            "firm-2": [("你好", "greet", [])],
        },
    )
    cases = preview.tracker_cases(db, last=2)
    assert {c.ident for c in cases} == {"firm-1", "firm-2"}
    result = preview.run(
        KB(live_dir / "kb.sqlite"), preview.draft_kb(editor.draft().sources(), tmp_path), cases, parser
    )
    changed = result.changed
    assert [r.case.ident for r in changed] == ["firm-1"]
    assert len(changed[0].case.turns) == 2  # the last question, answered with what the firm said before it
    assert "4,000萬元" in changed[0].figures_draft and "3,500萬元" in changed[0].figures_live
    assert result.rows[-1].case.ident == "firm-2" and not result.rows[-1].changed


def test_without_the_bot_test_sentences_are_skipped_and_said_so(editor, live_dir, tmp_path):
    def down(text):
        raise OSError("connection refused")

    cases = [c for c in preview.acceptance_cases() if c.ident == "p-loan-1"]
    result = preview.run(KB(live_dir / "kb.sqlite"), KB(live_dir / "kb.sqlite"), cases, down)
    assert result.rows == [] and result.unparsed[0][0].ident == "p-loan-1"


def test_parses_are_cached_per_model(store):
    calls = []

    class Fake(preview.RasaParser):
        def _call(self, path, body=None):
            calls.append(path)
            return {"model_file": "m1.tar.gz"} if path == "/status" else {**PARSES[LOAN], "text": LOAN}

    p = Fake("http://127.0.0.1:1", None, store)
    assert p(LOAN)["intent"]["name"] == "ask_amount"
    assert Fake("http://127.0.0.1:1", None, store)(LOAN)["entities"] == PARSES[LOAN]["entities"]
    assert calls == ["/status", "/model/parse", "/status"]
