"""Composes the bot's reply to one turn from the knowledge base and the eligibility engine.

Pure logic (no Rasa types) so it is easy to test: `compose(kb, turn, state)` returns the messages to send and
the new conversation state (facts about the firm, measures in focus, fallback stage).

Order of reasoning: read the message (facts.py) → merge with what the firm said before → pick the measures in
focus (named > topic word > previous turn > implied by the facts) → pick what is asked (keywords, then the
intent) → assess eligibility → answer with figures, reasons, alternatives and at most three hotlines.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

from actions.eligibility import ELIGIBLE, NO_CONDITIONS, NOT_ELIGIBLE, UNKNOWN, assess
from actions.facts import number_facts, read
from knowledge.schema import FACTS

TAIPEI = ZoneInfo("Asia/Taipei")
MAX_HOTLINES = 3
MAX_MEASURES = 2
MAX_TEXT = 2000   # longer messages are read from their first 2,000 characters, and the firm is told so
FIGURE_ASPECTS = {"amount", "rate", "rate_cut", "guarantee", "fee", "term", "self_funding", "equipment_cap"}
CARRIED_ASPECTS = FIGURE_ASPECTS | {"eligibility", "items", "period", "application"}
INTENT_ASPECT = {
    "ask_amount": "amount", "ask_rate": "rate", "ask_rate_cut": "rate_cut", "ask_guarantee": "guarantee",
    "ask_fee": "fee", "ask_term": "term", "ask_eligibility": "eligibility", "ask_period": "period",
    "ask_application": "application", "ask_items": "items", "ask_self_funding": "self_funding",
    "ask_equipment_cap": "equipment_cap", "ask_hotline": "hotline", "ask_hours": "hours", "ask_overview": "overview",
}
SOCIAL = {"greet", "goodbye", "thanks", "affirm", "deny", "chitchat", "out_of_scope"}
DIET_FACTS = ("size", "factory_type", "purpose")
FEEDBACK = ("👍", "👎")
# 「114年7月送件來得及嗎」「2025年9月15日」「9月」: a date the firm names, compared with when intake starts
ASKED_DATE = re.compile(r"(?:(\d{2,4})\s*年\s*)?(\d{1,2})\s*月(?:\s*(\d{1,2})\s*[日號])?")
SWITCH = re.compile(r"^\s*(那|那麼|那如果是|如果是|換成)?.{1,16}(呢|的話)\s*[？?]?\s*$")
DAY_WORDS = re.compile(r"星期[六日天]|禮拜[六日天]|週[六日末]|周[六日末]|假日|連假|過年|國定")
PACKAGE_WORDS = re.compile(r"700|七百億|六面向|六大面向|工業六|14項|十四項|措施有哪些")
STAGE_WORDS = re.compile(r"輔導團|階段|三階段")
DIRECTORY_WORDS = re.compile(r"(所有|全部|各|哪些|一覽|總表|列表|清單).{0,6}(專線|電話|窗口)|(專線|電話|窗口).{0,3}(一覽|總表|列表|清單|有哪些)")


@dataclass
class Turn:
    text: str
    intent: str = "nlu_fallback"
    confidence: float = 0.0
    entities: list = field(default_factory=list)
    ranking: list = field(default_factory=list)   # [{"name", "confidence"}], best first


@dataclass
class State:
    facts: dict = field(default_factory=dict)
    focus: list = field(default_factory=list)
    fallbacks: int = 0
    aspects: list = field(default_factory=list)    # what was last asked about the focus (rate, guarantee ...)
    hotlines: list = field(default_factory=list)   # hotlines the last turn asked about by name (「信保基金電話」 → 「幾點？」)


@dataclass
class Reply:
    messages: list
    state: State
    kind: str            # answer | overview | social | clarify | fallback | out_of_scope
    measures: list = field(default_factory=list)
    hotlines: list = field(default_factory=list)


# ------------------------------------------------------------------------------------------- hotlines
def is_open(hotline: dict, now: datetime) -> bool | None:
    if not hotline.get("hours_open"):
        return None
    t = now.astimezone(TAIPEI).time()
    return time.fromisoformat(hotline["hours_open"]) <= t < time.fromisoformat(hotline["hours_close"])


def hotline_block(kb, hotlines: list, now: datetime) -> tuple:
    """Text lines and tap-to-call buttons for up to MAX_HOTLINES hotlines."""
    lines, buttons = [], []
    for h in hotlines:
        hours = kb.message("hours_suffix", hours=h["hours_text"]) if h.get("hours_text") else ""
        if is_open(h, now) is False:
            hours += kb.message("hours_closed_short")
        lines.append(kb.message("hotline_line", name=h["name"], number=h["number"], hours=hours))
        buttons.append({"title": kb.message("call_button", name=h["name"], number=h["number"]),
                        "type": "web_url", "url": "tel:" + h["digits"]})
    return lines, buttons


def _dedupe(seq):
    return list(dict.fromkeys(seq))


# ------------------------------------------------------------------------------------------- reading
def _merge_facts(kb, turn: Turn, state: State):
    reading = read(kb, turn.text)
    # 「700億方案有幾項措施」: the package's name is not an amount the firm wants to borrow
    entities = [e for e in turn.entities or [] if not (e.get("entity") == "amount" and
                PACKAGE_WORDS.search(e.get("text") or turn.text[e.get("start") or 0:e.get("end") or 0]))]
    # 「總經費600萬」: the project's budget, from which a subsidy is worked out; not an amount to borrow
    new = number_facts(entities, reading.text, [row["phrase"] for row in kb.lexicon("budget")])
    for e in turn.entities or []:   # DIET's entities fill what the lexicon did not see
        # only values the engine knows: DIET may hand back the raw words (中小微 inside 「中小微貸款加碼」)
        if e.get("entity") in DIET_FACTS and e.get("value") in FACTS[e["entity"]] and e["entity"] not in reading.compared:
            new.setdefault(e["entity"], e["value"])
        if e.get("entity") == "measure" and kb.measure(e.get("value") or "") and e["value"] not in reading.measures:
            reading.measures.append(e["value"])
    new.update(reading.facts)
    return reading, new, {**state.facts, **new}


def _aspects(reading, turn: Turn) -> list:
    aspects = list(reading.aspects)
    from_intent = INTENT_ASPECT.get(turn.intent)
    if from_intent and from_intent not in aspects:
        aspects.append(from_intent)
    # 「電話幾號 / 幾點有人接」: hours and hotline answers carry the numbers anyway.
    return aspects


def _focus(kb, reading, new_facts: dict, facts: dict, aspects: list, state: State, intent: str) -> tuple:
    """(measure ids, how they were chosen)."""
    if reading.other:   # 「外銷貸款保證不行，有沒有別的貸款」: the loans other than the one named (or just discussed)
        ruled_out = reading.measures or state.focus
        others = _dedupe(m for m in reading.other if m not in ruled_out)
        if others:
            return others, "topic"
    if reading.measures:
        return reading.measures, "named"
    if reading.topics:
        # 「保證成數多少」 while the 中小微 loan is under discussion: stay on it rather than every guarantee
        kept = [m for m in reading.topics if m in state.focus] if reading.aspects else []
        return kept or reading.topics, "topic"
    if state.focus and (aspects or new_facts or intent.startswith("ask_") or intent == "inform"):
        return state.focus, "previous"
    if facts.get("factory_type") in ("managed", "specific", "registered") and "factory_type" in new_facts:
        return ["rd_transform", "rd_transform_managed"], "facts"
    if {"revenue_change", "amount", "purpose", "size"} & set(new_facts):
        return ["sme_loan", "export_loan_guarantee"], "facts"
    if "period" in aspects:   # 「營業額要跟什麼時候比」: the measures whose criteria name comparison periods
        ids = [m["id"] for m in kb.measures() if any(c.get("periods_id") for c in kb.criteria(m["id"]))]
        if ids:
            return ids[:MAX_MEASURES], "aspect"
    figure_aspects = [a for a in aspects if a in FIGURE_ASPECTS]
    if figure_aspects:   # 「利率多少」 with nothing else: the measures that have such a figure
        ids = _dedupe(m["id"] for m in kb.measures() if kb.figures(m["id"], figure_aspects[0]))
        return ids[:MAX_MEASURES], "aspect"
    return [], "none"


# ------------------------------------------------------------------------------------------- answers
def _status_line(kb, measure: dict, a) -> str | None:
    if a.status == ELIGIBLE:
        if a.excluded and not [f for f in a.figures if f["aspect"] == "amount"] and \
                [f for f in a.excluded if f["aspect"] == "amount"]:
            # 納管 subsidy for a large firm: the conditions hold, but its only grant is for SMEs
            return kb.message("eligible_none_applies", name=measure["short_name"])
        return kb.message("eligible", name=measure["short_name"])
    if a.status == NOT_ELIGIBLE:
        return kb.message("not_eligible", name=measure["short_name"], reasons="；".join(a.reasons))
    if a.status == UNKNOWN:
        return kb.message("unknown", name=measure["short_name"],
                          missing="、".join(kb.message("fact." + f) for f in a.missing))
    return None


# A rate answer also gives the rate cut: 「利率多少」 deserves 「2.22%，1,000萬元以內減碼1.5%」; a subsidy's amount
# comes with what the firm pays itself: 「AI診斷要多少錢」 is 19萬 from the government and 1萬 from the firm.
RELATED = {"rate": ("rate", "rate_cut"), "amount": ("amount", "self_funding")}


def _excluded_line(kb, fig: dict) -> str:
    return kb.message("figure_not_applicable", label=fig["label"], condition=fig["condition"] or "")


def _aspect_lines(kb, mid: str, aspect: str, a) -> list:
    measure = kb.measure(mid)
    if aspect in FIGURE_ASPECTS:
        figs = [f["text"] for f in a.figures if f["aspect"] in RELATED.get(aspect, (aspect,))
                or (aspect == "guarantee" and f["aspect"] == "amount" and f["label"].startswith("保證"))]
        # 「可以保證多少」 asks for the guaranteed amount as much as for the share: a guarantee's 保證額度 is shown too
        figs += [_excluded_line(kb, f) for f in a.excluded if f["aspect"] in RELATED.get(aspect, (aspect,))]
        notes = kb.notes(mid, aspect)
        if figs or notes:
            return figs + notes
        missing = [kb.message("not_in_deck", name=measure["short_name"], aspect=kb.message("aspect." + aspect))]
        if aspect == "self_funding":   # 「AI人才培訓要自己出多少」: no share in the deck, but what it pays is
            return missing + [f["text"] for f in a.figures if f["aspect"] == "amount"]
        if aspect == "term" and (kb.dates(mid) or measure.get("application")):
            return _aspect_lines(kb, mid, "application", a)   # a grant's 期限 is its application period
        return missing
    if aspect == "eligibility":
        lines = [f"・{c['text']}" for c in kb.criteria(mid)]
        for c in kb.criteria(mid):
            if c.get("periods_id"):
                lines.append(kb.message("periods", periods="、".join(p["text"] for p in kb.periods(c["periods_id"]))))
        return (lines or [measure["summary"]]) + [f["text"] for f in a.figures if f["aspect"] == "amount"] + \
            [_excluded_line(kb, f) for f in a.excluded if f["aspect"] == "amount"]
    if aspect == "period":
        groups = [c["periods_id"] for c in kb.criteria(mid) if c.get("periods_id")]
        if groups:
            return [kb.message("periods", periods="、".join(p["text"] for p in kb.periods(groups[0])))]
        return [kb.message("not_in_deck", name=measure["short_name"], aspect=kb.message("aspect.period"))]
    if aspect == "application":
        lines = [f"{d['text']}（西元{d['ad']}）" for d in kb.dates(mid)]
        app = measure.get("application")
        same = [i for i, d in enumerate(kb.dates(mid)) if app and app.startswith(d["text"])]
        if same:   # the method continues the date's sentence: one line, not the date twice
            d = kb.dates(mid)[same[0]]
            lines[same[0]] = f"{d['text']}（西元{d['ad']}）{app[len(d['text']):]}"
        elif app:
            lines.append(app)
        return lines or [kb.message("not_in_deck", name=measure["short_name"], aspect=kb.message("aspect.application"))]
    if aspect == "items":
        items = kb.items(mid, "items") or kb.items(mid, "services")
        return ["、".join(items)] if items else [measure["summary"]]
    return []


def _summary_lines(kb, mid: str, a) -> list:
    measure = kb.measure(mid)
    lines = [measure["summary"]]
    services = [x for x in kb.items(mid, "services") if x not in measure["summary"]]
    if services:   # ESCO's 能源流向盤點、設備效率診斷 …: what the firm gets, where the summary does not list it
        lines.append(kb.message("services", items="、".join(kb.items(mid, "services"))))
    lines += [f["text"] for f in a.figures if f["aspect"] in ("amount", "rate", "term")][:6]
    return lines


def _measure_section(kb, mid: str, aspects: list, a, facts_known: bool) -> list:
    measure = kb.measure(mid)
    lines = [kb.message("measure_heading", name=measure["short_name"])]
    status = _status_line(kb, measure, a)
    if status and (facts_known or "eligibility" in aspects):
        lines.append(status)
    asked = [x for x in aspects if x not in ("hotline", "hours", "overview")]
    if not asked:
        lines += _summary_lines(kb, mid, a) if not (facts_known and a.status in (ELIGIBLE, UNKNOWN)) else \
            [f["text"] for f in a.figures if f["aspect"] in ("amount", "rate", "rate_cut", "guarantee", "term")]
        # what the firm's amount or size rules out, said once: 「利率減碼：貸款額度1,000萬元以內，…不適用」
        lines += [_excluded_line(kb, f) for f in a.excluded
                  if f["aspect"] == "amount" or facts_known and "amount" in (f["when"] or {})]
    for aspect in asked:
        lines += [x for x in _aspect_lines(kb, mid, aspect, a) if x not in lines]
    lines += a.notes
    if a.declare and ("eligibility" in aspects or facts_known):
        lines += [kb.message("declare", text=t) for t in a.declare]
    return lines


def _section(kb, mid, aspects, a, facts_known, said: set, quiet: bool) -> str:
    """One measure's part of the reply, without lines an earlier section already said."""
    lines = _measure_section(kb, mid, aspects, a, facts_known)
    if a.status == NOT_ELIGIBLE:   # refused: the reason and the headline figure are enough
        keep = {lines[0], lines[1] if len(lines) > 1 else ""}
        lines = [x for x in lines if x in keep or x.startswith(tuple(f["label"] for f in a.figures if f["aspect"] == "amount"))]
    if quiet:
        lines = [x for x in lines if not x.startswith("簡報沒有列出")]
    lines = [x for x in lines if x not in said or x.startswith("【")]
    said.update(lines)
    return "\n".join(lines)


def _size_matters(kb, mid: str, aspects: list) -> bool:
    return any("size" in (f["when"] or {}) for f in kb.figures(mid) if f["aspect"] in aspects or not aspects)


def answer_measures(kb, focus: list, aspects: list, facts: dict, facts_known: bool, now: datetime,
                    named: bool, compared: frozenset = frozenset()) -> tuple:
    assessments = {mid: assess(kb, facts, mid) for mid in focus}
    # A named measure the firm cannot get: show the linked measure that fits instead (納管工廠 → 300萬 program).
    alternatives, hints = [], []
    for mid, a in list(assessments.items()):
        if a.status == NOT_ELIGIBLE:
            for to, _ in kb.links(mid):
                if to not in assessments and to not in alternatives:
                    b = assess(kb, facts, to)
                    # A measure with no conditions of its own in the same family (輔導團階段三 is the same
                    # subsidy as 研發轉型補助) is no way out; another family (融資診斷 for a loan) is.
                    other_family = kb.measure(to)["family"] != kb.measure(mid)["family"]
                    if b.status in (ELIGIBLE, UNKNOWN) or (b.status == NO_CONDITIONS and other_family):
                        alternatives.append(to)
                        assessments[to] = b
                    elif b.status == NOT_ELIGIBLE and not other_family and to not in hints:
                        hints.append(to)   # 無工廠登記: the 納管/特定工廠 variant does not fit either, but say it exists
    order = {ELIGIBLE: 0, NO_CONDITIONS: 1, UNKNOWN: 2, NOT_ELIGIBLE: 3}
    ranked = [m for m in focus if m in assessments]
    if facts_known and not named:   # lead with what fits
        ranked = sorted(ranked, key=lambda m: order[assessments[m].status])
    shown = ranked[:1 if alternatives else MAX_MEASURES]
    alt_shown = sorted(alternatives, key=lambda m: order[assessments[m].status])[:1]
    quiet = len(shown) + len(alt_shown) > 1 and not named   # no "not in the deck" lines for a measure we guessed
    texts, said = [], set()
    for mid in shown:
        section = _section(kb, mid, aspects, assessments[mid], facts_known, said, quiet)
        if "\n" not in section and not (texts and "\n" in texts[-1]):
            # nothing on what was asked and nothing said before it: say what the measure is, never a bare heading
            section += "\n" + kb.measure(mid)["summary"]
        if texts and "\n" not in section and texts[-1].startswith("【"):
            # nothing new to say about this one (same comparison periods): one heading for both
            head, _, rest = texts[-1].partition("】")
            texts[-1] = f"{head}、{section.strip('【】')}】{rest}"
            continue
        texts.append(section)
    if alt_shown:
        texts.append(kb.message("instead", alternatives=kb.measure(alt_shown[0])["short_name"]))
        section = _section(kb, alt_shown[0], aspects, assessments[alt_shown[0]], facts_known, said, True)
        if "\n" not in section:   # nothing on what was asked (融資診斷 has no rate): say what it is
            section += "\n" + kb.measure(alt_shown[0])["summary"]
        texts.append(section)
    if not alt_shown:
        for to in hints[:1]:
            checks = [c["text"] for c in kb.criteria(to) if c["kind"] == "check" and
                      c["fact"] not in ("revenue_change", "tariff_affected")]
            texts.append(kb.message("variant_hint", criteria="、".join(checks), name=kb.measure(to)["short_name"]))
    shown += alt_shown
    hotline_ids = []
    for mid in sorted(shown, key=lambda m: order[assessments[m].status]):
        hotline_ids += [h["id"] for h in kb.hotlines_for(mid)]
    hotline_ids = _dedupe(hotline_ids)[:MAX_HOTLINES]
    amount_question = not [x for x in aspects if x not in ("hotline", "hours")] or {"amount", "eligibility"} & set(aspects)
    # no question back when both sizes were asked about: both are shown
    if "size" not in facts and "size" not in compared and any(assessments[m].status != NOT_ELIGIBLE and (_size_matters(kb, m, aspects) or
                                   ("size" in assessments[m].missing and amount_question)) for m in shown):
        texts.append(kb.message("ask_size"))
    # What the next turn is about: a measure the firm was just refused gives way to its variant that fits
    # (研發轉型補助 → the 納管/特定工廠 program: 「最多補多少」「電話呢」 are about the one it can get); a way out of
    # another family (融資診斷 after a refused loan) joins the focus but does not replace the loan.
    fitting = [m for m in shown if assessments[m].status != NOT_ELIGIBLE]
    refused_variants = [m for m in shown if assessments[m].status == NOT_ELIGIBLE and
                        any(kb.measure(f)["family"] == kb.measure(m)["family"] for f in fitting)]
    next_focus = [m for m in shown if m not in refused_variants]
    return texts, shown, hotline_ids, next_focus


def date_checks(kb, measure_ids: list, text: str, now: datetime) -> list:
    """「114年7月送件來得及嗎」: the named date against each measure's intake start (ROC years below 1000)."""
    m = ASKED_DATE.search(text)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return []
    year = int(m.group(1)) if m.group(1) else now.astimezone(TAIPEI).year
    year = year + 1911 if year < 1000 else year
    day = int(m.group(3) or 1)
    asked_text = m.group(0).strip()
    lines = []
    for mid in measure_ids:
        for d in kb.dates(mid):
            if d["key"] != "intake_start":
                continue
            start = datetime.fromisoformat(d["ad"]).date()
            try:
                asked = datetime(year, int(m.group(2)), day).date()
            except ValueError:
                return []
            whole_month_before = not m.group(3) and (asked.year, asked.month) < (start.year, start.month)
            key = "date_before" if asked < start and (m.group(3) or whole_month_before) else \
                "date_after" if asked >= start else "date_same_month"
            lines.append(kb.message(key, asked=asked_text, start=d["roc"], name=kb.measure(mid)["short_name"], text=d["text"]))
    return lines


def answer_hours(kb, hotline_ids: list, now: datetime) -> list:
    lines = []
    for hid in hotline_ids:
        h = kb.hotline(hid)
        if h.get("hours_text"):
            lines.append(kb.message("hours_known", name=h["name"], number=h["number"], hours=h["hours_text"]))
            if is_open(h, now) is False:
                lines.append(kb.message("hours_closed_now", now=now.astimezone(TAIPEI).strftime("%H:%M"),
                                        name=h["name"], hours=h["hours_text"]))
        else:
            general = kb.general_hotline()
            lines.append(kb.message("hours_unknown", name=h["name"], general=general["name"],
                                    number=general["number"], hours=general["hours_text"]))
    return lines


def hotline_answer(kb, hotline_ids: list, aspects: list, now: datetime, text: str = "") -> list:
    """About hotlines themselves: their hours when asked, else what each handles."""
    if "hours" in aspects:
        lines = answer_hours(kb, hotline_ids, now)
        if DAY_WORDS.search(text):   # 「星期六可以打嗎」: the deck gives times of day, not days
            lines.append(kb.message("hours_days_unknown"))
        return lines
    return [f"{kb.hotline(h)['name']}：{kb.hotline(h)['handles']}" for h in hotline_ids]


def overview(kb, text: str, focus: list) -> tuple:
    """(texts, hotline ids, allow more than MAX_HOTLINES)."""
    if DIRECTORY_WORDS.search(text):
        lines = [kb.message("directory_heading")]
        for h in kb.hotlines():
            hours = kb.message("hours_suffix", hours=h["hours_text"]) if h.get("hours_text") else ""
            lines.append(kb.message("directory_line", number=h["number"], name=h["name"], handles=h["handles"], hours=hours))
        return ["\n".join(lines)], [], True
    if STAGE_WORDS.search(text) and not PACKAGE_WORDS.search(text):
        prog = kb.program("coaching_team")
        lines = [kb.message("coaching_overview", name=prog["name"], summary=prog["summary"])]
        for m in kb.stages("coaching_team"):
            lines.append(kb.message("coaching_stage", stage=m["stage"], name=m["short_name"], summary=m["summary"]))
        return ["\n".join(lines)], [h["id"] for h in kb.hotlines_for("coaching_team")], False
    prog = kb.program("package_700")
    named = [(i, asp) for i, asp in enumerate(kb.package_aspects(), 1) if asp["name"] in text]
    if 0 < len(named) <= 2:   # 「金融支持有哪些」: that aspect's measures with what each is, not all fourteen
        lines, hot = [], []
        for i, asp in named:
            lines.append(kb.message("package_aspect_heading", aspect=asp["name"], name=prog["name"], position=i,
                                    count=len(asp["measures"])))
            for mid in asp["measures"]:
                m = kb.measure(mid)
                lines.append(kb.message("package_measure_line", number=m["package_measure"], name=m["short_name"],
                                        summary=m["summary"]))
                hot += [h["id"] for h in kb.hotlines_for(mid)]
        return ["\n".join(lines)], _dedupe(hot)[:MAX_HOTLINES] or [h["id"] for h in kb.hotlines_for("package_700")], False
    if focus and not PACKAGE_WORDS.search(text):
        lines = [f"・{kb.measure(m)['short_name']}：{kb.measure(m)['summary']}" for m in focus]
        hot = _dedupe(h["id"] for m in focus for h in kb.hotlines_for(m))[:MAX_HOTLINES]
        return ["\n".join(lines)], hot, False
    lines = [kb.message("package_overview", name=prog["name"], summary=prog["summary"])]
    for i, asp in enumerate(kb.package_aspects(), 1):
        names = "、".join(f"措施{kb.measure(m)['package_measure']} {kb.measure(m)['short_name']}" for m in asp["measures"])
        lines.append(kb.message("package_aspect", position=i, aspect=asp["name"], measures=names))
    return ["\n".join(lines)], [h["id"] for h in kb.hotlines_for("package_700")], False


def topic_buttons(kb) -> list:
    keys = [k for k in kb.snap.messages if k.startswith("topic.")]
    return [{"title": kb.message(k), "payload": kb.message(k)} for k in keys]


def clarify_buttons(kb, ranking: list, descriptions: dict) -> list:
    names = [r["name"] for r in ranking if r.get("name") in descriptions and r["name"] not in SOCIAL][:2]
    return [{"title": descriptions[n], "payload": "/" + n} for n in names]


# ------------------------------------------------------------------------------------------- entry point
def compose(kb, turn: Turn, state: State, now: datetime | None = None, descriptions: dict | None = None) -> Reply:
    now = now or datetime.now(TAIPEI)
    notices = []
    if len(turn.text) > MAX_TEXT:
        notices.append(kb.message("too_long", limit=f"{MAX_TEXT:,}"))
        turn = Turn(turn.text[:MAX_TEXT], turn.intent, turn.confidence,
                    [e for e in turn.entities if (e.get("end") or 0) <= MAX_TEXT], turn.ranking)
    reading, new_facts, facts = _merge_facts(kb, turn, state)
    aspects = _aspects(reading, turn)
    general = kb.general_hotline()

    def reply(texts, kind, hotline_ids=(), buttons=(), measures=(), focus=None, fallbacks=0, allow_many=False,
              about_hotlines=False, ask_feedback=False):
        ids = list(hotline_ids) if allow_many else list(hotline_ids)[:MAX_HOTLINES]
        lines, call_buttons = hotline_block(kb, [kb.hotline(h) for h in ids], now)
        messages = [{"text": t} for t in [*notices, *texts] if t]
        if lines:
            messages.append({"text": "\n".join(lines), "buttons": call_buttons})
        if buttons:
            if messages and "buttons" not in messages[-1]:
                messages[-1]["buttons"] = list(buttons)
            else:
                messages.append({"text": kb.message("ask_topic"), "buttons": list(buttons)})
        if ask_feedback:   # 👍/👎 as quick replies: the staff helper's review counts them per day
            messages.append({"text": kb.message("feedback_ask"), "buttons": [
                {"title": kb.message(k), "payload": kb.message(k)} for k in ("feedback_up_button", "feedback_down_button")]})
        new_focus = list(focus if focus is not None else state.focus)
        # what was asked stays in mind while the measure does: 「利率多少」「電話呢」「如果只借80萬呢」
        kept = [a for a in aspects if a in CARRIED_ASPECTS] or (state.aspects if new_focus == state.focus else [])
        new_state = State(facts=facts, focus=new_focus, fallbacks=fallbacks, aspects=kept,
                          hotlines=list(hotline_ids) if about_hotlines else [])
        return Reply(messages, new_state, kind, list(measures), ids)

    if not reading.text.strip():
        return reply([kb.message("empty_message")], "clarify", buttons=topic_buttons(kb), fallbacks=state.fallbacks)

    nothing_asked = not (reading.measures or reading.topics or reading.hotlines or new_facts
                         or set(reading.aspects) & (FIGURE_ASPECTS | {"hotline", "hours", "eligibility"}))
    if reading.text.startswith(FEEDBACK) and len(reading.text) <= 12:   # the 👍/👎 buttons, or typed
        key = "feedback_up" if reading.text.startswith(FEEDBACK[0]) else "feedback_down"
        return reply([kb.message(key, name=general["name"], number=general["number"], hours=general["hours_text"])],
                     "feedback")
    if reading.about_bot and nothing_asked:   # 「你是真人還是機器人」, whatever intent DIET guessed
        return reply([kb.message("chitchat")], "social")
    if turn.intent in SOCIAL and not (reading.measures or reading.topics or reading.hotlines or new_facts
                                      or set(aspects) & (FIGURE_ASPECTS | {"hotline", "hours", "eligibility"})):
        if turn.intent == "out_of_scope":
            return reply([kb.message("out_of_scope", name=general["name"], number=general["number"])], "out_of_scope")
        if turn.intent == "greet":
            return reply([kb.message("greet")], "social", buttons=topic_buttons(kb))
        if turn.intent in ("affirm", "deny"):
            return reply([kb.message(turn.intent)], "social", buttons=topic_buttons(kb))
        return reply([kb.message(turn.intent)], "social")

    if reading.out_of_scope and not reading.measures:
        return reply([kb.message("out_of_scope", name=general["name"], number=general["number"])], "out_of_scope")

    if state.hotlines and aspects and set(aspects) <= {"hours", "hotline"} and not (
            reading.measures or reading.topics or reading.hotlines or new_facts):
        # 「信保基金電話幾號」 then 「幾點有人接」: still about that line
        return reply(hotline_answer(kb, state.hotlines, aspects, now, reading.text), "answer", state.hotlines,
                     about_hotlines=True)

    focus, how = _focus(kb, reading, new_facts, facts, aspects, state, turn.intent)
    # What the firm asked in words; 「額度降成90萬呢」 names the amount it changes, it does not ask for the cap.
    explicit = [a for a in reading.aspects if a not in ("hotline", "hours") and not (a == "amount" and "amount" in new_facts)]
    if how == "named" and not explicit and not new_facts and state.aspects and SWITCH.search(reading.text):
        # 「中小微企業貸款加碼保證成數」 then 「那外銷貸款保證呢」: the same question about the other measure
        aspects = state.aspects + [a for a in aspects if a in ("hotline", "hours") and a not in state.aspects]
    if how == "previous" and new_facts and state.aspects and not explicit:
        # 「利率多少」 then 「如果只借80萬呢」: the same question for the new amount (whatever intent DIET gives it).
        aspects = state.aspects + [a for a in aspects if a in ("hotline", "hours") and a not in state.aspects]

    if "amount" in new_facts and how in ("previous", "facts") and not explicit and not state.aspects:
        # 「想借兩千萬」「那如果只借80萬呢」: DIET calls it ask_amount, but the firm wants to know what that amount
        # gets (guarantee share, rate cut, the cap), so no single aspect narrows the answer.
        aspects = [a for a in aspects if a != "amount"]

    directory = DIRECTORY_WORDS.search(reading.text) and not reading.measures   # 「兩個措施各打哪支電話」 is not the directory
    about_hotline = reading.hotlines and "overview" not in reading.aspects and not PACKAGE_WORDS.search(reading.text)
    if directory or not about_hotline and "overview" in aspects and (turn.intent == "ask_overview" or not focus or how == "topic" or
                                  PACKAGE_WORDS.search(reading.text) or DIRECTORY_WORDS.search(reading.text)):
        texts, hot, many = overview(kb, reading.text, focus if how in ("named", "topic") else [])
        return reply(texts, "overview", hot, measures=focus, focus=focus, allow_many=many)

    about_measure = set(aspects) & (FIGURE_ASPECTS | {"eligibility", "application", "items", "period"})
    if reading.hotlines and not about_measure and (not focus or how in ("previous", "aspect", "topic")):
        # 「信保基金電話幾號」「產業競爭力發展中心幾點有人接」: about a hotline itself.
        # 「0800-023-800跟0800-005-288有什麼不同」 is about what they handle, whatever intent DIET guessed
        asked = aspects if "hours" in reading.aspects or len(reading.hotlines) == 1 else reading.aspects
        return reply(hotline_answer(kb, reading.hotlines, asked, now, reading.text), "answer", reading.hotlines,
                     about_hotlines=True)

    if not focus:
        if "hours" in aspects or "hotline" in aspects:
            texts = answer_hours(kb, [general["id"]], now) if "hours" in aspects else [kb.message(
                "general_line", name=general["name"], number=general["number"], hours=general["hours_text"])]
            return reply(texts, "answer", [general["id"]], buttons=topic_buttons(kb))
        if turn.intent == "out_of_scope":
            return reply([kb.message("out_of_scope", name=general["name"], number=general["number"])], "out_of_scope")
        if state.fallbacks == 0:
            buttons = clarify_buttons(kb, turn.ranking, descriptions or {}) or topic_buttons(kb)
            return reply([kb.message("clarify")], "clarify", buttons=buttons, fallbacks=1)
        return reply([kb.message("fallback_final", name=general["name"], number=general["number"],
                                 hours=general["hours_text"])], "fallback", [general["id"]])

    asked_figures = [a for a in aspects if a in FIGURE_ASPECTS]
    if how != "named" and asked_figures:   # 「利率呢」 about two loans: keep those that have a rate
        having = [m for m in focus if any(kb.figures(m, a) or kb.notes(m, a) for a in asked_figures)]
        focus = having or focus
    facts_known = bool({"size", "revenue_change", "factory_type", "us_export_3y", "trade_registered", "amount",
                        "applicants"} & set(facts)) and (bool(new_facts) or "eligibility" in aspects or how != "previous")
    if len(focus) > MAX_MEASURES and not (set(aspects) & FIGURE_ASPECTS) and not facts_known:
        texts, hot, _ = overview(kb, "", focus)
        return reply(texts, "overview", hot, measures=focus, focus=focus)
    texts, shown, hot, next_focus = answer_measures(kb, focus, aspects, facts, facts_known, now, how == "named",
                                                    frozenset(reading.compared))
    if "application" in aspects:
        texts += date_checks(kb, shown, reading.text, now)
    if "hours" in aspects:
        texts += answer_hours(kb, hot[:1], now)
    return reply(texts, "answer", hot, measures=shown, focus=next_focus or focus, ask_feedback=True)
