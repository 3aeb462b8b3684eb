"""The review's tracker reader on PostgreSQL (TRACKER_DB=postgresql://…, or `make scale-up`'s endpoints): the planted
conversations copied into a throwaway PostgreSQL server give the same turns, dashboard figures, reconciliation and
risk order as on SQLite. Needs PostgreSQL's initdb and postgres (Debian's postgresql, which `make scale-up`
installs); skipped without them."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from staff import dashboard, review, risk
from tests.staff import planted
from tests.staff.tracker_factory import write_tracker

# Rasa's SQLTrackerStore.SQLEvent on PostgreSQL (rasa/core/tracker_store.py)
SCHEMA = """create table events (
    id serial primary key,
    sender_id varchar(255) not null,
    type_name varchar(255) not null,
    timestamp double precision,
    intent_name varchar(255),
    action_name varchar(255),
    data text
)"""


def pg_bin() -> Path | None:
    for d in [*sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True), "/usr/local/bin", "/usr/bin"]:
        if (Path(d) / "initdb").exists() and (Path(d) / "postgres").exists():
            return Path(d)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def pg_url():
    bin_dir = pg_bin()
    if bin_dir is None:
        pytest.skip("PostgreSQL's initdb/postgres are not installed (make scale-up installs them)")
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    work = Path(tempfile.mkdtemp(prefix="test-pg-"))  # in the system's temp dir: the postgres user can reach it
    if as_pg:
        shutil.chown(work, "postgres")
    data, port = work / "data", free_port()
    subprocess.run(
        [*as_pg, str(bin_dir / "initdb"), "-D", str(data), "-U", "rasa", "--auth=trust", "-E", "UTF8"],
        check=True,
        capture_output=True,
    )
    server = subprocess.Popen(
        [*as_pg, str(bin_dir / "postgres"), "-D", str(data), "-p", str(port), "-k", str(work), "-h", "127.0.0.1"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"postgresql://rasa@127.0.0.1:{port}/postgres"
    try:
        import psycopg2

        deadline = time.monotonic() + 60
        while True:
            try:
                psycopg2.connect(url).close()
                break
            except psycopg2.OperationalError:
                if time.monotonic() > deadline or server.poll() is not None:
                    pytest.fail("the throwaway PostgreSQL did not start")
                time.sleep(0.3)
        yield url
    finally:
        server.terminate()
        server.wait(30)
        shutil.rmtree(work, ignore_errors=True)


@pytest.fixture(scope="module")
def both(pg_url, tmp_path_factory):
    """The planted store on SQLite and the same rows copied into PostgreSQL."""
    import psycopg2

    lite = write_tracker(tmp_path_factory.mktemp("pg-src") / "tracker.db", planted.PLANTED)
    rows = sqlite3.connect(lite).execute(
        "select id, sender_id, type_name, timestamp, intent_name, action_name, data from events order by id"
    )
    con = psycopg2.connect(pg_url)
    with con, con.cursor() as cur:
        cur.execute(SCHEMA)
        cur.executemany("insert into events values (%s, %s, %s, %s, %s, %s, %s)", list(rows))
    con.close()
    return lite, pg_url


def read(where):
    con = review.connect(where)
    try:
        return review.load_turns(con), dashboard.reconcile(con)
    finally:
        con.close()


def test_same_figures_on_postgresql_and_sqlite(both, kb):
    (lite_turns, lite_counts), (pg_turns, pg_counts) = read(both[0]), read(both[1])
    assert [vars(t) for t in pg_turns] == [vars(t) for t in lite_turns] and len(pg_turns) == 12
    report = dashboard.build(pg_turns, kb)
    assert report.tables["daily"][1] == planted.DAILY and report.totals == planted.TOTALS
    assert pg_counts == lite_counts == {"messages": 12, "conversations": 6}
    assert [r["sender_id"] for r in risk.queue(pg_turns, {})] == planted.RISK_ORDER


def test_postgresql_reader_is_read_only_and_hides_the_password(both):
    import psycopg2

    con = review.connect(both[1])
    try:
        with pytest.raises(sa.exc.DBAPIError) as refused:
            con.execute(sa.text("delete from events"))
        assert isinstance(refused.value.orig, psycopg2.errors.ReadOnlySqlTransaction)
    finally:
        con.close()
    with pytest.raises(review.TrackerUnavailable) as e:
        review.connect("postgresql://rasa:s3cret@127.0.0.1:1/none")
    assert "s3cret" not in str(e.value) and "***" in str(e.value)
