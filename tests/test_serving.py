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


def test_schema_checked_once(monkeypatch, remote_action):
    """The point of the fix: Rasa's jsonschema.validate re-checks the schema on every response."""
    action_validation.response_validator.cache_clear()
    cls = type(action_validation.response_validator())
    checks = []
    monkeypatch.setattr(cls, "check_schema", classmethod(lambda c, schema, *a, **k: checks.append(1)))
    action_validation.response_validator.cache_clear()
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
