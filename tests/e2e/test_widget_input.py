"""Markup typed into the widget stays text, in the firm's bubble and in the bot's: the scripted bot
(tests/e2e/stub_bot.py) echoes every message back as its own text, rendered as markdown by rasa-webchat, which is
the worst case (the real bot never quotes the firm). Nothing runs: no script, no event handler, no javascript: link;
tel: links still work. Needs Chromium (skips without it, as the other browser tests)."""

from __future__ import annotations

from tests.e2e.servers import web_server
from tests.e2e.test_widget import PHONE, open_chat, say, wait_for_texts

ATTACKS = [
    "<img src=x onerror=\"window.__pwned='img'\">",
    "<script>window.__pwned='script'</script>",
    "<svg onload=\"window.__pwned='svg'\"></svg>",
    "[點我看額度](javascript:window.__pwned='link')",
    "<javascript:window.__pwned='autolink'>",
    "[查詢]( JaVaScRiPt:window.__pwned='mixed case')",
]


def test_markup_is_shown_as_text_and_never_runs(browser, stub_bot, artifacts):
    with web_server(stub_bot, "serve_web_markup") as url:
        assert "script-src 'self'" in get_csp(url)
        context = browser.new_context(locale="zh-TW", **PHONE)
        dialogs = []
        try:
            page = context.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            open_chat(page, url)
            wait_for_texts(page, "您好")
            for attack in ATTACKS:
                say(page, attack)
                wait_for_texts(page, "收到：")
            say(page, "請打 0800-280-280")
            wait_for_texts(page, "收到：請打 0800-280-280")

            # the firm's own bubbles show exactly what was typed
            users = page.locator("#rw-messages .rw-client .rw-message-text").all_inner_texts()
            for attack in ATTACKS:
                assert attack in users, f"{attack!r} is not shown as typed"
            page.screenshot(path=str(artifacts / "widget-markup.png"))

            assert page.evaluate("window.__pwned") is None, "injected code ran"
            assert dialogs == []
            messages = page.locator("#rw-messages")
            assert messages.locator("img, script, svg, iframe, object").count() == 0
            hrefs = messages.locator("a[href]").evaluate_all("as => as.map(a => a.getAttribute('href'))")
            assert hrefs and all(h.startswith(("tel:", "http:", "https:", "mailto:")) for h in hrefs), hrefs
            assert "tel:0800280280" in hrefs  # the phone number in the bot's text is still tap-to-call
            for link in messages.locator("a:not([href])").all():  # the disarmed ones do nothing when tapped
                link.click()
            assert page.evaluate("window.__pwned") is None
        finally:
            context.close()


def get_csp(url: str) -> str:
    import urllib.request

    with urllib.request.urlopen(url, timeout=5) as response:
        return response.headers.get("Content-Security-Policy", "")
