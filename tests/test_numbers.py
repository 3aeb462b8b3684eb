"""components.numbers.extract_numbers on normalised text: every form and every trap."""

import pytest

from components.normalize import normalize_text
from components.numbers import extract_numbers, parse_number


def extract(raw):
    """extract_numbers on normalize_text(raw), as the pipeline does."""
    text = normalize_text(raw)
    found = extract_numbers(text)
    for item in found:
        assert text[item["start"] : item["end"]] == item["text"]
        assert isinstance(item["value"], float)
    return found


def single(raw):
    found = extract(raw)
    assert len(found) == 1, found
    return found[0]


# ----------------------------------------------------------------- percentages


@pytest.mark.parametrize(
    "raw, value, matched",
    [
        ("15%", 15, "15%"),
        ("15 %", 15, "15 %"),
        ("１５％", 15, "15%"),
        ("2.5%", 2.5, "2.5%"),
        ("百分之十五", 15, "百分之十五"),
        ("百分之15", 15, "百分之15"),
        ("百分之二十五點五", 25.5, "百分之二十五點五"),
        ("15趴", 15, "15趴"),
        ("一成五", 15, "一成五"),
        ("兩成", 20, "兩成"),
        ("两成", 20, "兩成"),
        ("三成", 30, "三成"),
        ("1成", 10, "1成"),
        ("1.5成", 15, "1.5成"),
        ("九成九", 99, "九成九"),
        ("十成", 100, "十成"),
        ("5個百分點", 5, "5個百分點"),
        ("一半", 50, "一半"),
    ],
)
def test_percent_forms(raw, value, matched):
    item = single(raw)
    assert item["entity"] == "percent"
    assert item["value"] == value
    assert item["text"] == matched
    assert item["approx"] is False


@pytest.mark.parametrize(
    "raw",
    ["快兩成", "將近兩成", "約兩成", "大約兩成", "接近兩成", "兩成多", "超過20%", "不到兩成", "20%左右"],
)
def test_approximate_percent_keeps_stated_number(raw):
    item = single(raw)
    assert item["entity"] == "percent"
    assert item["value"] == 20
    assert item["approx"] is True


# ----------------------------------------------------------------- revenue change


@pytest.mark.parametrize(
    "raw, value",
    [
        ("營業額掉了15%", -15),
        ("少了一成五", -15),
        ("衰退兩成", -20),
        ("減少20%", -20),
        ("營收下滑3成", -30),
        ("營收下降10%", -10),
        ("營業額少了7%", -7),
        ("营业额减少了两成", -20),
        ("營收減少百分之二十", -20),
        ("營收年減20%", -20),
        ("訂單掉了一半", -50),
        ("出口美國的訂單少了三成", -30),
        ("營收比去年同期減少了20%", -20),
        ("營收衰退比例達20%", -20),
        ("營收受關稅影響掉了兩成", -20),
        ("營收掉了5個百分點", -5),
        ("增加了20%", 20),
        ("營收成長兩成", 20),
        ("業績提高15%", 15),
        # comparative 多: the verb nearest the number decides, even after a negated 掉
        ("今年出貨比去年多出8%", 8),
        ("業績不但沒衰退反而多4%", 4),
        # level phrasings: the number is what is left
        ("營業額只剩八成", -20),
        ("剩下七成", -30),
        ("營收掉到八成", -20),
        ("營收下降至80%", -20),
        ("營收只有去年的七成", -30),
        ("營收成長到120%", 20),
    ],
)
def test_revenue_change_is_signed(raw, value):
    item = single(raw)
    assert item["entity"] == "revenue_change"
    assert item["value"] == value


@pytest.mark.parametrize(
    "raw, value, approx",
    [
        # a halving stated without a number
        ("營業額幾乎腰斬", -50, False),
        ("今年出貨量砍半", -50, False),
        ("營收減半了", -50, False),
        ("美國訂單快要腰斬", -50, True),
    ],
)
def test_halving_words_are_a_revenue_change(raw, value, approx):
    item = single(raw)
    assert (item["entity"], item["value"], item["approx"]) == ("revenue_change", value, approx)


@pytest.mark.parametrize("raw", ["利息減半", "手續費可以減半嗎", "保證費減半"])
def test_halving_of_a_rate_is_nothing(raw):
    assert extract(raw) == []


@pytest.mark.parametrize(
    "raw, value",
    [
        ("營收快掉了兩成", -20),
        ("營收掉了將近兩成", -20),
        ("營收大概掉了兩成", -20),
        ("營收掉了不到兩成", -20),
        ("營收衰退兩成以上", -20),
        ("營收下降到大約八成", -20),
    ],
)
def test_approximate_revenue_change(raw, value):
    item = single(raw)
    assert (item["entity"], item["value"], item["approx"]) == ("revenue_change", value, True)


@pytest.mark.parametrize(
    "raw, value",
    [
        ("營業額掉了15%能貸多少", -15),
        ("營業額掉了15%，能貸多少", -15),
        ("营业额掉了１５％，能贷多少", -15),
        ("營業額掉了15%利率多少", -15),
        ("營業額掉了15%補助多少", -15),
    ],
)
def test_revenue_question_yields_only_the_change(raw, value):
    assert [(e["entity"], e["value"]) for e in extract(raw)] == [("revenue_change", value)]


@pytest.mark.parametrize(
    "raw, value",
    [
        ("利率2.22%是固定的嗎", 2.22),
        ("利息2%", 2),
        ("年利率1.72%", 1.72),
        ("利率減碼0.5%", 0.5),
        ("減碼0.25%", 0.25),
        ("利率降了0.5%", 0.5),
        ("美國關稅提高到20%", 20),
        ("美國提高20%關稅", 20),
        ("保證成數九成", 90),
        ("補助50%", 50),
        ("自籌30%", 30),
        ("成本增加了30%", 30),
        ("營收有30%來自美國", 30),  # a share, no direction
        ("只有20%的營收來自美國", 20),
        ("營收15%", 15),  # revenue noun without a direction: unsigned
    ],
)
def test_rates_and_shares_stay_plain_percent(raw, value):
    item = single(raw)
    assert item["entity"] == "percent"
    assert item["value"] == value


# ----------------------------------------------------------------- amounts


@pytest.mark.parametrize(
    "raw, value, matched",
    [
        ("800萬", 800, "800萬"),
        ("1,000萬", 1000, "1,000萬"),
        ("一千萬", 1000, "一千萬"),
        ("兩千萬", 2000, "兩千萬"),
        ("两千万", 2000, "兩千萬"),
        ("1.5億", 15000, "1.5億"),
        ("一點五億", 15000, "一點五億"),
        ("50萬元", 50, "50萬元"),
        ("一百萬", 100, "一百萬"),
        ("3500萬", 3500, "3500萬"),
        ("100.1萬", 100.1, "100.1萬"),
        ("一百零一點五萬", 101.5, "一百零一點五萬"),
        ("兩百五十萬", 250, "兩百五十萬"),
        ("五千萬", 5000, "五千萬"),
        ("80萬", 80, "80萬"),
        ("3千5百萬", 3500, "3千5百萬"),
        ("1億2000萬", 12000, "1億2000萬"),
        # a lone digit after the last unit is the next lower unit
        ("營收大約三億二", 32000, "三億二"),
        ("2億5", 25000, "2億5"),
        ("兩萬五", 2.5, "兩萬五"),
        ("新台幣300萬元", 300, "新台幣300萬元"),
        ("1000000元", 100, "1000000元"),
        ("1,000,000元", 100, "1,000,000元"),
        ("NT$5,000,000", 500, "NT$5,000,000"),
        ("ＮＴ＄５,０００,０００", 500, "NT$5,000,000"),
        ("NT$ 300萬", 300, "NT$ 300萬"),
        ("五千元", 0.5, "五千元"),
        ("兩萬五千元", 2.5, "兩萬五千元"),
        ("5萬塊", 5, "5萬塊"),
        ("我想借800萬", 800, "800萬"),
        ("每月營收300萬", 300, "300萬"),
    ],
)
def test_amounts_in_wan(raw, value, matched):
    item = single(raw)
    assert item["entity"] == "amount"
    assert item["value"] == pytest.approx(value)
    assert item["text"] == matched


@pytest.mark.parametrize(
    "raw, value, approx",
    [
        ("借一千萬以內", 1000, True),
        ("800多萬", 800, True),
        ("最多可以借800萬", 800, True),
        ("借一千萬不夠", 1000, False),
    ],
)
def test_amount_bounds(raw, value, approx):
    item = single(raw)
    assert (item["entity"], item["value"], item["approx"]) == ("amount", value, approx)


@pytest.mark.parametrize("raw", ["100萬美元", "US$100萬", "100萬人民幣", "500萬日圓"])
def test_foreign_currency_is_not_an_amount(raw):
    assert extract(raw) == []


# ----------------------------------------------------------------- counts


@pytest.mark.parametrize(
    "raw, value",
    [
        ("員工80人", 80),
        ("員工有80人", 80),
        ("80個員工", 80),
        ("80名員工", 80),
        ("80位員工", 80),
        ("員工有80名", 80),
        ("員工八十人", 80),
        ("員工人數約50人", 50),
        ("我們公司80人", 80),
        ("僱用30名", 30),
        # bare 個人 / 位 with staff context
        ("工廠大概二十個人", 20),
        ("員工總共12位", 12),
        ("我一個人的公司可以申請嗎", 1),
    ],
)
def test_employees(raw, value):
    item = single(raw)
    assert (item["entity"], item["value"]) == ("employees", value)


@pytest.mark.parametrize(
    "raw, value",
    [("資本額5000萬", 5000), ("實收資本額1,000萬元", 1000), ("資本額是五千萬", 5000)],
)
def test_capital_not_amount(raw, value):
    item = single(raw)
    assert (item["entity"], item["value"]) == ("capital", value)


def test_capital_then_loan_amount():
    found = extract("資本額5000萬想借800萬")
    assert [(e["entity"], e["value"]) for e in found] == [("capital", 5000), ("amount", 800)]


def test_sentence_with_everything():
    found = extract("113年同期營收減少兩成，員工80人，資本額3000萬，想借一千萬，請問0800-280-280是哪裡")
    assert [(e["entity"], e["value"]) for e in found] == [
        ("revenue_change", -20),
        ("employees", 80),
        ("capital", 3000),
        ("amount", 1000),
    ]


# ----------------------------------------------------------------- traps


@pytest.mark.parametrize(
    "raw",
    [
        "0800-280-280",
        "0800280280",
        "02-27089055",
        "(02)2708-9055",
        "（02）2708-9055",
        "0912-345-678",
        "請撥0800-280-280",
        "114年8月7日",
        "2025年8月7日",
        "113年同期",
        "114年1至2月",
        "114年度",
        "2025/8/7",
        "6年",
        "7年",
        "6個月",
        "近3年",
        "兩年",
        "24小時",
        "下午3點",
        "措施7",
        "第3階段",
        "第二階段",
        "2家",
        "80人",
        "5000000",
        "統一成本",
        "一成不變",
        "公司成立10年",
        "十萬火急",
        "萬一",
        "千萬不要",
        "5G",
        "一個人也能申請嗎",
        "小數點後2位",
    ],
)
def test_traps_yield_nothing(raw):
    assert extract(raw) == []


@pytest.mark.parametrize(
    "raw",
    [
        "利率2.22%是固定的嗎",
        "114年8月7日營收掉了兩成嗎",
        "近3年營收",
        "專線0800-280-280",
        "(02)2708-9055找誰",
        "措施7的利率",
        "第3階段補助",
        "2家公司",
    ],
)
def test_traps_yield_no_amount_or_revenue_change(raw):
    kinds = {e["entity"] for e in extract(raw)}
    assert "amount" not in kinds
    if raw.startswith("114年"):
        assert kinds == {"revenue_change"}
    else:
        assert "revenue_change" not in kinds


def test_trap_next_to_a_real_number():
    found = extract("114年1至2月營收減少20%，近3年平均營業額1000萬")
    assert [(e["entity"], e["value"]) for e in found] == [
        ("revenue_change", -20),
        ("amount", 1000),
    ]


# ----------------------------------------------------------------- structure


@pytest.mark.parametrize(
    "raw",
    [
        "營業額掉了15%能貸多少",
        "一成五",
        "百分之十五",
        "新台幣300萬元",
        "15%~20%",
        "營收掉了10%到20%",
        "113年同期營收減少兩成，員工80人，想借一千萬",
    ],
)
def test_entities_never_overlap(raw):
    found = extract(raw)
    for left, right in zip(found, found[1:]):
        assert left["end"] <= right["start"]


def test_result_shape():
    (item,) = extract_numbers("營業額掉了15%")
    assert item == {
        "entity": "revenue_change",
        "value": -15.0,
        "start": 5,
        "end": 8,
        "text": "15%",
        "approx": False,
    }


@pytest.mark.parametrize(
    "expr, value",
    [
        ("1,000萬", 10_000_000),
        ("一點五億", 150_000_000),
        ("兩百五十", 250),
        ("三千五萬", 35_000_000),  # cn2an rejects it; mantissa x unit fallback
        ("15", 15),
        ("1億2000萬", 120_000_000),
        ("三億二", 320_000_000),  # cn2an reads 億<digit> as 10000000; next-lower-unit fallback
        ("萬", None),
    ],
)
def test_parse_number(expr, value):
    assert parse_number(expr) == value


def test_empty():
    assert extract_numbers("") == []


@pytest.mark.parametrize("raw", ["金融支持那一塊分到多少", "這一塊的補助怎麼算", "哪一塊比較多"])
def test_a_part_of_something_is_no_amount(raw):
    assert not [e for e in extract_numbers(raw) if e["entity"] == "amount"]


def test_one_kuai_alone_is_still_a_dollar():
    assert [e["value"] for e in extract_numbers("手續費一塊錢") if e["entity"] == "amount"] == [0.0001]
