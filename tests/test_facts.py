"""The deterministic reading of a message with the knowledge base's words (advisor/facts.py)."""

import pytest

from advisor.facts import number_facts, read


@pytest.mark.parametrize(
    "text, fact, value",
    [
        ("我們是中小企業", "size", "sme"),
        ("我們是非中小微企業", "size", "large"),  # the longer phrase wins over 中小微企業
        ("我們不是中小企業", "size", "large"),  # negated
        ("我們是稅籍登記業者", "size", "tax_registered"),
        ("中小為企業", "size", "sme"),  # a common typo
        ("我们是中小企业", "size", "sme"),  # Simplified input
        ("我們有輸美實績", "us_export_3y", True),
        ("我們沒有輸美實績", "us_export_3y", False),
        ("有出進口廠商登記", "trade_registered", True),
        ("我們是納管工廠", "factory_type", "managed"),
        ("沒有工廠登記，只是特定工廠", "factory_type", "specific"),  # the positive statement wins
        ("我們有工廠登記證", "factory_type", "registered"),
        ("要買機器", "purpose", "equipment"),
        ("需要週轉金發薪水", "purpose", "working_capital"),
        ("兩家一起申請", "applicants", 2),
        ("3家公司聯合申請", "applicants", 3),
        ("單一企業申請", "applicants", 1),
    ],
)
def test_facts(kb, text, fact, value):
    assert read(kb, text).facts.get(fact) == value


@pytest.mark.parametrize(
    "text, measures",
    [
        ("中小微企業多元發展貸款加碼的利率", ["sme_loan"]),
        ("外銷貸款優惠保證加碼跟研發轉型補助", ["export_loan_guarantee", "rd_transform"]),
        ("納管及特定工廠研發轉型補助", ["rd_transform_managed"]),
        ("ESCO節能", ["esco"]),
    ],
)
def test_measures_named(kb, text, measures):
    assert read(kb, text).measures == measures


def test_topics_aspects_hotlines(kb):
    r = read(kb, "信保基金電話幾號")
    assert r.hotlines == ["smeg"] and "hotline" in r.aspects
    r = read(kb, "我想問貸款的利率")
    assert r.topics[:2] == ["sme_loan", "export_loan_guarantee"] and r.aspects == ["rate"]


def test_tariff_is_not_a_tax_topic(kb):
    assert read(kb, "受到美國關稅影響").topics == []


def test_out_of_scope_words_hide_their_topic(kb):
    r = read(kb, "房屋貸款利率多少")
    assert r.out_of_scope and r.topics == []
    assert not read(kb, "企業貸款利率多少").out_of_scope


def test_number_facts():
    ents = [
        {"entity": "revenue_change", "value": -15},
        {"entity": "amount", "value": 800},
        {"entity": "amount", "value": 50},
        {"entity": "percent", "value": 2.22},
    ]
    assert number_facts(ents) == {"revenue_change": -15.0, "amount": 800.0}


def test_number_facts_reads_a_budget_after_a_budget_word():
    text = "計畫總經費600萬，想借200萬"
    ents = [
        {"entity": "amount", "value": 600.0, "start": 5, "end": 9},
        {"entity": "amount", "value": 200.0, "start": 12, "end": 16},
    ]
    assert number_facts(ents, text, ["總經費", "預算"]) == {"budget": 600.0, "amount": 200.0}
    loan = [{"entity": "amount", "value": 500.0, "start": 4, "end": 8}]
    assert number_facts(loan, "預算想借500萬", ["預算"], ["借", "貸"]) == {"amount": 500.0}
    # the borrowing words are the lexicon's (cues.borrow): without them the same amount reads as a budget
    assert number_facts(loan, "預算想借500萬", ["預算"]) == {"budget": 500.0}


def test_a_registration_named_by_its_last_word_is_the_one_spoken_of_before(kb):
    from tests.test_answers import chat

    first = ("我們應該沒有進出口廠商登記吧，那外銷貸款保證是不是沒辦法", "我們其實有登記，剛剛問過會計了")
    reply, _ = chat(kb, *first)
    assert reply.state.facts["trade_registered"] is True
    reply, _ = chat(kb, "我們有出進口廠商登記", "抱歉搞錯了，其實沒登記")
    assert reply.state.facts["trade_registered"] is False
    # with no registration spoken of before, 有登記 alone states nothing
    reply, _ = chat(kb, "外銷貸款保證加碼", "我們有登記")
    assert "trade_registered" not in reply.state.facts


def test_asked_for_a_third_party_its_facts_decide(kb):
    from tests.test_answers import chat

    turns = ("我們自己有工廠登記，但是下游廠商是特定工廠", "我替下游廠商問一下，他們算中小企業，研發轉型可以補多少")
    reply, text = chat(kb, *turns)
    assert reply.state.facts["factory_type"] == "specific" and reply.state.facts["size"] == "sme"
    assert "300萬元" in text and "0800-288-019" in text
    # said of the third party without asking for it, the facts stay the firm's own
    reply, _ = chat(kb, turns[0], "研發轉型可以補多少")
    assert reply.state.facts["factory_type"] == "registered"


def test_asking_for_oneself_is_no_third_party_question(kb):
    from advisor.facts import read

    assert read(kb, "我是幫協力廠問的，他們是中小企業").for_other
    assert read(kb, "替朋友問一下貸款").for_other
    assert not read(kb, "可以幫我問一下研發轉型補助嗎").for_other
    assert read(kb, "我們的供應商是納管工廠，可以幫忙問一下補助嗎").others  # still someone else's clause
