"""Reading one turn in its conversation: the facts it adds, what it asks (aspects) and which measures it is about."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.amounts import package_totals, read_amounts
from advisor.facts import Reading, number_facts, read
from advisor.model import State, UserMessage
from advisor.sections import FIGURE_ASPECTS
from advisor.words import Cues, cues
from knowledge.registry import FACT_VALUES

DIET_FACTS = ("size", "factory_type", "purpose")
MAX_MEASURES = 2
INTENT_ASPECT = {
    "ask_amount": "amount",
    "ask_rate": "rate",
    "ask_rate_cut": "rate_cut",
    "ask_guarantee": "guarantee",
    "ask_fee": "fee",
    "ask_term": "term",
    "ask_eligibility": "eligibility",
    "ask_period": "period",
    "ask_application": "application",
    "ask_items": "items",
    "ask_self_funding": "self_funding",
    "ask_equipment_cap": "equipment_cap",
    "ask_hotline": "hotline",
    "ask_hours": "hours",
    "ask_overview": "overview",
}
ABOUT_LINES = ("hotline", "hours")


@dataclass
class Context:
    """Everything the answer handlers look at."""

    msg: UserMessage
    state: State
    reading: Reading
    new_facts: dict
    facts: dict
    aspects: list
    focus: list
    how: str  # how the focus was chosen: named, topic, previous, facts, aspect, none
    explicit: list  # what the firm asked in words
    cue: Cues

    @property
    def asks_something(self) -> bool:
        r = self.reading
        return bool(
            r.measures
            or r.topics
            or r.hotlines
            or self.new_facts
            or set(self.aspects) & (FIGURE_ASPECTS | {"hotline", "hours", "eligibility"})
        )


def _dedupe(seq):
    return list(dict.fromkeys(seq))


def merge_facts(kb, msg: UserMessage, state: State) -> tuple:
    reading = read(kb, msg.text)
    # 「700億方案有幾項措施」: the package's name is not an amount the firm wants to borrow (but 「總經費700萬」 is a
    # budget: the package is told by its total, not by the digits)
    totals = package_totals(kb)
    entities = [e for e in msg.entities or [] if not (e.get("entity") == "amount" and e.get("value") in totals)]
    # revenue amounts (「113年同期營收3000萬，今年剩2500萬」) are a revenue change, not an amount to borrow
    entities, worked = read_amounts(kb, reading.text, entities, state.facts)
    # 「總經費600萬」: the project's budget, from which a subsidy is worked out; not an amount to borrow
    borrow = [row["phrase"] for row in kb.lexicon("cue") if row["key"] == "borrow"]
    new = number_facts(entities, reading.text, [row["phrase"] for row in kb.lexicon("budget")], borrow)
    new = {**worked, **new} if "revenue_change" in new else {**new, **worked}  # a stated percentage wins
    for e in msg.entities or []:  # DIET's entities fill what the lexicon did not see
        # only values the engine knows: DIET may hand back the raw words (中小微 inside 「中小微貸款加碼」)
        if (
            e.get("entity") in DIET_FACTS
            and e.get("value") in FACT_VALUES[e["entity"]]
            and e["entity"] not in reading.compared
        ):
            new.setdefault(e["entity"], e["value"])
        if e.get("entity") == "measure" and kb.measure(e.get("value") or "") and e["value"] not in reading.measures:
            reading.measures.append(e["value"])
    new.update(reading.facts)
    return reading, new, {**state.facts, **new}


def _implied(kb, new_facts: dict, facts: dict) -> list:
    """The measures a firm's own new facts point to (measures.yml `implied_by`), lowest rank first."""
    ranks = {}
    for m in kb.measures():
        spec = m.get("implied_by")
        if not spec:
            continue
        if any(f in new_facts and (values == "any" or facts.get(f) in values) for f, values in spec["facts"].items()):
            ranks.setdefault(spec["rank"], []).append(m["id"])
    return ranks[min(ranks)] if ranks else []


def choose_focus(kb, reading, new_facts: dict, facts: dict, aspects: list, state: State, intent: str) -> tuple:
    """(measure ids, how they were chosen)."""
    if reading.other:  # 「外銷貸款保證不行，有沒有別的貸款」: the loans other than the one named (or just discussed)
        ruled_out = reading.measures or state.focus
        others = _dedupe(m for m in reading.other if m not in ruled_out)
        if others:
            return others, "topic"
    if reading.measures:
        return reading.measures, "named"
    if reading.topics:
        # 「保證成數多少」 while the 中小微 loan is under discussion: stay on it rather than every guarantee
        kept = [m for m in reading.topics if m in state.focus] if reading.aspects else []
        return kept or reading.topics, "topic"
    if state.focus and (aspects or new_facts or intent.startswith("ask_") or intent == "inform"):
        return state.focus, "previous"
    implied = _implied(kb, new_facts, facts)
    if implied:
        return implied, "facts"
    if "period" in aspects:  # 「營業額要跟什麼時候比」: the measures whose criteria name comparison periods
        ids = [m["id"] for m in kb.measures() if any(c.get("periods_id") for c in kb.criteria(m["id"]))]
        if ids:
            return ids[:MAX_MEASURES], "aspect"
    figure_aspects = [a for a in aspects if a in FIGURE_ASPECTS]
    if figure_aspects:  # 「利率多少」 with nothing else: the measures that have such a figure
        ids = _dedupe(m["id"] for m in kb.measures() if kb.figures(m["id"], figure_aspects[0]))
        return ids[:MAX_MEASURES], "aspect"
    return [], "none"


def read_turn(kb, msg: UserMessage, state: State) -> Context:
    reading, new_facts, facts = merge_facts(kb, msg, state)
    aspects = list(reading.aspects)
    from_intent = INTENT_ASPECT.get(msg.intent)
    if from_intent and from_intent not in aspects:
        aspects.append(from_intent)
    focus, how = choose_focus(kb, reading, new_facts, facts, aspects, state, msg.intent)
    cue = cues(kb)
    # What the firm asked in words; 「額度降成90萬呢」 names the amount it changes, it does not ask for the cap.
    explicit = [a for a in reading.aspects if a not in ABOUT_LINES and not (a == "amount" and "amount" in new_facts)]
    carried = state.aspects + [a for a in aspects if a in ABOUT_LINES and a not in state.aspects]
    if how == "named" and not explicit and not new_facts and state.aspects and cue.switch.search(reading.text):
        # 「中小微企業貸款加碼保證成數」 then 「那外銷貸款保證呢」: the same question about the other measure
        aspects = carried
    if how == "previous" and new_facts and state.aspects and not explicit:
        # 「利率多少」 then 「如果只借80萬呢」: the same question for the new amount (whatever intent DIET gives it).
        aspects = carried
    if "amount" in new_facts and how in ("previous", "facts") and not explicit and not state.aspects:
        # 「想借兩千萬」「那如果只借80萬呢」: DIET calls it ask_amount, but the firm wants to know what that amount
        # gets (guarantee share, rate cut, the cap), so no single aspect narrows the answer.
        aspects = [a for a in aspects if a != "amount"]
    return Context(msg, state, reading, new_facts, facts, aspects, focus, how, explicit, cue)
