"""Conversation tests from the staff helper's review (tests/reviewed.yaml, written by `make review-export`, issue
18): each case is a real conversation up to a reviewed turn, masked; its last reply must have the expected answer
kind, one of the expected measures, one of the expected hotlines (in the text) and the facts the firm stated. Run
like tests/test_faq.py: the session's live bot parses (Rasa's /model/parse), the composer answers here."""

from __future__ import annotations

import re

import pytest
import yaml

from advisor import State
from tests.conftest import ROOT
from tests.test_faq import say

PATH = ROOT / "tests" / "reviewed.yaml"
CASES = (yaml.safe_load(PATH.read_text(encoding="utf-8")) or {}).get("cases") or [] if PATH.exists() else []
KEYS = {
    "id",
    "category",
    "turns",
    "kind",
    "intent",
    "measures_any",
    "hotlines_any",
    "facts",
    "was",
    "reviewed",
    "pending",
}
PHONE = re.compile(r"(?<!\d)09\d{2}-?\d{3}-?\d{3}(?!\d)")


def digits(text: str) -> str:
    return re.sub(r"\D", "", text)


def test_cases_are_well_formed_and_masked():
    ids = [c["id"] for c in CASES]
    assert len(ids) == len(set(ids))
    for case in CASES:
        assert set(case) <= KEYS, case["id"]
        assert case["category"] in ("correct", "corrected") and case["turns"] and case["kind"], case["id"]
        assert not any(PHONE.search(t) for t in case["turns"]), f"{case['id']}: an unmasked mobile number"


def marked(case: dict):
    """A case the team cannot fix yet carries `pending: <why>` (added by hand): it must fail until it is fixed
    (strict: once it passes, the key has to go)."""
    why = case.get("pending")
    return pytest.param(case, id=case["id"], marks=[pytest.mark.xfail(reason=str(why), strict=True)] if why else [])


@pytest.mark.parametrize("case", [marked(c) for c in CASES])
def test_reviewed_conversation(live_bot, kb, case):
    state = State()
    for text in case["turns"]:
        reply, turn = say(live_bot, kb, state, text)
        state = reply.state
    body = "\n".join(m["text"] for m in reply.messages)
    seen = f"(intent {turn.intent}, kind {reply.kind.value}, measures {reply.measures}):\n{body}"
    assert reply.kind.value == case["kind"], f"answer kind {reply.kind.value}, expected {case['kind']} {seen}"
    if case.get("measures_any"):
        assert set(case["measures_any"]) & set(reply.measures), f"none of {case['measures_any']} {seen}"
    if case.get("hotlines_any"):
        given = {digits(n) for n in re.findall(r"\d[\d-]{7,}\d", body)}
        assert given & {digits(n) for n in case["hotlines_any"]}, f"none of {case['hotlines_any']} {seen}"
    for name, value in (case.get("facts") or {}).items():
        assert state.facts.get(name) == value, f"fact {name}={state.facts.get(name)!r}, expected {value!r} {seen}"
