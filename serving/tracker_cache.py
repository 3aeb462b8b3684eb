"""SQL tracker store: the conversation kept in the process between turns, checked against the database each turn.

Rasa's SQLTrackerStore rebuilds the whole conversation session at every message: it reads every event row, parses
its JSON and replays the events into a new tracker, all inside the event loop. Here the tracker a turn saved is
kept in the process (bounded, least recently used first out) with a stamp of what the database held after the
save: the number of the session's events and the highest event id. The next turn of that conversation asks the
database only for that stamp (one aggregate query, the same filter Rasa's own save uses); when it is unchanged the
kept tracker is handed out, otherwise Rasa reads the rows as before. So with several Rasa processes on one
PostgreSQL database (make scale-up), a turn another process handled changes the stamp, and this process reads the
conversation again: nothing it serves is older than the database.

A failing stamp query never fails a turn: Rasa's own read is used (without this, Rasa's FailSafeTrackerStore
would answer the error with a new, empty conversation). A kept tracker is handed out once (taken out of the
cache); only a save puts it back, so a turn that failed before saving, or a tracker that changed after its save,
is never handed out again.
"""

from __future__ import annotations

import logging
from collections import OrderedDict

logger = logging.getLogger(__name__)

MAX_TRACKERS = 2000  # about 10-30 kB each: a few tens of MB at most


class TrackerCache:
    def __init__(self, size: int = MAX_TRACKERS) -> None:
        self.size = size
        self.kept: OrderedDict = OrderedDict()  # sender_id -> (stamp, tracker, number of events)
        self.hits = self.misses = 0

    def take(self, sender_id: str, stamp) -> object | None:
        entry = self.kept.pop(sender_id, None)
        if entry is None:
            self.misses += 1
            return None
        kept_stamp, tracker, length = entry
        if kept_stamp != stamp or len(tracker.events) != length or stamp[0] != length:
            self.misses += 1
            return None
        self.hits += 1
        return tracker

    def put(self, sender_id: str, stamp, tracker) -> None:
        self.kept[sender_id] = (stamp, tracker, len(tracker.events))
        self.kept.move_to_end(sender_id)
        while len(self.kept) > self.size:
            self.kept.popitem(last=False)


def stamp(store, session, sender_id: str) -> tuple:
    """(number of events in the latest session, highest event id) for the conversation: one aggregate query."""
    import sqlalchemy as sa

    query = store._event_query(session, sender_id, fetch_events_from_all_sessions=False).order_by(None)
    # order_by(None): Rasa's query is ordered by id, which PostgreSQL refuses beside an aggregate
    count, last = query.with_entities(sa.func.count(store.SQLEvent.id), sa.func.max(store.SQLEvent.id)).one()
    return int(count or 0), last


def _cache(store) -> TrackerCache:
    cache = getattr(store, "_tracker_cache", None)
    if cache is None:
        cache = store._tracker_cache = TrackerCache()
    return cache


def install() -> None:
    from rasa.core.tracker_store import SQLTrackerStore

    if getattr(SQLTrackerStore, "_tracker_cache_installed", False):
        return
    rasa_retrieve, rasa_save = SQLTrackerStore.retrieve, SQLTrackerStore.save

    async def retrieve(self, sender_id):
        try:
            with self.session_scope() as session:
                now = stamp(self, session, sender_id)
            tracker = _cache(self).take(sender_id, now)
        except Exception:  # noqa: BLE001 - whatever went wrong here, Rasa's own read decides
            logger.exception("tracker cache: stamp query failed, reading the conversation from the database")
            _cache(self).kept.pop(sender_id, None)
            tracker = None
        return tracker if tracker is not None else await rasa_retrieve(self, sender_id)

    async def save(self, tracker) -> None:
        await rasa_save(self, tracker)
        try:
            with self.session_scope() as session:
                _cache(self).put(tracker.sender_id, stamp(self, session, tracker.sender_id), tracker)
        except Exception:  # noqa: BLE001 - saved all the same; only the next read is Rasa's
            logger.exception("tracker cache: stamp query failed after a save; the tracker is not kept")
            _cache(self).kept.pop(tracker.sender_id, None)

    SQLTrackerStore.retrieve, SQLTrackerStore.save = retrieve, save
    SQLTrackerStore._tracker_cache_installed = (rasa_retrieve, rasa_save)


def uninstall() -> None:
    """Rasa's own retrieve and save again (tests that patch one process must not change the next test's Rasa)."""
    from rasa.core.tracker_store import SQLTrackerStore

    originals = getattr(SQLTrackerStore, "_tracker_cache_installed", False)
    if originals:
        SQLTrackerStore.retrieve, SQLTrackerStore.save = originals
        SQLTrackerStore._tracker_cache_installed = False
