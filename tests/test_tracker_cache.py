"""serving/tracker_cache.py: a kept tracker is handed out only while the database still holds exactly what it saved;
a turn another process (another store on the same database) saved, or a tracker changed after its save, makes the
next turn read the database as Rasa does."""

from __future__ import annotations

import asyncio

import pytest

from serving import tracker_cache


@pytest.fixture(scope="module")
def domain():
    from rasa.shared.core.domain import Domain

    return Domain.from_yaml(
        "version: '3.1'\nintents: [greet]\nslots:\n  size:\n    type: text\n    mappings: [{type: custom}]\n"
    )


@pytest.fixture
def stores(tmp_path, domain):
    """Two stores on one SQLite file: two Rasa processes on one database."""
    from rasa.core.tracker_store import SQLTrackerStore

    tracker_cache.install()
    db = str(tmp_path / "tracker.db")
    yield SQLTrackerStore(domain, dialect="sqlite", db=db), SQLTrackerStore(domain, dialect="sqlite", db=db)
    tracker_cache.uninstall()


def turn(store, sender: str, text: str, size: str | None = None):
    from rasa.shared.core.events import ActionExecuted, SlotSet, UserUttered

    async def run():
        tracker = await store.get_or_create_tracker(sender)
        tracker.update(UserUttered(text, {"name": "greet", "confidence": 1.0}))
        if size:
            tracker.update(SlotSet("size", size))
        tracker.update(ActionExecuted("action_listen"))
        await store.save(tracker)
        return tracker

    return asyncio.run(run())


def test_the_saved_tracker_is_handed_out_while_the_database_is_unchanged(stores):
    a, _ = stores
    first = turn(a, "s1", "hi", "sme")
    again = asyncio.run(a.retrieve("s1"))
    assert again is first and a._tracker_cache.hits == 1
    assert again.get_slot("size") == "sme"


def test_a_turn_saved_by_another_process_is_read_from_the_database(stores):
    a, b = stores
    kept = turn(a, "s2", "hi", "sme")
    turn(b, "s2", "again", "large")  # the other process: its own read, its own save
    fresh = asyncio.run(a.retrieve("s2"))
    assert fresh is not kept and fresh.get_slot("size") == "large"
    assert [e.text for e in fresh.events if e.type_name == "user"] == ["hi", "again"]


def test_a_tracker_changed_after_its_save_or_taken_twice_is_not_handed_out(stores):
    from rasa.shared.core.events import SlotSet

    a, _ = stores
    kept = turn(a, "s3", "hi", "sme")
    kept.update(SlotSet("size", "unsaved"))  # a turn that failed before saving
    fresh = asyncio.run(a.retrieve("s3"))
    assert fresh is not kept and fresh.get_slot("size") == "sme"
    turn(a, "s4", "hi")
    assert asyncio.run(a.retrieve("s4")) is not None
    assert asyncio.run(a.retrieve("s4")) is not None  # the second reader gets the database's copy
    assert a._tracker_cache.hits == 1


def test_uninstall_gives_rasa_its_own_methods_back():
    from rasa.core.tracker_store import SQLTrackerStore

    rasa_retrieve = SQLTrackerStore.retrieve
    tracker_cache.install()
    assert SQLTrackerStore.retrieve is not rasa_retrieve
    tracker_cache.uninstall()
    assert SQLTrackerStore.retrieve is rasa_retrieve


def test_the_cache_is_bounded():
    cache = tracker_cache.TrackerCache(size=2)

    class T:
        events = [1, 2]

    for sender in ("a", "b", "c"):
        cache.put(sender, (2, 9), T())
    assert list(cache.kept) == ["b", "c"]


def test_a_failing_stamp_query_falls_back_to_rasas_read(stores, monkeypatch):
    a, _ = stores
    turn(a, "s5", "hi", "sme")

    def broken(*_):
        raise RuntimeError("the database refused the aggregate")

    monkeypatch.setattr(tracker_cache, "stamp", broken)
    tracker = asyncio.run(a.retrieve("s5"))
    assert tracker is not None and tracker.get_slot("size") == "sme"
    turn(a, "s5", "again")  # a save whose stamp fails still saves
    monkeypatch.undo()
    assert [e.text for e in asyncio.run(a.retrieve("s5")).events if e.type_name == "user"] == ["hi", "again"]


def test_the_stamp_query_is_unordered():
    """PostgreSQL refuses an ORDER BY id beside count() and max(): the stamp's statement has none."""
    from rasa.core.tracker_store import SQLTrackerStore
    from sqlalchemy.dialects import postgresql

    class Store:
        SQLEvent = SQLTrackerStore.SQLEvent

    sql = str(tracker_cache.stamp_statement(Store()).compile(dialect=postgresql.dialect())).lower()
    assert "count(" in sql and "max(" in sql and "order by" not in sql


def test_the_stamp_counts_what_rasas_own_query_counts(stores):
    """The stamp's statement against Rasa's ORM query (_event_query), through a session that expired and restarted:
    the same number of events in the latest session, the same highest id; and a save stores only the new events."""
    from rasa.shared.core.events import ActionExecuted, SessionStarted

    a, _ = stores
    turn(a, "s6", "hi", "sme")
    turn(a, "s6", "again")

    def rasas(sender):
        with a.session_scope() as session:
            query = a._event_query(session, sender, fetch_events_from_all_sessions=False)
            return query.count(), max((e.id for e in query.all()), default=None)

    def ours(sender):
        with a.session_scope() as session:
            return tracker_cache.stamp(a, session, sender)

    assert ours("s6") == rasas("s6") and ours("s6")[0] > 4
    assert ours("nobody") == rasas("nobody") == (0, None)

    async def restart():
        tracker = await a.retrieve("s6")
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
        tracker.update(ActionExecuted("action_listen"))
        await a.save(tracker)

    asyncio.run(restart())
    assert ours("s6") == rasas("s6") and ours("s6")[0] == 2  # the new session: SessionStarted, action_listen
    with a.session_scope() as session:
        stored = session.query(a.SQLEvent).filter(a.SQLEvent.sender_id == "s6").count()
    turn(a, "s6", "third")
    with a.session_scope() as session:
        assert session.query(a.SQLEvent).filter(a.SQLEvent.sender_id == "s6").count() == stored + 2
