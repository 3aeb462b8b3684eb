"""Rasa's RulePolicy, reading only the last turns of a conversation.

RulePolicy turns the whole conversation into states at every prediction (`Domain.states_for_tracker_history`
replays every event since the session started), so each turn costs more than the one before: on a six-turn
conversation about a seventh of Rasa's CPU per message went there (py-spy, issue 20), and a long LINE chat pays it
again at every message. A rule only looks at as many states as it is long, so the states of the last few turns
decide exactly as the whole history does, provided that:
- no rule is longer than the window (the window is the longest rule plus a turn, worked out from the rules);
- no rule needs the conversation's start (`conversation_start: true`): a cut history looks like a start;
- no slot influences the conversation and no form is active (states carry slot values and the active loop,
  which a cut history would lose).
When any of these does not hold for the trained rules and the domain, the policy reads the whole history, as
RulePolicy does. `tests/test_recent_rules.py` checks both paths and that predictions agree on long conversations.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Sequence
from itertools import islice
from typing import Any

from rasa.core.policies.rule_policy import RULES, RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME, PREVIOUS_ACTION
from rasa.shared.core.domain import Domain, State
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    Event,
    Restarted,
    SessionStarted,
    UserUtteranceReverted,
)
from rasa.shared.core.trackers import DialogueStateTracker

logger = logging.getLogger(__name__)


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True)
class RecentRulePolicy(RulePolicy):
    """RulePolicy whose predictions read the last `window` turns (see the module's docstring)."""

    def _window(self, domain: Domain) -> int | None:
        """Turns of history that decide every rule, or None when the whole history must be read."""
        cached = getattr(self, "_recent_window", "unset")
        if cached != "unset":
            return cached
        rules = [json.loads(key) for key in self.lookup.get(RULES, {})]
        starts = any(rule and not rule[0].get(PREVIOUS_ACTION) for rule in rules)
        stateful = any(slot.influence_conversation for slot in domain.slots) or bool(domain.form_names)
        window = None if (starts or stateful or not rules) else max(len(rule) for rule in rules) + 1
        if window is None:
            logger.info("RecentRulePolicy reads whole conversations: a rule needs its start, or state is featurized")
        self._recent_window = window
        return window

    def _prediction_states(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        use_text_for_last_user_input: bool = False,
        rule_only_data: dict[str, Any] | None = None,
    ) -> list[State]:
        return super()._prediction_states(
            recent(tracker, domain, self._window(domain)), domain, use_text_for_last_user_input, rule_only_data
        )


def recent(tracker: DialogueStateTracker, domain: Domain, turns: int | None) -> DialogueStateTracker:
    """The tracker from the `turns`-th last action_listen on (the tracker itself when it is no longer than that)."""
    if turns is None or tracker.active_loop_name:
        return tracker
    start = _plain_tail(tracker.events, turns)
    if start == 0:
        return tracker
    if start is not None:
        return DialogueStateTracker.from_events(
            tracker.sender_id, list(islice(tracker.events, start, None)), slots=domain.slots
        )
    events = tracker.applied_events()
    listens = [i for i, e in enumerate(events) if isinstance(e, ActionExecuted) and e.action_name == ACTION_LISTEN_NAME]
    if len(listens) <= turns:
        return tracker
    return DialogueStateTracker.from_events(tracker.sender_id, events[listens[-turns] :], slots=domain.slots)


# Events after which `applied_events` no longer keeps every event as it came: a restart or a new session empties
# the history, a revert removes events before it, a loop's own actions may be dropped
RESETS = (Restarted, SessionStarted)
UNPLAIN = (*RESETS, ActionReverted, UserUtteranceReverted, ActiveLoop)


def _plain_tail(events: Sequence[Event], turns: int) -> int | None:
    """Where `recent` cuts, found from the end (0: nowhere, the tracker itself), when that is sure: the whole
    session's `applied_events` (which each prediction walked) would keep every event from there on as it came.
    From the end back to the listen before the `turns`-th last (or to the session's start), no event of UNPLAIN
    other than the start itself, and no loop in the session. None when it cannot say."""
    listens, cut = 0, 0
    for index in range(len(events) - 1, -1, -1):
        event = events[index]
        if isinstance(event, RESETS):
            cut = 0  # a start with at most `turns` listens after it: the applied events are the tracker's, kept whole
            break
        if isinstance(event, UNPLAIN):
            return None
        if isinstance(event, ActionExecuted) and event.action_name == ACTION_LISTEN_NAME:
            listens += 1
            if listens == turns:
                cut = index
            elif listens > turns:
                break
    else:
        return 0  # the whole conversation has at most `turns` listens
    if any(isinstance(e, ActiveLoop) for e in islice(events, 0, index)):
        return None
    return cut
