"""What one message says, read with the knowledge base's own words.

DIET gives the intent and entity spans; this module adds a deterministic reading of the same text with the
KB's aliases and lexicon, so a measure the firm names is never lost to a low-confidence prediction.
Longer phrases win over the shorter phrases they contain (非中小微企業 beats 中小微企業).
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from components.normalize import normalize_text

# 「兩家一起申請」「3家聯合」: how many firms apply together.
_CN_DIGITS = {"一": 1, "單": 1, "兩": 2, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
_APPLICANTS = re.compile(r"([0-9]+|[一單兩二三四五六七八九十])\s*家(?:公司|企業|廠商)?\s*(?:一起|聯合|共同|合作)?")
_JOINT = re.compile(r"聯合申請|一起申請|共同申請|多家")
_SINGLE = re.compile(r"單一企業|單家|單獨申請|自己申請")


NEGATIVE = (False, "none")


@dataclass
class Reading:
    text: str
    measures: list = field(default_factory=list)      # measure ids named, in order of appearance
    topics: list = field(default_factory=list)        # measure ids implied by a topic word (貸款 → loans)
    aspects: list = field(default_factory=list)       # what is asked: amount, rate, hotline ...
    hotlines: list = field(default_factory=list)      # hotline ids named (信保基金 → smeg)
    facts: dict = field(default_factory=dict)         # size, factory_type, purpose, us_export_3y ...
    out_of_scope: bool = False                        # 房屋貸款, 股票 ... (lexicon.yml out_of_scope)

    @property
    def has_content(self) -> bool:
        return bool(self.measures or self.topics or self.aspects or self.hotlines or self.facts)


def _spans(text: str, phrases: list) -> list:
    """Non-overlapping matches, longest phrase first: [(start, end, payload)]."""
    taken = [False] * len(text)
    found = []
    for phrase, payload in sorted(phrases, key=lambda p: -len(p[0])):
        if not phrase:
            continue
        start = 0
        needle = phrase.lower()
        hay = text.lower()
        while (i := hay.find(needle, start)) >= 0:
            j = i + len(phrase)
            if not any(taken[i:j]):
                taken[i:j] = [True] * (j - i)
                found.append((i, j, payload))
            start = j
    return sorted(found)


def _negated(text: str, start: int, negations: list) -> bool:
    before = text[max(0, start - 3):start]
    return any(before.endswith(n) or before.endswith(n + "有") for n in negations)


def read(kb, text: str) -> Reading:
    text = normalize_text(text or "")
    r = Reading(text)
    oos = _spans(text, [(row["phrase"], True) for row in kb.snap.lexicon if row["kind"] == "out_of_scope"])
    r.out_of_scope = bool(oos)
    # Words inside an out-of-scope phrase (貸款 in 房屋貸款) must not count as a topic.
    masked = text
    for i, j, _ in oos:
        masked = masked[:i] + "\u3000" * (j - i) + masked[j:]
    text_for_topics = masked
    for _, _, mid in _spans(text, kb.aliases()):
        if mid not in r.measures:
            r.measures.append(mid)
    lex = kb.snap.lexicon
    for _, _, hid in _spans(text, [(row["phrase"], row["key"]) for row in lex if row["kind"] == "hotline"]):
        if hid not in r.hotlines:
            r.hotlines.append(hid)
    for _, _, ids in _spans(text_for_topics, [(row["phrase"], row["value"]) for row in lex if row["kind"] == "topic"]):
        for mid in json.loads(ids):
            if mid not in r.topics:
                r.topics.append(mid)
    for _, _, aspect in _spans(text_for_topics, [(row["phrase"], row["key"]) for row in lex if row["kind"] == "aspect"]):
        if aspect not in r.aspects:
            r.aspects.append(aspect)
    negations = [row["phrase"] for row in lex if row["kind"] == "negation"]
    fact_phrases = [(row["phrase"], (row["key"], json.loads(row["value"]))) for row in lex if row["kind"] == "fact"]
    for start, _, (fact, value) in _spans(text, fact_phrases):
        value = {"true": True, "false": False}.get(value, value)
        if _negated(text, start, negations):
            if isinstance(value, bool):
                value = not value
            elif fact == "size" and value == "sme":
                value = "large"
            else:
                continue
        # A positive statement beats a negative one in the same message: 「沒有工廠登記，只是特定工廠」.
        if fact not in r.facts or r.facts[fact] in NEGATIVE and value not in NEGATIVE:
            r.facts[fact] = value
    m = _APPLICANTS.search(text)
    if m and ("申請" in text or _JOINT.search(text) or m.group(0).endswith(("一起", "聯合", "共同", "合作"))):
        n = m.group(1)
        r.facts["applicants"] = int(n) if n.isdigit() else _CN_DIGITS[n]
    elif _JOINT.search(text):
        r.facts["applicants"] = 2
    elif _SINGLE.search(text):
        r.facts["applicants"] = 1
    return r


def number_facts(entities: list) -> dict:
    """Facts from the NumberExtractor's entities: revenue_change (signed %), amount (萬元)."""
    out = {}
    for e in entities or []:
        if e.get("entity") == "revenue_change":
            out["revenue_change"] = float(e["value"])
        elif e.get("entity") == "amount":
            out.setdefault("amount", float(e["value"]))
    return out
