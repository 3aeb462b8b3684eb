"""The handoff to a person with the whole bot (issue 16), on the shared live bot of tests/live (no extra Rasa):
REST, LINE (the fake LINE API, with its push quota used up) and the web widget in headless Chromium, each with the
staff helper served in this process on the same handoff store and talking to the bot over its HTTP API.

For every channel: the firm asks for a person and gets a case code; it asks for a written reply; a staff member
claims it (the bot is paused and says who answers), replies (the reply reaches the firm), the bot stays quiet
until hand-back, then answers again and says so. Also: a callback is stored and listed, a case code opens the
right conversation, a wrong one nothing, and neither the phone number nor the texts reach the logs.
"""

from __future__ import annotations

import json
import re
import time
import urllib.request
import uuid

import pytest

from handoff.store import HandoffStore, engine_for
from staff.app import create_app
from staff.rasa_api import RasaApi
from tests.live.bot import line_texts, texts
from tests.staff.conftest import LOGIN, PASSWORD, STAFF, Server, logged_in, make_settings, make_staff_db

CODE = re.compile(r"「([A-Z0-9]{3}) ([A-Z0-9]{3})」")
ANSWER = "我營業額掉了15%能貸多少"


@pytest.fixture(scope="module")
def hub(live_bot, kb, kb_path, tmp_path_factory):
    """The staff helper on the live bot's handoff store, pausing and delivering through the live bot."""
    base = tmp_path_factory.mktemp("hub")
    store = HandoffStore(engine_for(live_bot.env["HANDOFF_DB"]))
    rasa = RasaApi(url=live_bot.url, token_file=live_bot.env["RASA_API_TOKEN_FILE"], timeout=60)
    settings = make_settings(make_staff_db(base / "staff.db"), live_bot.tracker_db, kb_path)
    with Server(create_app(settings, kb, handoff=store, rasa=rasa)) as s:
        s.store = store
        yield s


def case_of(store, sender: str, kind: str = "written"):
    return next(c for c in store.queue() if c.sender_id == sender and c.kind == kind)


def poll(bot, sender: str) -> list:
    request = urllib.request.Request(
        bot.url + "/webhooks/rest/poll",
        data=json.dumps({"sender": sender}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=30) as r:
        return json.loads(r.read())


def test_rest_person_code_written_reply_pause_and_hand_back(live_bot, hub, kb):
    sender = "handoff-rest-" + uuid.uuid4().hex[:8]
    live_bot.say(sender, ANSWER)
    offer = texts(live_bot.say(sender, "我要找真人"))
    assert "0800-280-280" in offer and "700億" not in offer
    code = "".join(CODE.search(offer).groups())
    queued = texts(live_bot.say(sender, "請專人文字回覆"))
    assert "已轉給馬上辦服務中心客服人員" in queued
    case = case_of(hub.store, sender)
    assert case.channel == "rest" and case.context["facts"]["revenue_change"] == -15

    # the case code opens this conversation, with the calculator filled in from the firm's facts
    wang = logged_in(hub, LOGIN)
    found = wang.post(hub.url + "/lookup", data={"code": code})
    assert found.status_code == 200 and ANSWER in found.text and "revenue_change=15" in found.text
    assert wang.post(hub.url + "/lookup", data={"code": "AAAAAA"}).status_code == 404

    assert wang.post(hub.url + f"/queue/{case.id}/claim").status_code == 200
    assert live_bot.tracker(sender)["paused"] is True
    held = live_bot.say(sender, "請問多久會回覆？")
    assert texts(held) == kb.message("handoff_claimed")  # who answers now; no bot answer, no apology
    r = wang.post(hub.url + f"/queue/{case.id}/reply", data={"text": "您好，您符合貸款加碼，請備妥財報。"})
    assert "對方目前不在線上" in r.text  # REST: kept for the next poll
    assert texts(poll(live_bot, sender)) == kb.message("handoff_staff_says", text="您好，您符合貸款加碼，請備妥財報。")
    assert poll(live_bot, sender) == []  # delivered once
    assert live_bot.say(sender, ANSWER) == []  # the bot stays quiet while staff hold it

    wang.post(hub.url + f"/queue/{case.id}/handback")
    assert live_bot.tracker(sender)["paused"] is False
    back = texts(live_bot.say(sender, ANSWER))
    assert back.startswith(kb.message("handoff_handed_back")) and "3,500萬元" in back


def test_callback_is_stored_listed_and_kept_out_of_the_logs(live_bot, hub):
    sender = "handoff-cb-" + uuid.uuid4().hex[:8]
    ask = texts(live_bot.say(sender, "⏰ 預約回電"))
    assert "同意" in ask
    bad = texts(live_bot.say(sender, "電話是 12345"))
    assert "看不懂這個電話號碼" in bad
    done = texts(live_bot.say(sender, "0938-765-432 週四下午兩點後"))
    assert "0938-765-432" in done and "週四下午兩點後" in done
    case = case_of(hub.store, sender, "callback")
    assert case.phone == "0938765432" and case.consent_at
    page = logged_in(hub, LOGIN).get(hub.url + "/queue").text
    assert "0938-765-432" in page and "週四下午兩點後" in page
    time.sleep(1)  # the log lines of the turn are flushed
    logs = live_bot.log_text()
    for secret in ("0938765432", "0938-765-432", "週四下午兩點後"):
        assert secret not in logs


def test_line_push_quota_and_delivery_with_the_next_reply(live_bot, hub, kb):
    user = "U" + uuid.uuid4().hex
    offer = line_texts(live_bot.line_say(user, "我要找真人"))
    assert CODE.search(offer) and "0800-280-280" in offer
    live_bot.line_say(user, "請專人文字回覆")
    case = case_of(hub.store, user)
    assert case.channel == "line"
    wang = logged_in(hub, LOGIN)
    pushes = len(live_bot.line.fake.calls_to("/v2/bot/message/push"))
    wang.post(hub.url + f"/queue/{case.id}/claim")
    r = wang.post(hub.url + f"/queue/{case.id}/reply", data={"text": "LINE上的回覆"})
    assert r.status_code == 200 and "推播額度" not in r.text
    pushed = [c["json"] for c in live_bot.line.fake.calls_to("/v2/bot/message/push")[pushes:]]
    assert {p["to"] for p in pushed} == {user}
    assert kb.message("handoff_staff_says", text="LINE上的回覆") in line_texts(
        [m for p in pushed for m in p["messages"]]
    )

    live_bot.line.fake.push_quota_exhausted = True
    try:
        r = wang.post(hub.url + f"/queue/{case.id}/reply", data={"text": "額度用完時的回覆"})
    finally:
        live_bot.line.fake.push_quota_exhausted = False
    assert "LINE 推播額度已用完" in r.text
    # the firm's next message: the waiting reply goes with the (free) reply, and the bot itself stays quiet
    nxt = line_texts(live_bot.line_say(user, "還在嗎"))
    assert "額度用完時的回覆" in nxt and "3,500" not in nxt
    assert hub.store.pending(user) == []
    wang.post(hub.url + f"/queue/{case.id}/handback")
    assert "3,500萬元" in line_texts(live_bot.line_say(user, ANSWER))


# ---------------------------------------------------------------------------------------------- the widget
def test_widget_channel_staff_reply_live_offline_and_hand_back(live_bot, hub, kb):
    """The widget's socket.io channel as rasa-webchat uses it (tests/e2e/test_socketio.py's client): the reply
    arrives live, one written while the page is closed arrives when it reconnects, the bot is quiet meanwhile."""
    import asyncio

    from tests.e2e.test_socketio import Client

    class Events:
        user, bot = "user_uttered", "bot_uttered"

    session = "handoff-widget-" + uuid.uuid4().hex[:8]
    wang = logged_in(hub, LOGIN)

    async def staff(path, **data):
        return await asyncio.get_running_loop().run_in_executor(None, lambda: wang.post(hub.url + path, data=data))

    async def until(client, needle, timeout=90):
        deadline = time.monotonic() + timeout
        while True:
            message = await client.next_bot_message(timeout=max(1, deadline - time.monotonic()))
            if needle in (message.get("text") or ""):
                return message

    async def flow():
        firm = Client(live_bot.url, Events)
        await firm.connect(session)
        await firm.say("我要找真人", session)
        await until(firm, "案件代碼")
        await firm.say("請專人文字回覆", session)
        await until(firm, "已轉給馬上辦服務中心客服人員")
        case = case_of(hub.store, session)
        assert case.channel == "socketio"
        await firm.nothing_more(2)
        await staff(f"/queue/{case.id}/claim")
        assert (await firm.next_bot_message(30))["text"] == kb.message("handoff_claimed")
        r = await staff(f"/queue/{case.id}/reply", text="網頁上的回覆")
        assert "對方目前不在線上" not in r.text
        assert (await firm.next_bot_message(30))["text"] == kb.message("handoff_staff_says", text="網頁上的回覆")
        await firm.say(ANSWER, session)
        assert await firm.nothing_more(8)  # quiet while staff hold it: no answer, no apology
        await firm.close()

        r = await staff(f"/queue/{case.id}/reply", text="離線時寫的回覆")
        assert "對方目前不在線上" in r.text
        back = Client(live_bot.url, Events)  # the page reopened: same session id from the browser's storage
        await back.connect(session)
        assert (await back.next_bot_message(30))["text"] == kb.message("handoff_staff_says", text="離線時寫的回覆")
        await staff(f"/queue/{case.id}/handback")
        assert (await back.next_bot_message(30))["text"] == kb.message("handoff_handed_back")
        await back.say(ANSWER, session)
        await until(back, "3,500萬元")
        await back.close()

    asyncio.run(flow())


@pytest.fixture(scope="module")
def browser():
    from tests.e2e.conftest import WIDGET_BUNDLE
    from tests.e2e.servers import CHROMIUM, LAUNCH_ARGS

    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing (scripts/setup_browser.sh as root)")
    if not WIDGET_BUNDLE.exists():
        pytest.skip("node_modules/rasa-webchat is missing: run `npm ci` (make web)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        yield chromium
        chromium.close()


def test_widget_staff_reply_in_the_browser(browser, live_bot, hub, kb):
    from tests.e2e.servers import ARTIFACTS, web_server
    from tests.e2e.test_widget import open_chat, say, session_id, wait_for_texts

    ARTIFACTS.mkdir(exist_ok=True)
    with web_server(live_bot.url, "serve_web_handoff") as page_url:
        firm_ctx = browser.new_context(locale="zh-TW", viewport={"width": 390, "height": 844})
        staff_ctx = browser.new_context(locale="zh-TW", viewport={"width": 1280, "height": 900})
        firm, desk = firm_ctx.new_page(), staff_ctx.new_page()
        for p in (firm, desk):
            p.set_default_timeout(90_000)
        # the staff member logs in and keeps the queue open
        desk.goto(hub.url + "/queue")
        desk.fill("input[name=name]", STAFF)
        desk.fill("input[name=password]", PASSWORD)
        desk.click("button[type=submit]")
        desk.wait_for_url(hub.url + "/queue")

        open_chat(firm, page_url)
        say(firm, "我要找真人")
        wait_for_texts(firm, "案件代碼")
        say(firm, "請專人文字回覆")
        wait_for_texts(firm, "已轉給馬上辦服務中心客服人員")
        sender = session_id(firm)
        case = case_of(hub.store, sender)
        # the new case appears in the open queue without a reload
        desk.locator(f'tr[data-case="{case.id}"]').wait_for(timeout=30_000)
        desk.click(f'tr[data-case="{case.id}"] a')
        desk.click("text=接手")
        wait_for_texts(firm, kb.message("handoff_claimed"))
        desk.fill("textarea[name=text]", "您好，我是客服，已看過您的對話。")
        desk.click("text=送出回覆")
        wait_for_texts(firm, "您好，我是客服，已看過您的對話。")
        firm.screenshot(path=str(ARTIFACTS / "handoff-widget-reply.png"))

        # a reload keeps it; while staff hold it the bot stays quiet
        firm.reload(wait_until="load")
        firm.locator(".rw-new-message").wait_for(state="visible")
        wait_for_texts(firm, "您好，我是客服，已看過您的對話。")
        before = firm.locator("#rw-messages .rw-message-text").count()
        say(firm, ANSWER)
        time.sleep(5)
        shown = firm.locator("#rw-messages").inner_text()
        assert "3,500萬元" not in shown and "系統暫時忙碌" not in shown
        assert firm.locator("#rw-messages .rw-message-text").count() == before + 1  # only what the firm typed

        # the firm closes the page; a reply written meanwhile arrives when it comes back
        firm.close()
        desk.fill("textarea[name=text]", "補充：申請書可以線上送件。")
        desk.click("text=送出回覆")
        assert "對方目前不在線上" in desk.locator("main").inner_text()
        firm = firm_ctx.new_page()
        firm.set_default_timeout(90_000)
        open_chat(firm, page_url)
        wait_for_texts(firm, "補充：申請書可以線上送件。")

        desk.click("text=交還機器人")
        wait_for_texts(firm, kb.message("handoff_handed_back"))
        say(firm, ANSWER)
        wait_for_texts(firm, "3,500萬元")
        desk.screenshot(path=str(ARTIFACTS / "handoff-staff-case.png"), full_page=True)
        firm_ctx.close()
        staff_ctx.close()
