"""After a publish, the action side's next answer uses the new knowledge base: the same KB object (as the running
action server holds it) reloads the swapped file, the lexicon matchers are rebuilt for the new snapshot, and a
new alias is read at once; a changed dictionary changes the model's cache key, so `make train` retrains."""

from __future__ import annotations

import copy
import time

from advisor import State, UserMessage, compose
from advisor.words import cues
from kbedit.draft import record_hash
from knowledge.kb import KB
from scripts.model_hash import inputs
from tests.kbedit.conftest import meta


def answer(kb, text, intent="ask_amount"):
    reply = compose(kb, UserMessage(text=text, intent=intent, confidence=0.9), State())
    return "\n".join(m["text"] for m in reply.messages)


def test_the_next_answer_has_the_new_figure_and_the_matchers_follow(editor, live_dir):
    kb = KB(live_dir / "kb.sqlite")  # the action server's KB: loaded once, kept
    assert "3,500萬元" in answer(kb, "中小微企業多元發展貸款加碼額度多少")
    old_cues = cues(kb)
    rec, h = editor.open("measures.yml", "sme_loan")
    rec = copy.deepcopy(rec)
    next(f for f in rec["figures"] if f["key"] == "loan_cap")["value"] = 4200
    assert editor.save("measures.yml", "sme_loan", rec, h, meta(), "edit").saved
    editor.publish(meta())
    started = time.perf_counter()
    body = answer(kb, "中小微企業多元發展貸款加碼額度多少")
    reload_ms = (time.perf_counter() - started) * 1000
    assert "4,200萬元" in body and "3,500萬元" not in body
    assert cues(kb) is not old_cues  # compiled again, once, for the new snapshot
    assert cues(kb) is cues(kb)
    assert reload_ms < 2000  # the reload and the answer: milliseconds, nothing like a restart


def test_a_new_alias_is_read_at_once(editor, live_dir):
    kb = KB(live_dir / "kb.sqlite")
    before = answer(kb, "喘息貸款怎麼申請", intent="ask_measure")
    assert "債務協商" not in before
    rec, h = editor.open("measures.yml", "debt_negotiation")
    rec = {**rec, "aliases": [*rec["aliases"], "喘息貸款"]}
    assert editor.save("measures.yml", "debt_negotiation", rec, h, meta(), "alias").saved
    pub = editor.publish(meta())
    assert "債務協商" in answer(kb, "喘息貸款怎麼申請", intent="ask_measure")
    assert pub.retrain, "the dictionary changed: the page advises make train"


def test_the_model_cache_key_covers_the_dictionary():
    from tests.conftest import ROOT

    assert ROOT / "knowledge" / "dict" / "userdict.txt" in inputs("config.yml")


def test_add_then_edit_keeps_the_record_hash_contract(editor):
    rec, h = editor.open("hotlines.yml", "mbd")
    assert h == record_hash(rec)
