"""Personal data masked out of what the review queue, its exports and the exported tests show: phone numbers,
統一編號 (a firm's 8-digit business number) and e-mail addresses. Amounts are kept (800萬, 12345678元), and so are
the public toll-free hotlines (0800-…), which firms quote when they ask about them and the tests must keep.

    mask("我的手機0912-345-678，統編12345678") -> "我的手機〔電話〕，統編〔統編〕"

The placeholders are words (staff/labels.yml `mask`). Masking is by pattern, so it errs on the side of hiding:
any 8-digit number without a unit after it is taken for a 統一編號.
"""

from __future__ import annotations

import functools
import re

from staff import labels

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# mobile 09xx-xxx-xxx and landlines 0x(x)-xxx(x)-xxxx, with +886, (0x), spaces or dashes; no digit around them
# a unit after the digits makes them an amount (staff/labels.yml mask.units: 元, 萬 …), never personal data
_UNITS = "|".join(map(re.escape, labels.get("mask.amount_units")))
_DATES = "|".join(map(re.escape, labels.get("mask.date_units")))
_UNIT = rf"(?![\d.]|\s*(?:{_UNITS}|%))"
PHONE = re.compile(
    r"(?<![\d.])(?:"
    r"(?:\+?886[\s-]?|0)9\d{2}[\s-]?\d{3}[\s-]?\d{3}"
    r"|(?:\+?886[\s-]?\(?|\(?0)[2-8]\d{0,2}\)?[\s-]?\d{3,4}[\s-]?\d{4}"
    r")" + _UNIT
)
# 8 digits with no unit after them (萬, 元 … make it an amount) and no digit around them
BUSINESS_NO = re.compile(rf"(?<![\d.,)-])\d{{8}}(?![\d.,]|\s*(?:{_UNITS}|{_DATES}|%))")


# fullwidth digits and ＋－（）．＠ to ASCII, for matching; other characters (，：) are kept as typed
FULLWIDTH = {c: c - 0xFEE0 for c in [*range(0xFF10, 0xFF1A), 0xFF08, 0xFF09, 0xFF0B, 0xFF0D, 0xFF0E, 0xFF20]}


def _fold(text: str) -> str:
    return text.translate(FULLWIDTH)  # fullwidth digits (０９１２) are digits too; other characters are kept


def mask(text: str | None) -> str:
    if not text:
        return text or ""
    words = labels.get("mask")
    out = EMAIL.sub(words["email"], _fold(text))
    out = PHONE.sub(lambda m: m.group(0) if _kept(m.group(0)) else words["phone"], out)
    out = BUSINESS_NO.sub(words["business_no"], out)
    return out if out != _fold(text) else text


def _kept(found: str) -> bool:
    """Fewer than 9 digits is no Taiwanese phone number (a date, an amount); a hotline of the knowledge base is
    public (02-27089055)."""
    digits = "".join(c for c in found if c.isdigit())
    return len(digits) < 9 or digits in public_numbers()


@functools.lru_cache(maxsize=1)
def public_numbers() -> frozenset:
    """The digits of every hotline in the knowledge base (empty when it cannot be read)."""
    try:
        from knowledge.kb import default_kb

        return frozenset("".join(c for c in h["number"] if c.isdigit()) for h in default_kb().hotlines())
    except Exception:  # noqa: BLE001 -- no knowledge base: mask every number, which is the safe side
        return frozenset()


def mask_all(values) -> list:
    return [mask(v) for v in values or []]
