"""The calculator gives the bot's own verdicts (actions/eligibility.assess) for what the caller said."""

from __future__ import annotations

import pytest

from advisor.eligibility import assess
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
    reason = " ".join(
        by_id(calc(kb, size="sme", revenue_change=5, revenue_direction="up").not_eligible)["sme_loan"].reasons
    )
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


@pytest.mark.parametrize(
    "facts",
    [
        {},
        {"size": "sme", "revenue_change": -15},
        {"factory_type": "managed", "size": "sme"},
        {
            "size": "large",
            "revenue_change": -30,
            "trade_registered": True,
            "us_export_3y": True,
            "amount": 20000,
            "applicants": 2,
            "purpose": "equipment",
        },
    ],
)
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
    f = parse_facts(
        {
            "revenue_change": "－１５％",
            "amount": "1,200萬",
            "applicants": "2",
            "size": "sme",
            "us_export_3y": "no",
            "trade_registered": "unknown",
            "purpose": "",
        }
    )
    assert f.facts == {"revenue_change": -15.0, "amount": 1200.0, "applicants": 2, "size": "sme", "us_export_3y": False}
    assert not f.errors
    bad = parse_facts({"revenue_change": "很多", "amount": "0", "applicants": "1.5", "size": "huge"})
    assert set(bad.errors) == {"revenue_change", "amount", "applicants", "size"} and not bad.facts
    assert parse_facts({}).empty


def test_facts_are_read_back_in_words():
    said = dict(describe_facts({"size": "sme", "revenue_change": -15, "amount": 800, "applicants": 1}))
    assert said == {"企業規模": "中小微企業", "營業額變化": "減少15%", "想申請金額": "800萬元", "申請家數": "單一企業"}


# --------------------------------------------------------------------- issue 13: direction, Chinese amounts, one line
def test_a_bare_percentage_needs_a_direction():
    """「15」 used to be read as revenue UP 15% (both loans 不符合): now it asks 減少 or 增加, beside the field."""
    f = parse_facts({"size": "sme", "revenue_change": "15"})
    assert "revenue_change" not in f.facts and "減少" in f.errors["revenue_change"]


@pytest.mark.parametrize(
    "typed,direction,expected",
    [
        ("15", "down", -15.0),
        ("15%", "down", -15.0),
        ("一成五", "down", -15.0),
        ("百分之十五", "down", -15.0),
        ("15趴", "down", -15.0),
        ("兩成", "down", -20.0),
        ("十五", "down", -15.0),
        ("15", "up", 15.0),
        ("-15", "", -15.0),
        ("－１５％", "", -15.0),
        ("掉了15%", "", -15.0),
        ("-15", "down", -15.0),
        ("0", "", 0.0),
        ("+5", "", 5.0),
    ],
)
def test_revenue_change_direction_and_chinese(typed, direction, expected):
    f = parse_facts({"revenue_change": typed, "revenue_direction": direction})
    assert not f.errors and f.facts["revenue_change"] == expected


def test_revenue_decrease_of_15_fits_both_loans(kb):
    result = calc(
        kb, size="sme", revenue_change="一成五", revenue_direction="down", us_export_3y="yes", trade_registered="yes"
    )
    assert {"sme_loan", "export_loan_guarantee"} <= set(by_id(result.eligible))
    result = calc(
        kb, size="sme", revenue_change="15", revenue_direction="up", us_export_3y="yes", trade_registered="yes"
    )
    assert {"sme_loan", "export_loan_guarantee"} <= set(by_id(result.not_eligible))


@pytest.mark.parametrize(
    "form,field",
    [
        ({"revenue_change": "-15", "revenue_direction": "up"}, "revenue_change"),  # sign and choice disagree
        ({"revenue_change": "800萬", "revenue_direction": "down"}, "revenue_change"),  # an amount is no percentage
        ({"revenue_change": "150", "revenue_direction": "down"}, "revenue_change"),  # more than all of it
        ({"revenue_direction": "down"}, "revenue_change"),  # a direction without a size
        ({"amount": "15%"}, "amount"),
        ({"amount": "-800"}, "amount"),
        ({"amount": "5000000萬"}, "amount"),
        ({"amount": "800 900"}, "amount"),
        ({"applicants": "兩家半"}, "applicants"),
    ],
)
def test_bad_numbers_get_a_message_beside_their_field(form, field):
    f = parse_facts(form)
    assert set(f.errors) == {field} and field not in f.facts and f.errors[field]


@pytest.mark.parametrize(
    "typed,expected",
    [
        ("八百萬", 800.0),
        ("800", 800.0),
        ("八百", 800.0),
        ("800萬元", 800.0),
        ("1,200萬", 1200.0),
        ("1.5億", 15000.0),
        ("一億五", 15000.0),
        ("1000000元", 100.0),
        ("3千5百萬", 3500.0),
        ("NT$5,000,000", 500.0),
    ],
)
def test_chinese_amounts(typed, expected):
    f = parse_facts({"amount": typed, "budget": typed})
    assert not f.errors and f.facts["amount"] == f.facts["budget"] == expected


@pytest.mark.parametrize("typed,expected", [("1", 1), ("三", 3), ("兩家", 2), ("3家", 3)])
def test_applicants_in_words(typed, expected):
    assert parse_facts({"applicants": typed}).facts["applicants"] == expected


def _figure(kb, mid, key):
    return next(f for f in kb.figures(mid) if f["key"] == key)


def test_amount_outcome_in_one_line_from_the_kb(kb):
    """借800萬: the guarantee share and the rate cut that apply, with the knowledge base's own figures."""
    loan = by_id(calc(kb, size="sme", revenue_change="15", revenue_direction="down", amount="八百萬").eligible)[
        "sme_loan"
    ]
    line = loan.amount_line
    guarantee, cut = _figure(kb, "sme_loan", "guarantee_min"), _figure(kb, "sme_loan", "rate_cut")
    assert line.startswith("借800萬元：")
    assert f"{guarantee['qualifier']}{int(guarantee['value'])}{guarantee['unit']}" in line  # 最低9成
    assert f"前{cut['months']}個月" in line and f"{cut['value']}{cut['unit']}" in line  # 前6個月 … 1.5%
    assert line.index("保證") < line.index("利率") and "\n" not in line
    small = by_id(calc(kb, size="sme", revenue_change="-15", amount="80").eligible)["sme_loan"].amount_line
    full = _figure(kb, "sme_loan", "guarantee_full")
    assert f"{full['qualifier']}{int(full['value'])}{full['unit']}" in small  # 一律10成


def test_amount_outcome_over_the_rate_cut_tier_and_the_cap(kb):
    line = by_id(calc(kb, size="sme", revenue_change="-15", amount="2000").eligible)["sme_loan"].amount_line
    assert "利率減碼不適用" in line and "1,000萬元以內" in line
    line = by_id(calc(kb, size="sme", revenue_change="-15", amount="5000").eligible)["sme_loan"].amount_line
    assert line.startswith("借5,000萬元：超過貸款額度上限，最多3,500萬元")


def test_no_amount_no_line(kb):
    assert by_id(calc(kb, size="sme", revenue_change="-15").eligible)["sme_loan"].amount_line is None
