"""What one message says, read with the knowledge base's own words.

DIET gives the intent and entity spans; this module adds a deterministic reading of the same text with the
KB's aliases and lexicon, so a measure the firm names is never lost to a low-confidence prediction.
Longer phrases win over the shorter phrases they contain (非中小微企業 beats 中小微企業).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from advisor.words import cues
from components.normalize import normalize_text
from components.numbers import CLAUSE_END, small_count

# 「0800-089-921是哪個單位」: a hotline named by its number
_DIGITS = re.compile(r"\d[\d\-\s()]{6,14}\d")


NEGATIVE = (False, "none")


@dataclass
class Reading:
    text: str
    measures: list = field(default_factory=list)  # measure ids named, in order of appearance
    topics: list = field(default_factory=list)  # measure ids implied by a topic word (貸款 → loans)
    families: list = field(default_factory=list)  # the topic words' groups, when they do not narrow each other
    aspects: list = field(default_factory=list)  # what is asked: amount, rate, hotline ...
    hotlines: list = field(default_factory=list)  # hotline ids named (信保基金 → smeg)
    facts: dict = field(default_factory=dict)  # size, factory_type, purpose, us_export_3y ...
    other: list = field(default_factory=list)  # 「有沒有別的貸款」: the loans, of which not the one named
    compared: set = field(default_factory=set)  # facts given two values to compare (中小企業和大企業)
    out_of_scope: bool = False  # 房屋貸款, 股票 ... (lexicon.yml out_of_scope)
    task: bool = False  # 幫我寫一封email, 忽略之前的指示 (lexicon.yml bot_tasks): out of scope whatever else it says
    act: bool = False  # 幫我們申訴 (lexicon.yml bot_acts): out of scope even with a measure's word in it
    about_bot: bool = False  # 你是真人還是機器人 (lexicon.yml about_bot)
    notes: list = field(default_factory=list)  # (message key, values): how a fact was worked out (size by standard)
    others: list = field(default_factory=list)  # (start, end): clauses about a third party (供應商, 貿易商 ...)
    ruled_out: list = field(default_factory=list)  # (start, end): a measure named as not meant (「不是外銷貸款」)
    not_meant: list = field(default_factory=list)  # the measures named so
    for_other: bool = False  # 「我是幫協力廠問的」: the third party's facts are the ones that decide

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
        latin = needle[:1].isascii() and needle[:1].isalnum()
        while (i := hay.find(needle, start)) >= 0:
            j = i + len(phrase)
            # a Latin word is a whole word: AI is not inside 「Taiwanese」
            inside = latin and (i > 0 and hay[i - 1].isascii() and hay[i - 1].isalnum())
            inside = inside or (
                latin and needle[-1:].isascii() and j < len(hay) and hay[j].isascii() and hay[j].isalpha()
            )
            if inside:
                start = i + 1
                continue
            if not any(taken[i:j]):
                taken[i:j] = [True] * (j - i)
                found.append((i, j, payload))
            start = j
    return sorted(found)


_PERCENT = re.compile(r"[%％]|百分之|[一二兩三四五六七八九十半]成|\d成")


def _follows(text: str, start: int, words: list) -> bool:
    """Whether one of words comes right before start (「沒有」工廠登記, 「都要有」出進口廠商登記)."""
    before = text[max(0, start - 6) : start].rstrip()  # 「not SME」: English puts a space between
    return any(before.endswith(w) or before.endswith(w + "有") for w in words)


def _asked(text: str, start: int, asked: list) -> bool:
    """Whether the fact at start sits in a question about it: 「需要每家都有出進口廠商登記嗎」."""
    clause = CLAUSE_END.split(text[:start])[-1]
    return any(w in clause for w in asked)


# 「根本沒有做出進口廠商登記」: a verb between the negation and the fact it negates
NEGATED_VERBS = ("做", "辦", "去辦", "申請", "取得", "拿到", "領", "一般", "直接", "正式")


def _negated(text: str, start: int, negations: list) -> bool:
    if _follows(text, start, negations):
        return True
    before = text[max(0, start - 8) : start]
    return any(before.endswith(v) and _follows(text, start - len(v), negations) for v in NEGATED_VERBS)


def _asked_for_other(kb, text: str) -> bool:
    """「我是幫協力廠問的」「替他們問」: asked for someone else (「幫我問」 is not)."""
    m = cues(kb).asking_for.search(text)
    if not m:
        return False
    whom = m.group(1)
    return bool(cues(kb).asked_for.search(whom)) or any(row["phrase"] in whom for row in kb.lexicon("third_party"))


def read(kb, text: str, for_other: bool = False) -> Reading:
    text = normalize_text(text or "")
    # Typos firms make (代款 for 貸款) read as the word they meant.
    for row in kb.snap.lexicon:
        if row["kind"] == "typo":
            text = text.replace(row["phrase"], row["value"])
    r = Reading(text)
    # 「我們的供應商是納管工廠」: what a clause says about someone else is not the firm's fact (nor its topic)
    # 「我是幫協力廠問的，他們是中小企業」: asked for the third party, whose clauses are then read as the subject's
    r.for_other = for_other or _asked_for_other(kb, text)
    # (出口廠 inside the firm's own 進出口廠商登記 is no third party)
    own = [(a, b) for a, b, _ in _spans(text, [(row["phrase"], True) for row in kb.lexicon("fact")])]
    for i, end, _ in _spans(text, [(row["phrase"], True) for row in kb.lexicon("third_party")]):
        if r.for_other or any(a <= i and end <= b for a, b in own):
            continue
        m = CLAUSE_END.search(text, i)
        j = m.start() if m else len(text)
        r.others.append((i, j))
    whole = text  # measures, lines and partners are read on the whole message (「跟下游四五家一起申請研發轉型補助」)
    for i, j in r.others:
        text = text[:i] + "\u3000" * (j - i) + text[j:]
    oos = _spans(text, [(row["phrase"], row["key"]) for row in kb.snap.lexicon if row["kind"] == "out_of_scope"])
    r.out_of_scope = bool(oos)
    r.task = any(key in ("task", "act") for _, _, key in oos)
    r.act = any(key == "act" for _, _, key in oos)
    about_bot = _spans(text, [(row["phrase"], True) for row in kb.lexicon("about_bot")])
    r.about_bot = bool(about_bot)
    # Words inside an out-of-scope phrase (貸款 in 房屋貸款) or a question about the bot (AI in 你是AI嗎) must not
    # count as a topic, a measure or an aspect.
    for i, j, _ in about_bot:
        text = text[:i] + "\u3000" * (j - i) + text[j:]
    masked = text
    for i, j, _ in oos:
        masked = masked[:i] + "\u3000" * (j - i) + masked[j:]
    cue = cues(kb)
    for m in [*cue.counts.finditer(masked), *cue.durations.finditer(masked)]:
        masked = masked[: m.start()] + "\u3000" * (m.end() - m.start()) + masked[m.end() :]
    lex = kb.snap.lexicon
    fact_phrases = [(row["phrase"], (row["key"], json.loads(row["value"]))) for row in lex if row["kind"] == "fact"]
    # A statement about the firm (出口美國, 工廠登記) is not a topic: 外銷 in 外銷美國 does not mean 市場拓銷.
    text_for_aspects = masked
    for i, j, _ in _spans(masked, fact_phrases):
        masked = masked[:i] + "\u3000" * (j - i) + masked[j:]
    text_for_topics = masked
    hotline_spans = _spans(text, [(row["phrase"], row["key"]) for row in lex if row["kind"] == "hotline"])
    alias_spans = []
    for i, j, mid in _spans(whole, kb.aliases()):
        # 「馬上辦服務中心」 is a hotline, not the 服務中心 of 爭取海外訂單
        # (but ESCO in 「ESCO節能服務團」 is its own line's)
        if any(
            a <= i and j <= b and (b - a) > (j - i) and hid not in [h["id"] for h in kb.hotlines_for(mid)]
            for a, b, hid in hotline_spans
        ):
            continue
        alias_spans.append((i, j))
        if _follows(whole, i, cues(kb).not_this) or cues(kb).not_there.search(whole[:i]):
            r.ruled_out.append((i, j))  # 「這個不是外銷貸款」: named, and not meant
            r.not_meant.append(mid)
            continue
        if mid not in r.measures:
            r.measures.append(mid)
    for _, _, hid in hotline_spans:
        if hid not in r.hotlines:
            r.hotlines.append(hid)
    # 「0800-089-921是哪個單位」: a hotline named by its number.
    by_number = {re.sub(r"\D", "", h["number"]): h["id"] for h in kb.hotlines()}
    for m in _DIGITS.finditer(text):
        hid = by_number.get(re.sub(r"\D", "", m.group(0)))
        if hid and hid not in r.hotlines:
            r.hotlines.append(hid)
    groups = []
    negations = [row["phrase"] for row in lex if row["kind"] == "negation"]
    for start, _, ids in _spans(
        text_for_topics, [(row["phrase"], row["value"]) for row in lex if row["kind"] == "topic"]
    ):
        if _negated(text_for_topics, start, negations):  # 「我們沒有直接出口」 is no question about exporting
            continue
        if json.loads(ids) not in groups:
            groups.append(json.loads(ids))
    # Two topic words narrow each other down: 外銷 + 信保 → 外銷貸款優惠保證加碼, not every export measure.
    common = [m for m in groups[0] if all(m in g for g in groups[1:])] if len(groups) > 1 else []
    r.families = groups if len(groups) > 1 and not common else []
    for mid in common or [m for g in groups for m in g]:
        if mid not in r.topics:
            r.topics.append(mid)
    for _, _, aspect in _spans(
        text_for_aspects, [(row["phrase"], row["key"]) for row in lex if row["kind"] == "aspect"]
    ):
        if aspect not in r.aspects:
            r.aspects.append(aspect)
    asked = [row["phrase"] for row in lex if row["kind"] == "asked"]
    seen: dict = {}
    for start, end, (fact, value) in _spans(text, fact_phrases):
        # 「納管工廠補助」「中小微企業貸款加碼」 name a measure; they do not say what the firm is
        if any(a <= start and end <= b and (b - a) > (end - start) for a, b in alias_spans):
            continue
        value = {"true": True, "false": False}.get(value, value)
        if fact != "purpose" and _asked(text, start, asked):  # 「需要週轉金」 states a purpose
            if "eligibility" not in r.aspects:
                r.aspects.append("eligibility")  # asking about a criterion is asking about eligibility
            continue
        if _negated(text, start, negations):
            if isinstance(value, bool):
                value = not value
            elif fact == "size" and value == "sme":
                value = "large"
            else:
                continue
        seen.setdefault(fact, set()).add(json.dumps(value))
        # A positive statement beats a negative one in the same message: 「沒有工廠登記，只是特定工廠」.
        if fact not in r.facts or r.facts[fact] in NEGATIVE and value not in NEGATIVE:
            r.facts[fact] = value
    # 「中小企業和大企業的保證成數」 compares two sizes: it states neither, so the answer shows both
    sizes = {json.loads(v) for v in seen.get("size", ())}
    if sizes == {"sme", "tax_registered"}:  # 「我們算小企業…也有稅籍」: a small firm that also says it pays tax
        r.facts["size"] = "sme"
    elif len(sizes) > 1:
        r.facts.pop("size", None)
        r.compared.add("size")
    # 「營收跟去年差不多，沒有減少」: the revenue did not change
    nouns = [row["phrase"] for row in lex if row["kind"] == "revenue" and row["key"] == "nouns"]
    for _, end, _ in _spans(text, [(row["phrase"], True) for row in lex if row["kind"] == "revenue_flat"]):
        clause = CLAUSE_END.split(text[:end])[-1]
        before = text[:end]
        if _PERCENT.search(text):  # 「好一點，增加了5%」: the figure says how much (the number reader has it)
            continue
        if any(n in clause for n in nouns) or any(n in before[-24:] for n in nouns):
            r.facts.setdefault("revenue_change", 0.0)
    counts = [small_count(m.group("n")) if m.group("n") else 2 for m in cue.applicants.finditer(whole)]
    first = next(cue.applicants.finditer(whole), None)
    if cue.single.search(whole) and not cue.joint.search(whole):  # 「另外兩家退出，只剩我們一家」
        r.facts["applicants"] = 1
    elif len(set(counts)) > 1:  # 「一家申請和三家聯合差多少」: a comparison, not the firm's choice
        pass
    elif first and (cue.apply.search(whole) or cue.joint.search(whole) or first.group("together")):
        r.facts["applicants"] = counts[0]
    elif cue.joint.search(whole):
        r.facts["applicants"] = 2
    if cue.other.search(text):
        r.other = [
            m for row in lex if row["kind"] == "topic" and row["key"] == "loan" for m in json.loads(row["value"])
        ]
    return r


def number_facts(entities: list, text: str = "", budget_words=(), borrow_words=()) -> dict:
    """Facts from the NumberExtractor's entities: revenue_change (signed %), amount (萬元), and budget (萬元): an
    amount right after a budget word in text (「總經費600萬」), from which a subsidy is worked out."""
    out = {}
    for e in entities or []:
        if e.get("entity") == "revenue_change":
            out["revenue_change"] = float(e["value"])
        elif e.get("entity") == "amount":
            out.setdefault(
                "budget" if _after_budget_word(text, e.get("start") or 0, budget_words, borrow_words) else "amount",
                float(e["value"]),
            )
    return out


def _after_budget_word(text: str, start: int, budget_words, borrow_words) -> bool:
    before = text[max(0, start - 8) : start]
    ends = [before.rfind(w) + len(w) for w in budget_words if w in before]
    return bool(ends) and not any(w in before[max(ends) :] for w in borrow_words)
