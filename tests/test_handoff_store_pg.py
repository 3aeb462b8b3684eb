"""The handoff store (handoff/store.py) on PostgreSQL, as under `make scale-up` (HANDOFF_DB=postgresql://…), on a
throwaway server of its own (tests/postgres.py): the queue's life (claim, reply, hand back, close) with two
processes' stores on one database, and nothing lost when PostgreSQL or a store restarts."""

from __future__ import annotations

import time
import uuid

import pytest
import sqlalchemy as sa

from handoff.store import HandoffStore, engine_for
from tests.postgres import postgres, postgres_url  # noqa: F401 -- fixtures


@pytest.fixture
def url(postgres):  # noqa: F811
    """A fresh database on the session's server."""
    name = f"handoff_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(postgres.url("postgres"), future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as con:
        con.exec_driver_sql(f"create database {name}")
    admin.dispose()
    return postgres.url(name)


def test_it_really_is_postgresql(url):
    engine = engine_for(url)
    assert engine.dialect.name == "postgresql"
    with engine.connect() as con:
        tables = set(sa.inspect(con).get_table_names())
    assert {"handoff_cases", "handoff_codes", "handoff_outbox"} <= tables


def test_claim_reply_hand_back_close_across_two_stores(url):
    bot, helper = HandoffStore(engine_for(url)), HandoffStore(engine_for(url))  # the action server, the helper
    case = bot.open_case("firm-a", "socketio", "written", {"facts": {"size": "sme"}, "question": "貸款"})
    assert bot.open_case("firm-a", "socketio", "written", {"x": 1}) == case  # asking twice does not queue twice
    assert [c.id for c in helper.queue()] == [case]
    before = helper.version()
    assert helper.claim(case, "wang") and bot.held("firm-a")
    assert helper.version() != before
    assert not HandoffStore(engine_for(url)).claim(case, "lin")  # another staff member's helper: held already
    first = helper.post("firm-a", "socketio", "reply", "您好，額度是3,500萬元")
    assert [r["text"] for r in bot.pending("firm-a")] == ["您好，額度是3,500萬元"]
    bot.delivered([first])
    assert bot.pending("firm-a") == [] and helper.messages("firm-a")[0]["delivered"] is not None
    assert not helper.close(case, "lin", "answered")  # not lin's
    assert helper.hand_back(case, "wang") and not bot.held("firm-a")
    assert helper.close(case, "lin", "answered")
    assert helper.queue() == [] and helper.queue(include_closed=True)[0].resolution == "answered"


def test_concurrent_claims_have_one_winner(url):
    from concurrent.futures import ThreadPoolExecutor

    case = HandoffStore(engine_for(url)).open_case("firm-b", "line", "written", {})
    stores = [HandoffStore(engine_for(url)) for _ in range(4)]
    with ThreadPoolExecutor(4) as pool:
        won = list(pool.map(lambda i: stores[i].claim(case, f"staff{i}"), range(4)))
    assert won.count(True) == 1
    assert stores[0].get(case).claimed_by == f"staff{won.index(True)}"


def test_a_restart_loses_no_queue_item(url, postgres):  # noqa: F811
    store = HandoffStore(engine_for(url))
    written = store.open_case("firm-c", "rest", "written", {"facts": {"revenue_change": -15}})
    callback = store.open_case("firm-d", "line", "callback", {}, phone="0912345678", preferred="明天上午")
    store.claim(written, "wang")
    store.issue_code("ACF347", "firm-c", "rest", {"facts": {}}, hours=24)
    store.post("firm-c", "rest", "reply", "稍後回電")
    queue = [(c.id, c.status, c.claimed_by, c.phone) for c in store.queue()]

    postgres.restart()  # the server restarts under the open pool

    assert [(c.id, c.status, c.claimed_by, c.phone) for c in store.queue()] == queue  # pool_pre_ping reconnects
    again = HandoffStore(engine_for(url))  # a restarted bot or helper: a new engine, create_all a no-op
    assert [(c.id, c.status, c.claimed_by, c.phone) for c in again.queue()] == queue
    assert {c.id for c in again.queue()} == {written, callback}
    assert again.find_code("ACF347")["sender_id"] == "firm-c"
    assert [r["text"] for r in again.pending("firm-c")] == ["稍後回電"]
    assert again.held("firm-c")


def test_codes_expire_and_purge_on_postgresql(url):
    store = HandoffStore(engine_for(url))
    store.issue_code("KMX47C", "firm-e", "socketio", {"facts": {}}, hours=1)
    assert store.find_code("KMX47C", now=time.time() + 3601) is None
    case = store.open_case("firm-e", "socketio", "callback", {}, phone="0227089055", preferred="下午")
    result = store.purge(callback_days=30, now=time.time() + 31 * 86400)
    assert result["phones"] == 1 and result["codes"] == 1
    assert store.get(case).phone is None and store.find_code("KMX47C") is None
