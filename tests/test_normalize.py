"""components.normalize: NFKC, guarded OpenCC s2twp, whitespace/control clean-up."""

import pytest

from components import normalize
from components.normalize import has_simplified, normalize_text, normalize_with_spans


@pytest.mark.parametrize(
    "raw, expected",
    [
        # the brief's example (NFKC folds the full-width comma to ',')
        ("营业额掉了30%，能贷多少", "營業額掉了30%,能貸多少"),
        ("营业额掉了１５％，能贷多少", "營業額掉了15%,能貸多少"),
        ("营业额减少了两成", "營業額減少了兩成"),
        ("我想借一千万", "我想借一千萬"),
        ("借１，０００万", "借1,000萬"),
        ("ＮＴ＄５,０００,０００", "NT$5,000,000"),
        ("资金周转", "資金週轉"),  # plain s2twp: 周转 -> 週轉
        ("U盘坏了", "隨身碟壞了"),  # Taiwan phrasing from s2twp
        ("出口美国的订单少了三成", "出口美國的訂單少了三成"),
    ],
)
def test_simplified_and_full_width(raw, expected):
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    "text",
    [
        "營業額",
        "貸款",
        "週轉",
        "周轉",  # s2twp would leave it too; both spellings are in the lexicon
        "台灣",  # s2twp alone would write 臺灣
        "臺灣",
        "台北時間",
        "設備",  # s2twp alone: 裝置
        "諮詢窗口",  # s2twp alone: 諮詢視窗
        "金融支持",  # s2twp alone: 金融支援
        "AI應用導入",  # s2twp alone: AI應用匯入
        "補助項目",  # s2twp alone: 補助專案
        "聯繫窗口",
        "機台汰換",  # s2twp alone: 機臺
        "營業額掉了30%,能貸多少",
        "中小企業輸美實績",
    ],
)
def test_traditional_text_is_left_alone(text):
    assert not has_simplified(text)
    assert normalize_text(text) == text


def test_plain_s2twp_would_rewrite_traditional_words():
    """Documents why normalize_text does not run s2twp on Traditional text."""
    converter = normalize._opencc("s2twp")
    assert converter.convert("台灣") == "臺灣"
    assert converter.convert("設備") == "裝置"
    assert converter.convert("窗口") == "視窗"
    assert converter.convert("周轉") == "周轉"


@pytest.mark.parametrize(
    "raw, expected",
    [
        # Simplified input: domain words keep their lexicon spelling, 台 stays 台
        ("我想买设备", "我想買設備"),
        ("买设备可以补多少", "買設備可以補多少"),
        ("台湾的厂商", "台灣的廠商"),
        ("机台汰换", "機台汰換"),
        ("联系窗口是哪个", "聯絡窗口是哪個"),  # 联系 -> 聯絡 (a lexicon word too)
        ("AI导入补助", "AI導入補助"),
        # mixed text (one Simplified character) is converted as a whole, guarded
        ("營業额掉了两成 設備", "營業額掉了兩成 設備"),
    ],
)
def test_simplified_input_keeps_domain_terms(raw, expected):
    assert has_simplified(raw)
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("  a\u200bb\tc\n\nd  ", "ab c d"),
        ("營業額\r\n掉了\u3000兩成", "營業額 掉了 兩成"),
        ("\ufeff借800萬\x00", "借800萬"),
        ("a\u00adb", "ab"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_whitespace_and_control_characters(raw, expected):
    assert normalize_text(raw) == expected


@pytest.mark.parametrize(
    "raw, expected",
    [
        # CJK punctuation that NFKC leaves alone
        ("好。請問、「措施」『一』《二》⋯", "好。請問、「措施」『一』《二》⋯"),
        # full-width punctuation folded to ASCII, still punctuation
        ("能貸多少？可以！時間：上午；（註）～", "能貸多少?可以!時間:上午;(註)~"),
        ("０８００－２８０－２８０", "0800-280-280"),
        ("１５．５％", "15.5%"),
        # category No (circled/superscript digits, fractions) is not folded into digits
        ("②500萬", "②500萬"),
        ("10²", "10²"),
        ("½", "½"),
        # compatibility ideograph -> unified ideograph
        ("\uf900", "\u8c48"),
    ],
)
def test_nfkc_punctuation(raw, expected):
    assert normalize_text(raw) == expected


def test_converter_is_a_lazy_singleton():
    normalize_text("营业额")
    first = normalize._opencc("s2twp")
    normalize_text("贷款")
    assert normalize._opencc("s2twp") is first


@pytest.mark.parametrize(
    "raw, spans, expected_text, expected_pieces",
    [
        ("我想借８００万", [(3, 7)], "我想借800萬", ["800萬"]),
        ("U盘坏了 想借800万", [(0, 2), (7, 11)], "隨身碟壞了 想借800萬", ["隨身碟", "800萬"]),
        ("  營業額   掉了 [兩成]", [(2, 5), (12, 14)], "營業額 掉了 [兩成]", ["營業額", "兩成"]),
        ("借 一千萬 ", [(1, 6)], "借 一千萬", ["一千萬"]),
    ],
)
def test_normalize_with_spans(raw, spans, expected_text, expected_pieces):
    text, new_spans = normalize_with_spans(raw, spans)
    assert text == expected_text
    assert [text[a:b] for a, b in new_spans] == expected_pieces


@pytest.mark.parametrize("raw", ["营业额掉了１５％，能贷多少", "營業額  掉了", "U盘坏了"])
def test_normalize_with_spans_without_spans_equals_normalize_text(raw):
    assert normalize_with_spans(raw)[0] == normalize_text(raw)
