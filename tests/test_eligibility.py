"""Table-driven tests of the eligibility engine at the boundaries the deck sets."""

import pytest

from advisor.eligibility import ELIGIBLE, NO_CONDITIONS, NOT_ELIGIBLE, UNKNOWN, applies, assess, compare

SME = {"size": "sme"}


def keys(result, aspect=None):
    return {f["key"] for f in result.figures if aspect is None or f["aspect"] == aspect}


@pytest.mark.parametrize(
    "change, status",
    [
        (-10, ELIGIBLE),  # exactly 10%: eligible
        (-9.9, NOT_ELIGIBLE),  # just under the threshold
        (-15, ELIGIBLE),
        (-6, NOT_ELIGIBLE),
        (0, NOT_ELIGIBLE),
        (20, NOT_ELIGIBLE),  # revenue went up
        (-100, ELIGIBLE),
    ],
)
def test_revenue_threshold(kb, change, status):
    assert assess(kb, {**SME, "revenue_change": change}, "sme_loan").status == status


def test_reasons_name_the_threshold(kb):
    r = assess(kb, {**SME, "revenue_change": -6}, "sme_loan")
    assert r.reasons == ["營業額減少6%，未達「營業額減少10%」的門檻"]
    up = assess(kb, {**SME, "revenue_change": 20}, "sme_loan")
    assert "增加20%" in up.reasons[0]


@pytest.mark.parametrize(
    "amount, guarantee, rate_cut",
    [
        (80, {"guarantee_full"}, True),
        (100, {"guarantee_full"}, True),  # exactly 100萬: 10成
        (100.1, {"guarantee_min"}, True),  # 100.1萬: at least 9成
        (800, {"guarantee_min"}, True),
        (1000, {"guarantee_min"}, True),  # exactly 1,000萬: the rate cut applies
        (1000.5, {"guarantee_min"}, False),
        (3500, {"guarantee_min"}, False),
    ],
)
def test_amount_tiers(kb, amount, guarantee, rate_cut):
    r = assess(kb, {**SME, "revenue_change": -12, "amount": amount}, "sme_loan")
    assert keys(r, "guarantee") == guarantee
    assert ("rate_cut" in keys(r)) is rate_cut
    assert "rate" in keys(r)
    assert r.notes == []


def test_800_wan_gets_rate_cut_and_terms(kb):
    r = assess(kb, {**SME, "revenue_change": -15, "amount": 800}, "sme_loan")
    texts = [f["text"] for f in r.figures]
    assert "貸款利率：2.22%" in texts
    assert "利率減碼：貸款額度1,000萬元以內 1.5%，最長6個月" in texts
    assert "保證成數：貸款額度逾100萬元 最低9成" in texts
    assert {"term_working_capital", "term_equipment"} <= keys(r)


def test_purpose_picks_the_term(kb):
    r = assess(kb, {**SME, "revenue_change": -15, "purpose": "equipment"}, "sme_loan")
    assert keys(r, "term") == {"term_equipment"}


@pytest.mark.parametrize(
    "amount, note",
    [
        (3500, None),
        (5000, "您想申請的5,000萬元超過上限（每家最高3,500萬元），最多可申請3,500萬元。"),
    ],
)
def test_cap(kb, amount, note):
    r = assess(kb, {**SME, "revenue_change": -20, "amount": amount}, "sme_loan")
    assert r.notes == ([note] if note else [])


def test_unknown_names_missing_facts(kb):
    r = assess(kb, {"revenue_change": -15}, "sme_loan")
    assert (r.status, r.missing) == (UNKNOWN, ["size"])
    r = assess(kb, {}, "export_loan_guarantee")
    assert r.missing == ["trade_registered", "us_export_3y", "revenue_change"]


@pytest.mark.parametrize("size, status", [("sme", ELIGIBLE), ("tax_registered", ELIGIBLE), ("large", NOT_ELIGIBLE)])
def test_size_classes(kb, size, status):
    assert assess(kb, {"size": size, "revenue_change": -12}, "sme_loan").status == status


@pytest.mark.parametrize(
    "size, amount_key, share_key",
    [
        ("sme", "guarantee_amount_sme", "guarantee_share_sme"),
        ("large", "guarantee_amount_large", "guarantee_share_large"),
    ],
)
def test_export_guarantee_by_size(kb, size, amount_key, share_key):
    facts = {"size": size, "trade_registered": True, "us_export_3y": True, "revenue_change": -10}
    r = assess(kb, facts, "export_loan_guarantee")
    assert r.status == ELIGIBLE
    assert keys(r, "amount") == {amount_key} and keys(r, "guarantee") == {share_key}


def test_export_guarantee_shows_both_sizes_when_size_unknown(kb):
    r = assess(kb, {"trade_registered": True, "us_export_3y": True, "revenue_change": -30}, "export_loan_guarantee")
    assert keys(r, "amount") == {"guarantee_amount_sme", "guarantee_amount_large"}


def test_no_us_exports_is_not_eligible(kb):
    r = assess(kb, {"trade_registered": True, "us_export_3y": False, "revenue_change": -30}, "export_loan_guarantee")
    assert r.status == NOT_ELIGIBLE and "近3年具輸美實績" in r.reasons[0]


@pytest.mark.parametrize(
    "factory, rd, managed",
    [
        ("registered", ELIGIBLE, NOT_ELIGIBLE),
        ("managed", NOT_ELIGIBLE, ELIGIBLE),
        ("specific", NOT_ELIGIBLE, ELIGIBLE),
        ("none", NOT_ELIGIBLE, NOT_ELIGIBLE),
        (None, UNKNOWN, UNKNOWN),
    ],
)
def test_factory_types(kb, factory, rd, managed):
    facts = {"factory_type": factory} if factory else {}
    assert assess(kb, facts, "rd_transform").status == rd
    assert assess(kb, facts, "rd_transform_managed").status == managed


@pytest.mark.parametrize("applicants, key", [(1, "single_cap"), (2, "joint_cap"), (5, "joint_cap")])
def test_overseas_orders_single_or_joint(kb, applicants, key):
    r = assess(kb, {"applicants": applicants, "trade_registered": True}, "overseas_orders")
    assert keys(r, "amount") == {key}


def test_measures_without_conditions(kb):
    assert assess(kb, {"size": "sme"}, "esco").status == NO_CONDITIONS


@pytest.mark.parametrize(
    "actual, op, expected, result",
    [
        (None, "le", -10, None),
        (-10, "le", -10, True),
        (-9.999, "le", -10, False),
        (True, "le", 1, False),
        ("sme", "in", ["sme"], True),
        (2, "ge", 2, True),
        (1, "gt", 1, False),
        (100, "lt", 100, False),
    ],
)
def test_operator_table(actual, op, expected, result):
    assert compare(actual, op, expected) is result


def test_applies_with_unknown_fact():
    assert applies({"amount": {"le": 100}}, {}) is None
    assert applies({"amount": {"le": 100}}, {"amount": 50}) is True
    assert applies(None, {}) is True


@pytest.mark.parametrize(
    "measure, facts, expected",
    [
        # half of the budget while it is under the cap, the cap above it; the equipment share worked out too
        ("rd_transform", {"budget": 600}, ["最多可補助300萬元", "即240萬元"]),
        (
            "rd_transform",
            {"budget": 1200},
            ["產業聯盟補助不超過50%，最多可補助600萬元", "超過個案補助上限，最多可補助500萬元"],
        ),
        ("rd_transform_managed", {"budget": 600, "factory_type": "specific"}, ["最多可補助300萬元"]),
        (
            "rd_transform_managed",
            {"budget": 800, "factory_type": "specific"},
            ["50%是400萬元，超過個案補助上限，最多可補助300萬元"],
        ),
        ("overseas_orders", {"budget": 1200}, ["自籌款須達全案總經費50%，即600萬元"]),
    ],
)
def test_budget_worked_out(kb, measure, facts, expected):
    notes = "\n".join(assess(kb, facts, measure).notes)
    for e in expected:
        assert e in notes, notes


def test_no_budget_no_budget_notes(kb):
    assert not [n for n in assess(kb, {"amount": 600}, "rd_transform").notes if "總經費" in n]


def test_stated_not_affected_fails_the_declared_requirement(kb):
    a = assess(kb, {"tariff_affected": False, "size": "sme", "revenue_change": -20}, "sme_loan")
    assert a.status == NOT_ELIGIBLE and any("關稅" in r for r in a.reasons)
    assert assess(kb, {"size": "sme", "revenue_change": -20}, "sme_loan").status == ELIGIBLE


def test_the_other_way_of_applying_is_offered_where_size_rules_a_grant_out(kb):
    base = {"size": "large", "factory_type": "registered", "tariff_affected": True}
    alone = assess(kb, {**base, "applicants": 1}, "rd_transform")
    assert [f["key"] for f in alone.excluded] == ["individual_cap"]
    assert [f["key"] for f in alone.choices] == ["alliance_cap"]  # 產業聯盟: applying with others
    # a small firm applying alone gets the individual grant: nothing to offer instead
    assert assess(kb, {**base, "size": "sme", "applicants": 1}, "rd_transform").choices == []
    # a large firm that has not said how it applies is shown the alliance grant as a figure already
    assert assess(kb, base, "rd_transform").choices == []
    from tests.test_answers import chat

    _, text = chat(kb, "我們是上市的大公司，有工廠登記，受關稅影響，想自己一家申請研發轉型的個案補助")
    assert "個案補助：限中小企業，依您提供的資料不適用" in text
    assert "產業聯盟補助：4,000萬元，改以多家聯合申請就適用" in text
