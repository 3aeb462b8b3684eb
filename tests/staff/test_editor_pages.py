"""The editor's pages over HTTP: roles, a field edit through the form, problems beside the field, refusal without a
source, two editors on one record, publish with a notice to every staff member, versions, diff, download,
rollback, the supervisor's view, and the home page's lists. The app publishes into its own copy of the KB."""

from __future__ import annotations

import re
import shutil

import pytest

from knowledge.kb import KB
from staff import db
from staff.accounts import AccountStore
from staff.passwords import make_hash
from tests.staff.conftest import PASSWORD, Server, client, make_settings
from tests.staff.html_forms import form_of, row_of

EDITOR_A, EDITOR_B, CLERK = "chen", "huang", "wu"
META = {"why": "上限調高", "source_doc": "經濟部新聞稿", "source_date": "2026-03-02"}


@pytest.fixture
def editor_app(tmp_path, kb_path, tracker_db):
    from staff.app import create_app

    live = tmp_path / "live"
    live.mkdir()
    shutil.copy(kb_path, live / "kb.sqlite")
    shutil.copytree(kb_path.parent / "dict", live / "dict")
    tracker = tmp_path / "var" / "tracker.db"
    tracker.parent.mkdir()
    shutil.copy(tracker_db, tracker)  # the versions store goes beside it
    staff_db = tmp_path / "staff.db"
    accounts = AccountStore(db.open_store(staff_db))
    for name, role in ((EDITOR_A, "editor"), (EDITOR_B, "editor"), (CLERK, "staff")):
        accounts.create(name, role, make_hash(PASSWORD, iterations=1000))
    kb = KB(live / "kb.sqlite")
    with Server(create_app(make_settings(staff_db, tracker, live / "kb.sqlite"), kb)) as s:
        s.kb, s.live = kb, live
        yield s


def login(server, name):
    s = client(server.url)
    r = s.post(server.url + "/login", data={"name": name, "password": PASSWORD, "next": "/"}, allow_redirects=False)
    assert r.status_code == 303
    return s


def loan_cap(kb):
    return next(f["value"] for f in kb.figures("sme_loan") if f["key"] == "loan_cap")


def test_only_editors_reach_the_editor(editor_app):
    clerk = login(editor_app, CLERK)
    assert clerk.get(editor_app.url + "/editor").status_code == 403
    assert clerk.post(editor_app.url + "/editor/publish", data=META).status_code == 403
    assert "知識庫編輯" not in clerk.get(editor_app.url + "/").text  # not in the clerk's menu
    ed = login(editor_app, EDITOR_A)
    page = ed.get(editor_app.url + "/editor")
    assert page.status_code == 200 and "sme_loan" in page.text


def test_edit_preview_publish_notice_versions_rollback(editor_app):
    url, kb = editor_app.url, editor_app.kb
    ed = login(editor_app, EDITOR_A)
    values = form_of(ed.get(url + "/editor/measures/sme_loan").text)
    i = row_of(values, "figures", "loan_cap")
    assert values[f"figures.{i}.value"] == "3500"

    # a value make kb would refuse: shown beside its field, nothing saved
    bad = ed.post(url + "/editor/measures/sme_loan", data={**values, f"figures.{i}.value": "三千五百萬", **META})
    assert bad.status_code == 422
    assert re.search(rf'data-field="figures\.{i}\.value">expected int or float, got &#39;三千五百萬&#39;', bad.text)
    # without a source document: refused
    nosrc = ed.post(url + "/editor/measures/sme_loan", data={**values, f"figures.{i}.value": "4000", **META,
                                                             "source_doc": ""})  # fmt: skip
    assert nosrc.status_code == 422 and "source_doc: missing" in nosrc.text

    ok = ed.post(url + "/editor/measures/sme_loan", data={**values, f"figures.{i}.value": "4000", **META})
    assert ok.status_code == 200 and "已存入草稿" in ok.text
    assert loan_cap(kb) == 3500  # a draft is not served
    home = ed.get(url + "/editor").text
    assert "上限調高" in home and "經濟部新聞稿" in home

    preview = ed.get(url + "/editor/preview")
    assert preview.status_code == 200 and 'id="preview"' in preview.text

    published = ed.post(url + "/editor/publish", data=META)
    assert published.status_code == 200 and 'id="published"' in published.text
    assert loan_cap(kb) == 4000
    vid = int(re.search(r"/editor/versions/(\d+)/rollback", published.text).group(1))
    assert "figures[loan_cap].value</code>：<del>3500</del> → <ins>4000</ins>" in published.text

    clerk = login(editor_app, CLERK)
    home = clerk.get(url + "/").text
    assert 'id="publish-notice"' in home and "上限調高" in home
    clerk.post(url + "/notice/seen", headers={"Referer": url + "/"})
    assert 'id="publish-notice"' not in clerk.get(url + "/").text

    download = ed.get(url + f"/editor/versions/{vid}/files/measures.yml")
    assert download.headers["Content-Disposition"] == 'attachment; filename="measures.yml"'
    assert "value: 4000, unit: 萬元" in download.text
    assert ed.get(url + f"/editor/diff?a=1&b={vid}").text.count("<del>3500</del>") == 1
    supervisor = ed.get(url + "/editor/changes").text
    assert EDITOR_A in supervisor and "經濟部新聞稿（2026-03-02）" in supervisor

    back = ed.post(url + "/editor/versions/1/rollback", data={**META, "why": "撤回"})
    assert back.status_code == 200 and loan_cap(kb) == 3500
    versions = ed.get(url + "/editor/versions").text
    assert "回復 → 版本 1" in versions


def test_two_editors_the_second_is_told(editor_app):
    url = editor_app.url
    a, b = login(editor_app, EDITOR_A), login(editor_app, EDITOR_B)
    form_a = form_of(a.get(url + "/editor/hotlines/mbd").text)
    form_b = form_of(b.get(url + "/editor/hotlines/mbd").text)
    hours = {"hours.open": "09:00", "hours.close": "17:00", "hours.text": "09:00–17:00"}
    assert a.post(url + "/editor/hotlines/mbd", data={**form_a, **hours, **META}).status_code == 200
    second = b.post(url + "/editor/hotlines/mbd", data={**form_b, "name": "馬上辦中心", **META})
    assert second.status_code == 409
    assert 'id="conflict"' in second.text and EDITOR_A in second.text
    again = form_of(second.text)
    assert again["hours.open"] == "09:00"  # the form now holds the first editor's change
    assert b.post(url + "/editor/hotlines/mbd", data={**again, "name": "馬上辦中心", **META}).status_code == 200
    draft = form_of(a.get(url + "/editor/hotlines/mbd").text)
    assert (draft["name"], draft["hours.open"]) == ("馬上辦中心", "09:00")  # neither change lost


def test_add_a_measure_and_close_one(editor_app):
    url, kb = editor_app.url, editor_app.kb
    ed = login(editor_app, EDITOR_A)
    new = form_of(ed.get(url + "/editor/measures/new?from=finance_diagnosis").text)
    new.update(id="finance_clinic", name="融資門診", short_name="融資門診", aliases="融資門診\n資金門診", **META)
    assert ed.post(url + "/editor/measures/new", data=new).status_code == 200
    close = form_of(ed.get(url + "/editor/measures/impact_visits").text)
    close.update({"status.state": "closed", "status.ad": "2026-02-28", "status.source": "經濟部公告", "action": "close",
                  "review_by": "2026-03-05", **META})  # fmt: skip
    assert ed.post(url + "/editor/measures/impact_visits", data=close).status_code == 200
    assert ed.post(url + "/editor/publish", data=META).status_code == 200
    assert kb.measure("finance_clinic")["short_name"] == "融資門診"
    assert "<td>建議</td>" in ed.get(url + "/editor/versions").text  # new aliases: make train advised
    home = ed.get(url + "/").text
    assert 'id="home-lists"' in home and "受理截止（2026-02-28）" in home and "2026-03-05" in home
