"""One measure's part of an answer, as typed lines: heading, status, the figures asked about, what does not apply."""

from __future__ import annotations

from advisor import derived
from advisor.eligibility import ELIGIBLE, NOT_ELIGIBLE, UNKNOWN
from advisor.lines import Line, LineKind, joined, kb_text, say
from knowledge.registry import REGISTRATION_FACTS
from knowledge.render import figure_value

# what a question asks about: a figure of the measure, or something else it holds
FIGURE_ASPECTS = {"amount", "rate", "rate_cut", "guarantee", "fee", "term", "self_funding", "equipment_cap"}
MEASURE_ASPECTS = FIGURE_ASPECTS | {"eligibility", "application", "items", "period", "documents", "agency"}
# what the deck's `agency` column holds when it names no agency of its own (a package measure, the 15 法人)
NOT_AN_AGENCY = ("工業六面向", "法人")
# A rate answer also gives the rate cut: 「利率多少」 deserves 「2.22%，1,000萬元以內減碼1.5%」; a subsidy's amount
# comes with what the firm pays itself: 「AI診斷要多少錢」 is 19萬 from the government and 1萬 from the firm.
RELATED = {"rate": ("rate", "rate_cut"), "amount": ("amount", "self_funding")}
# the figures an answer shows when the firm's facts are known and nothing in particular was asked
HEADLINE_ASPECTS = ("amount", "rate", "rate_cut", "guarantee", "term")
# the figures a summary of a measure shows, at most SUMMARY_FIGURES of them
SUMMARY_ASPECTS, SUMMARY_FIGURES = ("amount", "rate", "term"), 6


def figure(fig: dict) -> Line:
    return kb_text(LineKind.FIGURE, fig["text"], fig["label"])


def excluded(fig: dict) -> Line:
    return Line(
        LineKind.EXCLUDED,
        "figure_not_applicable",
        (("label", fig["label"]), ("condition", fig["condition"] or "")),
        label=fig["label"],
    )


def missing(measure: dict, aspect: str) -> Line:
    return say(
        LineKind.MISSING, "not_in_deck", name=measure["short_name"], aspect=say(LineKind.TEXT, "aspect." + aspect)
    )


def choice(fig: dict) -> Line:
    """「產業聯盟補助：4,000萬元，改以多家聯合申請就適用」: a figure the firm gets by applying the other way."""
    op = next(iter(fig["when"]["applicants"]))
    way = say(LineKind.TEXT, "choice.applicants." + op)
    return say(LineKind.NOTE, "choice_way", label=fig["label"], value=figure_value(fig), way=way)


def reason(key: str, values: dict) -> Line:
    return say(LineKind.TEXT, key, **{k: say(LineKind.TEXT, v) if k == "direction" else v for k, v in values.items()})


def status_line(kb, measure: dict, a) -> Line | None:
    name = measure["short_name"]
    if a.status == ELIGIBLE:
        if (
            a.excluded
            and not [f for f in a.figures if f["aspect"] == "amount"]
            and [f for f in a.excluded if f["aspect"] == "amount"]
        ):
            # 納管 subsidy for a large firm: the conditions hold, but its only grant is for SMEs
            return say(LineKind.STATUS, "eligible_none_applies", name=name)
        return say(LineKind.STATUS, "eligible", name=name)
    if a.status == NOT_ELIGIBLE:
        return say(
            LineKind.STATUS, "not_eligible", name=name, reasons=joined([reason(k, v) for k, v in a.why], "sep.reasons")
        )
    if a.status == UNKNOWN:
        return say(
            LineKind.STATUS, "unknown", name=name, missing=joined([say(LineKind.TEXT, "fact." + f) for f in a.missing])
        )
    return None


def _periods(kb, group: str) -> Line:
    return say(LineKind.TEXT, "periods", periods=joined([kb_text(LineKind.TEXT, p["text"]) for p in kb.periods(group)]))


def _application_lines(kb, mid: str, measure: dict) -> list:
    dates = kb.dates(mid)
    app = measure.get("application")
    same = [i for i, d in enumerate(dates) if app and app.startswith(d["text"])]
    lines = []
    for i, d in enumerate(dates):
        # the method continues the date's sentence: one line, not the date twice
        rest = app[len(d["text"]) :] if same and i == same[0] else ""
        lines.append(say(LineKind.TEXT, "date_line", text=d["text"], ad=d["ad"], rest=rest))
    if app and not same:
        lines.append(kb_text(LineKind.TEXT, app))
    return lines or [missing(measure, "application")]


def aspect_lines(kb, mid: str, aspect: str, a) -> list:
    measure = kb.measure(mid)
    if aspect in FIGURE_ASPECTS:
        related = RELATED.get(aspect, (aspect,))
        # 「可以保證多少」 asks for the guaranteed amount as much as for the share: a guarantee's 保證額度 is shown too
        figs = [
            figure(f)
            for f in a.figures
            if f["aspect"] in related
            or (aspect == "guarantee" and f["aspect"] == "amount" and f["key"].startswith("guarantee"))
        ]
        figs += [excluded(f) for f in a.excluded if f["aspect"] in related]
        notes = [kb_text(LineKind.NOTE, n) for n in kb.notes(mid, aspect)]
        if figs or notes:
            return figs + notes
        if aspect == "term" and (kb.dates(mid) or measure.get("application")):
            return aspect_lines(kb, mid, "application", a)  # a grant's 期限 is its application period
        lines = [missing(measure, aspect)]
        if aspect == "self_funding":  # 「AI人才培訓要自己出多少」: no share in the deck, but what it pays is
            lines += [figure(f) for f in a.figures if f["aspect"] == "amount"]
        services = kb.items(mid, "services")
        if services and not kb.figures(mid):  # a service with no figures: what it does (ESCO's 各式補助資訊)
            lines.append(_items(services))
        return lines
    if aspect == "eligibility":
        lines = [say(LineKind.TEXT, "bullet", text=c["text"]) for c in kb.criteria(mid)]
        lines += [_periods(kb, c["periods_id"]) for c in kb.criteria(mid) if c.get("periods_id")]
        return (
            (lines or [kb_text(LineKind.TEXT, measure["summary"])])
            + [figure(f) for f in a.figures if f["aspect"] == "amount"]
            + [excluded(f) for f in a.excluded if f["aspect"] == "amount"]
        )
    if aspect == "period":
        groups = [c["periods_id"] for c in kb.criteria(mid) if c.get("periods_id")]
        return [_periods(kb, groups[0])] if groups else [missing(measure, "period")]
    if aspect == "application":
        return _application_lines(kb, mid, measure)
    if aspect == "agency":  # 「這是哪個署在管的」
        if measure["agency"] in NOT_AN_AGENCY:
            return [missing(measure, "agency")]
        return [say(LineKind.TEXT, "agency_line", name=measure["short_name"], agency=measure["agency"])]
    if aspect == "documents":  # 「要準備什麼文件」: what the deck says the firm must show, then how to apply
        declare = [say(LineKind.TEXT, "declare", text=c["text"]) for c in kb.criteria(mid) if c["kind"] == "declare"]
        # a registration the measure requires (出進口廠商登記, 工廠登記) is shown when applying
        declare += [
            say(LineKind.TEXT, "documents_registration", text=c["text"])
            for c in kb.criteria(mid)
            if c["kind"] == "check" and c["fact"] in REGISTRATION_FACTS
        ]
        lead = declare or [say(LineKind.TEXT, "documents_none", name=measure["short_name"])]
        return lead + [x for x in _application_lines(kb, mid, measure) if x.kind != LineKind.MISSING]
    if aspect == "items":
        items = kb.items(mid, "items") or kb.items(mid, "services")
        if items and not kb.items(mid, "items"):  # a service: who runs it (the summary) and what it does
            return [kb_text(LineKind.TEXT, measure["summary"]), _items(items)]
        if items:
            return [_items(items)]
        return [kb_text(LineKind.TEXT, measure["summary"])]
    return []


def _items(items: list) -> Line:
    return say(LineKind.TEXT, "items_line", items=joined([kb_text(LineKind.TEXT, i) for i in items]))


def summary_lines(kb, mid: str, a) -> list:
    measure = kb.measure(mid)
    lines = [kb_text(LineKind.TEXT, measure["summary"])]
    if [x for x in kb.items(mid, "services") if x not in measure["summary"]]:
        # ESCO's 能源流向盤點、設備效率診斷 …: what the firm gets, where the summary does not list it
        lines.append(
            say(LineKind.TEXT, "services", items=joined([kb_text(LineKind.TEXT, i) for i in kb.items(mid, "services")]))
        )
    return lines + [figure(f) for f in a.figures if f["aspect"] in SUMMARY_ASPECTS][:SUMMARY_FIGURES]


def package_place(kb, mid: str) -> list:
    """「屬於工業六面向 700億的「租稅優惠」面向（措施9）」: for a package measure the deck only names, where it sits
    is most of what the deck says about it."""
    measure = kb.measure(mid)
    if not measure.get("package_measure") or kb.figures(mid):
        return []
    pillar = next((p["name"] for p in kb.package_pillars() if mid in p["measures"]), None)
    if not pillar:
        return []
    package = kb.program_with_role("package")["name"]
    return [say(LineKind.TEXT, "package_place", package=package, pillar=pillar, number=measure["package_measure"])]


def measure_lines(kb, mid: str, aspects: list, a, facts_known: bool) -> list:
    measure = kb.measure(mid)
    lines = [heading([measure["short_name"]]), *package_place(kb, mid)]
    status = status_line(kb, measure, a)
    if status and (facts_known or "eligibility" in aspects):
        lines.append(status)
    asked = [x for x in aspects if x not in ("hotline", "hours", "overview")]
    # figures worked out for this firm (advisor/derived.py): the revenue change's working right under the status
    worked = derived.lines(derived.figures(kb, mid, a, a.facts), asked)
    lines += [x for x in worked if x.key in derived.WORKING_KEYS]
    if not asked:
        if facts_known and a.status in (ELIGIBLE, UNKNOWN):
            lines += [figure(f) for f in a.figures if f["aspect"] in HEADLINE_ASPECTS]
        else:
            lines += summary_lines(kb, mid, a)
        # what the firm's amount or size rules out, said once: 「利率減碼：貸款額度1,000萬元以內，…不適用」
        lines += [
            excluded(f) for f in a.excluded if f["aspect"] == "amount" or facts_known and "amount" in (f["when"] or {})
        ]
    elif facts_known and a.status == ELIGIBLE and not set(asked) & FIGURE_ASPECTS:
        # 「這樣可以申請嗎」 answered yes: what the firm can get is part of the answer
        lines += [figure(f) for f in a.figures if f["aspect"] in HEADLINE_ASPECTS]
    for aspect in asked:
        idents = {x.ident for x in lines}
        lines += [x for x in aspect_lines(kb, mid, aspect, a) if x.ident not in idents]
    lines += [say(LineKind.NOTE, key, **values) for key, values in a.said]
    # what the firm's size rules out may be open to it by applying the other way (個案 → 產業聯盟)
    if any(x.kind == LineKind.EXCLUDED for x in lines):
        lines += [choice(f) for f in a.choices]
    lines += [x for x in worked if x.key not in derived.WORKING_KEYS]
    if a.declare and ("eligibility" in aspects or facts_known):
        idents = {x.ident for x in lines}
        lines += [x for x in (say(LineKind.TEXT, "declare", text=t) for t in a.declare) if x.ident not in idents]
    return lines


def heading(names: list) -> Line:
    return say(LineKind.HEADING, "measure_heading", name=joined([kb_text(LineKind.TEXT, n) for n in names]))


def section(kb, mid, aspects, a, facts_known, said: set, quiet: bool) -> list:
    """One measure's part of the reply, without lines an earlier section already said."""
    lines = measure_lines(kb, mid, aspects, a, facts_known)
    if a.status == NOT_ELIGIBLE:  # refused: the reason and the headline figure are enough
        amount_labels = {f["label"] for f in a.figures if f["aspect"] == "amount"}
        lines = lines[:2] + [
            x for x in lines[2:] if x.label and x.label in amount_labels or x.key in derived.WORKING_KEYS
        ]
        # refused on the revenue drop against one period: it may be met against another (擇一)
        groups = [c["periods_id"] for c in kb.criteria(mid) if c["fact"] == "revenue_change" and c.get("periods_id")]
        if groups and any(f[0] == "revenue_change" for f in a.failed):
            lines.append(_periods(kb, groups[0]))
    if quiet:  # a measure we guessed: no "the deck does not list it" lines
        lines = [x for x in lines if x.kind != LineKind.MISSING]
    lines = [x for x in lines if x.kind == LineKind.HEADING or x.ident not in said]
    said.update(x.ident for x in lines)
    return lines
