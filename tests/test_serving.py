"""serving/: the two fixes to Rasa that `python -m serving` installs before Rasa's own command line."""

from __future__ import annotations

import copy

import jsonschema
import pytest

from serving import action_validation, sqlite_tuning

GOOD = {
    "events": [{"event": "slot", "name": "size", "value": "sme", "timestamp": None}],
    "responses": [{"text": "📞 0800-280-280", "buttons": [{"title": "撥打", "url": "tel:0800280280"}]}],
}
BAD = [
    {"events": [{"event": "slot", "name": 3}]},  # a slot name must be a string
    {"events": "not a list"},
    {"responses": [["not", "an", "object"]]},
]


@pytest.fixture
def remote_action():
    from rasa.core.actions.action import RemoteAction

    return RemoteAction("action_answer", None)


def test_accepts_and_rejects_what_rasa_does(remote_action):
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    jsonschema.validate(GOOD, schema)
    assert action_validation.validate_action_result(remote_action, copy.deepcopy(GOOD)) is True
    for bad in BAD:
        with pytest.raises(jsonschema.ValidationError) as rasa_error:
            RemoteAction._validate_action_result(remote_action, bad)  # Rasa's own method (not installed here)
        with pytest.raises(jsonschema.ValidationError) as ours:
            action_validation.validate_action_result(remote_action, bad)
        assert ours.value.message == rasa_error.value.message


def event_cases():
    """Events of every type Rasa's schema names, each valid, with a field of a wrong type, without its name."""
    from rasa.shared.utils.schemas.events import EVENT_SCHEMA

    names = [alt["properties"]["event"]["const"] for alt in EVENT_SCHEMA["oneOf"]]
    cases = [{"event": name, "timestamp": 1.5} for name in names]
    cases += [{"event": name, "timestamp": "noon"} for name in names]  # timestamp must be a number
    cases += [{"event": name, "metadata": []} for name in names]
    cases += [
        {"event": "slot", "name": "size", "value": None},
        {"event": "slot", "value": 1},  # no name
        {"event": "entities", "entities": [{"entity": "size", "value": "sme"}]},
        {"event": "entities", "entities": [{"entity": "size"}]},  # an entity without its value
        {"event": "action", "name": "action_listen", "confidence": "high"},
        {"event": "user", "text": "hi", "parse_data": {"intent": {"name": "greet", "confidence": 0.9}}},
        {"event": "user", "text": 5},
        {"event": "bot", "text": "hello", "data": {"buttons": []}},
        {"event": "no_such_event"},
        {"event": 3},
        {"name": "size", "value": 1},  # no event at all
        "slot",
        None,
    ]
    return cases


def test_dispatch_accepts_exactly_what_the_full_schema_accepts(remote_action):
    """The oneOf checked by event name (action_validation.is_valid) against jsonschema on Rasa's full schema,
    event by event and as a whole response."""
    full = action_validation.response_validator()
    cases = event_cases()
    verdicts = []
    for event in cases:
        response = {"events": [GOOD["events"][0], event], "responses": GOOD["responses"]}
        verdicts.append(full.is_valid(response))
        assert action_validation.is_valid(response) is verdicts[-1], event
    assert 10 < sum(verdicts) < len(cases) - 10  # both kinds are really there
    for response in [*BAD, [], "x", {"events": None}, {"events": []}, {"responses": []}, {}]:
        assert action_validation.is_valid(response) is full.is_valid(response), response


def test_the_error_for_a_bad_event_is_rasas(remote_action):
    from rasa.core.actions.action import RemoteAction

    bad = {"events": [GOOD["events"][0], {"event": "entities", "entities": [{"entity": "size"}]}]}
    with pytest.raises(jsonschema.ValidationError) as rasa_error:
        RemoteAction._validate_action_result(remote_action, bad)
    with pytest.raises(jsonschema.ValidationError) as ours:
        action_validation.validate_action_result(remote_action, bad)
    assert ours.value.message == rasa_error.value.message


def test_schema_checked_once(monkeypatch, remote_action):
    """The point of the fix: Rasa's jsonschema.validate re-checks the schema on every response."""
    action_validation.response_validator.cache_clear()
    cls = type(action_validation.response_validator())
    checks = []
    monkeypatch.setattr(cls, "check_schema", classmethod(lambda c, schema, *a, **k: checks.append(1)))
    action_validation.response_validator.cache_clear()
    action_validation.event_dispatch.cache_clear()
    for _ in range(20):
        action_validation.validate_action_result(remote_action, GOOD)
    assert len(checks) == 1


def test_install_replaces_rasas_method(monkeypatch):
    from rasa.core.actions.action import RemoteAction

    monkeypatch.setattr(RemoteAction, "_validate_action_result", RemoteAction._validate_action_result)
    action_validation.install()
    assert RemoteAction._validate_action_result is action_validation.validate_action_result


@pytest.fixture
def no_global_listener():
    """install() listens on every SQLAlchemy engine of the process: leave none behind for other tests."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    yield
    if event.contains(Engine, "connect", sqlite_tuning._on_connect):
        event.remove(Engine, "connect", sqlite_tuning._on_connect)


def test_sqlite_tracker_store_in_wal_with_a_kept_connection(tmp_path, monkeypatch, no_global_listener):
    import rasa.core.tracker_store as tracker_store
    from sqlalchemy.pool import NullPool, SingletonThreadPool

    monkeypatch.setattr(tracker_store, "create_engine_kwargs", tracker_store.create_engine_kwargs)
    stock = tracker_store.SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "stock.db"))
    assert isinstance(stock.engine.pool, NullPool)  # SQLAlchemy 1.4's choice for a SQLite file

    sqlite_tuning.install()
    sqlite_tuning.install()  # twice: still one wrapper, one listener
    assert tracker_store.create_engine_kwargs.pooled
    store = tracker_store.SQLTrackerStore(dialect="sqlite", db=str(tmp_path / "tuned.db"))
    assert isinstance(store.engine.pool, SingletonThreadPool)
    with store.engine.connect() as con:
        assert con.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert con.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
    # PostgreSQL keeps Rasa's own pool settings
    kwargs = tracker_store.create_engine_kwargs("postgresql://rasa@127.0.0.1:5432/rasa")
    assert "poolclass" not in kwargs and "pool_size" in kwargs


@pytest.fixture
def event_types():
    from serving import event_types

    event_types.install()
    yield event_types
    event_types.uninstall()


def test_event_classes_by_name_are_rasas(event_types):
    from rasa.shared.core.events import Event
    from rasa.shared.utils.common import all_subclasses

    rasa_resolve = Event._event_types_installed
    names = {cls.type_name for cls in all_subclasses(Event)}
    assert len(names) > 20
    for _ in range(2):  # the second time from the table
        for name in names:
            assert Event.resolve_by_type(name) is rasa_resolve(name)
    assert Event.resolve_by_type("no_such_event", default=Event) is Event  # Rasa's default, not remembered
    assert "no_such_event" not in event_types._resolved
    with pytest.raises(ValueError):
        Event.resolve_by_type("no_such_event")
    events = Event.from_parameters({"event": "slot", "name": "size", "value": "sme"})
    assert type(events).__name__ == "SlotSet"


def test_a_new_event_class_empties_the_table(event_types):
    from rasa.shared.core.events import Event, SlotSet

    assert Event.resolve_by_type("slot") is SlotSet
    assert event_types._resolved

    class Custom(SlotSet):  # noqa: F841 - defining it is the point
        type_name = "custom_test_event"

    assert not event_types._resolved
    assert Event.resolve_by_type("custom_test_event").__name__ == "Custom"


def test_event_types_uninstall_gives_rasas_method_back(event_types):
    from rasa.shared.core.events import Event

    rasa_resolve = Event._event_types_installed
    event_types.uninstall()
    assert Event.resolve_by_type is rasa_resolve
    event_types.install()
