"""Rasa custom actions. The reasoning lives in answer.py; this module only moves data between the tracker
(slots, latest message) and the composer, and sends the messages."""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Any, Dict, List, Text

import yaml
from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.answer import State, Turn, compose
from actions.kb import KBUnavailable, default_kb, emergency_text

logger = logging.getLogger(__name__)

FACT_SLOTS = ("size", "revenue_change", "amount", "budget", "purpose", "factory_type", "us_export_3y",
              "trade_registered", "applicants")
DESCRIPTIONS = Path(__file__).resolve().parent.parent / "data" / "intent_descriptions.yml"


@lru_cache(maxsize=1)
def intent_descriptions() -> dict:
    try:
        return yaml.safe_load(DESCRIPTIONS.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        return {}


def state_from(tracker: Tracker) -> State:
    facts = {k: tracker.get_slot(k) for k in FACT_SLOTS if tracker.get_slot(k) is not None}
    return State(facts=facts, focus=list(tracker.get_slot("focus_measures") or []),
                 fallbacks=int(tracker.get_slot("fallback_stage") or 0),
                 aspects=list(tracker.get_slot("focus_aspects") or []),
                 hotlines=list(tracker.get_slot("focus_hotlines") or []))


def turn_from(tracker: Tracker) -> Turn:
    msg = tracker.latest_message or {}
    intent = msg.get("intent") or {}
    return Turn(text=msg.get("text") or "", intent=intent.get("name") or "nlu_fallback",
                confidence=float(intent.get("confidence") or 0.0), entities=msg.get("entities") or [],
                ranking=msg.get("intent_ranking") or [])


class ActionAnswer(Action):
    """Answers every turn from the knowledge base and the eligibility engine."""

    def name(self) -> Text:
        return "action_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        try:
            reply = compose(default_kb(), turn_from(tracker), state_from(tracker), descriptions=intent_descriptions())
        except KBUnavailable as e:
            logger.error("knowledge base unavailable: %s", e)
            dispatcher.utter_message(text=emergency_text("kb_unavailable"))
            return []
        for m in reply.messages:
            dispatcher.utter_message(text=m["text"], buttons=m.get("buttons") or [])
        events = [SlotSet(k, reply.state.facts.get(k)) for k in FACT_SLOTS if reply.state.facts.get(k) is not None]
        events += [SlotSet("focus_measures", reply.state.focus), SlotSet("focus_aspects", reply.state.aspects),
                   SlotSet("focus_hotlines", reply.state.hotlines),
                   SlotSet("fallback_stage", float(reply.state.fallbacks)),
                   SlotSet("answer_kind", reply.kind), SlotSet("answered_measures", reply.measures),
                   SlotSet("answered_hotlines", reply.hotlines)]
        return events
