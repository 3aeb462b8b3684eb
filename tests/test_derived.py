"""Figures worked out for the firm (advisor/amounts.py reads its amounts, advisor/derived.py and
advisor/eligibility.py work them out): each shown with its working, each following the knowledge base's figures.
Phrasings and numbers here are our own, not the held-out sets'."""

import re

import pytest

from advisor.amounts import read_amounts
from components.normalize import normalize_text
from components.numbers import extract_numbers
from tests.test_answers import chat


def amounts(kb, text, remembered=None):
    text = normalize_text(text)
    left, facts = read_amounts(kb, text, extract_numbers(text), remembered or {})
    return [e["value"] for e in left if e["entity"] == "amount"], facts


@pytest.mark.parametrize(
    "text, change",
    [
        ("去年同期業績八百萬，今年掉到六百萬", -25),  # two amounts, a level word before the second
        ("113年同期營收1500萬，今年同期少了150萬", -10),  # a drop stated as an amount
        ("113年同期營收1000萬，今年同期多了100萬", 10),  # a rise stated as an amount
        ("113年下半年3個月營收合計1200萬，現在每月剩350萬", -12.5),  # a total over months, averaged
        ("114年1月營收600萬、2月400萬，現在一個月約450萬", -10),  # two base months averaged
        ("113年同期營收2億，現在同期剩1.5億", -25),  # 億
        ("去年同期營收500萬，這個月回升到470萬", -6),  # a level word of a rise: the level now
    ],
)
def test_revenue_change_from_amounts(kb, text, change):
    left, facts = amounts(kb, text)
    assert facts["revenue_change"] == pytest.approx(change)
    assert left == []  # none of them is an amount to borrow


def test_revenue_amounts_are_not_an_amount_to_borrow_but_a_loan_still_is(kb):
    left, facts = amounts(kb, "我們營收5000萬，營業額掉了兩成，想借300萬")
    assert left == [300] and "revenue_change" not in facts
    left, _ = amounts(kb, "中小企業外銷貸款4000萬")
    assert left == [4000]


def test_a_correction_recomputes_from_the_remembered_amount(kb):
    _, first = amounts(kb, "113年同期營收1000萬，今年同期剩850萬")
    assert first["revenue_change"] == pytest.approx(-15)
    remembered = {k: first[k] for k in ("revenue_base", "revenue_now")}
    _, second = amounts(kb, "不對，113年同期是900萬才對", remembered)
    assert second["revenue_change"] == pytest.approx((850 - 900) / 900 * 100)


@pytest.mark.parametrize(
    "turns, must, must_not",
    [
        # the working, one decimal, and the change drives eligibility like a stated percentage
        (
            ["113年同期營收1200萬，今年同期剩1000萬，中小企業可以申請貸款加碼嗎"],
            ["由1,200萬元減為1,000萬元，減少16.7%", "✅"],
            [],
        ),
        (
            ["113年同期營收1000萬，今年同期剩905萬，中小企業可以申請貸款加碼嗎"],
            ["減少9.5%", "未達「營業額減少10%」"],
            ["✅ 您符合「中小微"],
        ),
        (["113年下半年3個月營收合計1200萬，現在每月剩350萬，中小企業能貸嗎"], ["月平均400萬元", "減少12.5%"], []),
        (["114年1月營收600萬、2月400萬，現在一個月約450萬，貸款加碼可以嗎"], ["平均500萬元", "減少10%"], []),
        # a revenue amount over the loan cap is not a request over the cap
        (["113年同期營收5000萬，今年同期剩4000萬，中小企業能借多少"], ["減少20%", "3,500萬元"], ["您想申請"]),
        # a correction across turns: the working again, from the remembered amount
        (
            ["113年同期營收1000萬，今年同期剩850萬，中小企業", "不對，113年同期是900萬才對"],
            ["由900萬元減為850萬元，減少5.6%", "未達"],
            [],
        ),
    ],
)
def test_revenue_answers(kb, turns, must, must_not):
    _, text = chat(kb, *turns)
    for m in must:
        assert m in text, text
    for m in must_not:
        assert m not in text, text


@pytest.mark.parametrize(
    "turns, must, must_not",
    [
        (["多元發展貸款借600萬，減碼期間利率多少"], ["2.22% − 利率減碼1.5% = 0.72%", "1,000萬元以內"], []),
        (["中小微貸款的利率是多少"], ["= 0.72%（貸款額度1,000萬元以內，最長6個月）"], []),  # amount unknown
        (["多元發展貸款借2000萬，利率多少"], ["2.22%"], ["0.72%"]),  # over the cut's condition
        (["中小企業營業額掉兩成，想借80萬"], ["一律10成"], ["0.72%"]),  # neither the rate nor the cut asked
    ],
)
def test_rate_inside_the_cut_window(kb, turns, must, must_not):
    _, text = chat(kb, *turns)
    for m in must:
        assert m in text, text
    for m in must_not:
        assert m not in text, text


@pytest.mark.parametrize(
    "turns, must, must_not",
    [
        (["多元發展貸款借200萬，信保保證多少"], ["200萬元 × 最低9成 = 至少180萬元"], []),
        (["多元發展貸款借60萬，保證成數多少"], ["60萬元 × 一律10成 = 60萬元"], ["最低9成"]),
        (["中小企業外銷貸款1000萬，保證多少錢"], ["1,000萬元 × 9.5成 = 950萬元"], []),
        (["大企業外銷貸款1000萬，保證多少錢"], ["800萬元～900萬元"], ["950萬元"]),
        (["外銷貸款3000萬，保證成數8成的話保多少"], ["依您說的8成", "2,400萬元"], []),
        # on what can be lent (the loan's cap), and never above the guarantee's own cap (保證額度)
        (["多元發展貸款借4000萬，保證多少"], ["3,500萬元（貸款額度上限） × 最低9成 = 至少3,150萬元"], ["3,600萬元"]),
        (["中小企業外銷貸款7000萬，保證多少錢"], ["= 6,000萬元（保證額度上限）"], ["6,650萬元"]),
    ],
)
def test_guaranteed_amount(kb, turns, must, must_not):
    _, text = chat(kb, *turns)
    for m in must:
        assert m in text, text
    for m in must_not:
        assert m not in text, text


@pytest.mark.parametrize(
    "turns, must",
    [
        (
            ["有工廠登記的中小企業，研發轉型個案補助，計畫總經費1400萬，自己要出多少"],
            ["最多可補助500萬元，其餘900萬元"],
        ),
        (["研發轉型產業聯盟，總經費9000萬，補多少"], ["最多可補助4,000萬元，其餘5,000萬元"]),
        (["單家申請爭取海外訂單，總經費1200萬，補多少"], ["最多可補助500萬元，其餘700萬元"]),
        (["四家聯合申請爭取海外訂單，總經費4600萬，補多少"], ["最多可補助2,000萬元，其餘2,600萬元"]),
        (["研發轉型總經費500萬，想買250萬的新設備"], ["即200萬元", "設備費250萬元超過", "多出50萬元"]),
        (["研發轉型總經費500萬，想買150萬的新設備"], ["設備費150萬元在全新設備購置費上限（200萬元）以內"]),
        (["爭取海外訂單，我們可以自籌三成"], ["自籌30%，不符合"]),
        (["爭取海外訂單，我們可以自籌六成"], ["自籌60%，符合"]),
        (["研發轉型補助我們只能自籌45%"], ["不符合「補助比例不超過總經費50%」"]),
        (["AI診斷要花多少錢"], ["政府負擔19萬元 + 企業自付1萬元 = 20萬元", "95%"]),
        (["AI人才培訓學費20萬，我們要付多少"], ["最多補助12萬元，企業自付8萬元"]),
        (["AI人才培訓學費10萬，補多少"], ["以內，最多補助10萬元"]),
    ],
)
def test_shares_of_a_budget_and_totals(kb, turns, must):
    _, text = chat(kb, *turns)
    for m in must:
        assert m in text, text


# Every derived line follows the knowledge base: change one figure in a copy of it, and the result changes.
@pytest.mark.parametrize(
    "key_pattern, new_value, turns, before, after",
    [
        (r"key: rate, aspect: rate, [^\n]*?value: )2\.22", "2.72", ["中小微貸款的利率是多少"], "= 0.72%", "= 1.22%"),
        (r"key: rate_cut, [^\n]*?value: )1\.5", "1", ["中小微貸款的利率是多少"], "= 0.72%", "= 1.22%"),
        (r"key: guarantee_min, [^\n]*?value: )9", "8", ["多元發展貸款借500萬，保證多少"], "至少450萬元", "至少400萬元"),
        (
            r"key: loan_cap, [^\n]*?value: )3500",
            "3000",
            ["多元發展貸款我們借了1400萬", "占上限多少，還能再借多少"],
            "還可以再借：3,500萬元 − 1,400萬元 = 2,100萬元",
            "還可以再借：3,000萬元 − 1,400萬元 = 1,600萬元",
        ),
        (
            r"key: guarantee_share_sme, [^\n]*?value: )9\.5",
            "9",
            ["中小企業外銷貸款2000萬，保證多少"],
            "1,900萬元",
            "1,800萬元",
        ),
        (
            r"key: subsidy_share, [^\n]*?value: )50(?=, unit: \"%\", source: \"deck › 研發轉型補助 ›)",
            "40",
            ["研發轉型產業聯盟，總經費1000萬，補多少"],
            "最多可補助500萬元，其餘500萬元",
            "最多可補助400萬元，其餘600萬元",
        ),
        (
            r"key: self_funding, aspect: self_funding, label: 自籌款, [^\n]*?value: )50",
            "60",
            ["單家申請爭取海外訂單，總經費1000萬，補多少"],
            "最多可補助500萬元",
            "最多可補助400萬元",
        ),
        (
            r"key: gov_share, [^\n]*?value: )19",
            "18",
            ["AI診斷要花多少錢"],
            "= 20萬元，其中政府負擔占95%",
            "= 19萬元，其中政府負擔占94.7%",
        ),
        (
            r"key: cap, aspect: amount, label: 學費補助, [^\n]*?value: )12",
            "10",
            ["AI人才培訓學費15萬"],
            "自付3萬元",
            "自付5萬元",
        ),
        (
            r"key: equipment_cap, [^\n]*?value: )40",
            "30",
            ["研發轉型總經費700萬，想買250萬的新設備"],
            "即280萬元",
            "即210萬元",
        ),
    ],
)
def test_derived_lines_follow_the_kb_figures(kb, kb_src, tmp_path, key_pattern, new_value, turns, before, after):
    _answer_follows_the_changed_figure(kb, kb_src, tmp_path, key_pattern, new_value, turns, before, after)


def test_the_revenue_working_is_shown_once(kb):
    _, text = chat(kb, "113年同期營收1200萬，今年同期剩1000萬，中小企業，外銷貸款和中小微貸款哪個可以")
    assert text.count("減少16.7%") == 1, text
    _, text = chat(kb, "113年同期營收1200萬，今年同期剩1000萬，中小企業", "利率多少")
    assert "減少16.7%" not in text  # said on the turn it was worked out, not again


@pytest.mark.parametrize(
    "turns, must, must_not",
    [
        # monthly amounts listed with one unit, averaged, then compared with this month's figure on the next turn
        (
            [
                "我們去年下半年每月營收是520、480、510、490萬",
                "這個月營收430萬，少了幾%，中小企業可以申請多元發展貸款嗎",
            ],
            ["由500萬元減為430萬元，減少14%"],
            [],
        ),
        (
            ["114年1至2月營收分別是1200、800萬，現在每月剩900萬，外銷貸款優惠保證可以嗎"],
            ["平均1,000萬元", "減少10%"],
            [],
        ),
        # a period total without a month count: the period implies it (programs.yml periods)
        (
            ["去年下半年營收合計3000萬，現在每個月剩420萬，中小企業可以申請多元發展貸款嗎"],
            ["6個月合計3,000萬元", "減少16%"],
            [],
        ),
        (["114年1到2月營收總共1000萬，現在每月450萬，貸款加碼可以嗎"], ["2個月合計1,000萬元", "減少10%"], []),
        # several loans summed against the cap
        (
            ["中小企業營收少了三成，多元發展貸款先借500萬買原料，之後再借1500萬買機器，合計多少，還能借多少"],
            ["500萬元 + 1,500萬元 = 2,000萬元", "還剩1,500萬元"],
            [],
        ),
        (["多元發展貸款想借2000萬週轉，另外借2000萬買設備，會不會超過"], ["= 4,000萬元，超過", "多出500萬元"], []),
        (["研發轉型總經費600萬，想借300萬"], [], ["合計："]),  # a budget and a loan are not summed
        # the grants of a program's stages up to the one asked, added up
        (
            ["AI應用導入補多少", "診斷跟導入都用到最高，政府總共出多少"],
            ["AI診斷與輔導 政府負擔19萬元 + AI應用導入 工具導入補助10萬元 + 人才培訓補助12萬元 = 41萬元"],
            [],
        ),
        (["AI應用導入補多少"], [], ["各階段"]),  # no total asked
        # simple interest over the cut window, and what the cut saves
        (
            ["多元發展貸款借800萬，減碼期間利息多少"],
            ["800萬元 × 0.72% × 6/12 = 2.88萬元", "800萬元 × 1.5% × 6/12 = 6萬元"],
            [],
        ),
        (["中小微貸款借500萬", "利率減碼那段時間可以省多少利息"], ["500萬元 × 1.5% × 6/12 = 3.75萬元"], []),
        (["多元發展貸款借2000萬，利息多少"], ["2.22%"], ["× 6/12"]),  # outside the cut's condition
        # months left in a window, and the end of a waiver from its start
        (
            ["多元發展貸款借300萬，利率減碼最長幾個月", "已經繳了5個月了，減碼還剩多久"],
            ["已過5個月，還剩1個月"],
            ["還剩67個月"],  # the loan's term is not what was asked
        ),
        (
            ["外銷貸款優惠保證手續費免多久", "我們中小企業，115年3月開始保證的，手續費免到什麼時候"],
            ["自115年3月起算，至117年2月止"],
            [],
        ),
        (["我們已經繳了3個月的房租都繳不出來，中小企業營收掉兩成，多元發展貸款想借500萬"], [], ["還剩"]),  # not asked
        # the part of the loan not guaranteed
        (["中小企業外銷貸款借2000萬，外銷貸款優惠保證加碼，沒保到的有多少"], ["2,000萬元 − 1,900萬元 = 100萬元"], []),
        (["多元發展貸款借400萬，保證多少"], ["400萬元 − 360萬元 = 至多40萬元"], []),
        # a cap as a share of the budget, and the self-funded part split among the firms applying together
        (["單家申請爭取海外訂單，總經費2000萬，補助上限佔幾%"], ["500萬元 ÷ 總經費2,000萬元 = 25%"], []),
        (
            ["4家廠商組產業聯盟申請研發轉型，總經費6000萬，自籌平均分攤每家多少"],
            ["3,000萬元 ÷ 4 = 每家750萬元"],
            [],
        ),
        # the first year's interest: the cut's window at the lower rate, the other months at the rate
        (
            ["中小微貸款想借400萬，第一年利息要繳多少"],
            ["前6個月 400萬元 × 0.72% × 6/12 = 1.44萬元", "400萬元 × 2.22% × 6/12 = 4.44萬元", "合計5.88萬元"],
            [],
        ),
        (["中小微貸款想借400萬，第一年要還多少本金"], [], ["第一年的利息"]),  # no interest asked
        # the guarantee on the cap when no amount is named
        (
            ["外銷貸款優惠保證，我們中小企業，額度借滿的話信保保多少"],
            ["6,000萬元 × 9.5成 = 5,700萬元", "6,000萬元 − 5,700萬元 = 300萬元"],
            [],
        ),
        # the share of the cap an amount uses, and what is left
        (
            ["多元發展貸款我們借了1400萬", "占上限多少，還能再借多少"],
            ["占貸款額度上限3,500萬元的40%（4成）", "3,500萬元 − 1,400萬元 = 2,100萬元"],
            [],
        ),
        (["多元發展貸款已經借了4000萬，還能再借多少"], ["超過貸款額度上限3,500萬元，多出500萬元"], []),
        # a threshold asked backwards from the firm's base amount
        (
            ["去年同期營業額是2,500萬，今年要掉到多少以下才能申請多元發展貸款"],
            ["2,500萬元 × (1 − 10%) = 2,250萬元"],
            [],
        ),
        (["去年同期營業額是2,500萬，今年剩2,000萬，可以申請多元發展貸款嗎"], ["減少20%"], ["× (1 − 10%)"]),
        # the change asked again from the amounts of earlier turns
        (
            ["去年同期營收1,000萬", "今年同期只剩880萬", "這樣是少了幾%"],
            ["由1,000萬元減為880萬元，減少12%"],
            [],
        ),
        (["上個月只做到450萬，比去年同期的600萬少了幾%"], ["由600萬元減為450萬元，減少25%"], []),
        # a now word that names the year of a base month (「今年1月」) is the base period, not now
        (
            ["今年1月營收800萬、2月600萬，6月只剩630萬，用1到2月平均比，多元發展貸款可以嗎"],
            ["平均700萬元", "由700萬元減為630萬元，減少10%"],
            [],
        ),
        # a yes to 「可以申請嗎」 says what the firm gets, even when the question also asks about the periods
        (
            ["我們中小企業，去年同期營收1000萬，今年剩800萬，比較基準有哪幾個期間，多元發展貸款可以申請嗎"],
            ["✅", "每家最高3,500萬元", "營業額比較基準"],
            [],
        ),
        # English-mixed LINE messages: the firm's facts and its budget in English words
        (
            ["We are SME, 有 factory registration, 研發轉型補助 total budget 800萬, 最多補多少"],
            ["最多可補助400萬元"],
            [],
        ),
        # a budget is a budget, whatever word comes before the amount
        (["納管工廠研發轉型，總經費只有400萬，可以補多少"], ["最多可補助200萬元"], ["營業額由"]),
        # an amount that contains the package's number is not the package
        (["研發轉型個案補助，總經費1,400萬，一半是700萬，都能補嗎"], ["最多可補助500萬元"], ["6個面向"]),
        # interest to the 元, and the saving per month
        (["多元發展貸款借950萬，減碼期間利息多少"], ["= 7.125萬元（每月1.1875萬元）"], []),
        # a stage's own items added up, before the stages together
        (
            ["AI應用導入工具跟人才培訓都申請，加起來最多補多少"],
            ["工具導入補助10萬元 + 人才培訓補助12萬元 = 22萬元"],
            [],
        ),
        # principal over the term, when asked
        (
            ["中小微企業貸款加碼借1400萬買設備，平均每年還多少本金"],
            ["1,400萬元 ÷ 7年 = 200萬元"],
            ["÷ 6年"],
        ),
    ],
)
def test_more_derived_figures(kb, turns, must, must_not):
    _, text = chat(kb, *turns)
    for m in must:
        assert m in text, text
    for m in must_not:
        assert m not in text, text


# The new lines follow the knowledge base too: change the figure, the result follows.
@pytest.mark.parametrize(
    "key_pattern, new_value, turns, before, after",
    [
        (
            r"key: rate_cut, [^\n]*?months: )6",
            "4",
            ["多元發展貸款借800萬，減碼期間利息多少"],
            "800萬元 × 0.72% × 6/12 = 2.88萬元",
            "800萬元 × 0.72% × 4/12 = 1.92萬元",
        ),
        (
            r"key: rate_cut, [^\n]*?months: )6",
            "9",
            ["多元發展貸款借300萬，利率減碼最長幾個月", "已經繳了5個月了，減碼還剩多久"],
            "還剩1個月",
            "還剩4個月",
        ),
        (
            r"key: fee_waiver_sme, [^\n]*?value: )2",
            "3",
            ["外銷貸款優惠保證手續費免多久", "我們中小企業，115年3月開始保證的，手續費免到什麼時候"],
            "至117年2月止",
            "至118年2月止",
        ),
        (
            r"key: tool_cap, [^\n]*?value: )10",
            "15",
            ["AI應用導入補多少", "診斷跟導入都用到最高，政府總共出多少"],
            "= 41萬元",
            "= 46萬元",
        ),
        (
            r"key: h2_113_monthly_avg, [^\n]*?months: )6",
            "3",
            ["去年下半年營收合計3000萬，現在每個月剩420萬，中小企業可以申請多元發展貸款嗎"],
            "6個月合計3,000萬元",
            "3個月合計3,000萬元",
        ),
        (
            r"key: loan_cap, [^\n]*?value: )3500",
            "3000",
            ["多元發展貸款我們借了1400萬", "占上限多少，還能再借多少"],
            "還可以再借：3,500萬元 − 1,400萬元 = 2,100萬元",
            "還可以再借：3,000萬元 − 1,400萬元 = 1,600萬元",
        ),
        (
            r"key: guarantee_share_sme, [^\n]*?value: )9\.5",
            "9",
            ["中小企業外銷貸款借2000萬，外銷貸款優惠保證加碼，沒保到的有多少"],
            "= 100萬元",
            "= 200萬元",
        ),
    ],
)
def test_new_derived_lines_follow_the_kb_figures(kb, kb_src, tmp_path, key_pattern, new_value, turns, before, after):
    _answer_follows_the_changed_figure(kb, kb_src, tmp_path, key_pattern, new_value, turns, before, after)


def _answer_follows_the_changed_figure(kb, kb_src, tmp_path, key_pattern, new_value, turns, before, after):
    """Change one figure in a copy of the KB sources (measures.yml, or a period's month count in programs.yml),
    rebuild, and check the answer follows it."""
    from knowledge.build import build
    from knowledge.kb import KB

    assert before in chat(kb, *turns)[1]
    pattern = re.compile("(" + key_pattern)
    path = next(p for p in (kb_src / "measures.yml", kb_src / "programs.yml") if pattern.search(p.read_text("utf-8")))
    text = path.read_text(encoding="utf-8")
    assert len(pattern.findall(text)) == 1, key_pattern
    path.write_text(pattern.sub(lambda m: m.group(1) + new_value, text), encoding="utf-8")
    db = tmp_path / "kb.sqlite"
    build(kb_src, db, tmp_path / "dict")
    _, reply = chat(KB(db), *turns)
    assert after in reply, reply
    assert before not in reply, reply


def test_another_amount_asked_in_the_same_message_is_a_case_of_its_own(kb):
    # 「要是改借…呢」 after an amount to borrow: the other amount is worked out alone, never added to the first
    left, facts = amounts(kb, "想借300萬週轉，利率減碼有嗎？要是改借1200萬呢")
    assert left == [300] and facts["amount_alternatives"] == [1200] and "amount_parts" not in facts
    _, text = chat(kb, "想借300萬週轉，利率減碼有嗎？要是改借1200萬呢")
    assert "300萬元 × 0.72%" in text and "如果借1,200萬元：利率減碼（貸款額度1,000萬元以內）不適用" in text
    assert "合計" not in text
    _, text = chat(kb, "中小微企業貸款加碼借250萬保證成數幾成，如果只借60萬呢")
    assert "250萬元 × 最低9成 = 至少225萬元" in text
    assert "如果借60萬元：保證成數 一律10成（貸款額度100萬元以內）" in text and "60萬元 × 一律10成 = 60萬元" in text
    # two loans for two purposes are still summed against the cap
    _, facts = amounts(kb, "借800萬週轉，再借2000萬買設備")
    assert facts["amount_parts"] == [800, 2000] and "amount_alternatives" not in facts


def test_which_months_reach_the_threshold_each_month_against_the_base(kb):
    # a base of no month (去年下半年平均每月600萬): every month listed is compared with it
    reply, text = chat(kb, "去年下半年平均每月600萬，今年3月560萬、4月520萬、5月610萬，哪幾個月夠格申請中小微貸款")
    assert "600萬元 × (1 − 10%) = 540萬元以下" in text
    assert "3月560萬元：減少6.7%，❌ 未達" in text and "4月520萬元：減少13.3%，✅ 達到" in text
    assert "5月610萬元：增加1.7%，❌ 未達" in text and "達到門檻的月份：4月" in text
    assert reply.state.facts["revenue_change"] == pytest.approx(-13.33, abs=0.01)  # the best month decides
    assert "amount" not in reply.state.facts  # none of the months is an amount to borrow
    # months 1 and 2 beside later months: the deck's 114年1至2月平均 is the base
    _, text = chat(kb, "1月營收500萬、2月300萬，6月只剩350萬、7月380萬，哪個月可以用來申請外銷貸款保證")
    assert "500萬元、300萬元平均400萬元" in text and "6月350萬元：減少12.5%，✅ 達到" in text
    assert "7月380萬元：減少5%，❌ 未達" in text
    # without the question, the amounts are read as before (one change)
    _, facts = amounts(kb, "1月營收500萬、2月300萬，6月只剩350萬、7月380萬")
    assert "month_table" not in facts


def test_amounts_of_several_bases_are_each_compared_not_averaged(kb):
    reply, text = chat(kb, "去年同期營收2000萬，今年同期1750萬；114年1、2月平均是1900萬。可以申請中小微企業貸款加碼嗎")
    assert "與113年同期（2024年同期）相比（2,000萬元）：減少12.5%，✅ 達到" in text
    assert "與114年1至2月平均（2025年1–2月）相比（1,900萬元）：減少7.9%，❌ 未達" in text
    assert "1,950萬元" not in text  # never the two bases averaged
    assert reply.state.facts["revenue_change"] == pytest.approx(-12.5)
    # two months of the same base are still averaged
    _, facts = amounts(kb, "114年1月營收500萬、2月300萬，現在一個月350萬")
    assert "base_table" not in facts and facts["revenue_base"] == 400
