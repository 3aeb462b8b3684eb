"""The editor against the whole bot (the session's live bot: no extra Rasa start). An editor changes the 中小微
loan's cap in the staff helper, previews (the public case about it is listed as changed), publishes; the next
REST answer has the new figure without a restart; 「資料多新」 names the publish; rollback restores the old figure;
two editors on one record: the second is told."""

from __future__ import annotations

import re
import uuid

import pytest

from knowledge.kb import KB
from staff import db
from staff.accounts import AccountStore
from staff.passwords import make_hash
from tests.live.bot import texts
from tests.staff.conftest import PASSWORD, Server, client, make_settings
from tests.staff.html_forms import form_of, row_of

QUESTION = "我營業額掉了15%能貸多少"
META = {"why": "貸款額度調高", "source_doc": "經濟部新聞稿（測試）", "source_date": "2026-03-02"}


@pytest.fixture
def helper(live_bot, tmp_path, monkeypatch):
    """`make staff` beside the live bot: its tracker store and its knowledge base, its Rasa for NLU parses."""
    from staff.app import create_app

    monkeypatch.setenv("RASA_URL", live_bot.url)
    monkeypatch.setenv("RASA_API_TOKEN_FILE", str(tmp_path / "no-token"))  # the live bot's API needs none
    staff_db = tmp_path / "staff.db"
    accounts = AccountStore(db.open_store(staff_db))
    for name in ("chen", "huang"):
        accounts.create(name, "editor", make_hash(PASSWORD, iterations=1000))
    app = create_app(make_settings(staff_db, live_bot.tracker_db, live_bot.kb), KB(live_bot.kb))
    with Server(app) as server:
        yield server


def login(server, name):
    s = client(server.url)
    assert s.post(server.url + "/login", data={"name": name, "password": PASSWORD, "next": "/"}).status_code == 200
    return s


def test_change_preview_publish_answer_rollback(live_bot, helper):
    url = helper.url
    sender = "editor-live-" + uuid.uuid4().hex[:8]
    assert "3,500萬元" in texts(live_bot.say(sender, QUESTION))  # also a real question for the preview

    a, b = login(helper, "chen"), login(helper, "huang")
    form_a = form_of(a.get(url + "/editor/measures/sme_loan").text)
    form_b = form_of(b.get(url + "/editor/measures/sme_loan").text)
    i = row_of(form_a, "figures", "loan_cap")
    saved = a.post(url + "/editor/measures/sme_loan", data={**form_a, f"figures.{i}.value": "4200", **META})
    assert saved.status_code == 200 and "已存入草稿" in saved.text
    late = b.post(url + "/editor/measures/sme_loan", data={**form_b, "summary": "（另一位編輯的摘要）", **META})
    assert late.status_code == 409 and 'id="conflict"' in late.text and "chen" in late.text

    preview = a.get(url + "/editor/preview", timeout=300)
    assert preview.status_code == 200
    rows = re.findall(r'<tr class="(changed|same)" data-case="([^"]+)"', preview.text)
    changed = [case for kind, case in rows if kind == "changed"]
    assert "p-loan-1" in changed, changed  # the public case about the loan cap
    assert sender in changed  # and the real question asked a moment ago
    assert rows[0][0] == "changed"  # changes first
    assert "<mark>4,200萬元</mark>" in preview.text and "<mark>3,500萬元</mark>" in preview.text
    assert "會失敗" in preview.text  # p-loan-1 wants 3500萬: the preview shows the case would break

    published = a.post(url + "/editor/publish", data=META)
    assert published.status_code == 200 and 'id="published"' in published.text
    after = texts(live_bot.say("editor-live-" + uuid.uuid4().hex[:8], QUESTION))
    assert "4,200萬元" in after and "3,500萬元" not in after  # the next answer, no restart
    as_of = texts(live_bot.say("editor-live-" + uuid.uuid4().hex[:8], "你們的資料多新？"))
    assert "2026-01-19" in as_of and "經濟部新聞稿（測試）（2026-03-02）" in as_of

    versions = [int(v) for v in re.findall(r'<a href="/editor/versions/(\d+)">', a.get(url + "/editor/versions").text)]
    assert len(versions) >= 2
    back = a.post(url + f"/editor/versions/{min(versions)}/rollback", data={**META, "why": "回復原額度"})
    assert back.status_code == 200
    restored = texts(live_bot.say("editor-live-" + uuid.uuid4().hex[:8], QUESTION))
    assert "3,500萬元" in restored and "4,200萬元" not in restored
