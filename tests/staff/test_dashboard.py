"""The dashboard against a planted set of conversations (tests/staff/planted.py): every figure per day, per week,
the totals, hours, top measures and hotlines, as computed and as the page and its CSVs show them; and the counts
reconcile with the tracker store's own events."""

from __future__ import annotations

import csv
import io
import re
import sqlite3

import pytest

from staff import dashboard, review
from tests.staff import planted
from tests.staff.tracker_factory import write_tracker


@pytest.fixture(scope="module")
def planted_db(tmp_path_factory):
    return write_tracker(tmp_path_factory.mktemp("planted") / "tracker.db", planted.PLANTED)


@pytest.fixture(scope="module")
def report(planted_db, kb):
    con = review.connect(planted_db)
    try:
        return dashboard.build(review.load_turns(con), kb)
    finally:
        con.close()


def test_per_day_and_per_week(report):
    assert report.tables["daily"][1] == planted.DAILY
    assert report.tables["weekly"][1] == planted.WEEKLY


def test_totals(report):
    assert report.totals == planted.TOTALS


def test_hours_measures_hotlines(report):
    hours = {r["hour"]: r["messages"] for r in report.tables["hours"][1]}
    assert {h: n for h, n in hours.items() if n} == planted.HOURS and len(hours) == 24
    assert [(r["id"], r["count"]) for r in report.tables["measures"][1]] == planted.MEASURES
    assert [(r["id"], r["count"]) for r in report.tables["hotlines"][1]] == planted.HOTLINES


def test_figures_add_up(report):
    """What must hold on any data: the kinds of a period add up to its messages; the days add up to the weeks
    and to the total; a rate is between 0 and 1."""
    for name in ("daily", "weekly"):
        rows = report.tables[name][1]
        for r in rows:
            assert sum(r[k] for k in dashboard.KINDS) == r["messages"]
            assert 0 <= r["dead_end_rate"] <= 1 and 0 <= r["handoff_rate"] <= 1
            assert r["handoff_conversations"] <= r["conversations"] <= r["messages"]
        assert sum(r["messages"] for r in rows) == report.totals["messages"]
        assert sum(r["up"] for r in rows) == report.totals["up"] and sum(r["down"] for r in rows) == 1
    assert sum(r["messages"] for r in report.tables["hours"][1]) == report.totals["messages"]


def test_counts_reconcile_with_the_tracker_store(planted_db, report):
    con = review.connect(planted_db)
    try:
        counted = dashboard.reconcile(con)
    finally:
        con.close()
    raw = sqlite3.connect(planted_db)
    users = raw.execute("select count(*), count(distinct sender_id) from events where type_name = 'user'").fetchone()
    assert counted == {"messages": users[0], "conversations": users[1]} == {"messages": 12, "conversations": 6}
    assert counted == {k: report.totals[k] for k in counted}


def test_reconciliation_can_fail(tmp_path, report):
    """One more user event in the store than the dashboard counted: the comparison the page makes says so."""
    db = write_tracker(tmp_path / "t.db", planted.PLANTED)
    raw = sqlite3.connect(db)
    raw.execute(
        "insert into events (sender_id, type_name, timestamp, intent_name, action_name, data) "
        "values ('c9', 'user', 1.0, 'greet', null, '{}')"
    )
    raw.commit()
    con = review.connect(db)
    try:
        counted = dashboard.reconcile(con)
    finally:
        con.close()
    assert counted == {"messages": 13, "conversations": 7} != {k: report.totals[k] for k in counted}


def test_page_and_csvs_show_the_planted_figures(planted_db, kb, kb_path, staff_db):
    from staff.app import create_app
    from tests.staff.conftest import LOGIN, Server, client, make_settings

    with Server(create_app(make_settings(staff_db, planted_db, kb_path), kb)) as s:
        c = client(s.url)
        c.post(s.url + "/login", data={**LOGIN})
        page = c.get(s.url + "/dashboard").text
        assert re.search(r'id="total-conversations">6<', page) and re.search(r'id="total-messages">12<', page)
        assert 'id="reconciled"' in page and "✓" in page.split('id="reconciled"')[1][:40]
        assert page.count("<svg") == 13 and page.count(".csv?days=28") == 13
        assert "<script" not in page
        for name, expected in (("daily", planted.DAILY), ("weekly", planted.WEEKLY)):
            resp = c.get(f"{s.url}/dashboard/{name}.csv")
            assert resp.status_code == 200 and resp.headers["Content-Type"].startswith("text/csv")
            rows = list(csv.DictReader(io.StringIO(resp.content.decode("utf-8-sig"))))
            assert [{k: _num(v) for k, v in r.items()} for r in rows] == expected
        hours = list(csv.DictReader(io.StringIO(c.get(s.url + "/dashboard/hours.csv").content.decode("utf-8-sig"))))
        assert {int(r["hour"]): int(r["messages"]) for r in hours if r["messages"] != "0"} == planted.HOURS
        assert c.get(s.url + "/dashboard/nothing.csv").status_code == 404


def _num(v: str):
    """A CSV cell back to what the table held: int, float, or the empty string."""
    if v == "" or not re.fullmatch(r"-?\d+(\.\d+)?", v):
        return v
    return float(v) if "." in v else int(v)


def test_percentile_and_charts_escape():
    assert dashboard.percentile([], 50) is None and dashboard.percentile([5], 90) == 5
    assert dashboard.percentile([2, 4, 3, 66], 50) == 3 and dashboard.percentile([2, 4, 3, 66], 90) == 66
    svg = dashboard.bar_chart("<b>", ["2026-01-01"], [("x&y", [3])])
    assert "<b>" not in svg and "&lt;b&gt;" in svg and "x&amp;y: 3" in svg
