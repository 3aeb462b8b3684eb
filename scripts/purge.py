"""`make purge`: deletes conversation data older than RETENTION_DAYS (default 90) from the tracker store.

    python scripts/purge.py [--days N] [--dry-run] [TRACKER_DB ...]     # default: $TRACKER_DB or var/tracker.db

Conversations are Rasa's SQLTrackerStore table `events` (one row per event: what the firm typed, the bot's
answers, the facts it kept as slots, each with its time). Every event older than the cut-off is deleted, whichever
conversation it belongs to: a conversation still going on keeps only its recent part. SQLite's secure_delete
overwrites the deleted rows and VACUUM rebuilds the file, so the text is gone from the disk too, not only from
the table (and a write-ahead log, if the store uses one, is checkpointed and emptied). Safe while the bot runs
(SQLite locks the file; a busy file is waited for up to 30 s).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DAYS = 90.0


def retention_days(value: str | None = None) -> float:
    raw = value if value is not None else os.environ.get("RETENTION_DAYS", "")
    days = float(raw) if str(raw).strip() else DEFAULT_DAYS
    if days < 0:
        raise ValueError("the retention period cannot be negative")
    return days


def purge(db: Path, days: float, now: float | None = None, dry_run: bool = False) -> dict:
    """Deletes the events older than `days`; returns what it found and did."""
    cutoff = (time.time() if now is None else now) - days * 86400
    con = sqlite3.connect(db, timeout=30)
    try:
        tables = {r[0] for r in con.execute("select name from sqlite_master where type = 'table'")}
        if "events" not in tables:
            raise SystemExit(f"{db}: no `events` table, this is not a Rasa SQL tracker store")
        old = con.execute(
            "select count(*), count(distinct sender_id) from events where timestamp < ?", (cutoff,)
        ).fetchone()
        gone = con.execute(
            "select count(*) from (select sender_id from events group by sender_id having max(timestamp) < ?)",
            (cutoff,),
        ).fetchone()[0]
        result = {
            "db": str(db),
            "days": days,
            "cutoff": time.strftime("%Y-%m-%d %H:%M", time.localtime(cutoff)),
            "events_deleted": old[0],
            "conversations_touched": old[1],
            "conversations_removed": gone,
        }
        if dry_run or not old[0]:
            return result
        con.execute("pragma secure_delete = on")
        with con:
            con.execute("delete from events where timestamp < ?", (cutoff,))
        con.execute("vacuum")
        con.execute("pragma wal_checkpoint(truncate)")  # a store in WAL mode: the write-ahead log holds pages too
        return result
    finally:
        con.close()


def purge_handoff(days: float, dry_run: bool) -> None:
    """The handoff store (issue 16): callback phone numbers after knowledge/handoff.yml `callback_days`, expired
    case codes, closed cases and staff messages after the conversations' retention."""
    sys.path.insert(0, str(ROOT))
    from handoff.settings import settings
    from handoff.store import DEFAULT_PATH, HandoffStore, engine_for, url_for

    url = url_for()
    if url.startswith("sqlite:///") and not Path(url.split("sqlite:///", 1)[1]).exists():
        print(f"{DEFAULT_PATH if url == url_for(DEFAULT_PATH) else 'HANDOFF_DB'}: no handoff store, nothing to purge")
        return
    if dry_run:
        print("handoff store: --dry-run counts nothing there")
        return
    r = HandoffStore(engine_for(url)).purge(settings().callback_days, days=days)
    print(
        f"handoff store: {r['phones']} callback phone numbers older than {settings().callback_days} days deleted, "
        f"{r['codes']} expired case codes, {r['cases']} closed cases and {r['messages']} staff messages older than "
        f"{days:g} days"
    )


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("dbs", nargs="*", type=Path, metavar="TRACKER_DB")
    parser.add_argument("--days", help=f"retention in days (default: $RETENTION_DAYS or {DEFAULT_DAYS:g})")
    parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    args = parser.parse_args(argv)
    try:
        days = retention_days(args.days)
    except ValueError as error:
        parser.error(f"--days / RETENTION_DAYS: {error}")
    dbs = args.dbs or [Path(os.environ.get("TRACKER_DB") or ROOT / "var" / "tracker.db")]
    purge_handoff(days, args.dry_run)
    for db in dbs:
        if not db.exists():
            print(f"{db}: no tracker store, nothing to purge")
            continue
        r = purge(db, days, dry_run=args.dry_run)
        verb = "would delete" if args.dry_run else "deleted"
        print(
            f"{r['db']}: {verb} {r['events_deleted']} events older than {r['days']:g} days (before {r['cutoff']}) "
            f"from {r['conversations_touched']} conversations; {r['conversations_removed']} conversations removed "
            f"entirely"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
