"""scripts/purge.py (`make purge`): conversation data older than the retention period leaves the tracker store —
the rows and the bytes on disk — and what is recent stays, readable by Rasa. The store is written by Rasa's own
SQLTrackerStore."""

from __future__ import annotations

import asyncio
import importlib.util
import subprocess
import sys
import time

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from tests.conftest import ROOT

spec = importlib.util.spec_from_file_location("purge", ROOT / "scripts" / "purge.py")
purge_module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(purge_module)

DAY = 86400
NOW = time.time()
OLD_SECRET = "OLD-ACME-PRECISION-LTD"  # ASCII: Rasa stores event JSON with \u escapes for Chinese
NEW_SECRET = "NEW-ACME-PRECISION-LTD"


def turn(text: str, at: float) -> list:
    return [
        UserUttered(text, {"name": "inform", "confidence": 0.9}, timestamp=at),
        SlotSet("revenue_change", -15.0, timestamp=at),
        BotUttered("3,500萬元", timestamp=at + 1),
    ]


def write_store(path) -> None:
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    conversations = {
        "old-firm": turn(f"{OLD_SECRET} 營業額掉了15%", NOW - 200 * DAY),
        "both": turn(f"{OLD_SECRET} 貸款", NOW - 120 * DAY) + turn(f"{NEW_SECRET} 電話呢", NOW - 2 * DAY),
        "new-firm": turn(f"{NEW_SECRET} 補助", NOW - 89 * DAY),
    }

    async def save():
        for sender, events in conversations.items():
            await store.save(DialogueStateTracker.from_events(sender, events))

    asyncio.run(save())
    store.engine.dispose()


def user_texts(path, sender) -> list:
    store = SQLTrackerStore(Domain.empty(), dialect="sqlite", db=str(path))
    try:
        tracker = asyncio.run(store.retrieve(sender))
        return [e.text for e in tracker.events if isinstance(e, UserUttered)] if tracker else []
    finally:
        store.engine.dispose()


def test_purge_deletes_what_is_older_than_the_retention_period(tmp_path):
    db = tmp_path / "tracker.db"
    write_store(db)
    assert OLD_SECRET.encode() in db.read_bytes()

    dry = purge_module.purge(db, 90, now=NOW, dry_run=True)
    assert (dry["events_deleted"], dry["conversations_touched"], dry["conversations_removed"]) == (6, 2, 1)
    assert OLD_SECRET.encode() in db.read_bytes()

    result = purge_module.purge(db, 90, now=NOW)
    assert (result["events_deleted"], result["conversations_touched"], result["conversations_removed"]) == (6, 2, 1)
    assert OLD_SECRET.encode() not in db.read_bytes(), "the deleted text is still in the file"
    assert user_texts(db, "old-firm") == []
    assert user_texts(db, "both") == [f"{NEW_SECRET} 電話呢"]
    assert user_texts(db, "new-firm") == [f"{NEW_SECRET} 補助"]

    assert purge_module.purge(db, 90, now=NOW)["events_deleted"] == 0  # nothing left to do


def test_make_purge_reads_retention_days(tmp_path):
    db = tmp_path / "tracker.db"
    write_store(db)
    env = {"PATH": "/usr/bin:/bin", "TRACKER_DB": str(db), "RETENTION_DAYS": "100", "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        ["make", "-s", "purge", f"PY={sys.executable}"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "deleted 6 events older than 100 days" in out.stdout
    assert user_texts(db, "both") == [f"{NEW_SECRET} 電話呢"]


def test_a_missing_store_is_nothing_to_purge_and_a_foreign_file_is_an_error(tmp_path, capsys):
    assert purge_module.main([str(tmp_path / "none.db"), "--days", "30"]) == 0
    assert "nothing to purge" in capsys.readouterr().out
    other = tmp_path / "other.db"
    import sqlite3

    sqlite3.connect(other).execute("create table t (x)").connection.commit()
    with pytest.raises(SystemExit, match="not a Rasa SQL tracker store"):
        purge_module.purge(other, 30)


@pytest.mark.parametrize("value, days", [(None, 90.0), ("", 90.0), ("30", 30.0), ("0.5", 0.5)])
def test_retention_days(monkeypatch, value, days):
    monkeypatch.delenv("RETENTION_DAYS", raising=False)
    if value is not None:
        monkeypatch.setenv("RETENTION_DAYS", value)
    assert purge_module.retention_days() == days
    with pytest.raises(ValueError):
        purge_module.retention_days("-1")
