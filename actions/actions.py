"""Rasa custom actions: the thin adapter. The reasoning lives in advisor/ (the domain core); this module
only moves data between the tracker (slots, latest message) and the composer, and sends the messages."""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions import handoff
from advisor import State, UserMessage, compose
from knowledge.kb import KBUnavailable, default_kb, emergency_text
from knowledge.registry import FACT_SLOTS

logger = logging.getLogger(__name__)

DESCRIPTIONS = Path(__file__).resolve().parent.parent / "data" / "intent_descriptions.yml"


@lru_cache(maxsize=1)
def intent_descriptions() -> dict:
    try:
        return yaml.safe_load(DESCRIPTIONS.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return {}


def state_from(tracker: Tracker) -> State:
    facts = {k: tracker.get_slot(k) for k in FACT_SLOTS if tracker.get_slot(k) is not None}
    return State(
        facts=facts,
        focus=list(tracker.get_slot("focus_measures") or []),
        fallbacks=int(tracker.get_slot("fallback_stage") or 0),
        aspects=list(tracker.get_slot("focus_aspects") or []),
        hotlines=list(tracker.get_slot("focus_hotlines") or []),
        asked=list(tracker.get_slot("asked_questions") or []),
        downs=handoff.downs(tracker),
        handoff_stage=tracker.get_slot("handoff_stage"),
        previous_text=previous_text(tracker),
    )


def previous_text(tracker: Tracker) -> str:
    """The firm's message before the current one (the composer reads it again with a follow-up to a clarify)."""
    texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    return texts[-2] if len(texts) > 1 else ""


def message_from(tracker: Tracker) -> UserMessage:
    msg = tracker.latest_message or {}
    intent = msg.get("intent") or {}
    return UserMessage(
        text=msg.get("text") or "",
        intent=intent.get("name") or "nlu_fallback",
        confidence=float(intent.get("confidence") or 0.0),
        entities=msg.get("entities") or [],
        ranking=msg.get("intent_ranking") or [],
    )


class ActionAnswer(Action):
    """Answers every turn from the knowledge base and the eligibility engine."""

    def name(self) -> str:
        return "action_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        try:
            reply = compose(
                default_kb(), message_from(tracker), state_from(tracker), descriptions=intent_descriptions()
            )
        except KBUnavailable as e:
            logger.error("knowledge base unavailable: %s", e)
            dispatcher.utter_message(text=emergency_text("kb_unavailable"))
            return []
        for i, m in enumerate(reply.messages):
            # the first message's metadata says what the answer states (kept in the tracker, not sent to channels)
            extra = {"reply_meta": {"stated": reply.stated}} if i == 0 else {}
            dispatcher.utter_message(text=m["text"], buttons=m.get("buttons") or [], **extra)
        return slot_events(tracker, reply) + handoff.effects(tracker, reply.handoff)


def slot_events(tracker: Tracker, reply) -> list[dict[str, Any]]:
    """The conversation state's slots that changed, and this turn's answer record (answer_kind, answered_*: the
    staff review reads one per turn). An unchanged slot is not set again: every event is validated, stored, and
    replayed by Rasa at each later turn of the conversation."""
    state = reply.state
    wanted = {k: state.facts.get(k) for k in FACT_SLOTS if state.facts.get(k) is not None}
    wanted.update(
        focus_measures=state.focus,
        focus_aspects=state.aspects,
        focus_hotlines=state.hotlines,
        asked_questions=state.asked,
        fallback_stage=float(state.fallbacks),
    )
    events = [SlotSet(k, v) for k, v in wanted.items() if not _same(tracker.get_slot(k), v)]
    return events + [
        SlotSet("answer_kind", reply.kind.value),
        SlotSet("answered_measures", reply.measures),
        SlotSet("answered_hotlines", reply.hotlines),
    ]


def _same(current, new) -> bool:
    return current == new or (current is None and new == [])  # an unset list slot reads as an empty list
