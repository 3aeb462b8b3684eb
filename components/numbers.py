"""Rule-based number extraction for normalised (Traditional, NFKC) user text.

``extract_numbers(text)`` returns a list of dicts, in text order, never two for the
same characters::

    {"entity": "percent" | "revenue_change" | "amount" | "employees" | "capital",
     "value": float, "start": int, "end": int, "text": text[start:end],
     "approx": bool}

Run it on the output of :func:`components.normalize.normalize_text` (ASCII digits and
``%``, Traditional characters: 萬/億/兩, not 万/亿/两).

Units and values
----------------
* ``percent`` -- 15%, 15 %, 15趴, 百分之十五, 百分之15, 15個百分點 -> 15.  成 counts
  tenths: 一成五 -> 15, 兩成 -> 20, 1成 -> 10, 九成九 -> 99 (only for 0 < n <= 10 and
  not in words like 成本/成立/成功/一成不變).  一半 -> 50.
* ``revenue_change`` -- a percentage whose clause has a direction word (lexicon
  ``revenue.down``/``revenue.up`` and ``numbers.down``/``numbers.up``: 年減/年增/跌幅 ...), signed:
  營業額掉了15% -> -15, 增加了20% -> +20.  "Level" phrasings give the change from
  100%: 只剩八成/剩下七成 -> -20/-30, 掉到八成/下降至80% -> -20, 成長到120% -> +20.
  A percentage that follows a rate/fee/subsidy/tariff word (利率, 利息, 減碼, 保證成數,
  補助, 關稅 ...; lexicon ``aspects`` rate/rate_cut/guarantee/fee/self_funding), whose
  direction verb belongs to such a word (利率降了0.5%), or that is followed by one
  (20%關稅) stays a plain ``percent``.  So does a revenue noun without a direction
  (營收有30%來自美國 is a share, not a change), or a percentage followed by a revenue
  noun (只有20%的營收...).  腰斬/砍半/減半 with no number state a halving: -50
  (營收腰斬 -> -50), unless their subject is a rate word (利息減半: nothing).
* ``amount`` -- New Taiwan dollars, value in 萬元: 800萬 -> 800, 1.5億 -> 15000,
  兩百五十萬 -> 250, 1000000元 -> 100, NT$5,000,000 -> 500, 新台幣300萬元 -> 300.
  A lone digit after the last unit is the next lower unit, as people say it:
  一億五 -> 15000 (1.5億), 三千五 -> 3500, 兩萬五 -> 2.5.
  A bare number needs 萬/億, 元/塊, or an NT$/NTD/新台幣/台幣 prefix.  Amounts in a
  foreign currency (100萬美元, 人民幣, 日圓 ...) are not reported (no exchange rate).
  Any NTD figure is an ``amount`` -- 營收800萬 included; only capital is told apart.
* ``capital`` -- an amount whose nearest keyword in the clause is 資本額/實收資本額/
  資本/股本 (資本額5000萬 -> 5000).
* ``employees`` -- 員工80人, 員工有80名, 80個員工, 80名員工, 80位員工 -> 80.  A bare
  80人 / 80個人 / 80名 / 80位 only counts with 員工/僱用/公司/工廠/規模 nearby (same clause).

Approximate numbers (decision)
------------------------------
快兩成, 將近兩成, 約兩成, 大概20%, 超過20%, 不到兩成, 兩成多, 800多萬, 一千萬以內 ...
keep the *stated* number as the value (20, 800, 1000) and set ``"approx": True``.  The
flag means "hedged or a bound", not "less than"; callers that compare against a
threshold (e.g. 營業額減少 >= 10%) can ask the user when it matters.

Not numbers here
----------------
Phone numbers (0800-280-280, 02-27089055, (02)2708-9055, 0912345678), dates
(114年8月7日, 2025/8/7, 113年同期, 114年1至2月), durations (6年, 6個月), 近3年,
ordinals (措施7, 第3階段), counts of other things (2家), idioms (十萬火急, 一成不變),
and numbers without a unit yield nothing.  ``d,ddd`` is read as a thousands separator
(so the clause break in 80，500萬 is misread as 80500萬).

cn2an (0.5.24) notes
--------------------
``cn2an.cn2an(s, "smart")`` parses Chinese and mixed numerals (兩千萬, 3千5百萬,
1億2000萬, 兩萬五 -> 25000, 三千五 -> 3500), but: ``strict`` rejects 兩; every mode
rejects 點 before a unit (一點五億, 一百點一萬), bare 萬/千萬/百萬, 成 and 百分之, and
commas (1,000); it returns ``float`` for Arabic input ("15" -> 15.0) and ``int``
otherwise; digit strings read digit by digit (一二三 -> 123).  So Arabic numbers (with
an optional 十/百/千/萬/億 unit) are parsed here with ``Decimal``, cn2an gets the rest,
a failing ``<mantissa><萬|億>`` is retried as mantissa x unit, and a failing
``<number><unit><digit>`` (一億五: cn2an says 10000000) as number + digit x unit/10.
"""

from __future__ import annotations

import functools
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from components.normalize import load_lexicon

PERCENT = "percent"
REVENUE_CHANGE = "revenue_change"
AMOUNT = "amount"
EMPLOYEES = "employees"
CAPITAL = "capital"

# --------------------------------------------------------------------------- words

# Every word kind lives in knowledge/lexicon.yml: ``revenue`` (nouns, down, up: shared with the action-side reader)
# and ``numbers`` (the reader's own kinds: level, rate, approx, neutral, reset, staff, capital, loan).
_KINDS = ("noun", "down", "up", "level", "rate", "approx", "neutral", "reset", "staff", "capital", "loan")

# when a word is listed under several kinds, the first kind here wins
_KIND_PRIORITY = (
    "neutral",
    "rate",
    "capital",
    "level",
    "down",
    "up",
    "approx",
    "reset",
    "staff",
    "loan",
    "noun",
)
_RATE_ASPECTS = ("rate", "rate_cut", "guarantee", "fee", "self_funding")


@functools.lru_cache(maxsize=1)
def _vocabulary() -> tuple[re.Pattern[str], dict[str, str]]:
    """One longest-first regex over every keyword, and word -> kind."""
    return vocabulary_from(load_lexicon())


def vocabulary_from(lexicon: dict[str, Any]) -> tuple[re.Pattern[str], dict[str, str]]:
    revenue = lexicon.get("revenue") or {}
    extra = lexicon.get("numbers") or {}
    aspects = lexicon.get("aspects") or {}
    words: dict[str, list[str]] = {kind: list(extra.get(kind) or []) for kind in _KINDS}
    words["noun"] = list(revenue.get("nouns") or []) + words["noun"]
    words["down"] = list(revenue.get("down") or []) + words["down"]
    words["up"] = list(revenue.get("up") or []) + words["up"]
    for aspect in _RATE_ASPECTS:
        # 利率, 減碼, 保證成數, 手續費, 自籌 ... (question phrases like 幾趴 are harmless)
        words["rate"] += [w for w in aspects.get(aspect) or [] if isinstance(w, str)]
    kinds: dict[str, str] = {}
    for kind in _KIND_PRIORITY:
        for word in words[kind]:
            if isinstance(word, str) and word and word not in kinds:
                kinds[word] = kind
    pattern = re.compile("|".join(re.escape(w) for w in sorted(kinds, key=len, reverse=True)))
    return pattern, kinds


def _keywords(text: str, start: int, end: int) -> list[tuple[int, int, str, str]]:
    """Keywords in text[start:end] as (start, end, word, kind), left to right."""
    pattern, kinds = _vocabulary()
    return [(m.start(), m.end(), m.group(), kinds[m.group()]) for m in pattern.finditer(text, start, end)]


# --------------------------------------------------------------------------- patterns

_CN_DIGITS = "零〇一二兩三四五六七八九"
# numerals that may stand in a count or an amount (員工五十人, 資本額兩千萬), for patterns built elsewhere
NUMERAL_CHARS = "一二兩三四五六七八九十百千萬"
# a count of firms in one character: 兩家, 單家, 3家 is read as digits
_SMALL_COUNTS = {
    "一": 1,
    "單": 1,
    "兩": 2,
    "二": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
    "十": 10,
}
COUNT_CHARS = "".join(_SMALL_COUNTS)


def small_count(word: str) -> int | None:
    """「3」 -> 3, 「兩」 -> 2, 「單」 -> 1; None for anything else."""
    return int(word) if word.isdigit() else _SMALL_COUNTS.get(word)


# a date the firm names: 「114年7月」「2025年9月15日」「9月」 (ROC years below 1000)
_DATE = re.compile(r"(?:(\d{2,4})\s*年\s*)?(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日號])?")


def find_date(text: str) -> tuple[int | None, int, int | None, str] | None:
    """The first date named in text as (year or None, month, day or None, the words), or None."""
    m = _DATE.search(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return None
    year = int(m.group(1)) if m.group(1) else None
    return year, int(m.group(2)), int(m.group(3)) if m.group(3) else None, m.group(0).strip()


# where a clause ends, for readers that look back within one (「需要每家都有…嗎」)
CLAUSE_END = re.compile(r"[，,。；;！!？?\n]")
_ARABIC = r"[0-9]+(?:,[0-9]{3})+(?![0-9])(?:\.[0-9]+)?|[0-9]+(?:\.[0-9]+)?"
_NUM = re.compile(
    rf"(?:{_ARABIC}|[{_CN_DIGITS}十])"
    rf"(?:{_ARABIC}|[{_CN_DIGITS}十百千萬億]|點(?=[{_CN_DIGITS}0-9]))*"
)
# clause breaks ('.' and ',' between digits are skipped in _clause_bounds)
_CLAUSE_BREAK = re.compile(r"[,.;!?。，、;；！？\n:：()（）「」『』~]")
_TRAPS = [
    # phone numbers
    re.compile(r"\(0[0-9]{1,3}\)\s?[0-9]{3,4}-?[0-9]{3,4}"),
    re.compile(r"(?<![0-9])0[0-9]{1,3}-[0-9]{3,4}-?[0-9]{3,4}(?![0-9])"),
    re.compile(r"(?<![0-9])0[0-9]{8,10}(?![0-9])"),
    re.compile(r"(?<![0-9])[0-9]{2,4}-[0-9]{3,4}-[0-9]{3,4}(?![0-9])"),
    # dates and periods
    re.compile(
        r"[0-9]{2,4}\s?年"
        r"(?:\s?[0-9]{1,2}\s?(?:至|到|~|-)?\s?[0-9]{0,2}\s?月(?:\s?[0-9]{1,2}\s?[日號])?)?"
    ),
    re.compile(r"[0-9]{1,2}\s?月\s?[0-9]{1,2}\s?[日號]"),
    re.compile(r"(?<![0-9])[0-9]{2,4}[/.-][0-9]{1,2}[/.-][0-9]{1,2}(?![0-9])"),
    re.compile(rf"[0-9{_CN_DIGITS}十]+\s?(?:個)?\s?(?:月|週|周|星期|天|日|小時|分鐘|季|年度|年)"),
    # ordinals and labels
    re.compile(rf"第\s?[0-9{_CN_DIGITS}十百]+"),
    re.compile(r"(?:措施|方案|階段|第)\s?[0-9]+"),
    # idioms
    re.compile(rf"十萬火急|一成不變|(?<![0-9{_CN_DIGITS}十百千])(?:萬一|千萬別|千萬不)"),
]
_NT_PREFIX = re.compile(r"(?:NT\s?\$|NTD|NT|新台幣|新臺幣|台幣|臺幣)\s?$")
_FOREIGN_PREFIX = re.compile(r"(?:US\s?\$|USD|RMB|人民幣|美金|美元|日幣|日圓|歐元)\s?$")
_FOREIGN_SUFFIX = re.compile(r"\s?(?:美元|美金|USD|US\$|人民幣|RMB|日圓|日元|日幣|歐元|港幣|韓元)")
_YUAN = re.compile(r"(?:元(?!旦)|塊錢|塊|圓)")
_PART_OF = ("那", "這", "哪", "某")  # 「那一塊」「這一塊」 is a part, 「一塊」 alone NT$1
# a halving stated without a number (營收腰斬): a -50 revenue change
_HALVED = re.compile(r"腰斬|砍半|減半")
_BIG_UNIT = {"萬": Decimal(10) ** 4, "億": Decimal(10) ** 8}
_SMALL_UNIT = {"十": Decimal(10), "百": Decimal(100), "千": Decimal(1000)}
# character after 成 that makes a word (成本, 成立 ...), not tenths
_CHENG_WORDS = set("本立功交為員效果熟品就績型年人全分份語群敗形")
_ONE_WORDS = set("統唯單同萬第之逐專純均")


# --------------------------------------------------------------------------- parsing


def parse_number(expr: str) -> float | None:
    """Value of an Arabic/Chinese numeral with optional 十百千萬億 units, or None.

    ``"1,000萬"`` -> 10000000, ``"一點五億"`` -> 150000000, ``"兩百五十"`` -> 250.
    """
    value = _parse_decimal(expr.replace(",", ""))
    return None if value is None else float(value)


def _parse_decimal(s: str) -> Decimal | None:
    if not s:
        return None
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)([十百千]?)([萬億]?)", s)
    if m:
        value = Decimal(m.group(1))
        if m.group(2):
            value *= _SMALL_UNIT[m.group(2)]
        if m.group(3):
            value *= _BIG_UNIT[m.group(3)]
        return value
    try:
        import cn2an

        return Decimal(str(cn2an.cn2an(s, "smart")))
    except (ValueError, KeyError, IndexError, TypeError, InvalidOperation):
        pass
    # cn2an refuses a decimal before a unit (一點五億, 一百點一萬, 三千五萬)
    m = re.fullmatch(r"(.+?)([十百千]?)([萬億])", s)
    if m and m.group(1) != s:
        mantissa = _parse_decimal(m.group(1))
        if mantissa is not None:
            value = mantissa * _BIG_UNIT[m.group(3)]
            if m.group(2):
                value *= _SMALL_UNIT[m.group(2)]
            return value
    # a lone trailing digit is the next lower unit (一億五 = 1.5億); cn2an misreads 億<digit>
    m = re.fullmatch(rf"(.+[百千萬億])([{_CN_DIGITS[2:]}1-9])", s)
    if m:
        head, digit = _parse_decimal(m.group(1)), _parse_decimal(m.group(2))
        if head is not None and digit is not None:
            unit = {**_SMALL_UNIT, **_BIG_UNIT}[m.group(1)[-1]]
            return head + digit * unit / 10
    return None


def _round(value: Decimal) -> float:
    return float(round(value, 6)) + 0.0


# --------------------------------------------------------------------------- helpers


def _clause_bounds(text: str, start: int, end: int) -> tuple[int, int]:
    """Start and end of the clause around text[start:end]."""
    left = 0
    for m in _CLAUSE_BREAK.finditer(text, 0, start):
        if not _is_numeric_punct(text, m.start()):
            left = m.end()
    right = len(text)
    for m in _CLAUSE_BREAK.finditer(text, end):
        if not _is_numeric_punct(text, m.start()):
            right = m.start()
            break
    return left, right


def _is_numeric_punct(text: str, i: int) -> bool:
    """A '.' or ',' between digits (decimal point / thousands separator)."""
    return text[i] in ".," and 0 < i < len(text) - 1 and text[i - 1].isdigit() and text[i + 1].isdigit()


def _approx(text: str, start: int, end: int, clause_start: int, clause_end: int) -> bool:
    # 快兩成, 大概掉了兩成, 超過20%: an approx word shortly before, same clause
    if any(k[3] == "approx" for k in _keywords(text, max(clause_start, start - 5), start)):
        return True
    right = text[end:clause_end]
    return bool(re.match(r"\s?(?:多(?!少)|左右|上下|以上|以下|以內|之內|出頭|不到|不足|附近)", right))


def _percent_kind(
    text: str, start: int, end: int, value: float, clause_start: int, clause_end: int
) -> tuple[str, float]:
    """('percent', v) or ('revenue_change', signed v) for the percentage text[start:end]."""
    left = [
        k
        for k in _keywords(text, max(clause_start, start - 30), start)
        if k[3] not in ("approx", "neutral", "staff", "loan", "capital")
    ]
    # followed by a rate word (提高20%關稅) or a revenue noun (只有20%的營收: a share);
    # only without a revenue noun on the left (營業額掉了15%補助多少 is a change)
    right = re.sub(r"^\s?(?:多(?!少)|左右|上下|以上|以下)?\s?的?", "", text[end:clause_end])
    right_kw = _keywords(right, 0, min(len(right), 6))
    has_left_noun = any(k[3] == "noun" for k in left)
    if not has_left_noun and right_kw and right_kw[0][0] == 0 and right_kw[0][3] in ("rate", "noun"):
        return PERCENT, value
    if left and left[-1][3] == "rate":
        return PERCENT, value
    verbs = [i for i, k in enumerate(left) if k[3] in ("down", "up", "level")]
    if not verbs:
        # a direction word straight after the number: 營收兩成下滑
        if right_kw and right_kw[0][0] == 0 and right_kw[0][3] in ("down", "up"):
            sign = -1.0 if right_kw[0][3] == "down" else 1.0
            return REVENUE_CHANGE, sign * value
        return PERCENT, value
    v = verbs[-1]
    # who is the subject of the verb: nearest noun before it, up to a reset word
    for k in reversed(left[:v]):
        if k[3] == "reset":
            break
        if k[3] == "rate":
            return PERCENT, value
        if k[3] == "noun":
            break
    v_start, v_end, word, kind = left[v]
    between = text[v_end:start]
    if kind == "level" or word.endswith(("到", "至", "剩")) or re.match(r"^了?\s?(?:到|至|剩)", between):
        return REVENUE_CHANGE, value - 100.0
    return REVENUE_CHANGE, (-value if kind == "down" else value)


def _last_kind(text: str, start: int, clause_start: int, kinds: tuple[str, ...], window: int) -> str | None:
    """Kind of the nearest keyword (among the interesting ones) before ``start``."""
    for k in reversed(_keywords(text, max(clause_start, start - window), start)):
        if k[3] in kinds:
            return k[3]
    return None


# --------------------------------------------------------------------------- extraction


def _candidate(text: str, m: re.Match[str]) -> dict[str, Any] | None:
    """Reads the number at ``m`` with its unit; returns a result dict or None."""
    expr = m.group()
    start, end = m.start(), m.end()
    # 統一成本, 唯一, 同一: the 一 is part of a word
    if expr in ("一",) and start > 0 and text[start - 1] in _ONE_WORDS:
        return None
    rest = text[end:]
    prefix = text[max(0, start - 8) : start]

    # 百分之十五 / 百分之15
    if prefix.endswith("百分之"):
        value = parse_number(expr)
        if value is None:
            return None
        return _result(text, PERCENT, value, start - 3, end)

    # 一半 -> 50 (營收少了一半)
    if expr == "一" and rest.startswith("半"):
        return _result(text, PERCENT, 50.0, start, end + 1)

    # 15% / 15 % / 15趴 / 5個百分點
    pm = re.match(r"\s?%|趴|個?百分點", rest)
    if pm:
        value = parse_number(expr)
        if value is None:
            return None
        return _result(text, PERCENT, value, start, end + pm.end())

    # 一成五 / 兩成 / 1成 / 1.5成
    if rest.startswith("成") and not re.search("[百千萬億]", expr):
        after = rest[1:2]
        if after in _CHENG_WORDS or rest.startswith("成不變"):
            return None
        value = parse_number(expr)
        if value is None or not 0 < value <= 10:
            return None
        tenths = 0.0
        stop = end + 1
        dm = re.match(rf"([{_CN_DIGITS}]|[0-9])(?![0-9{_CN_DIGITS}十百千萬億點.])", rest[1:])
        if dm and not re.match(r"[一二兩三四五六七八九0-9](?:個|名|位|人|年|月|天|家|成)", rest[1:]):
            digit = parse_number(dm.group(1))
            if digit is not None and value == int(value) and 0 <= digit <= 9:
                tenths = digit
                stop += 1
        return _result(text, PERCENT, value * 10 + tenths, start, stop)

    # counts: 80人 / 80名 / 80位 / 80個員工 (also 800多人); 30個人 and 50位 need staff context
    cm = re.match(r"(多)?(?:(?:個|名|位)(?:正職)?(員工|職員|工人|同仁|從業人員|勞工)|(個?人|名|位))", rest)
    if cm:
        value = parse_number(expr)
        if value is None:
            return None
        stop = end + cm.end()
        if cm.group(2) or _is_staff_context(text, start, stop):
            return _result(text, EMPLOYEES, value, start, stop, approx=bool(cm.group(1)))
        return None

    # amounts
    approx_mid = False
    has_big = bool(re.search("[萬億]", expr))
    value_expr = expr
    stop = end
    um = re.match(r"多([千百]?[萬億])?", rest)
    if um and (um.group(1) or _YUAN.match(text, end + 1)):  # 800多萬, 5000多元
        if um.group(1) and not has_big:
            value_expr = expr + um.group(1)
            has_big = True
        stop = end + um.end()
        approx_mid = True
    ym = _YUAN.match(text, stop)
    span_start = start
    nt = _NT_PREFIX.search(prefix)
    if _FOREIGN_PREFIX.search(prefix) or _FOREIGN_SUFFIX.match(text, stop):
        return None
    if not (has_big or ym or nt):
        return None
    if ym and ym.group(0) == "塊" and not (has_big or nt) and text[max(0, start - 1) : start] in _PART_OF:
        return None  # 「金融支持那一塊」: a part of something, not NT$1
    if ym:
        stop = ym.end()
    if nt:
        span_start = start - (len(prefix) - nt.start())
    value = _parse_decimal(value_expr.replace(",", ""))
    if value is None:
        return None
    in_wan = _round(value / Decimal(10000))
    clause_start, _ = _clause_bounds(text, start, stop)
    kind = _last_kind(text, span_start, clause_start, ("capital", "loan", "noun", "staff"), 12)
    entity = CAPITAL if kind == "capital" else AMOUNT
    return _result(text, entity, in_wan, span_start, stop, approx=approx_mid)


def _is_staff_context(text: str, start: int, stop: int) -> bool:
    clause_start, clause_end = _clause_bounds(text, start, stop)
    if _last_kind(text, start, clause_start, ("staff", "noun", "capital", "rate"), 10) == "staff":
        return True
    return bool(re.match(r"(?:左右|上下)?的?(?:公司|工廠|企業|規模|員工)", text[stop:clause_end]))


def _result(text: str, entity: str, value: float, start: int, end: int, approx: bool = False) -> dict[str, Any]:
    return {
        "entity": entity,
        "value": float(value) + 0.0,
        "start": start,
        "end": end,
        "text": text[start:end],
        "approx": approx,
    }


def _trap_spans(text: str) -> list[tuple[int, int]]:
    spans = []
    for pattern in _TRAPS:
        spans.extend((m.start(), m.end()) for m in pattern.finditer(text) if m.end() > m.start())
    return spans


def extract_numbers(text: str) -> list[dict[str, Any]]:
    """Percentages, revenue changes, NTD amounts (萬), employees and capital in ``text``."""
    if not text:
        return []
    traps = _trap_spans(text)
    results: list[dict[str, Any]] = []
    pos = 0
    while True:
        m = _NUM.search(text, pos)
        if m is None:
            break
        trap_end = next((b for a, b in traps if a <= m.start() < b), None)
        if trap_end is not None:
            # a unit-bearing number may start right after a date/duration prefix
            pos = max(trap_end, m.start() + 1)
            continue
        found = _candidate(text, m)
        if found is None:
            pos = m.end()
            continue
        if any(a < found["end"] and found["start"] < b for a, b in traps):
            pos = m.end()
            continue
        if results and found["start"] < results[-1]["end"]:
            pos = m.end()
            continue
        clause_start, clause_end = _clause_bounds(text, found["start"], found["end"])
        if found["entity"] == PERCENT:
            entity, value = _percent_kind(text, found["start"], found["end"], found["value"], clause_start, clause_end)
            found["entity"], found["value"] = entity, float(value) + 0.0
        found["approx"] = found["approx"] or _approx(text, found["start"], found["end"], clause_start, clause_end)
        results.append(found)
        pos = found["end"]
    halvings = [h for h in _halvings(text) if not any(a < h["end"] and h["start"] < b for a, b in traps)]
    for h in halvings:
        if not any(r["start"] < h["end"] and h["start"] < r["end"] for r in results):
            results.append(h)
    return sorted(results, key=lambda r: r["start"]) if halvings else results


def _halvings(text: str) -> list[dict[str, Any]]:
    """營收腰斬 / 訂單被砍半 -> revenue_change -50, unless a rate word is the subject (利息減半)."""
    found = []
    for m in _HALVED.finditer(text):
        clause_start, clause_end = _clause_bounds(text, m.start(), m.end())
        if _last_kind(text, m.start(), clause_start, ("noun", "rate", "reset"), 30) == "rate":
            continue
        item = _result(text, REVENUE_CHANGE, -50.0, m.start(), m.end())
        item["approx"] = _approx(text, m.start(), m.end(), clause_start, clause_end)
        found.append(item)
    return found
