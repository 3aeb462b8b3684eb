"""Numbers typed into the calculator's fields, read by the bot's own number reader (components/numbers.py).

A field has a unit (percent, amount in 萬元, count). What staff type is normalised like a firm's message
(NFKC, Simplified→Traditional), then:
- a number with its own unit (15%, 一成五, 八百萬, 1.5億, 1000000元) is read by `extract_numbers`, and must be of
  the field's unit (800萬 is no percentage);
- a bare number (15, 八百, 三) is in the field's unit, read by `parse_number`;
- a leading sign or a direction word (掉了15%) is kept as the sign, for the revenue field to check against the
  direction chosen.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.normalize import normalize_text
from components.numbers import AMOUNT, PERCENT, REVENUE_CHANGE, extract_numbers, parse_number
from staff import labels

PERCENT_UNIT, AMOUNT_UNIT, COUNT_UNIT = "percent", "amount", "count"
ENTITIES = {PERCENT_UNIT: {PERCENT, REVENUE_CHANGE}, AMOUNT_UNIT: {AMOUNT}, COUNT_UNIT: set()}
MINUS = str.maketrans({"\u2212": "-", "\u2013": "-", "\u2014": "-"})


@dataclass
class Reading:
    value: float | None = None  # the magnitude, in the field's unit
    sign: int = 0  # -1 / +1 when the text says so (-15, 掉了15%), 0 otherwise
    error: str | None = None


def read(raw: str, unit: str) -> Reading:
    text = normalize_text(raw or "").translate(MINUS).strip()
    sign = {"-": -1, "+": 1}.get(text[:1], 0)
    body = text.lstrip("+-").strip()
    if unit == COUNT_UNIT:
        for suffix in labels.get("calc.count_suffixes"):
            if body.endswith(suffix):
                body = body[: -len(suffix)].strip()
                break
    example = labels.get("calc.examples")[unit]
    if not body:
        return Reading(error=labels.get("calc.errors.not_a_number", raw=raw, example=example))
    found = extract_numbers(body)
    wanted = [e for e in found if e["entity"] in ENTITIES[unit]]
    if len(found) > 1:
        return Reading(error=labels.get("calc.errors.several_numbers", raw=raw))
    if found and not wanted:
        return Reading(error=labels.get("calc.errors.wrong_unit", raw=raw, unit=labels.get("calc.units")[unit]))
    if wanted:
        value = wanted[0]["value"]
        if wanted[0]["entity"] == REVENUE_CHANGE and value:
            sign = sign or (1 if value > 0 else -1)
        return Reading(abs(value), sign)
    value = parse_number(body)
    if value is None:
        return Reading(error=labels.get("calc.errors.not_a_number", raw=raw, example=example))
    if value < 0:  # cn2an read a sign we did not see (「負15」)
        sign, value = -1, -value
    return Reading(value, sign)
