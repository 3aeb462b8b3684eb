"""The review queue ordered by risk, masking, per-turn marks, the admins' audited unmask, and `make review-export`
(issue 18), on the planted conversations of tests/staff/planted.py."""

from __future__ import annotations

import re

import pytest
import yaml

from scripts import review_export
from staff import db as staff_db_module
from staff import masking, review, risk
from staff.corrections import MarkStore
from tests.staff import planted
from tests.staff.conftest import ADMIN_LOGIN, LOGIN, Server, client, make_settings, make_staff_db
from tests.staff.tracker_factory import write_tracker


@pytest.fixture(scope="module")
def planted_db(tmp_path_factory):
    return write_tracker(tmp_path_factory.mktemp("planted-q") / "tracker.db", planted.PLANTED)


@pytest.fixture
def helper(planted_db, kb, kb_path, tmp_path):
    from staff.app import create_app

    path = make_staff_db(tmp_path / "staff.db")
    with Server(create_app(make_settings(path, planted_db, kb_path), kb)) as s:
        s.staff_db = path
        yield s


def login(s, who=LOGIN):
    c = client(s.url)
    assert c.post(s.url + "/login", data={**who}).status_code == 200
    return c


def test_risk_order(planted_db):
    con = review.connect(planted_db)
    turns = review.load_turns(con)
    con.close()
    rows = risk.queue(turns, {})
    assert [r["sender_id"] for r in rows] == planted.RISK_ORDER
    assert [r["reason_key"] for r in rows] == [
        "thumbs_down",
        "handoff",
        "not_understood",
        "low_confidence",
        "figures",
        "rest",
    ]
    assert rows[0]["text"] == "我營業額掉了15%能貸多少"  # the answer the 👎 was about, not the 👎
    reviewed = risk.queue(turns, {"c1": {0}})  # its only open turn reviewed: c1 goes last
    assert [r["sender_id"] for r in reviewed][:2] == ["c2", "c3"] and reviewed[-1]["sender_id"] == "c1"


def test_masking_keeps_amounts_and_hotlines():
    m = masking.mask
    assert m("手機0912-345-678，統編12345678，a.b@x.com.tw") == "手機〔電話〕，統編〔統編〕，〔email〕"
    assert m("(02)2345-6789 或 +886 912 345 678") == "〔電話〕 或 〔電話〕"
    assert m("借12345678元、800萬、1.5億，營收掉了15%") == "借12345678元、800萬、1.5億，營收掉了15%"
    assert m("打 0800-280-280 或 02-27089055") == "打 0800-280-280 或 02-27089055"  # public hotlines
    assert m("０９１２３４５６７８") == "〔電話〕" and m("113年") == "113年" and m("") == ""


def test_queue_page_masks_and_puts_the_thumbs_down_first(helper):
    c = login(helper)
    page = c.get(helper.url + "/review/queue").text
    order = list(dict.fromkeys(re.findall(r'href="/review/conversation/(c\d)#turn-\d"', page)))
    assert order == planted.RISK_ORDER
    assert planted.PHONE not in page and "〔電話〕" in page
    csv_text = c.get(helper.url + "/review/queue.csv").content.decode("utf-8-sig")
    assert planted.PHONE not in csv_text and csv_text.splitlines()[1].endswith(",c1")


def test_transcript_is_masked_and_only_admins_unmask_with_an_audit(helper):
    c = login(helper)
    page = c.get(helper.url + "/review/conversation/c2").text
    assert planted.PHONE not in page and "〔電話〕" in page and 'id="unmask"' not in page
    assert c.get(helper.url + "/review/conversation/c2?unmask=1").status_code == 403
    a = login(helper, ADMIN_LOGIN)
    assert 'id="unmask"' in a.get(helper.url + "/review/conversation/c2").text
    shown = a.get(helper.url + "/review/conversation/c2?unmask=1").text
    assert planted.PHONE in shown
    audit = a.get(helper.url + "/audit?format=csv").content.decode("utf-8-sig")
    assert re.search(r"lin,unmask,c2", audit) and planted.PHONE not in audit


def test_marks_and_export(helper, kb, tmp_path):
    c = login(helper)
    ok = c.post(helper.url + "/review/mark/0/c4", data={"verdict": "correct"}, allow_redirects=False)
    assert ok.status_code == 303 and ok.headers["Location"] == "/review/conversation/c4#turn-0"
    # the 👎 answer: should have been the loan measure's eligibility, with the guarantee hotline and the facts said
    fix = {
        "verdict": "corrected",
        "kind": "answer",
        "intent": "ask_eligibility",
        "measure": "sme_loan",
        "hotline": "smeg",
        "size": "sme",
        "revenue_change": "15",
        "revenue_direction": "down",
    }
    assert c.post(helper.url + "/review/mark/0/c1", data=fix, allow_redirects=False).status_code == 303
    bad = c.post(helper.url + "/review/mark/1/c2", data={**fix, "measure": "nope", "revenue_change": "abc"})
    assert bad.status_code == 400 and "知識庫沒有這個措施" in bad.text
    assert c.post(helper.url + "/review/mark/1/c2", data={"verdict": "maybe"}).status_code == 400
    assert c.post(helper.url + "/review/mark/9/c2", data={"verdict": "correct"}).status_code == 404
    foreign = c.post(
        helper.url + "/review/mark/0/c3", data={"verdict": "correct"}, headers={"Origin": "http://evil.example"}
    )
    assert foreign.status_code == 403
    page = c.get(helper.url + "/review/queue").text
    assert re.findall(r'href="/review/conversation/(c\d)#turn-\d"', page)[0] == "c2"  # c1 reviewed: not first now

    marks = MarkStore(staff_db_module.open_store(helper.staff_db)).all()
    assert {(m.sender_id, m.verdict) for m in marks} == {("c4", "correct"), ("c1", "corrected")}
    tests, nlu = tmp_path / "reviewed.yaml", tmp_path / "data" / "nlu" / "reviewed.yml"
    done = review_export.export(marks, kb, tests, nlu)
    cases = {c["category"]: c for c in yaml.safe_load(tests.read_text(encoding="utf-8"))["cases"]}
    fixed = cases["corrected"]
    assert fixed["turns"] == ["我營業額掉了15%能貸多少"] and fixed["kind"] == "answer"
    assert fixed["measures_any"] == ["sme_loan"] and fixed["hotlines_any"] == [kb.hotline("smeg")["number"]]
    assert fixed["facts"] == {"size": "sme", "revenue_change": -15.0} and fixed["was"]["hotlines"] == ["mbd"]
    assert cases["correct"]["kind"] == "answer" and cases["correct"]["hotlines_any"] == [kb.hotline("smeg")["number"]]
    assert "c1" not in tests.read_text(encoding="utf-8")  # case ids are hashes, not sender ids
    examples = yaml.safe_load(nlu.read_text(encoding="utf-8"))["nlu"]
    assert examples == [{"intent": "ask_eligibility", "examples": "- 我營業額掉了15%能貸多少\n"}]
    assert done["added"] == [("ask_eligibility", "我營業額掉了15%能貸多少")]
    # exported again: nothing doubles; an earlier case not in the marks is kept
    review_export.export(marks, kb, tests, nlu)
    assert len(yaml.safe_load(tests.read_text(encoding="utf-8"))["cases"]) == 2
    assert yaml.safe_load(nlu.read_text(encoding="utf-8"))["nlu"] == examples


def test_export_masks_and_leaves_out_clashing_sentences(kb, tmp_path):
    from staff.corrections import Mark

    def mark(text, intent="ask_amount"):
        return Mark("s", 0, 0.0, "corrected", [f"{text}"], {}, "lin", kind="answer", intent=intent)

    in_data = next(iter(review_export.training_sentences(tmp_path / "none.yml")))  # a training sentence
    marks = [mark(masking.mask("請回電 0912-345-678 談貸款")), mark(in_data), mark("[x](y) 試試")]
    done = review_export.export(marks, kb, tmp_path / "t.yaml", tmp_path / "n.yml")
    assert [t for _, t in done["added"]] == ["請回電 〔電話〕 談貸款"]
    assert {why.split(" ")[0] for _, why in done["skipped"]} == {"in", "brackets"}


def test_export_annotates_the_words_naming_the_measure(kb, tmp_path, monkeypatch):
    from staff.corrections import Mark

    monkeypatch.setattr(review_export, "training_sentences", lambda skip: {})  # whatever data/ holds now

    text = "員工想去上AI影像檢測的課，學費政府會補助嗎"
    marks = [
        Mark("a", 0, 0.0, "corrected", [text], {}, "lin", kind="answer", intent="ask_measure", measure="ai_talent",
             words="學費"),
        Mark("b", 0, 0.0, "corrected", ["那費政怎麼算呢請問"], {}, "lin", kind="answer", intent="ask_fee",
             measure="ai_talent", words="費政"),
    ]  # fmt: skip
    done = review_export.export(marks, kb, tmp_path / "t.yaml", tmp_path / "n.yml")
    assert (
        "ask_measure",
        '員工想去上AI影像檢測的課，[學費]{"entity": "measure", "value": "ai_talent"}政府會補助嗎',
    ) in done["added"]
    assert ("ask_fee", "那費政怎麼算呢請問") in done["added"] and "not annotated" in done["notes"][0]


def test_case_pages_mask_the_transcript(planted_db, kb, kb_path, tmp_path):
    """The 案件 page and a case code's page show the same tracker transcript (_transcript.html), masked too."""
    from handoff.store import HandoffStore, engine_for
    from staff.app import create_app
    from tests.staff.conftest import FakeRasa

    store = HandoffStore(engine_for(tmp_path / "handoff.db"))
    said = {"facts": {"size": "sme"}, "measures": [], "questions": [f"我的電話 {planted.PHONE}"], "answers": []}
    case = store.open_case("c2", "socketio", "written", said)
    store.issue_code("ACF347", "c2", "line", {"facts": {"size": "sme"}}, hours=1)
    settings = make_settings(make_staff_db(tmp_path / "staff.db"), planted_db, kb_path)
    with Server(create_app(settings, kb, handoff=store, rasa=FakeRasa())) as s:
        c = login(s)
        case_page = c.get(s.url + f"/queue/{case}")
        code_page = c.post(s.url + "/lookup", data={"code": "ACF347"})
        for page in (case_page, code_page):
            assert page.status_code == 200 and "我要找真人" in page.text  # c2's transcript, from the tracker store
            assert planted.PHONE not in page.text and "〔電話〕" in page.text
