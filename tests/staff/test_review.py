"""Review tables from a tracker store shaped like Rasa's SQLTrackerStore."""

from __future__ import annotations

import asyncio
import sqlite3
import warnings

import pytest
import sqlalchemy as sa

from staff import labels, review
from tests.staff.tracker_factory import DAY1, DAY2, SAMPLE, T, ts, write_tracker


@pytest.fixture
def tables(kb, tracker_db):
    con = review.connect(tracker_db)
    try:
        yield review.build_tables(con, kb, days=30)
    finally:
        con.close()


def test_fallbacks_grouped_by_normalised_text(tables):
    cols, rows = tables["fallbacks"]
    top = rows[0]
    # 「這個補助…？」, 「這個補助…」 and the Simplified 「这个补助…」 are one question
    assert top["text"] == "這個補助跟那個有什麼不同" and top["count"] == 3 and top["conversations"] == 2
    reasons = labels.get("review.reasons")
    assert reasons["clarify"] + "×2" in top["reasons"] and reasons["fallback"] + "×1" in top["reasons"]
    texts = [r["text"] for r in rows]
    assert "房貸利率多少" in texts  # out_of_scope
    assert any(t.startswith("<script>") for t in texts)  # the bot asked to clarify
    assert "我營業額掉了15%能貸多少" not in texts and "信保電話" not in texts  # answered: not in the list
    assert [k for k, _ in cols][:2] == ["text", "count"]


def test_answers_per_hotline_and_measure_per_day(tables):
    _, hot = tables["hotlines"]
    counts = {(r["day"], r["id"]): r["count"] for r in hot}
    # the carried-over answered_hotlines of each session start is not an answer
    assert counts == {(DAY1, "mbd"): 1, (DAY1, "smeg"): 1, (DAY1, "center"): 1, (DAY2, "smeg"): 1, (DAY2, "mbd"): 1}
    assert hot[0]["day"] == DAY2  # newest day first
    assert any(r["name"] == "馬上辦服務中心 0800-280-280" for r in hot)
    _, meas = tables["measures"]
    assert {(r["day"], r["id"]): r["count"] for r in meas} == {
        (DAY1, "sme_loan"): 1,
        (DAY1, "export_loan_guarantee"): 1,
        (DAY2, "sme_loan"): 1,
    }
    assert any(r["name"] == "中小微企業多元發展貸款加碼" for r in meas)


def test_feedback_counts_thumbs(tables):
    _, rows = tables["feedback"]
    assert {r["day"]: (r["up"], r["down"]) for r in rows} == {DAY1: (1, 0), DAY2: (0, 1)}


def test_no_feedback_yet(kb, tmp_path):
    db = write_tracker(tmp_path / "t.db", {"x": [T("你好", "greet", "social", ts(DAY1))]})
    con = review.connect(db)
    assert review.build_tables(con, kb, days=30)["feedback"][1] == []


def test_recent_conversations(tables):
    _, rows = tables["conversations"]
    assert [r["sender_id"] for r in rows] == ["firm-b", "firm-a"]  # most recent first
    assert rows[0]["messages"] == len(SAMPLE["firm-b"]) and rows[0]["fallbacks"] == 4


def test_window_in_days(kb, tracker_db):
    con = review.connect(tracker_db)
    now = ts(DAY2, "23:00")
    one_day = review.build_tables(con, kb, days=1, now=now)
    assert {r["day"] for r in one_day["hotlines"][1]} == {DAY2}


def test_missing_tracker_store_is_reported_not_created(tmp_path):
    missing = tmp_path / "nope.db"
    with pytest.raises(review.TrackerUnavailable, match="找不到對話紀錄檔"):
        review.connect(missing)
    assert not missing.exists()


def test_not_a_tracker_store(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table x (a)").connection.commit()
    with pytest.raises(review.TrackerUnavailable, match="無法讀取"):
        review.connect(other)


def test_connection_is_read_only(tracker_db):
    con = review.connect(tracker_db)
    with pytest.raises(sa.exc.OperationalError, match="readonly"):
        con.execute(sa.text("delete from events"))


def test_normalise():
    assert review.normalise("  这个　补助？！ ") == review.normalise("這個 補助") == "這個 補助"
    assert review.normalise("ESCO 是什麼?") == "esco 是什麼"


@pytest.mark.filterwarnings("ignore")
def test_reads_what_rasas_own_sql_tracker_store_writes(tmp_path, kb, monkeypatch):
    """Guards against schema drift: the real SQLTrackerStore writes, the review reads."""
    monkeypatch.setenv("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    with warnings.catch_warnings():  # rasa's imports warn about SQLAlchemy 2.0 and pkg_resources
        warnings.simplefilter("ignore")
        from rasa.core.tracker_store import SQLTrackerStore
        from rasa.shared.core.domain import Domain
        from rasa.shared.core.events import ActionExecuted, BotUttered, SlotSet, UserUttered
        from rasa.shared.core.trackers import DialogueStateTracker

    domain = Domain.from_yaml("""
version: "3.1"
intents: [nlu_fallback, ask_amount]
slots:
  answer_kind: {type: text, mappings: [{type: custom}]}
  answered_hotlines: {type: list, mappings: [{type: custom}]}
  answered_measures: {type: list, mappings: [{type: custom}]}
actions: [action_answer]
""")
    store = SQLTrackerStore(domain, dialect="sqlite", db=str(tmp_path / "rasa.db"))
    t0 = ts(DAY2, "10:00")
    events = [
        ActionExecuted("action_listen", timestamp=t0),
        UserUttered("那個東西怎麼弄", {"name": "nlu_fallback", "confidence": 0.2}, timestamp=t0 + 1),
        ActionExecuted("action_answer", timestamp=t0 + 2),
        BotUttered("不太確定您想問的是哪一項", timestamp=t0 + 2),
        SlotSet("answer_kind", "clarify", timestamp=t0 + 2),
        SlotSet("answered_measures", [], timestamp=t0 + 2),
        SlotSet("answered_hotlines", [], timestamp=t0 + 2),
        ActionExecuted("action_listen", timestamp=t0 + 3),
        UserUttered("能貸多少", {"name": "ask_amount", "confidence": 0.9}, timestamp=t0 + 4),
        ActionExecuted("action_answer", timestamp=t0 + 5),
        SlotSet("answer_kind", "answer", timestamp=t0 + 5),
        SlotSet("answered_measures", ["sme_loan"], timestamp=t0 + 5),
        SlotSet("answered_hotlines", ["mbd", "smeg"], timestamp=t0 + 5),
    ]
    tracker = DialogueStateTracker.from_events("caller-1", events, domain.slots)
    asyncio.run(store.save(tracker))
    store.engine.dispose()

    con = review.connect(tmp_path / "rasa.db")
    turns = review.load_turns(con)
    assert [(t.text, t.intent, t.kind) for t in turns] == [
        ("那個東西怎麼弄", "nlu_fallback", "clarify"),
        ("能貸多少", "ask_amount", "answer"),
    ]
    assert turns[0].bot == ["不太確定您想問的是哪一項"] and turns[1].hotlines == ["mbd", "smeg"]
    tables = review.build_tables(con, kb, days=30, now=t0 + 60)
    assert [r["text"] for r in tables["fallbacks"][1]] == ["那個東西怎麼弄"]
    assert {r["id"]: r["count"] for r in tables["hotlines"][1]} == {"mbd": 1, "smeg": 1}


# --------------------------------------------------------------------- issue 13: only real failures, taps by label
CLARIFY_BUTTONS = [
    {"title": "聯絡電話", "payload": "/ask_hotline"},
    {"title": "申請資格", "payload": "/ask_eligibility"},
]
FEEDBACK_BUTTONS = [{"title": "👍 有幫助", "payload": "👍 有幫助"}, {"title": "👎 沒幫助", "payload": "👎 沒幫助"}]
CALLER = [
    T("/greet", "greet", "social", ts(DAY2, "09:00"), bot="您好！"),
    T(
        "我營業額掉了15%能貸多少",
        "ask_amount",
        "answer",
        ts(DAY2, "09:01"),
        ["sme_loan"],
        ["mbd"],
        bot="請問貴公司是中小微企業、非中小微企業，還是稅籍登記業者？",
        buttons=FEEDBACK_BUTTONS,
    ),
    T("中小企業", "nlu_fallback", "answer", ts(DAY2, "09:02"), ["sme_loan"], ["mbd"], buttons=FEEDBACK_BUTTONS),
    T("👎 沒幫助", "nlu_fallback", "feedback", ts(DAY2, "09:03")),
    T(
        "那個東西怎麼弄",
        "nlu_fallback",
        "clarify",
        ts(DAY2, "09:04"),
        bot="不太確定您想問的是哪一項，請選一個：",
        buttons=CLARIFY_BUTTONS,
    ),
    T("/ask_hotline", "ask_hotline", "answer", ts(DAY2, "09:05"), [], ["center"]),
    T("/ask_rate", "ask_rate", "answer", ts(DAY2, "09:06"), [], ["center"]),
]


@pytest.fixture
def caller(tmp_path):
    db = write_tracker(tmp_path / "caller.db", {"caller-1": CALLER})
    con = review.connect(db)
    yield con
    con.close()


def test_only_turns_the_bot_failed_are_listed(kb, caller):
    tables = review.build_tables(caller, kb, days=30)
    assert [r["text"] for r in tables["fallbacks"][1]] == ["那個東西怎麼弄"]  # not 中小企業, not 👎 沒幫助
    assert tables["conversations"][1][0]["fallbacks"] == 1
    assert {(r["up"], r["down"]) for r in tables["feedback"][1]} == {(0, 1)}


def test_nlu_fallback_without_an_answer_still_counts(kb, tmp_path):
    """A turn action_answer never answered (no answer_kind) falls back to what NLU said."""
    db = write_tracker(tmp_path / "t.db", {"x": [T("嗯嗯嗯", "nlu_fallback", None, ts(DAY2))]})
    con = review.connect(db)
    rows = review.build_tables(con, kb, days=30)["fallbacks"][1]
    assert [r["text"] for r in rows] == ["嗯嗯嗯"] and rows[0]["reasons"].startswith(
        labels.get("review.reasons.nlu_fallback")
    )


def test_button_taps_show_the_buttons_label(caller):
    turns = review.transcript(review.load_turns(caller))
    shown = [(t["text"], t["typed"]) for t in turns]
    assert shown[5] == ("聯絡電話", False)  # tapped on the clarify message before it
    assert shown[0] == ("（打招呼）", False)  # the widget's /greet: no button, its meaning
    assert shown[6] == ("（貸款利率）", False)  # a payload with no button before it
    assert shown[2] == ("中小企業", True) and shown[3] == ("👎 沒幫助", True)  # the payload is its own label
    assert not any(t["text"].startswith("/") for t in turns)
    assert turns[5]["raw"] == "/ask_hotline"


def test_review_pages_show_labels_not_payloads(kb, kb_path, staff_db, tmp_path):
    from staff.app import create_app
    from tests.staff.conftest import LOGIN, Server, client, make_settings

    db = write_tracker(tmp_path / "caller.db", {"caller-1": CALLER})
    with Server(create_app(make_settings(staff_db, db, kb_path), kb)) as s:
        c = client(s.url)
        c.post(s.url + "/login", data={**LOGIN})
        page = c.get(s.url + "/review").text
        failed = page.split('id="fallbacks"', 1)[1].split("<h2", 1)[0]
        assert "那個東西怎麼弄" in failed and "中小企業" not in failed and "沒幫助" not in failed
        convo = c.get(s.url + "/review/conversation/caller-1").text
        assert "聯絡電話" in convo and "/ask_hotline" not in convo and "/greet" not in convo
