"""Every phone number and figure in the deck must be in the built knowledge base, and every figure in the
knowledge base must come from the deck, so a transcription typo (3,600 for 3,500) cannot slip through."""

import json
import re
import sqlite3

import pytest

PHONE = re.compile(r"0800-\d{3}-\d{3}|0\d-\d{8}")
ROC_DATE = re.compile(r"(1\d\d)年(\d{1,2})月(\d{1,2})日")
AD_DATE = re.compile(r"20\d\d年\d{1,2}月\d{1,2}日")
PERIOD = re.compile(r"11\d年(?:同期|下半年月平均|1至2月平均)")
RANGE = re.compile(r"(\d+(?:\.\d+)?)\s*~\s*(\d+(?:\.\d+)?)\s*(成)")
FIGURE = re.compile(r"(\d[\d,]*(?:\.\d+)?)\s*(萬元|萬|億元|億|%|成|個月|年|個|家)")
UNIT = {"萬元": "萬", "萬": "萬", "億元": "億", "億": "億"}
# Counts the deck shows by listing rather than as a number with a unit (六面向, 措施1–14).
DERIVED = {(6.0, "個"), (14.0, "項")}


def deck_figures(text):
    text = text.replace("**", "")  # markdown bold: **3,500**萬元
    text = PHONE.sub(" ", text)
    text = AD_DATE.sub(" ", text)  # the deck's own date (2026年1月19日)
    text = ROC_DATE.sub(" ", text)
    text = PERIOD.sub(" ", text)
    found = set()
    for lo, hi, unit in RANGE.findall(text):
        found |= {(float(lo), unit), (float(hi), unit)}
    text = RANGE.sub(" ", text)
    for num, unit in FIGURE.findall(text):
        found.add((float(num.replace(",", "")), UNIT.get(unit, unit)))
    return found


def kb_figures(con):
    found = set()
    for value, value_min, unit, months, when in con.execute(
        "select value, value_min, unit, months, when_json from figures"
    ):
        found.add((value, UNIT.get(unit, unit)))
        if value_min is not None:
            found.add((value_min, UNIT.get(unit, unit)))
        if months:
            found.add((float(months), "個月"))
        for cond in (json.loads(when) if when else {}).values():
            for v in cond.values():
                if isinstance(v, (int, float)) and not isinstance(v, bool):
                    found.add((float(v), "萬"))
    for fact, value in con.execute("select fact, value_json from criteria"):
        v = json.loads(value)
        if fact == "revenue_change":
            found.add((abs(float(v)), "%"))
    return found


def test_every_deck_phone_number_is_a_hotline(deck_text, kb_path):
    con = sqlite3.connect(kb_path)
    numbers = {n for (n,) in con.execute("select number from hotlines")}
    deck_numbers = set(PHONE.findall(deck_text))
    assert len(deck_numbers) == 12
    assert deck_numbers - numbers == set()
    assert numbers - deck_numbers == set(), "a hotline in the knowledge base that the deck does not have"


def test_every_deck_figure_is_in_the_kb(deck_text, kb_path):
    missing = deck_figures(deck_text) - kb_figures(sqlite3.connect(kb_path))
    assert missing == set(), f"deck figures missing from the knowledge base: {sorted(missing)}"


def test_every_kb_figure_comes_from_the_deck(deck_text, kb_path):
    con = sqlite3.connect(kb_path)
    # figures citing another public source (中小企業認定標準) are checked by their citation (test_kb_build)
    stated = {
        (v, UNIT.get(u, u)) for v, u in con.execute("select value, unit from figures where source like 'deck › %'")
    }
    extra = stated - deck_figures(deck_text) - DERIVED
    assert extra == set(), f"figures not in the deck (typo?): {sorted(extra)}"


def test_deck_dates_and_periods_are_in_the_kb(deck_text, kb_path):
    con = sqlite3.connect(kb_path)
    rocs = {r for (r,) in con.execute("select roc from dates")} | {r for (r,) in con.execute("select roc from periods")}
    for m in ROC_DATE.finditer(deck_text):
        assert m.group(0) in rocs
    for p in PERIOD.findall(deck_text):
        assert p.replace("月平均", "月平均") in rocs or p in rocs, p


@pytest.mark.parametrize("typo", [("3,500", "3,600"), ("2.22%", "2.32%"), ("0800-089-921", "0800-089-912")])
def test_the_check_catches_a_typo(deck_text, kb_path, typo):
    """Guard against a coverage check that cannot fail: a deck with one figure changed must not pass."""
    con = sqlite3.connect(kb_path)
    changed = deck_text.replace(*typo)
    if PHONE.match(typo[1]):
        numbers = {n for (n,) in con.execute("select number from hotlines")}
        assert set(PHONE.findall(changed)) - numbers
    else:
        assert deck_figures(changed) - kb_figures(con)
