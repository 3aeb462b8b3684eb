"""The calculator gives the bot's own verdicts (actions/eligibility.assess) for what the caller said."""
from __future__ import annotations

import pytest

from actions.eligibility import assess
from staff.calculator import describe_facts, evaluate, parse_facts


def calc(kb, **form):
    parsed = parse_facts({k: str(v) for k, v in form.items()})
    assert not parsed.errors, parsed.errors
    return evaluate(kb, parsed.facts)


def by_id(results):
    return {r.measure["id"]: r for r in results}


def test_sme_with_revenue_down_15_gets_the_sme_loan_and_is_transferred_to_mbd(kb):
    result = calc(kb, size="sme", revenue_change=-15)
    fits = by_id(result.eligible)
    assert "sme_loan" in fits
    loan = fits["sme_loan"]
    assert loan.measure["short_name"] == "中小微企業多元發展貸款加碼"
    assert any("3,500萬元" in f["text"] and not f["conditional"] for f in loan.figures)
    assert result.transfer[0]["number"] == "0800-280-280"
    assert result.transfer_basis == "符合的措施"
    assert [h["number"] for h in loan.hotlines] == ["0800-280-280", "0800-089-921"]


def test_revenue_down_6_is_not_eligible_with_the_10_percent_reason(kb):
    result = calc(kb, size="sme", revenue_change=-6)
    refused = by_id(result.not_eligible)
    assert "sme_loan" in refused and "sme_loan" not in by_id(result.eligible)
    reason = " ".join(refused["sme_loan"].reasons)
    assert "減少6%" in reason and "10%" in reason


def test_revenue_up_says_it_increased(kb):
    reason = " ".join(by_id(calc(kb, size="sme", revenue_change=5, revenue_direction="up").not_eligible)["sme_loan"].reasons)
    assert "增加5%" in reason


def test_managed_factory_fits_the_300_wan_program_not_the_registered_one(kb):
    result = calc(kb, factory_type="managed")
    managed = by_id(result.eligible)["rd_transform_managed"]
    assert managed.measure["short_name"] == "納管及特定工廠研發轉型補助"
    assert any("300萬元" in f["text"] for f in managed.figures)
    # size not given: the 300萬 cap is limited to SMEs, so it is shown as conditional
    assert any("300萬元" in f["text"] and f["conditional"] for f in managed.figures)
    registered = by_id(result.not_eligible)["rd_transform"]
    assert registered.reasons and any("納管" in rel for _, rel in registered.links)
    assert [h["number"] for h in result.transfer][:2] == ["0800-288-019", "0800-550-010"]


def test_unknown_measures_name_the_missing_facts(kb):
    result = calc(kb, size="sme", revenue_change=-15)
    export = by_id(result.unknown)["export_loan_guarantee"]
    assert "是否有出進口廠商登記" in export.missing and "近3年是否有輸美實績" in export.missing
    assert any("6,000萬元" in f["text"] for f in export.figures)


def test_export_guarantee_with_every_fact(kb):
    result = calc(kb, size="sme", revenue_change=-12, us_export_3y="yes", trade_registered="yes")
    assert {"export_loan_guarantee", "sme_loan"} <= set(by_id(result.eligible))
    result = calc(kb, size="sme", revenue_change=-12, us_export_3y="no", trade_registered="yes")
    assert "export_loan_guarantee" in by_id(result.not_eligible)


def test_over_the_cap_is_noted(kb):
    loan = by_id(calc(kb, size="sme", revenue_change=-20, amount=5000).eligible)["sme_loan"]
    assert any("超過上限" in n and "3,500萬元" in n for n in loan.notes)


def test_a_project_budget_is_worked_out(kb):
    rd = by_id(calc(kb, factory_type="specific", budget=800).eligible)["rd_transform_managed"]
    assert any("最多可補助300萬元" in n for n in rd.notes)
    assert ("計畫總經費", "800萬元") in describe_facts(parse_facts({"budget": "800"}).facts)
    assert parse_facts({"budget": "很多"}).errors["budget"]


def test_joint_application_picks_the_joint_cap(kb):
    orders = by_id(calc(kb, trade_registered="yes", applicants=3).eligible)["overseas_orders"]
    texts = [f["text"] for f in orders.figures]
    assert any("2,000萬元" in t for t in texts) and not any("500萬元" in t and "單一" in t for t in texts)


def test_nothing_fits_transfers_to_the_general_hotline(kb):
    result = calc(kb, size="large", revenue_change="+5", us_export_3y="no", trade_registered="no", factory_type="none")
    assert not result.eligible and not result.unknown
    assert result.transfer[0]["number"] == kb.general_hotline()["number"]


@pytest.mark.parametrize("facts", [{}, {"size": "sme", "revenue_change": -15}, {"factory_type": "managed", "size": "sme"},
                                   {"size": "large", "revenue_change": -30, "trade_registered": True, "us_export_3y": True,
                                    "amount": 20000, "applicants": 2, "purpose": "equipment"}])
def test_same_verdicts_as_the_bots_engine(kb, facts):
    result = evaluate(kb, facts)
    seen = {}
    for group in (result.eligible, result.not_eligible, result.unknown):
        for r in group:
            seen[r.measure["id"]] = r.status
    with_criteria = [m["id"] for m in kb.measures() if any(c["kind"] == "check" for c in kb.criteria(m["id"]))]
    assert set(seen) == set(with_criteria)
    for mid in with_criteria:
        assert seen[mid] == assess(kb, facts, mid).status


def test_form_parsing_is_forgiving_but_strict_on_nonsense():
    f = parse_facts({"revenue_change": "－１５％", "amount": "1,200萬", "applicants": "2", "size": "sme",
                     "us_export_3y": "no", "trade_registered": "unknown", "purpose": ""})
    assert f.facts == {"revenue_change": -15.0, "amount": 1200.0, "applicants": 2, "size": "sme", "us_export_3y": False}
    assert not f.errors
    bad = parse_facts({"revenue_change": "很多", "amount": "0", "applicants": "1.5", "size": "huge"})
    assert set(bad.errors) == {"revenue_change", "amount", "applicants", "size"} and not bad.facts
    assert parse_facts({}).empty


def test_facts_are_read_back_in_words():
    said = dict(describe_facts({"size": "sme", "revenue_change": -15, "amount": 800, "applicants": 1}))
    assert said == {"企業規模": "中小微企業", "營業額變化": "減少15%", "想申請金額": "800萬元", "申請家數": "單一企業"}
