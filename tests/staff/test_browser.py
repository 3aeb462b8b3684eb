"""A staff member in a real (headless Debian) Chromium: logs in, searches 「信保」, sees 0800-089-921, works
out an eligibility. Needs the PyPI package playwright and /usr/bin/chromium (scripts/setup_browser.sh sets
both up; `playwright install` is never run). Screenshots go to test-artifacts/ (git-ignored)."""

from __future__ import annotations

import pytest

from tests.e2e.servers import ARTIFACTS, CHROMIUM, LAUNCH_ARGS
from tests.staff.conftest import PASSWORD, STAFF

sync_api = pytest.importorskip(
    "playwright.sync_api", reason="the playwright package is not in .venv: run scripts/setup_browser.sh"
)


if not CHROMIUM.exists():
    pytest.skip(
        f"{CHROMIUM} is missing: run scripts/setup_browser.sh as root (Debian's chromium); "
        "the staff browser test needs it",
        allow_module_level=True,
    )


@pytest.fixture(scope="module")
def page(server):
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(CHROMIUM), args=LAUNCH_ARGS, headless=True)
        context = browser.new_context(locale="zh-TW", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.set_default_timeout(15000)
        yield page
        context.close()
        browser.close()


def test_login_search_and_calculate(server, page):
    page.goto(server.url + "/")
    assert "/login" in page.url  # every page asks for the login first
    page.fill("input[name=name]", STAFF)
    page.fill("input[name=password]", "not the password")
    page.click("button[type=submit]")
    assert page.locator(".error").inner_text() == "帳號或密碼不正確。"

    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(server.url + "/")
    page.fill("input[name=q]", "信保")
    page.press("input[name=q]", "Enter")
    page.wait_for_url("**/search?q=*")
    first = page.locator(".card").first
    sync_api.expect(page.locator("main")).to_contain_text("0800-089-921")
    assert "信保基金" in first.inner_text()
    page.screenshot(path=str(ARTIFACTS / "staff-search.png"), full_page=True)

    page.fill("input[name=q]", "保證")
    page.press("input[name=q]", "Enter")
    sync_api.expect(page.locator(".card").first).to_contain_text("9.5成")
    assert page.locator(".card").count() == 4  # one card per measure and per hotline
    page.screenshot(path=str(ARTIFACTS / "staff-search-guarantee.png"), full_page=True)

    page.click("nav >> text=資格試算")
    page.select_option("select[name=size]", "sme")
    page.fill("input[name=revenue_change]", "一成五")
    page.click("button:has-text('試算')")
    sync_api.expect(page.locator("#revenue_change-error")).to_contain_text("減少")  # 15 with no direction: asked
    page.check("input[name=revenue_direction][value=down]")
    page.fill("input[name=amount]", "八百萬")
    page.click("button:has-text('試算')")
    transfer = page.locator(".transfer")
    sync_api.expect(transfer).to_contain_text("0800-280-280")
    sync_api.expect(page.locator(".card.ok").first).to_contain_text("3,500萬元")
    sync_api.expect(page.locator(".card.ok .amount-line").first).to_contain_text("借800萬元：")
    page.screenshot(path=str(ARTIFACTS / "staff-calc.png"), full_page=True)

    page.click("text=登出")
    page.goto(server.url + "/directory")
    assert "/login" in page.url


@pytest.fixture(scope="module")
def phone(page):
    """A phone-sized page in the same browser (one sync_playwright per process)."""
    context = page.context.browser.new_context(
        locale="zh-TW", viewport={"width": 390, "height": 844}, device_scale_factor=2
    )
    small = context.new_page()
    small.set_default_timeout(15000)
    yield small
    context.close()


def test_case_and_case_code_pages_fit_a_phone(server, phone, tmp_path):
    """The 案件 page and a case code's page (the firm's facts and the transcript, one include each) at 390 px:
    facts, measures, the calculator link and the bot's answers shown, nothing running past the screen's edge."""
    from handoff.store import HandoffStore
    from tests.e2e.page_checks import horizontal_overflow

    store = HandoffStore()  # the app's own (HANDOFF_DB of the tests)
    context = {
        "facts": {"size": "sme", "revenue_change": -15, "amount": 800},
        "measures": ["sme_loan"],
        "questions": ["我營業額掉了15%能貸多少"],
    }
    case = store.open_case("firm-a", "socketio", "written", context, code="KMX47C")
    store.issue_code("KMX47C", "firm-a", "socketio", context, hours=24)
    phone.goto(server.url + "/login")
    phone.fill("input[name=name]", STAFF)
    phone.fill("input[name=password]", PASSWORD)
    phone.click("button[type=submit]")
    phone.wait_for_url(server.url + "/")
    for path, name in ((f"/queue/{case}", "staff-case-phone.png"), ("/lookup", "staff-code-phone.png")):
        phone.goto(server.url + path)
        if path == "/lookup":
            phone.fill("input[name=code]", "KMX 47C")
            phone.press("input[name=code]", "Enter")
            phone.wait_for_load_state()
        main = phone.locator("main")
        sync_api.expect(main).to_contain_text("減少15%")
        sync_api.expect(main).to_contain_text("我營業額掉了15%能貸多少")  # the transcript, from the tracker store
        assert phone.locator("a[href^='/calc?']").count() >= 1
        phone.screenshot(path=str(ARTIFACTS / name), full_page=True)
        assert horizontal_overflow(phone) == [], path
