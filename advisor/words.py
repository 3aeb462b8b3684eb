"""The cue words of knowledge/lexicon.yml (`cues`), compiled once per knowledge-base snapshot into matchers.

Only the shape of a cue lives here (a collective word a few characters before a line word is the directory); every
word is data, so deleting one from the lexicon changes what the bot reads.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from components.numbers import NUMERAL_CHARS


def _alt(words) -> str:
    return "|".join(re.escape(str(w)) for w in sorted(words, key=len, reverse=True))


@dataclass(frozen=True)
class Cues:
    package: re.Pattern
    stages: re.Pattern
    days_off: re.Pattern
    directory: re.Pattern
    switch: re.Pattern
    joint: re.Pattern
    single: re.Pattern
    applicants: re.Pattern  # groups: n (a count) or another (「另一家」), together
    apply: re.Pattern
    other: re.Pattern
    counts: re.Pattern  # 「員工50人」「資本額5000萬」: masked before topics are read
    durations: re.Pattern
    again: re.Pattern  # 「那這樣呢」: the last question again, with the facts as they are now
    back: re.Pattern  # 「回到倉庫那個」: back to a measure discussed earlier
    next_stage: re.Pattern  # 「下一步是什麼」 of a stage: the program's next stage
    if_not: re.Pattern  # 「不行的話」: the named measure is asked, then the others
    both: re.Pattern  # 「各能拿多少」: one question asked of two things
    not_this: tuple  # 「不是外銷貸款」: words before a measure's name that rule it out
    not_there: re.Pattern  # 「不是要在國外設據點」: a measure named within 8 characters after one of these
    registered_short: re.Pattern  # 「剛查了有登記」: the registration spoken of before, held
    asking_for: re.Pattern  # 「我是幫協力廠問的」: asked for someone else (group 1: for whom)
    besides: re.Pattern  # 「除了試製還能幫什麼」: what is linked to the measure, not the measure again
    asked_for: re.Pattern  # 他們, 朋友 …: someone else, besides the third_party words
    unregistered_short: re.Pattern  # 「其實沒登記」: the registration spoken of before, not held


def _package(words) -> re.Pattern:
    """The package's words; a bare number among them (700) is the package only as a number of its own, not inside
    another amount (「700萬」「1,700」)."""
    alts = [
        rf"(?<![\d.,]){re.escape(str(x))}(?![\d.,]|\s*[萬千百元%％])" if str(x).isdigit() else re.escape(str(x))
        for x in sorted(words, key=lambda x: len(str(x)), reverse=True)
    ]
    return re.compile("|".join(alts))


def compile_cues(kb) -> Cues:
    w = {}
    for row in kb.lexicon("cue"):
        w.setdefault(row["key"], []).append(row["phrase"])
    a = {k: _alt(v) for k, v in w.items()}
    numeral = f"[0-9{NUMERAL_CHARS}.,]+"
    return Cues(
        package=_package(w["package"]),
        stages=re.compile(a["stages"]),
        days_off=re.compile(a["days_off"]),
        directory=re.compile(
            f"(?:{a['directory_collective']}).{{0,6}}(?:{a['directory_line']})|"
            f"(?:{a['directory_line']}).{{0,3}}(?:{a['directory_listing']})"
        ),
        switch=re.compile(rf"^\s*(?:{a['switch_lead']})?.{{1,16}}(?:{a['switch_tail']})\s*[\uff1f?]?\s*$"),
        joint=re.compile(a["joint"]),
        single=re.compile(a["single"]),
        applicants=re.compile(
            rf"(?:(?P<another>{a['another_firm']})|(?P<n>[0-9]+|[{NUMERAL_CHARS}])\s*"
            rf"(?:{a['firm_counter']}))(?:{a['firm_nouns']})?\s*(?P<together>{a['together']})?"
        ),
        apply=re.compile(a["apply"]),
        other=re.compile(rf"(?:{a['other']})\s*(?:{a['other_kind']})"),
        counts=re.compile(
            rf"(?:{a['count_subject']})\s*(?:{a['count_filler']})?\s*{numeral}\s*"
            rf"(?:{a['count_approx']})?\s*(?:{a['count_unit']})"
        ),
        durations=re.compile(a["durations"]),
        again=re.compile(a["again"]),
        back=re.compile(a["back"]),
        next_stage=re.compile(a["next_stage"]),
        if_not=re.compile(a["if_not"]),
        both=re.compile(a["both"]),
        not_this=tuple(w["not_this"]),
        not_there=re.compile(rf"(?:{a['not_there']})[^，。,.!?！？；;]{{0,8}}$"),
        registered_short=re.compile(a["registered_short"]),
        asking_for=re.compile(rf"(?:{a['asking_for']})([^，。,.!?！？；;]{{1,8}}?)問"),
        asked_for=re.compile(a["asked_for"]),
        besides=re.compile(a["besides"]),
        unregistered_short=re.compile(a["unregistered_short"]),
    )


def cues(kb) -> Cues:
    return kb.derived("cues", compile_cues)
