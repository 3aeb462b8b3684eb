"""The one fact table (knowledge/registry.py) against domain.yml and the schema; answers never over three messages
for the story tests' conversations; words are data (a word deleted from the lexicon changes the reading)."""

from pathlib import Path

import pytest
import yaml

from advisor import State, UserMessage, compose
from advisor.words import compile_cues
from components import numbers
from components.normalize import normalize_text
from knowledge import schema
from knowledge.registry import BY_NAME, FACT_SLOTS, FACTS_TABLE, FORM_FIELDS

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("fact", FACT_SLOTS)
def test_every_fact_slot_is_in_domain_with_the_registry_type_and_values(fact):
    slot = DOMAIN["slots"].get(fact)
    assert slot, f"domain.yml has no slot {fact}"
    f = BY_NAME[fact]
    expected = {"choice": "categorical", "bool": "bool", "number": "float"}[f.type]
    assert slot["type"] == expected
    if f.type == "choice":
        assert set(slot["values"]) == set(f.values)


def test_domain_has_no_fact_slot_the_registry_does_not_know():
    non_facts = {
        "focus_measures",
        "focus_aspects",
        "focus_hotlines",
        "asked_questions",
        "fallback_stage",
        "answer_kind",
        "answered_measures",
        "answered_hotlines",
        "handoff_stage",  # the handoff question just asked (advisor/handoff.py), not a fact about the firm
    }
    assert set(DOMAIN["slots"]) - non_facts == set(FACT_SLOTS)


def test_schema_facts_and_form_fields_come_from_the_registry():
    assert {f.name: set(f.values) if f.values else None for f in FACTS_TABLE if f.criterion} == schema.FACTS
    assert "budget" in FORM_FIELDS and "budget" in FACT_SLOTS and "budget" not in schema.FACTS
    assert len(set(FORM_FIELDS)) == len(FORM_FIELDS)


def test_every_fact_has_a_label(kb):
    for f in FACTS_TABLE:
        assert kb.message(f.label)


STORIES = yaml.safe_load((ROOT / "tests" / "test_stories.yml").read_text(encoding="utf-8"))["stories"]


@pytest.mark.parametrize("story", STORIES, ids=[s["story"] for s in STORIES])
def test_story_turns_are_at_most_three_messages(kb, story):
    state = State()
    for step in story["steps"]:
        if "user" not in step:
            continue
        text = step["user"].strip()
        entities = numbers.extract_numbers(normalize_text(text))
        reply = compose(kb, UserMessage(text, step.get("intent", "nlu_fallback"), 0.9, entities), state)
        assert 1 <= len(reply.messages) <= 3, [m["text"] for m in reply.messages]
        assert not [m for m in reply.messages if "\n\n" in m["text"]]  # a channel would split it in two
        state = reply.state


def test_deleting_a_revenue_word_from_the_lexicon_changes_the_number_reading():
    from components.normalize import load_lexicon

    lexicon = load_lexicon()
    text = normalize_text("營業額衰退15%")
    assert numbers.vocabulary_from(lexicon)[1]["衰退"] == "down"
    down = [w for w in lexicon["revenue"]["down"] if w != "衰退"]
    without = {**lexicon, "revenue": {**lexicon["revenue"], "down": down}}
    assert "衰退" not in numbers.vocabulary_from(without)[1]
    try:
        numbers._vocabulary.cache_clear()
        original = numbers.load_lexicon
        numbers.load_lexicon = lambda: without
        assert not [e for e in numbers.extract_numbers(text) if e["entity"] == "revenue_change"]
    finally:
        numbers.load_lexicon = original
        numbers._vocabulary.cache_clear()
    assert [e["value"] for e in numbers.extract_numbers(text) if e["entity"] == "revenue_change"] == [-15]


class _Lexicon:
    def __init__(self, kb, drop):
        self.kb, self.drop = kb, drop

    def lexicon(self, kind):
        return [r for r in self.kb.lexicon(kind) if r["phrase"] != self.drop]


def test_deleting_a_cue_word_from_the_lexicon_changes_the_reading(kb):
    assert compile_cues(kb).days_off.search("星期六可以打嗎")
    assert not compile_cues(_Lexicon(kb, "星期六")).days_off.search("星期六可以打嗎")
    assert compile_cues(kb).package.search("七百億方案")
    assert not compile_cues(_Lexicon(kb, "七百億")).package.search("七百億方案")


def test_cues_are_compiled_once_per_snapshot(kb):
    from advisor.words import cues

    assert cues(kb) is cues(kb)
