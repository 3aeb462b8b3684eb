"""components/recent_rules.py: RulePolicy on the last turns predicts what RulePolicy on the whole history does."""

import random

import pytest
from rasa.core.policies.rule_policy import RulePolicy
from rasa.core.training import load_data
from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from components.recent_rules import RecentRulePolicy, _plain_tail, recent
from tests.conftest import ROOT


def trained(cls, tmp_path, domain, data):
    storage = tmp_path / cls.__name__
    storage.mkdir()
    policy = cls.create(
        cls.get_default_config(),
        LocalModelStorage(storage),
        Resource(cls.__name__),
        ExecutionContext(GraphSchema({}), "test"),
    )
    policy.train(load_data(str(data), domain, augmentation_factor=0), domain)
    return policy


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("rules")
    domain = Domain.load(str(ROOT / "domain.yml"))
    data = ROOT / "data"
    return domain, trained(RulePolicy, tmp, domain, data), trained(RecentRulePolicy, tmp, domain, data)


def conversation(domain, turns, seed=0):
    """A long conversation as action_answer leaves it: user message, the answer's slots and texts, listen."""
    rng = random.Random(seed)
    intents = [i for i in domain.intents if not i.startswith("session") and i not in ("restart", "back")]
    events = [ActionExecuted("action_session_start"), SessionStarted(), ActionExecuted("action_listen")]
    for t in range(turns):
        intent = rng.choice(intents)
        events += [
            UserUttered(f"turn {t}", {"name": intent, "confidence": 0.9}),
            ActionExecuted("action_answer"),
            BotUttered(f"answer {t}"),
            SlotSet("focus_measures", [f"m{t % 3}"]),
            SlotSet("fallback_stage", float(t % 2)),
            SlotSet("answer_kind", "answer"),
            ActionExecuted("action_listen"),
        ]
    return events


def predict(policy, domain, events):
    tracker = DialogueStateTracker.from_events("x", events, slots=domain.slots)
    probabilities = policy.predict_action_probabilities(tracker, domain).probabilities
    return domain.action_names_or_texts[max(range(len(probabilities)), key=probabilities.__getitem__)]


def test_the_rules_of_this_project_are_read_on_a_window(project):
    domain, _, fast = project
    assert fast._window(domain) is not None


@pytest.mark.parametrize("seed", [0, 1])
def test_predictions_agree_with_rule_policy_over_a_long_conversation(project, seed):
    domain, whole, fast = project
    events = conversation(domain, 25, seed)
    checked = 0
    for end in range(len(events)):
        if isinstance(events[end - 1], (UserUttered,)) or (
            isinstance(events[end - 1], ActionExecuted) and events[end - 1].action_name == "action_answer"
        ):
            # after a user message: action_answer; after it, through its events: action_listen
            assert predict(fast, domain, events[:end]) == predict(whole, domain, events[:end])
            checked += 1
    assert checked == 50
    assert predict(fast, domain, conversation(domain, 25, seed)[:-1]) == "action_listen"


def test_the_window_cuts_only_long_histories(project):
    domain, _, fast = project
    turns = fast._window(domain)
    long = DialogueStateTracker.from_events("x", conversation(domain, 30), slots=domain.slots)
    short = DialogueStateTracker.from_events("x", conversation(domain, turns - 1), slots=domain.slots)
    cut = recent(long, domain, turns)
    assert len(cut.events) < len(long.events) / 5
    assert [e.action_name for e in cut.events if isinstance(e, ActionExecuted)][0] == "action_listen"
    assert recent(short, domain, turns) is short


def test_a_rule_that_needs_the_conversation_start_reads_the_whole_history(tmp_path):
    domain = Domain.from_yaml(
        """
version: "3.1"
intents: [greet, ask]
actions: [action_answer, action_welcome]
"""
    )
    data = tmp_path / "rules.yml"
    data.write_text(
        """
version: "3.1"
rules:
- rule: welcome at the start
  conversation_start: true
  steps:
  - intent: greet
  - action: action_welcome
- rule: answer
  steps:
  - intent: ask
  - action: action_answer
""",
        encoding="utf-8",
    )
    fast = trained(RecentRulePolicy, tmp_path, domain, data)
    assert fast._window(domain) is None
    events = [ActionExecuted("action_listen")]
    for t in range(12):  # a greet late in a long conversation is not its start
        events += [UserUttered("hi" if t == 11 else "q", {"name": "greet" if t == 11 else "ask"})]
        events += [ActionExecuted("action_answer"), ActionExecuted("action_listen")]
    assert predict(fast, domain, events) != "action_welcome"


def test_a_featurized_slot_reads_the_whole_history(tmp_path):
    domain = Domain.from_yaml(
        """
version: "3.1"
intents: [ask]
actions: [action_answer]
slots:
  stage:
    type: bool
    influence_conversation: true
    mappings: [{type: custom}]
"""
    )
    data = tmp_path / "rules.yml"
    data.write_text(
        'version: "3.1"\nrules:\n- rule: answer\n  steps:\n  - intent: ask\n  - action: action_answer\n',
        encoding="utf-8",
    )
    assert trained(RecentRulePolicy, tmp_path, domain, data)._window(domain) is None


def whole_session_recent(tracker, domain, turns):
    """`recent` as it was: the cut found in the whole session's applied_events (the reference)."""
    if tracker.active_loop_name:
        return tracker
    events = tracker.applied_events()
    listens = [i for i, e in enumerate(events) if isinstance(e, ActionExecuted) and e.action_name == "action_listen"]
    if len(listens) <= turns:
        return tracker
    return DialogueStateTracker.from_events(tracker.sender_id, events[listens[-turns] :], slots=domain.slots)


@pytest.mark.parametrize("seed", range(6))
def test_the_cut_found_from_the_end_is_the_whole_sessions(project, seed):
    """On conversations with restarts, new sessions, reverts and a loop, at every length: the same events."""
    domain, _, _ = project
    rng = random.Random(seed)
    odd = [
        lambda: [Restarted()],
        lambda: [ActionExecuted("action_session_start"), SessionStarted()],
        lambda: [UserUtteranceReverted()],
        lambda: [ActionReverted()],
        lambda: [ActiveLoop("some_form"), ActionExecuted("some_form"), ActiveLoop(None)],
    ]
    events = conversation(domain, 3, seed)
    for t in range(14):
        if rng.random() < 0.3:
            events += rng.choice(odd)()
        events += conversation(domain, 1, seed + t)[3:]
    paths = {"from the end": 0, "whole session": 0}
    for end in range(1, len(events) + 1):
        tracker = DialogueStateTracker.from_events("x", events[:end], slots=domain.slots)
        for turns in (1, 2, 3):
            ours, reference = recent(tracker, domain, turns), whole_session_recent(tracker, domain, turns)
            if reference is tracker:
                assert ours is tracker
            else:
                assert [id(e) for e in ours.events] == [id(e) for e in reference.events]
                paths["whole session" if _plain_tail(tracker.events, turns) is None else "from the end"] += 1
    assert min(paths.values()) > 0, paths  # both ways of cutting were compared
