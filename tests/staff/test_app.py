"""The web app over HTTP on 127.0.0.1: login on every route, pages, CSV exports, escaping."""

from __future__ import annotations

import csv
import io
import re

import pytest

from staff.app import create_app
from tests.staff.conftest import LOGIN, Server, client, make_settings

SAMPLE_PATHS = {"{sender}": "firm-a", "{table}": "fallbacks", "{tail}": "anything"}


def every_get_path(app) -> list:
    paths = []
    for resource in app.router.resources():
        info = resource.get_info()
        path = info.get("path") or info.get("formatter")
        for placeholder, value in SAMPLE_PATHS.items():
            path = re.sub(r"\{" + placeholder.strip("{}") + r"(:[^}]*)?\}", value, path)
        paths.append(path)
    return sorted(set(paths))


def test_every_route_needs_login(server, anon):
    paths = every_get_path(server.app)
    assert {"/", "/calc", "/directory", "/review", "/review/fallbacks.csv", "/review/conversation/firm-a"} <= set(paths)
    for path in paths + ["/search?q=信保", "/review/hotlines?format=csv", "/static/x.css", "/../etc/passwd"]:
        r = anon.get(server.url + path, allow_redirects=False)
        if path == "/login":
            assert r.status_code == 200
            continue
        assert r.status_code == 303, path
        assert r.headers["Location"].startswith("/login?next="), path
        assert "0800" not in r.text
    for path in ("/logout", "/calc", "/review"):
        r = anon.post(server.url + path, allow_redirects=False)
        assert r.status_code == 401, path


def test_wrong_password_is_rejected(server, anon):
    r = anon.post(server.url + "/login", data={"name": "wang", "password": "wrong password!!"}, allow_redirects=False)
    assert r.status_code == 401 and "帳號或密碼不正確" in r.text
    assert "staff_session" not in r.cookies
    r = anon.post(server.url + "/login", data={"name": "wang", "password": ""}, allow_redirects=False)
    assert r.status_code == 401
    assert anon.get(server.url + "/calc", allow_redirects=False).status_code == 303


def test_login_then_back_to_the_page_asked(server, anon):
    r = anon.get(server.url + "/calc?size=sme", allow_redirects=True)
    assert r.url.startswith(server.url + "/login") and 'name="name"' in r.text and "團隊密碼" not in r.text
    nxt = re.search(r'name="next" value="([^"]*)"', r.text).group(1)
    r = anon.post(server.url + "/login", data={**LOGIN, "next": nxt.replace("&amp;", "&")}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/calc?size=sme"
    cookie = r.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert anon.get(server.url + "/calc").status_code == 200


@pytest.mark.parametrize(
    "target", ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_no_open_redirect_after_login(server, anon, target):
    r = anon.post(server.url + "/login", data={**LOGIN, "next": target}, allow_redirects=False)
    assert r.status_code == 303 and r.headers["Location"] == "/"


def test_logout_ends_the_session(server, staff):
    token = staff.cookies.get("staff_session")
    assert staff.get(server.url + "/directory", allow_redirects=False).status_code == 200
    assert staff.post(server.url + "/logout", allow_redirects=False).status_code == 303
    stale = client(server.url)
    stale.cookies.set("staff_session", token)
    assert stale.get(server.url + "/directory", allow_redirects=False).status_code == 303
    forged = client(server.url)
    forged.cookies.set("staff_session", "forged-token")
    assert forged.get(server.url + "/directory", allow_redirects=False).status_code == 303


def test_cross_site_post_refused(server, anon):
    r = anon.post(
        server.url + "/login",
        data={**LOGIN},
        headers={"Origin": "https://evil.example"},
        allow_redirects=False,
    )
    assert r.status_code == 403


def test_security_headers(server, staff, anon):
    for r in (staff.get(server.url + "/"), anon.get(server.url + "/review", allow_redirects=False)):
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        assert r.headers["X-Frame-Options"] == "DENY" and r.headers["Cache-Control"] == "no-store"


def test_search_xinbao_finds_the_guarantee_fund_hotline(server, staff):
    r = staff.get(server.url + "/search", params={"q": "信保"})
    assert r.status_code == 200 and "0800-089-921" in r.text
    assert "<mark>信保</mark>" in r.text and "出處" in r.text


def test_search_long_query_uses_full_text_and_shows_sources(server, staff):
    r = staff.get(server.url + "/search", params={"q": "貸款額度"})
    assert "3,500萬元" in r.text and "deck › 中小微企業多元發展貸款加碼 › 貸款額度" in r.text
    assert "0800-280-280" in r.text  # the hotline to transfer to
    r = staff.get(server.url + "/search", params={"q": "納管 300萬"})
    assert "納管及特定工廠研發轉型補助" in r.text


def test_search_escapes_the_query(server, staff):
    r = staff.get(server.url + "/search", params={"q": "<script>alert(1)</script>"})
    assert "<script>alert(1)" not in r.text and "&lt;script&gt;" in r.text


def test_search_csv(server, staff):
    r = staff.get(server.url + "/search", params={"q": "信保", "format": "csv"})
    assert r.headers["Content-Type"].startswith("text/csv") and "0800-089-921" in r.content.decode("utf-8-sig")


def test_calculator_page(server, staff):
    r = staff.get(server.url + "/calc", params={"size": "sme", "revenue_change": "-15"})
    assert r.status_code == 200
    html = r.text
    assert "中小微企業多元發展貸款加碼" in html and "3,500萬元" in html
    transfer = html.split("建議轉接", 1)[1].split("</div>", 2)
    assert "0800-280-280" in "".join(transfer[:2])
    r = staff.get(server.url + "/calc", params={"size": "sme", "revenue_change": "-6"})
    refused = r.text.split("不符合（", 1)[1]
    assert "中小微企業多元發展貸款加碼" in refused and "10%" in refused
    r = staff.get(server.url + "/calc", params={"factory_type": "managed"})
    fits = r.text.split("✅ 符合", 1)[1].split("❓", 1)[0]
    assert "納管及特定工廠研發轉型補助" in fits and "300萬元" in fits


def test_calculator_form_errors_keep_the_input(server, staff):
    r = staff.get(server.url + "/calc", params={"revenue_change": "很多<b>", "size": "sme"})
    assert "看不懂「很多&lt;b&gt;」" in r.text and 'value="很多&lt;b&gt;"' in r.text
    assert '<option value="sme" selected>' in r.text


def test_directory(server, staff, kb):
    r = staff.get(server.url + "/directory")
    for h in kb.hotlines():
        assert h["number"] in r.text
    rows = r.text.split("<table>", 1)[1].split("<tr>")
    row = next(x for x in rows if "0800-280-280" in x)
    assert "中小微企業多元發展貸款加碼" in row and "融資診斷" in row and "債務協商" in row
    smeg = next(x for x in rows if "0800-089-921" in x)
    assert "（次要）" in smeg
    csv_r = staff.get(server.url + "/directory.csv")
    assert csv_r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(csv_r.content.decode("utf-8-sig"))))
    assert (
        rows[0] == ["number", "name", "handles", "hours", "measures", "source"] and len(rows) == len(kb.hotlines()) + 1
    )


def test_review_page(server, staff):
    r = staff.get(server.url + "/review")
    assert r.status_code == 200
    assert "這個補助跟那個有什麼不同" in r.text and "房貸利率多少" in r.text
    assert "<script>alert(1)" not in r.text and "&lt;script&gt;alert(1)" in r.text  # tracker text is escaped
    assert "firm-a" in r.text and "馬上辦服務中心 0800-280-280" in r.text


@pytest.mark.parametrize(
    "name,header",
    [
        ("fallbacks", ["text", "count", "conversations", "reasons", "examples", "first", "last"]),
        ("conversations", ["sender_id", "started", "last", "messages", "fallbacks", "last_text"]),
        ("hotlines", ["day", "id", "name", "count"]),
        ("measures", ["day", "id", "name", "count"]),
        ("feedback", ["day", "up", "down"]),
    ],
)
def test_review_csv_exports(server, staff, name, header):
    for url in (f"/review/{name}.csv", f"/review/{name}?format=csv"):
        r = staff.get(server.url + url)
        assert r.status_code == 200
        assert r.headers["Content-Type"] == "text/csv; charset=utf-8"
        assert "attachment" in r.headers["Content-Disposition"]
        assert r.content.startswith("\ufeff".encode("utf-8"))  # Excel reads UTF-8 with a BOM
        rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
        assert rows[0] == header and len(rows) > 1


def test_review_csv_neutralises_formulas(server, staff):
    rows = list(
        csv.DictReader(io.StringIO(staff.get(server.url + "/review/fallbacks.csv").content.decode("utf-8-sig")))
    )
    assert "'=1+1 是什麼" in [r["text"] for r in rows]


def test_conversation_transcript(server, staff):
    r = staff.get(server.url + "/review/conversation/firm-b")
    assert r.status_code == 200 and "房貸利率多少" in r.text and "&lt;script&gt;" in r.text
    assert staff.get(server.url + "/review/conversation/nobody").status_code == 404


def test_review_without_tracker_store(kb, kb_path, staff_db, tmp_path):
    missing = tmp_path / "absent.db"
    with Server(create_app(make_settings(staff_db, missing, kb_path), kb)) as s:
        c = client(s.url)
        c.post(s.url + "/login", data={**LOGIN})
        r = c.get(s.url + "/review")
        assert r.status_code == 200 and "找不到對話紀錄檔" in r.text
        r = c.get(s.url + "/review/fallbacks.csv")
        assert (
            r.status_code == 200
            and r.content.decode("utf-8-sig").strip() == "text,count,conversations,reasons,examples,first,last"
        )
    assert not missing.exists()


def test_search_guarantee_page_one_card_per_measure(server, staff):
    """「保證」 used to give 15 one-figure cards, each repeating the transfer line, the first dumping the aliases."""
    html = re.sub(r"</?mark>", "", staff.get(server.url + "/search", params={"q": "保證"}).text)
    cards = html.split('<div class="card">')[1:]
    titles = [c.split("</h3>", 1)[0] for c in cards]
    assert (
        sum("外銷貸款優惠保證加碼" in t for t in titles) == 1
        and sum("中小微企業多元發展貸款加碼" in t for t in titles) == 1
    )
    assert len(cards) == 4  # two measures, two hotlines
    export = next(c for c in cards if "外銷貸款優惠保證加碼" in c.split("</h3>", 1)[0])
    assert export.count("轉接：") == 1 and export.count("0800-089-921") == 1 and "9.5成" in export
    assert "export loan" not in html and "外銷貸款 外銷貸款保證" not in html


def test_calculator_page_direction_and_amount_line(server, staff):
    r = staff.get(server.url + "/calc", params={"size": "sme", "revenue_change": "15"})
    assert 'id="revenue_change-error"' in r.text and "請選「減少」或「增加」" in r.text
    r = staff.get(
        server.url + "/calc",
        params={"size": "sme", "revenue_change": "一成五", "revenue_direction": "down", "amount": "八百萬"},
    )
    fits = r.text.split("✅ 符合", 1)[1].split("❓", 1)[0]
    assert "中小微企業多元發展貸款加碼" in fits and "借800萬元：" in fits
    assert '<input type="radio" name="revenue_direction" value="down" checked>' in r.text
