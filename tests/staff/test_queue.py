"""The 案件 queue and case codes in the staff helper (issue 16), with the bot replaced by a fake RasaApi: claim
pauses the bot, replies go to the outbox and are delivered, hand back resumes it, close needs a tag; a case code
opens its conversation with the calculator filled in; wrong and expired codes open nothing and guessing is
rate-limited; all of it in the audit log."""

from __future__ import annotations

import re
import time

import pytest
import requests

from handoff.settings import settings
from handoff.store import HandoffStore, engine_for
from staff.app import create_app
from staff.queue import FAILURES, STORE, calc_query
from tests.staff.conftest import ADMIN_LOGIN, LOGIN, FakeRasa, Server, client, logged_in, make_settings


@pytest.fixture(scope="module")
def hub(kb, kb_path, staff_db, tracker_db, tmp_path_factory):
    store = HandoffStore(engine_for(tmp_path_factory.mktemp("q") / "handoff.db"))
    rasa = FakeRasa()
    app = create_app(make_settings(staff_db, tracker_db, kb_path), kb, handoff=store, rasa=rasa)
    with Server(app) as s:
        s.store, s.rasa = store, rasa
        yield s


def new_case(store, sender="firm-a", kind="written", **extra):
    context = {
        "facts": {"size": "sme", "revenue_change": -15, "amount": 800},
        "measures": ["sme_loan"],
        "questions": ["中小企業營業額掉了15%能貸多少"],
        "answers": ["【中小微企業多元發展貸款加碼】最多3,500萬元"],
    }
    return store.open_case(sender, "socketio", kind, context, **extra)


def test_calc_query_from_facts():
    q = calc_query({"size": "sme", "revenue_change": -15.0, "amount": 800.0, "us_export_3y": True})
    assert q == "size=sme&revenue_change=15&revenue_direction=down&amount=800&us_export_3y=yes"


def test_queue_lists_cases_by_age_with_their_context(hub):
    first = new_case(hub.store, "firm-old")
    second = new_case(hub.store, "firm-cb", "callback", phone="0912345678", preferred="明天上午")
    page = logged_in(hub, LOGIN).get(hub.url + "/queue")
    assert page.status_code == 200 and "script-src 'self'" in page.headers["Content-Security-Policy"]
    rows = re.findall(r'data-case="(\d+)"', page.text)
    assert rows.index(str(first)) < rows.index(str(second))  # oldest first
    assert "中小微企業" in page.text and "減少15%" in page.text and "0912-345-678" in page.text
    assert "3,500萬元" in page.text and "預約回電" in page.text


def test_rows_change_version_when_a_case_arrives(hub):
    s = logged_in(hub, LOGIN)
    version = re.search(r'data-version="([^"]+)"', s.get(hub.url + "/queue").text).group(1)
    with requests.get(hub.url + "/queue/events", cookies=s.cookies, stream=True, timeout=10) as events:
        lines = events.iter_lines(decode_unicode=True)
        assert next(x for x in lines if x.startswith("data:")) == f"data: {version}"
        new_case(hub.store, "firm-new")
        assert next(x for x in lines if x.startswith("data:")) != f"data: {version}"  # within about a second
    rows = s.get(hub.url + "/queue/rows").text  # what queue.js fetches then
    assert rows.count('class="case-row"') == len(hub.store.queue())


def test_claim_reply_hand_back_close(hub):
    case = new_case(hub.store, "firm-flow")
    wang, lin = logged_in(hub, LOGIN), logged_in(hub, ADMIN_LOGIN)
    hub.rasa.calls.clear()
    r = wang.post(hub.url + f"/queue/{case}/reply", data={"text": "您好"})
    assert r.status_code == 409  # claim first
    assert wang.post(hub.url + f"/queue/{case}/claim").status_code == 200
    assert hub.store.held("firm-flow") and ("pause", "firm-flow") in hub.rasa.calls
    assert lin.post(hub.url + f"/queue/{case}/claim").status_code == 409  # someone holds it
    r = wang.post(hub.url + f"/queue/{case}/reply", data={"text": "您好，可以申請，請備妥財報"})
    assert r.status_code == 200 and "您好，可以申請" in r.text
    assert [m["kind"] for m in hub.store.messages("firm-flow")] == ["claimed", "reply"]
    assert ("deliver", "firm-flow", "socketio") in hub.rasa.calls
    assert wang.post(hub.url + f"/queue/{case}/reply", data={"text": "x" * 1001}).status_code == 400
    assert wang.post(hub.url + f"/queue/{case}/handback").status_code == 200
    assert not hub.store.held("firm-flow") and ("resume", "firm-flow") in hub.rasa.calls
    assert hub.store.messages("firm-flow")[-1]["kind"] == "handback"
    assert wang.post(hub.url + f"/queue/{case}/close", data={"resolution": "bogus"}).status_code == 400
    assert wang.post(hub.url + f"/queue/{case}/close", data={"resolution": "answered"}).status_code == 200
    assert hub.store.get(case).status == "closed" and hub.store.get(case).resolution == "answered"
    audit = logged_in(hub, ADMIN_LOGIN).get(hub.url + "/audit", params={"actor": "wang"}).text
    for action in ("接手", "回覆", "交還機器人", "結案"):
        assert action in audit
    assert "您好，可以申請" not in audit  # targets, never the text


def test_reply_while_the_bot_is_down_is_kept(hub):
    case = new_case(hub.store, "firm-down")
    wang = logged_in(hub, LOGIN)
    wang.post(hub.url + f"/queue/{case}/claim")
    hub.rasa.up = False
    try:
        r = wang.post(hub.url + f"/queue/{case}/reply", data={"text": "稍後回覆您"})
    finally:
        hub.rasa.up = True
    assert "訊息已保存" in r.text
    assert [m["text"] for m in hub.store.pending("firm-down")][-1] == "稍後回覆您"


def lookup(session, hub, code):
    return session.post(hub.url + "/lookup", data={"code": code})


def test_case_code_opens_the_conversation_with_the_calculator_filled(hub):
    hub.store.issue_code("ACF347", "firm-a", "line", {"facts": {"size": "sme", "revenue_change": -15}}, hours=1)
    hub.store.issue_code("KMN479", "firm-a", "line", {"facts": {}}, hours=1)
    s = logged_in(hub, LOGIN)
    r = lookup(s, hub, "acf-347")
    assert r.status_code == 200 and "ACF 347" in r.text
    assert "/calc?size=sme&amp;revenue_change=15&amp;revenue_direction=down" in r.text
    assert "中小微企業多元發展貸款加碼" in r.text and "✅" in r.text  # the calculator's result for those facts
    assert "我營業額掉了15%能貸多少" in r.text or "對話紀錄" in r.text


def test_expired_and_wrong_codes_open_nothing_and_guessing_is_limited(hub):
    hub.store.issue_code("WXY634", "firm-secret", "rest", {"facts": {}}, hours=1)
    with hub.store.engine.begin() as con:  # expire it
        from handoff.store import codes

        con.execute(codes.update().where(codes.c.code == "WXY634").values(expires=time.time() - 1))
    hub.app[FAILURES].clear()
    s = logged_in(hub, ADMIN_LOGIN)
    r = lookup(s, hub, "WXY634")
    assert r.status_code == 404 and "firm-secret" not in r.text
    assert lookup(s, hub, "hello!").status_code == 404
    for _ in range(settings().lookup_failures - 2):
        assert lookup(s, hub, "AAAAAA").status_code == 404
    hub.store.issue_code("PRT369", "firm-b", "rest", {"facts": {}}, hours=1)
    r = lookup(s, hub, "PRT369")  # even the right code waits once the limit is reached
    assert r.status_code == 429 and "10分鐘" in r.text
    audit = s.get(hub.url + "/audit", params={"action": "lookup_failed"}).text
    assert "WXY634" in audit and "rate-limited" in audit


def test_queue_needs_login(hub):
    anon = client(hub.url)
    for path in ("/queue", "/queue/rows", "/queue/events", "/lookup", "/queue/1"):
        assert anon.get(hub.url + path, allow_redirects=False).status_code == 303
    assert anon.post(hub.url + "/lookup", data={"code": "ACF347"}, allow_redirects=False).status_code == 401
    assert anon.post(hub.url + "/queue/1/claim", allow_redirects=False).status_code == 401
    assert hub.app[STORE] is hub.store
