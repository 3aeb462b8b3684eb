"""The answer about measures: what fits this firm leads, a refused measure gives way to the one that fits, and the
hotlines of what is shown (at most MAX_HOTLINES)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from advisor.eligibility import ELIGIBLE, NO_CONDITIONS, NOT_ELIGIBLE, UNKNOWN, applies, assess
from advisor.hotlines import MAX_HOTLINES, TAIPEI
from advisor.lines import LineKind, joined, kb_text, say
from advisor.sections import heading, section
from components.numbers import find_date

MAX_MEASURES = 2
ORDER = {ELIGIBLE: 0, NO_CONDITIONS: 1, UNKNOWN: 2, NOT_ELIGIBLE: 3}
# criteria a hint to the other variant does not repeat (every variant has them)
CRITERIA_NOT_HINTED = ("revenue_change", "tariff_affected")


@dataclass
class MeasuresAnswer:
    blocks: list  # one list of lines per measure (and the alternative)
    shown: list  # measure ids shown
    hotlines: list  # their hotline ids, fitting measures first
    next_focus: list  # what the next turn is about
    ask_size: bool = False  # the firm's size would change the answer
    assessments: dict = field(default_factory=dict)


def _size_matters(kb, mid: str, aspects: list) -> bool:
    return any("size" in (f["when"] or {}) for f in kb.figures(mid) if f["aspect"] in aspects or not aspects)


def _ways_out(kb, facts: dict, assessments: dict) -> tuple:
    """For a measure the firm cannot get: a linked measure that fits (alternatives), or one that exists (hints)."""
    alternatives, hints = [], []
    for mid, a in list(assessments.items()):
        if a.status != NOT_ELIGIBLE:
            continue
        for to, _ in kb.links(mid):
            if to in assessments or to in alternatives:
                continue
            b = assess(kb, facts, to)
            # A measure with no conditions of its own in the same family (輔導團階段三 is the same
            # subsidy as 研發轉型補助) is no way out; another family (融資診斷 for a loan) is.
            other_family = kb.measure(to)["family"] != kb.measure(mid)["family"]
            if b.status in (ELIGIBLE, UNKNOWN) or (b.status == NO_CONDITIONS and other_family):
                alternatives.append(to)
                assessments[to] = b
            elif (
                b.status == NOT_ELIGIBLE and not other_family and to not in hints and not set(a.failed) & set(b.failed)
            ):
                # (a variant refused by the same criterion is no way out: both want the 10% drop)
                hints.append(to)  # 無工廠登記: the 納管/特定工廠 variant does not fit either, but say it exists
    return alternatives, hints


def answer_measures(
    kb, focus: list, aspects: list, facts: dict, facts_known: bool, named: bool, compared: frozenset = frozenset()
) -> MeasuresAnswer:
    assessments = {mid: assess(kb, facts, mid) for mid in focus}
    alternatives, hints = _ways_out(kb, facts, assessments)
    ranked = [m for m in focus if m in assessments]
    if facts_known and not named:  # lead with what fits
        ranked = sorted(ranked, key=lambda m: ORDER[assessments[m].status])
    shown = ranked[: 1 if alternatives else MAX_MEASURES]
    if alternatives and ranked:  # 「研發補助跟貸款各能拿多少」: the other need is still answered beside the way out
        shown += [m for m in ranked if kb.measure(m)["family"] != kb.measure(ranked[0])["family"]][:1]
    alt_shown = sorted(alternatives, key=lambda m: ORDER[assessments[m].status])[:1]
    quiet = len(shown) + len(alt_shown) > 1 and not named  # no "not in the deck" lines for a measure we guessed
    blocks, said = [], set()
    for mid in shown:
        lines = section(kb, mid, aspects, assessments[mid], facts_known, said, quiet)
        asked = [x for x in aspects if x not in ("hotline", "hours", "overview")]
        if len(lines) == 1 and not (blocks and len(blocks[-1]) > 1 and asked):
            # nothing on what was asked and nothing said before it: say what the measure is, never a bare heading
            lines.append(kb_text(LineKind.TEXT, kb.measure(mid)["summary"]))
        if blocks and len(lines) == 1 and blocks[-1][0].kind == LineKind.HEADING:
            # nothing new to say about this one (same comparison periods): one heading for both
            names = [n.text for n in dict(blocks[-1][0].values)["name"].items] + [kb.measure(mid)["short_name"]]
            blocks[-1] = [heading(names)] + blocks[-1][1:]
            continue
        blocks.append(lines)
    if alt_shown:
        alt = alt_shown[0]
        blocks.append([say(LineKind.TEXT, "instead", alternatives=kb.measure(alt)["short_name"])])
        lines = section(kb, alt, aspects, assessments[alt], facts_known, said, True)
        if len(lines) == 1:  # nothing on what was asked (融資診斷 has no rate): say what it is
            lines.append(kb_text(LineKind.TEXT, kb.measure(alt)["summary"]))
        blocks.append(lines)
    else:
        for to in hints[:1]:
            checks = [
                kb_text(LineKind.TEXT, c["text"])
                for c in kb.criteria(to)
                if c["kind"] == "check" and c["fact"] not in CRITERIA_NOT_HINTED
            ]
            hint = say(LineKind.TEXT, "variant_hint", criteria=joined(checks), name=kb.measure(to)["short_name"])
            blocks.append([hint])
    shown += alt_shown
    fitting = [m for m in shown if assessments[m].status != NOT_ELIGIBLE]
    # A measure the firm was refused gives way to its variant that fits (研發轉型補助 → the 納管/特定工廠 program):
    # it keeps its one line of reasons, but neither its figures nor its lines are the firm's to call.
    refused_variants = [
        m
        for m in shown
        if assessments[m].status == NOT_ELIGIBLE
        and any(kb.measure(f)["family"] == kb.measure(m)["family"] for f in fitting)
    ]
    blocks = [_reasons_only(b) if _block_measure(kb, b) in refused_variants else b for b in blocks]
    hotline_ids = []
    for mid in sorted(shown, key=lambda m: ORDER[assessments[m].status]):
        if mid not in refused_variants:
            hotline_ids += fitting_hotlines(kb, mid, facts)
    hotline_ids = list(dict.fromkeys(hotline_ids))[:MAX_HOTLINES]
    amount_question = not [x for x in aspects if x not in ("hotline", "hours")] or {"amount", "eligibility"} & set(
        aspects
    )
    # no question back when both sizes were asked about: both are shown
    ask_size = (
        "size" not in facts
        and "size" not in compared
        and any(
            assessments[m].status != NOT_ELIGIBLE
            and (_size_matters(kb, m, aspects) or ("size" in assessments[m].missing and amount_question))
            for m in shown
        )
    )
    # What the next turn is about: a refused variant gives way to the one that fits (「最多補多少」「電話呢」 are
    # about the one it can get); a way out of another family (融資診斷 after a refused loan) joins the focus but
    # does not replace the loan.
    # a variant the firm named and was refused stays in view, last: 「更正，我們有登記」 may bring it back
    next_focus = [m for m in shown if m not in refused_variants] + [m for m in refused_variants if named]
    return MeasuresAnswer(blocks, shown, hotline_ids, next_focus, ask_size, assessments)


def fitting_hotlines(kb, mid: str, facts: dict) -> list:
    """The measure's lines, without those that serve only figures this firm cannot get (a single applicant is not
    the 產業聯盟's caller); all of them when nothing is known. A firm that has described itself (its size) and
    named no partners is taken to apply alone: it gets the 個案 line, and the 產業聯盟 line once it names partners."""
    if "size" in facts and "applicants" not in facts:
        facts = {**facts, "applicants": 1}
    served = {}
    for f in kb.figures(mid):
        if f.get("hotline_id"):
            served.setdefault(f["hotline_id"], []).append(f["key"])
    applicable = {f["key"] for f in kb.figures(mid) if applies(f["when"], facts) is not False}
    ids = [h["id"] for h in kb.hotlines_for(mid)]
    kept = [h for h in ids if h not in served or applicable & set(served[h])]
    return kept or ids


def _block_measure(kb, block: list):
    """The measure a block of lines is about, from its heading (None for the 「可以改看」 line)."""
    if not block or block[0].kind != LineKind.HEADING:
        return None
    names = [n.text for n in dict(block[0].values)["name"].items]
    ids = [m["id"] for m in kb.measures() if m["short_name"] in names]
    return ids[0] if len(ids) == 1 else None


def _reasons_only(block: list) -> list:
    return [x for x in block if x.kind in (LineKind.HEADING, LineKind.STATUS)] or block[:2]


def date_checks(kb, measure_ids: list, text: str, now: datetime) -> list:
    """「114年7月送件來得及嗎」: the named date against each measure's intake start (ROC years below 1000)."""
    found = find_date(text)
    if not found:
        return []
    year, month, day, asked_text = found
    year = year if year is not None else now.astimezone(TAIPEI).year
    year = year + 1911 if year < 1000 else year
    lines = []
    for mid in measure_ids:
        for d in kb.dates(mid):
            if d["key"] != "intake_start":
                continue
            start = datetime.fromisoformat(d["ad"]).date()
            try:
                asked = datetime(year, month, day or 1).date()
            except ValueError:
                return []
            whole_month_before = not day and (asked.year, asked.month) < (start.year, start.month)
            key = (
                "date_before"
                if asked < start and (day or whole_month_before)
                else "date_after"
                if asked >= start
                else "date_same_month"
            )
            lines.append(
                say(
                    LineKind.NOTE,
                    key,
                    asked=asked_text,
                    start=d["roc"],
                    name=kb.measure(mid)["short_name"],
                    text=d["text"],
                )
            )
    return lines
