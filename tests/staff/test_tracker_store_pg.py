"""The staff pages read the tracker store the bot writes (staff/tracker_store.py): the one in Rasa's endpoints
file (RASA_ENDPOINTS), so under `make scale-up` PostgreSQL, not var/tracker.db. Rasa's own SQLTrackerStore writes a
conversation into a throwaway PostgreSQL (tests/postgres.py); the transcript, the 案件 page, the review tables and
the editor's preview read it, through deploy/endpoints-scale.yml as scripts/scale.sh configures it."""

from __future__ import annotations

import asyncio
import uuid
import warnings
from urllib.parse import quote

import pytest
import sqlalchemy as sa

from handoff.store import HandoffStore, engine_for
from staff import review, tracker_store
from staff.config import ConfigError, Settings, load_settings
from tests.conftest import ROOT
from tests.postgres import postgres, postgres_url  # noqa: F401 -- fixtures
from tests.staff.conftest import LOGIN, FakeRasa, Server, logged_in

SCALE_ENDPOINTS = ROOT / "deploy" / "endpoints-scale.yml"
QUESTION, ANSWER = "中小企業營業額掉了15%能貸多少", "【中小微企業多元發展貸款加碼】最多3,500萬元"


def scale_env(server) -> dict:
    """What scripts/scale.sh puts into var/scale/staff.env for the tracker store, pointing at this server."""
    return {
        "RASA_ENDPOINTS": str(SCALE_ENDPOINTS),
        "POSTGRES_HOST": "127.0.0.1",
        "POSTGRES_PORT": str(server.port),
        "POSTGRES_DB": "rasa",
        "POSTGRES_USER": "rasa",
        "POSTGRES_PASSWORD": server.password,
    }


def test_the_url_comes_from_rasas_endpoints_file(tmp_path):
    env = {**scale_env(type("S", (), {"port": 5432, "password": "p@ss/word"})()), "TRACKER_DB": "/x/t.db"}
    url = sa.engine.make_url(tracker_store.configured_url(env))
    assert (url.drivername, url.host, url.port, url.database, url.username, url.password) == (
        "postgresql",
        "127.0.0.1",
        5432,
        "rasa",
        "rasa",
        "p@ss/word",
    )
    assert "p@ss" not in tracker_store.shown(str(url))
    # make run: endpoints.yml's SQLite file, TRACKER_DB or var/tracker.db
    assert tracker_store.configured_url({"TRACKER_DB": str(tmp_path / "t.db")}) == f"sqlite:///{tmp_path / 't.db'}"
    assert tracker_store.configured_url({}) == f"sqlite:///{ROOT / 'var' / 'tracker.db'}"
    assert load_settings({"RASA_ENDPOINTS": str(SCALE_ENDPOINTS), **env}).tracker == str(url)
    with pytest.raises(ConfigError, match="POSTGRES_PASSWORD"):  # a variable Rasa would need too
        load_settings({k: v for k, v in env.items() if k != "POSTGRES_PASSWORD"})
    other = tmp_path / "endpoints.yml"
    other.write_text("tracker_store:\n  type: redis\n  url: localhost\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="SQL tracker store"):
        load_settings({"RASA_ENDPOINTS": str(other)})


def test_a_postgresql_url_in_tracker_db_is_read_as_it_is():
    """endpoints.yml's db is ${TRACKER_DB}: a postgresql:// URL there is the store (the same SQLAlchemy path),
    never a SQLite file of that name; the page and the log show it without the password."""
    url = "postgresql://rasa:s3cret@db.internal:5433/rasa"
    assert tracker_store.configured_url({"TRACKER_DB": url}) == url
    settings = load_settings({"TRACKER_DB": url})
    assert settings.tracker == url and settings.tracker_db == url
    assert Settings(tracker_db=url).tracker == url  # no endpoints read (tests' settings): the URL still
    assert tracker_store.shown(url) == "postgresql://rasa:***@db.internal:5433/rasa"


@pytest.fixture(scope="module")
def conversation(postgres):  # noqa: F811
    """A conversation written by Rasa's SQLTrackerStore into the server's `rasa` database, as a Rasa process of
    the scale-out would."""
    admin = sa.create_engine(postgres.url("postgres"), future=True, isolation_level="AUTOCOMMIT")
    with admin.connect() as con:
        if not con.exec_driver_sql("select 1 from pg_database where datname = 'rasa'").first():
            con.exec_driver_sql("create database rasa")
    admin.dispose()
    with warnings.catch_warnings():  # rasa's imports warn about SQLAlchemy 2.0 and pkg_resources
        warnings.simplefilter("ignore")
        from rasa.core.tracker_store import SQLTrackerStore
        from rasa.shared.core.domain import Domain
        from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
        from rasa.shared.core.trackers import DialogueStateTracker

        domain = Domain.from_yaml(
            'version: "3.1"\nintents: [ask_amount]\nslots:\n'
            "  answer_kind: {type: text, mappings: [{type: custom}]}\n"
            "  answered_measures: {type: list, mappings: [{type: custom}]}\n"
            "  answered_hotlines: {type: list, mappings: [{type: custom}]}\n"
            "actions: [action_answer]\n"
        )
        store = SQLTrackerStore(
            domain,
            dialect="postgresql",
            host="127.0.0.1",
            port=postgres.port,
            db="rasa",
            username="rasa",
            password=postgres.password,
        )
        sender = f"pg-{uuid.uuid4().hex[:8]}"
        events = [
            ActionExecuted("action_listen"),
            UserUttered(QUESTION, {"name": "ask_amount", "confidence": 0.9}),
            ActionExecuted("action_answer"),
            BotUttered(ANSWER),
            SlotSet("answer_kind", "answer"),
            SlotSet("answered_measures", ["sme_loan"]),
            SlotSet("answered_hotlines", ["mbd"]),
            ActionExecuted("action_listen"),
        ]
        asyncio.run(store.save(DialogueStateTracker.from_events(sender, events, domain.slots)))
        store.engine.dispose()
    return sender


def test_review_reads_postgresql_read_only(postgres, conversation):  # noqa: F811
    url = tracker_store.configured_url(scale_env(postgres))
    con = review.connect(url)
    try:
        turns = review.load_turns(con, sender_id=conversation)
        assert [(t.text, t.kind, t.measures, t.bot) for t in turns] == [(QUESTION, "answer", ["sme_loan"], [ANSWER])]
        with pytest.raises(sa.exc.InternalError, match="read-only"):
            con.execute(sa.text("delete from events"))
    finally:
        con.close()
    from kbedit.preview import tracker_cases

    assert QUESTION in [t["text"] for c in tracker_cases(url, last=50) if c.ident == conversation for t in c.turns]


def test_a_wrong_password_is_reported_without_it(postgres):  # noqa: F811
    env = {**scale_env(postgres), "POSTGRES_PASSWORD": "wrong-secret"}
    with pytest.raises(review.TrackerUnavailable) as why:
        review.connect(tracker_store.configured_url(env))
    assert "wrong-secret" not in str(why.value) and "OperationalError" in str(why.value)


def test_staff_pages_show_the_conversation_from_postgresql(postgres, conversation, kb, kb_path, staff_db, tmp_path):  # noqa: F811
    from staff.app import create_app

    handoff = HandoffStore(engine_for(tmp_path / "handoff.db"))
    case = handoff.open_case(conversation, "socketio", "written", {"facts": {"size": "sme"}, "questions": [QUESTION]})
    settings = Settings(
        db=str(staff_db),
        tracker_db=tmp_path / "no-such-tracker.db",  # make run's SQLite file is not what they read
        tracker_url=tracker_store.configured_url(scale_env(postgres)),
        kb_path=kb_path,
        login_delay=0.0,
    )
    with Server(create_app(settings, kb, handoff=handoff, rasa=FakeRasa())) as server:
        s = logged_in(server, LOGIN)
        page = s.get(f"{server.url}/review/conversation/{quote(conversation)}")
        assert page.status_code == 200 and QUESTION in page.text and "3,500萬元" in page.text
        case_page = s.get(f"{server.url}/queue/{case}")
        assert case_page.status_code == 200 and ANSWER in case_page.text
        assert "找不到對話紀錄檔" not in case_page.text
        review_page = s.get(f"{server.url}/review")
        assert review_page.status_code == 200 and "postgresql://rasa:***@127.0.0.1" in review_page.text
        assert postgres.password not in review_page.text
        assert conversation in s.get(f"{server.url}/review/conversations").text
