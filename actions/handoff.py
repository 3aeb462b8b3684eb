"""The Rasa side of the handoff to a person (issue 16): what action_answer stores when a firm asks for one, and
`action_staff_message`, which sends a conversation's undelivered staff messages when run through Rasa's HTTP API
(`POST /conversations/{id}/execute?output_channel=…` {"name": "action_staff_message"}): for a channel the staff
relay (channels/handoff.py, what the staff helper uses) does not serve.

The store is handoff/store.py (HANDOFF_DB, default var/handoff.db). Logs name the event and the case id, never the
message text or the phone number.
"""

from __future__ import annotations

import functools
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from handoff.settings import settings
from handoff.store import HandoffStore
from knowledge.kb import default_kb
from knowledge.registry import FACT_SLOTS

logger = logging.getLogger(__name__)
RECENT = 3  # the firm's last questions and the bot's last answers kept with a case


@functools.lru_cache(maxsize=1)
def store() -> HandoffStore:
    return HandoffStore()


def downs(tracker: Tracker) -> int:
    """👎 taps earlier in the conversation (the current message not counted)."""
    thumb = default_kb().message("feedback_down_button")[0]
    texts = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    return sum(1 for t in texts[:-1] if t.startswith(thumb) and len(t) <= 12)


def context(tracker: Tracker) -> dict:
    """What staff see with the case: facts, measures discussed, the firm's last questions, the bot's last answers."""
    facts = {k: tracker.get_slot(k) for k in FACT_SLOTS if tracker.get_slot(k) is not None}
    measures = list(
        dict.fromkeys([*(tracker.get_slot("answered_measures") or []), *(tracker.get_slot("focus_measures") or [])])
    )
    users = [e.get("text") or "" for e in tracker.events if e.get("event") == "user"]
    bots = [e.get("text") or "" for e in tracker.events if e.get("event") == "bot" and e.get("text")]
    return {"facts": facts, "measures": measures, "questions": users[-RECENT - 1 : -1], "answers": bots[-RECENT:]}


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rest"


def effects(tracker: Tracker, handoff: dict | None) -> list:
    """Store what the handoff answer promised; the handoff_stage slot for the next turn."""
    if not handoff:
        return [SlotSet("handoff_stage", None)] if tracker.get_slot("handoff_stage") else []
    event, sender, channel = handoff["event"], tracker.sender_id, channel_of(tracker)
    s = store()
    try:
        if event == "offer":
            s.issue_code(handoff["code"], sender, channel, context(tracker), settings().code_hours)
        elif event == "written":
            case = s.open_case(sender, channel, "written", context(tracker))
            logger.info("handoff: written-reply case %s queued (%s)", case, channel)
        elif event == "callback":
            case = s.open_case(
                sender, channel, "callback", context(tracker), phone=handoff["phone"], preferred=handoff["preferred"]
            )
            logger.info("handoff: callback case %s queued (%s)", case, channel)
    except Exception as e:  # noqa: BLE001 -- the answer is sent anyway; the error's type only (no text, no phone)
        logger.error("handoff store failed on %s: %s", event, type(e).__name__)
    return [SlotSet("handoff_stage", handoff.get("stage"))]


class ActionStaffMessage(Action):
    """Sends the staff messages not yet delivered to this conversation (the staff helper triggers it)."""

    def name(self) -> str:
        return "action_staff_message"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[dict[str, Any]]:
        for text in outgoing(store(), tracker.sender_id):
            dispatcher.utter_message(text=text)
        return []


def render(kb, row: dict) -> str:
    if row["kind"] == "reply":
        return kb.message("handoff_staff_says", text=row["text"])
    return kb.message("handoff_claimed" if row["kind"] == "claimed" else "handoff_handed_back")


def outgoing(s: HandoffStore, sender_id: str) -> list:
    """The undelivered staff messages as the firm sees them, marked delivered."""
    rows = s.pending(sender_id)
    s.delivered([r["id"] for r in rows])
    kb = default_kb()
    return [render(kb, r) for r in rows]
