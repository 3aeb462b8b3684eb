"""Reading one turn in its conversation: the facts it adds, what it asks (aspects) and which measures it is about."""

from __future__ import annotations

from dataclasses import dataclass

from advisor.amounts import package_totals, read_amounts
from advisor.facts import Reading, number_facts, read
from advisor.model import State, UserMessage
from advisor.retrieval import CLEAR, NEAREST, THRESHOLD, best, index
from advisor.retrieval import switched_off as retrieval_off
from advisor.sections import FIGURE_ASPECTS
from advisor.size_standard import size_from_counts
from advisor.words import Cues, cues
from knowledge.registry import BY_NAME, FACT_VALUES, REGISTRATION_FACTS

DIET_FACTS = ("size", "factory_type", "purpose")
MARGIN = 1.2  # a hit narrows a topic when it scores this many times the topic's next measure
SURE = 1.5  # times the second reader's threshold: sure enough to override a topic word or the previous focus
TWO_NEEDS_LENGTH = 40  # characters: a message this long describes a situation, and may carry two needs
DESCRIPTION_LENGTH = 20  # characters: shorter follow-ups stay on the measure under discussion
INTENT_SURE = 0.8  # DIET's intent alone guesses which measures a bare question is about only at this confidence
SMALL_TALK = {"greet", "goodbye", "thanks", "affirm", "deny", "chitchat"}
MAX_MEASURES = 2
INTENT_ASPECT = {
    "ask_amount": "amount",
    "ask_rate": "rate",
    "ask_rate_cut": "rate_cut",
    "ask_guarantee": "guarantee",
    "ask_fee": "fee",
    "ask_term": "term",
    "ask_eligibility": "eligibility",
    "ask_period": "period",
    "ask_application": "application",
    "ask_items": "items",
    "ask_self_funding": "self_funding",
    "ask_equipment_cap": "equipment_cap",
    "ask_hotline": "hotline",
    "ask_hours": "hours",
    "ask_overview": "overview",
}
ABOUT_LINES = ("hotline", "hours")


@dataclass
class Context:
    """Everything the answer handlers look at."""

    msg: UserMessage
    state: State
    reading: Reading
    new_facts: dict
    facts: dict
    aspects: list
    focus: list
    how: str  # how the focus was chosen: named, topic, previous, facts, aspect, none
    explicit: list  # what the firm asked in words
    cue: Cues

    @property
    def asks_something(self) -> bool:
        r = self.reading
        return bool(
            r.measures
            or r.topics
            or r.hotlines
            or self.new_facts
            or set(self.aspects) & (FIGURE_ASPECTS | {"hotline", "hours", "eligibility"})
            or "overview" in r.aspects  # 「大概分成哪幾個方向」 in the firm's words, whatever DIET calls it
        )


def _dedupe(seq):
    return list(dict.fromkeys(seq))


def merge_facts(kb, msg: UserMessage, state: State) -> tuple:
    reading = read(kb, msg.text)
    # 「700億方案有幾項措施」: the package's name is not an amount the firm wants to borrow (but 「總經費700萬」 is a
    # budget: the package is told by its total, not by the digits)
    totals = package_totals(kb)
    entities = [
        e
        for e in msg.entities or []
        if not (e.get("entity") == "amount" and e.get("value") in totals)
        # 「美國子公司營收掉了四成」: a figure about someone else is not the firm's
        and not any(i <= (e.get("start") or 0) < j for i, j in reading.others)
    ]
    # revenue amounts (「113年同期營收3000萬，今年剩2500萬」) are a revenue change, not an amount to borrow
    entities, worked = read_amounts(kb, reading.text, entities, state.facts)
    # 「總經費600萬」: the project's budget, from which a subsidy is worked out; not an amount to borrow
    borrow = [row["phrase"] for row in kb.lexicon("cue") if row["key"] == "borrow"]
    new = number_facts(entities, reading.text, [row["phrase"] for row in kb.lexicon("budget")], borrow)
    new = {**worked, **new} if "revenue_change" in new else {**new, **worked}  # a stated percentage wins
    for e in msg.entities or []:  # DIET's entities fill what the lexicon did not see
        # only values the engine knows: DIET may hand back the raw words (中小微 inside 「中小微貸款加碼」)
        if (
            e.get("entity") in DIET_FACTS
            and e.get("value") in FACT_VALUES[e["entity"]]
            and e["entity"] not in reading.compared
        ):
            new.setdefault(e["entity"], e["value"])
        ruled_out = any(i <= (e.get("start") or -1) < j for i, j in reading.ruled_out)
        if (
            e.get("entity") == "measure"
            and kb.measure(e.get("value") or "")
            and e["value"] not in reading.measures
            and not ruled_out
            and not _outweighed(kb, reading, e, (msg.text or "")[e.get("start") or 0 : e.get("end") or 0])
        ):
            reading.measures.append(e["value"])
    new.update(reading.facts)
    if reading.for_other:  # what the firm said before about the one it asks for now decides, not its own facts
        new = {**_said_of_others(kb, state.previous_text), **new}
    new.update(_registration_short(kb, reading.text, new, state.facts))
    if "size" not in new:  # 「員工45人」 (or a correction of it): the size by the 中小企業認定標準
        derived = size_from_counts(kb, msg.entities)
        if derived:
            new["size"], key, values = derived
            reading.notes.append((key, values))
    return reading, new, {**state.facts, **new}


def _said_of_others(kb, text: str) -> dict:
    """The facts of the third-party clauses of an earlier message (「我們的協力廠是納管工廠」: factory_type managed)."""
    if not text:
        return {}
    facts: dict = {}
    for i, j in read(kb, text).others:
        facts.update(read(kb, text[i:j], for_other=True).facts)
    return facts


def _registration_short(kb, text: str, new: dict, known: dict) -> dict:
    """「更正！剛查了有登記」: a yes/no registration (出進口廠商登記) named by its last word only is the one the firm
    spoke of before, when there is exactly one and the message names none in full."""
    if any(f in new for f in REGISTRATION_FACTS):
        return {}
    spoken = [f for f in REGISTRATION_FACTS if f in known and BY_NAME[f].type == "bool"]
    if len(spoken) != 1:
        return {}
    c = cues(kb)
    if c.unregistered_short.search(text):  # before 有登記: 「沒有登記」 holds 有登記
        return {spoken[0]: False}
    return {spoken[0]: True} if c.registered_short.search(text) else {}


def _outweighed(kb, reading, e: dict, words: str) -> bool:
    """DIET's measure on a word that is not one of the measure's names (「檢測」 in 「AI影像檢測的課」) yields to a
    second reader sure of another measure (the course: 課, 學費), or placing it clearly above DIET's."""
    if words and words in {alias for alias, mid in kb.aliases() if mid == e["value"]}:
        return False
    hit = best(kb, reading.text)
    if not hit or hit.measure_id == e["value"]:
        return False
    own = index(kb).score(reading.text, e["value"])
    return hit.score >= SURE * THRESHOLD or hit.score >= CLEAR * own


def _implied(kb, new_facts: dict, facts: dict) -> list:
    """The measures a firm's own new facts point to (measures.yml `implied_by`), lowest rank first."""
    ranks = {}
    for m in kb.measures():
        spec = m.get("implied_by")
        if not spec:
            continue
        if any(f in new_facts and (values == "any" or facts.get(f) in values) for f, values in spec["facts"].items()):
            ranks.setdefault(spec["rank"], []).append(m["id"])
    return ranks[min(ranks)] if ranks else []


def _second_reader(kb, reading, intent: str, within: list | None = None):
    """The measure the firm describes without naming it; not asked when the message names a line (it is about the
    line), says something out of scope or about the bot, or is small talk. Against a broad topic (`within`), only
    a measure that stands out from the topic's own (MARGIN times the best of the others) narrows the topic."""
    if reading.hotlines or reading.out_of_scope or reading.about_bot or intent in SMALL_TALK:
        return None
    if cues(kb).package.search(reading.text) or any(p["name"] in reading.text for p in kb.package_pillars()):
        return None  # the package or one of its pillars by name: an overview, not one measure
    hit = best(kb, reading.text)
    if hit and within:
        inside = [h.score for h in index(kb).rank(reading.text) if h.measure_id in within and h != hit]
        if inside and hit.score < MARGIN * inside[0]:
            return None
    return hit


def _second_need(kb, reading) -> str | None:
    """One question asked of two things (cue `both`) with one measure named: the measure the second reader places
    next, when it is near enough (NEAREST, and half the best score)."""
    if len(reading.measures) != 1 or retrieval_off() or not cues(kb).both.search(reading.text):
        return None
    hits = index(kb).rank(reading.text)
    if not hits:
        return None
    other = next((h for h in hits if h.measure_id not in reading.measures), None)
    ok = other and other.score >= NEAREST and other.score >= hits[0].score / 2
    return other.measure_id if ok else None


def _clearly_kin(kb, reading, hit) -> bool:
    """The hit is of a family of the topic's measures and scores CLEAR times the best of them."""
    if kb.measure(hit.measure_id)["family"] not in {kb.measure(m)["family"] for m in reading.topics}:
        return False
    inside = [h.score for h in index(kb).rank(reading.text) if h.measure_id in reading.topics]
    return not inside or hit.score >= CLEAR * inside[0]


def _next_stage(kb, reading, state: State) -> list:
    """「AI診斷做完了，下一步呢」: the stage after the one named (or under discussion), when the firm asks what comes
    next."""
    if not cues(kb).next_stage.search(reading.text):
        return []
    # the stages the firm says it has done by their short words (診斷, 導入), else the ones named or discussed; the
    # short words only while a stage is named or discussed (融資診斷 is no stage)
    about = [m for m in reading.measures + reading.topics + list(state.focus) if (kb.measure(m) or {}).get("stage")]
    done = _dedupe(r["key"] for r in kb.lexicon("stage_words") if r["phrase"] in reading.text) if about else []
    current = [m for m in (done or reading.measures or state.focus) if (kb.measure(m) or {}).get("stage")]
    if not current:
        return []
    m = max((kb.measure(x) for x in current), key=lambda x: x["stage"])  # 「診斷跟導入做完之後」: after the later one
    later = [s for s in kb.stages(m["program_id"]) if s["stage"] == m["stage"] + 1]
    if not later:
        return []
    program = kb.program(m["program_id"]) or {}
    values = {"program": program.get("name", ""), "name": later[0]["short_name"], "stage": str(later[0]["stage"])}
    reading.notes.append(("next_stage", values))
    return [later[0]["id"]]


def _described_sibling(kb, reading) -> str | None:
    """「聽說投資抵減的適用範圍有放寬」: one measure named by a word its sibling shares (投資抵減) while the rest of
    the message describes the sibling (放寬, 適用範圍: 擴大抵減適用). The sibling, when the second reader is sure of
    it and ranks it clearly above the named one; the answer shows both."""
    if len(reading.measures) != 1 or retrieval_off():
        return None
    named = reading.measures[0]
    hits = index(kb).rank(reading.text)
    if not hits or hits[0].measure_id == named or hits[0].score < SURE * THRESHOLD:
        return None
    top, family = hits[0], kb.measure(named)["family"]
    if kb.measure(top.measure_id)["family"] != family or top.score < CLEAR * index(kb).score(reading.text, named):
        return None
    return top.measure_id


def choose_focus(
    kb, reading, new_facts: dict, facts: dict, aspects: list, state: State, intent: str, guess_aspects=None
) -> tuple:
    """(measure ids, how they were chosen). guess_aspects: the aspects the last guesses go by (default: aspects)."""
    following = _next_stage(kb, reading, state)
    if following:
        return following, "named"
    if reading.other:  # 「外銷貸款保證不行，有沒有別的貸款」: the loans other than the one named (or just discussed)
        ruled_out = reading.measures or state.focus
        others = _dedupe(m for m in reading.other if m not in ruled_out)
        if others and reading.measures and cues(kb).if_not.search(reading.text):
            return _dedupe(reading.measures + others), "named"  # 「可以申請X嗎？不行的話有別的嗎」: both
        if others:
            return others, "topic"
    if cues(kb).besides.search(reading.text) and not reading.topics:
        # 「你剛說的法人…除了試製還能幫什麼」: the measures the deck links to the one named or discussed
        current = reading.measures or state.focus
        linked = _dedupe(to for m in current for to, _ in kb.links(m) if to not in current)
        if linked:
            return linked, "named"
    if not (reading.measures or reading.topics) and cues(kb).back.search(reading.text):
        # 「回到倉庫那個」: back to an earlier measure, named by one of its words; the second reader finds it
        hits = index(kb).rank(reading.text)
        if hits and hits[0].score >= NEAREST:
            return [hits[0].measure_id], "named"
    if state.focus and not reading.measures and cues(kb).again.search(reading.text):
        # 「不好意思，會計說我們員工跟資本額都超過了，不算中小企業，那這樣呢」: the last question again with the
        # corrected facts; a topic word in the correction (員工) does not move the focus
        return state.focus, "previous"
    if reading.measures:
        # A long message with two needs (「想借錢週轉，另外也想做研發轉型」): the named measure, and the topic of the
        # other family the firm also described
        families = {kb.measure(m)["family"] for m in reading.measures}
        # the second need is money (借錢週轉, in the loan topic's own words): a market or a place named around the
        # first need is its context (「想轉做歐洲市場…去哪做檢測驗證」 asks for no export loan)
        money = any(r["phrase"] in reading.text for r in kb.lexicon("topic") if r["key"] == "loan")
        more = [
            m
            for m in reading.topics
            if money and kb.measure(m)["family"] not in families and kb.measure(m)["family"] == "loan"
        ]
        if (
            more
            and len(reading.text) >= TWO_NEEDS_LENGTH
            and (not reading.aspects or cues(kb).both.search(reading.text))
        ):
            # (「研發補助跟貸款各能拿多少」: a question asked of both)
            return _dedupe(reading.measures + more), "named"
        second = _second_need(kb, reading)
        if second:  # 「要買工具、也要送員工去上課，各自最多補多少」: 上課 names the course, 工具 describes the other
            return [*reading.measures, second], "named"
        sibling = _described_sibling(kb, reading)
        return (_dedupe([sibling] + reading.measures) if sibling else reading.measures), "named"
    if reading.topics and state.focus and not reading.aspects:
        # 「融資診斷是做什麼的」 then 「如果顧問覺得我們不該再借錢呢」: a topic word (借錢) inside a follow-up the
        # second reader places on the measure under discussion does not move the focus
        hits = index(kb).rank(reading.text)
        if hits and hits[0].measure_id in state.focus and hits[0].score >= NEAREST:
            return state.focus, "previous"
    if reading.topics:
        # 「怕國外買主付不出錢，那種保險的費用…」: a broad topic word (國外) and a need the second reader places;
        # 「顧問覺得我們不該再借錢呢」: a topic word (借錢) inside a need of another measure the reader is sure of
        hit = _second_reader(kb, reading, intent, within=reading.topics)
        broad = len(reading.topics) > MAX_MEASURES and not reading.aspects
        # 「上AI影像檢測的課，學費…上限多少」: the topic's word (AI) and a measure of the topic's own family the
        # reader places clearly above the topic's own (the AI course) narrow the topic without the reader being sure
        kin = hit and hit.measure_id not in reading.topics and _clearly_kin(kb, reading, hit)
        if hit and (broad or kin or hit.score >= SURE * THRESHOLD):
            return [hit.measure_id], "retrieved"
    if len(reading.families) == MAX_MEASURES and not state.focus:
        # 「研發補助跟貸款各能拿多少」: two families asked together: the nearest measure of each (a variant the facts
        # refuse gives way to its sibling in the answer)
        scores = {h.measure_id: h.score for h in index(kb).rank(reading.text)}
        return [max(family, key=lambda m: scores.get(m, 0.0)) for family in reading.families], "topic"
    if len(reading.topics) > MAX_MEASURES:  # a broad topic: its measures in the order the second reader ranks them
        scores = {h.measure_id: h.score for h in index(kb).rank(reading.text)}
        top = max(scores.get(m, 0.0) for m in reading.topics)
        if top >= NEAREST:  # only when the reader has a signal: the topic's measures it places near the top
            ranked = sorted(reading.topics, key=lambda m: -scores.get(m, 0.0))
            reading.topics = [m for m in ranked if scores.get(m, 0.0) >= top / 2]
    if reading.topics:
        # 「保證成數多少」 while the 中小微 loan is under discussion: stay on it rather than every guarantee
        kept = [m for m in reading.topics if m in state.focus] if reading.aspects else []
        figures = [a for a in reading.aspects if a in FIGURE_ASPECTS]
        if any(not any(kb.figures(m, a) for m in kept) for a in figures):
            # 「可以貸多少？利息多少？」 while the export guarantee (no rate in the deck) is under discussion: the
            # loans of the topic that answer it
            kept = []
        return kept or reading.topics, "topic"
    if state.focus and (aspects or new_facts or intent.startswith("ask_") or intent == "inform"):
        # 「那政府會不會派人來廠裡看看」 after a loan: a need described in the firm's words moves the focus;
        # a follow-up that asks something of its own (an aspect, a new fact) stays on the measure
        hit = None if new_facts else _second_reader(kb, reading, intent)
        # (a short follow-up 「那利率還有減碼嗎」 asks about the focus, whatever measure its words also name)
        sure = hit and hit.score >= SURE * THRESHOLD and len(reading.text) >= DESCRIPTION_LENGTH
        # 「減碼期間實際利率是多少」 asks the focus for a figure it has: another measure's name is no reason to move
        figures = [a for a in reading.aspects if a in FIGURE_ASPECTS]
        if figures and any(kb.figures(m, a) for m in state.focus for a in figures):
            sure = False
        if hit and hit.measure_id not in state.focus and (not reading.aspects or sure):
            return [hit.measure_id], "retrieved"
        return state.focus, "previous"
    implied = _implied(kb, new_facts, facts)
    if implied:
        return implied, "facts"
    hit = _second_reader(kb, reading, intent)
    if hit:  # the second reader: the measure the firm describes without naming it
        return [hit.measure_id], "retrieved"
    if state.fallbacks and state.previous_text and intent not in SMALL_TALK:
        # 「工廠的空壓機很舊了」 (clarify: nothing clearly nearest) then 「那要怎麼申請」: the follow-up asks about what
        # the firm said before, and the measure nearest to that (the clarify's first button) is the best guess; the
        # answer says which measure it took the question to be about. (Read together, the follow-up's own words,
        # 申請, only pull other measures up.)
        # (only a short follow-up: 「那條線的作業員如果要轉去別家上班…」 describes a need of its own)
        hits = index(kb).rank(state.previous_text)
        if hits and hits[0].score >= NEAREST and len(reading.text) < DESCRIPTION_LENGTH:
            return [hits[0].measure_id], "retrieved"
    # The last two guesses go by what the firm's words ask, or by DIET's intent only when DIET is sure: its ask_period
    # at 0.50 on 「想換掉老冷氣跟照明，划不划算」 is no question about comparison periods (the clarify then names the
    # nearest measure, ESCO, and gives its line); at 0.99 on 「113年同期是西元哪一年」 it is.
    aspects = guess_aspects if guess_aspects is not None else aspects
    if "period" in aspects:  # 「營業額要跟什麼時候比」: the measures whose criteria name comparison periods
        ids = [m["id"] for m in kb.measures() if any(c.get("periods_id") for c in kb.criteria(m["id"]))]
        if ids:
            return ids[:MAX_MEASURES], "aspect"
    figure_aspects = [a for a in aspects if a in FIGURE_ASPECTS]
    if figure_aspects:  # 「利率多少」 with nothing else: the measures that have such a figure
        ids = _dedupe(m["id"] for m in kb.measures() if kb.figures(m["id"], figure_aspects[0]))
        return ids[:MAX_MEASURES], "aspect"
    return [], "none"


def read_turn(kb, msg: UserMessage, state: State) -> Context:
    reading, new_facts, facts = merge_facts(kb, msg, state)
    aspects = list(reading.aspects)
    from_intent = INTENT_ASPECT.get(msg.intent)
    # DIET's intent adds its aspect when the firm's words ask nothing the reader knows, or when DIET is sure: an
    # unsure 「ask_rate_cut」 (0.60) beside 「max subsidy … which number」 asks nothing about a rate cut
    if from_intent and from_intent not in aspects and (not aspects or msg.confidence >= INTENT_SURE):
        aspects.append(from_intent)
    sure = from_intent and msg.confidence >= INTENT_SURE and from_intent not in reading.aspects
    guess_aspects = list(reading.aspects) + ([from_intent] if sure else [])
    focus, how = choose_focus(kb, reading, new_facts, facts, aspects, state, msg.intent, guess_aspects)
    # a measure the firm said it does not mean stays out, however else it came in (a topic word, the second reader)
    focus = [m for m in focus if m not in reading.not_meant] or focus
    if how == "retrieved" and not sure and from_intent in aspects and from_intent not in reading.aspects:
        # a need the second reader placed: an unsure intent's aspect (ask_period at 0.43 on 「政府會不會派人來看一下」)
        # is no question about it
        aspects.remove(from_intent)
    cue = cues(kb)
    # What the firm asked in words; 「額度降成90萬呢」 names the amount it changes, it does not ask for the cap.
    explicit = [a for a in reading.aspects if a not in ABOUT_LINES and not (a == "amount" and "amount" in new_facts)]
    carried = state.aspects + [a for a in aspects if a in ABOUT_LINES and a not in state.aspects]
    if how == "named" and not explicit and not new_facts and state.aspects and cue.switch.search(reading.text):
        # 「中小微企業貸款加碼保證成數」 then 「那外銷貸款保證呢」: the same question about the other measure
        aspects = carried
    elif how == "named" and not explicit and state.aspects and (not state.focus or set(focus) <= set(state.focus)):
        # 「保證手續費」 then 「中小企業的外銷貸款保證那個」: the question asked, now about the measure named (or the
        # one it was about, confirmed with the firm's size)
        aspects = carried
    if how == "previous" and (new_facts or cue.again.search(reading.text)) and state.aspects and not explicit:
        # 「利率多少」 then 「如果只借80萬呢」: the same question for the new amount (whatever intent DIET gives it).
        aspects = carried
    if "amount" in new_facts and how in ("previous", "facts") and not explicit and not state.aspects:
        # 「想借兩千萬」「那如果只借80萬呢」: DIET calls it ask_amount, but the firm wants to know what that amount
        # gets (guarantee share, rate cut, the cap), so no single aspect narrows the answer.
        aspects = [a for a in aspects if a != "amount"]
    return Context(msg, state, reading, new_facts, facts, aspects, focus, how, explicit, cue)
