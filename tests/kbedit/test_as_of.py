"""「你們的資料是什麼時候的」 answered with the deck's date and the last publish; a measure past its end date is
answered as closed (or superseded) with the date, first."""

from __future__ import annotations

from datetime import date, datetime, timezone

from advisor import State, UserMessage, compose
from advisor.currency import ended
from kbedit.draft import Meta
from knowledge.kb import KB
from staff.editor_pages import home_lists
from tests.kbedit.conftest import meta


def say(kb, text, intent="chitchat", now=None):
    reply = compose(kb, UserMessage(text=text, intent=intent, confidence=0.9), State(), now=now)
    return "\n".join(m["text"] for m in reply.messages)


def _set(editor, rid, **fields):
    rec, h = editor.open("measures.yml", rid)
    assert editor.save("measures.yml", rid, {**rec, **fields}, h, meta(), "close").saved


def test_as_of_before_and_after_a_publish(editor, live_dir):
    kb = KB(live_dir / "kb.sqlite")
    body = say(kb, "你們的資料是什麼時候的")
    assert "2026-01-19" in body and "製造業淨零及公正轉型政策" in body and "0800-000-257" in body
    _set(editor, "sme_loan", review_by="2026-06-30")
    editor.publish(Meta("editor-a", "複查日期", "經濟部新聞稿", "2026-03-02", at="2026-03-03T02:00:00+00:00"))
    body = say(kb, "資料多新？", intent="ask_overview")
    assert "2026-01-19" in body and "2026-03-03" in body and "經濟部新聞稿（2026-03-02）" in body


def test_a_closed_measure_is_answered_as_closed_with_its_date(editor, live_dir):
    kb = KB(live_dir / "kb.sqlite")
    _set(editor, "sme_loan", status={"state": "closed", "ad": "2026-02-28", "source": "經濟部公告"})
    editor.publish(meta())
    text = "中小微企業多元發展貸款加碼額度多少"
    before = say(kb, text, "ask_amount", now=datetime(2026, 2, 27, 4, tzinfo=timezone.utc))
    after = say(kb, text, "ask_amount", now=datetime(2026, 3, 1, 4, tzinfo=timezone.utc))
    assert "受理截止" not in before
    assert after.index("已於2026-02-28受理截止") < after.index("3,500萬元")
    assert "0800-280-280" in after  # still routed to its hotline: never a dead end


def test_superseded_names_the_replacement(editor, live_dir):
    kb = KB(live_dir / "kb.sqlite")
    _set(editor, "export_loan_guarantee", status={"state": "superseded", "ad": "2026-01-01", "by": "sme_loan",
                                                  "source": "經濟部公告"})  # fmt: skip
    editor.publish(meta())
    body = say(kb, "外銷貸款優惠保證加碼的保證額度", "ask_guarantee", now=datetime(2026, 3, 1, tzinfo=timezone.utc))
    assert "自2026-01-01起由「中小微企業多元發展貸款加碼」取代" in body


def test_an_intake_end_date_that_passed_closes_the_measure(editor, live_dir):
    rec, h = editor.open("measures.yml", "rd_transform")
    dates = [*rec["dates"], {"key": "intake_end", "aspect": "application", "roc": "115年3月31日", "ad": "2026-03-31",
                             "text": "受理至115年3月31日", "source": "經濟部公告"}]  # fmt: skip
    assert editor.save("measures.yml", "rd_transform", {**rec, "dates": dates}, h, meta(), "edit").saved
    editor.publish(meta())
    kb = KB(live_dir / "kb.sqlite")
    assert ended(kb, "rd_transform", date(2026, 3, 31)) is None
    assert ended(kb, "rd_transform", date(2026, 4, 1)) == {"state": "closed", "ad": "2026-03-31", "by": ""}


def test_the_staff_home_lists_due_reviews_and_closed_measures(editor, live_dir):
    _set(editor, "sme_loan", review_by="2026-03-10")
    _set(editor, "impact_visits", status={"state": "closed", "ad": "2026-02-28", "source": "經濟部公告"})
    rec, h = editor.open("hotlines.yml", "mbd")
    assert editor.save("hotlines.yml", "mbd", {**rec, "review_by": "2026-12-31"}, h, meta(), "edit").saved
    editor.publish(meta())
    lists = home_lists(KB(live_dir / "kb.sqlite"), date(2026, 3, 1))
    assert [d["id"] for d in lists["due"]] == ["sme_loan"]  # mbd's review is months away
    assert [c["id"] for c in lists["closed"]] == ["impact_visits"]
