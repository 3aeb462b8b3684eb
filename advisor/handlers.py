"""Answer kinds: an ordered, registered list of small handlers. The first whose `applies` holds answers the turn.

Each handler says when it applies (from the turn's Context) and what it answers (an Answer: typed lines, hotlines,
a question or buttons). Rendering to text happens afterwards, once (compose.py). Order matters: earlier handlers
catch the narrower cases (a 👍 tap before a greeting, a hotline's own hours before an answer about measures).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from advisor.context import ABOUT_LINES, Context
from advisor.currency import as_of_lines, asks_as_of, ended_notes
from advisor.hotlines import answer_hours, hotline_answer
from advisor.lines import LineKind, say
from advisor.measures import MAX_MEASURES, answer_measures, date_checks
from advisor.model import ReplyKind
from advisor.overview import measure_list, overview
from advisor.retrieval import clear_guess, nearest
from advisor.sections import FIGURE_ASPECTS, MEASURE_ASPECTS
from knowledge.registry import DECISIVE_FACTS

SOCIAL = {"greet", "goodbye", "thanks", "affirm", "deny", "chitchat", "out_of_scope"}
DIET_GUESS = 0.25  # an intent DIET ranks this high under nlu_fallback is worth offering as a button
FEEDBACK_MAX = 12
SOCIAL_MAX = 16  # characters: a longer message DIET calls small talk is read on
WHAT_IF_FACTS = {
    "amount",
    "budget",
    "purpose",
    "applicants",
}  # a 👍/👎 tap (or typed) is short; longer text is a question that starts with one


@dataclass
class Answer:
    kind: ReplyKind
    blocks: list = field(default_factory=list)  # lines, or lists of lines (one paragraph each)
    hotlines: list = field(default_factory=list)  # hotline ids
    buttons: list = field(default_factory=list)  # quick replies (topics, intents)
    question: str | None = None  # a question about the firm to ask with its answer buttons (size)
    feedback: bool = False  # end with 👍/👎 (unless a question is asked)
    measures: list = field(default_factory=list)
    focus: list | None = None  # None: the focus stays
    fallbacks: int = 0
    allow_many: bool = False  # the directory: every hotline, not MAX_HOTLINES
    about_hotlines: bool = False  # the next 「幾點？」 is about these hotlines
    handoff: dict | None = None  # to a person (advisor/handoff.py): what the adapter stores


class Handler:
    kind = ReplyKind.ANSWER

    def applies(self, kb, ctx: Context) -> bool:
        raise NotImplementedError

    def answer(self, kb, ctx: Context, now: datetime) -> Answer:
        raise NotImplementedError


def topic_buttons(kb) -> list:
    return [{"title": kb.message(k), "payload": kb.message(k)} for k in kb.snap.messages if k.startswith("topic.")]


def _general(kb, key: str) -> list:
    g = kb.general_hotline()
    return [say(LineKind.TEXT, key, name=g["name"], number=g["number"], hours=g["hours_text"])]


def nearest_buttons(kb, text: str) -> list:
    """The measures closest to what the firm wrote, by name: a tap asks about that measure."""
    names = [kb.measure(mid)["short_name"] for mid in nearest(kb, text)]
    return [{"title": n, "payload": n} for n in names]


class Empty(Handler):
    kind = ReplyKind.CLARIFY

    def applies(self, kb, ctx):
        return not ctx.reading.text.strip()

    def answer(self, kb, ctx, now):
        return Answer(
            self.kind, [say(LineKind.TEXT, "empty_message")], buttons=topic_buttons(kb), fallbacks=ctx.state.fallbacks
        )


class Feedback(Handler):
    kind = ReplyKind.FEEDBACK

    def _key(self, kb, text):
        for key in ("feedback_up", "feedback_down"):
            if text.startswith(kb.message(key + "_button")[0]):
                return key
        return None

    def applies(self, kb, ctx):
        return len(ctx.reading.text) <= FEEDBACK_MAX and self._key(kb, ctx.reading.text) is not None

    def answer(self, kb, ctx, now):
        return Answer(self.kind, _general(kb, self._key(kb, ctx.reading.text)))


class AboutBot(Handler):
    """「你是真人還是機器人」, whatever intent DIET guessed."""

    kind = ReplyKind.SOCIAL

    def applies(self, kb, ctx):
        r = ctx.reading
        return r.about_bot and not (
            r.measures
            or r.topics
            or r.hotlines
            or ctx.new_facts
            or set(r.aspects) & (FIGURE_ASPECTS | {"hotline", "hours", "eligibility"})
        )

    def answer(self, kb, ctx, now):  # a firm asking whether a person is there may want one: the line to call
        return Answer(self.kind, _general(kb, "about_bot"), [kb.general_hotline()["id"]])


class AsOf(Handler):
    """「你們的資料是什麼時候的」: the deck's date and the last publish (advisor/currency.py)."""

    def applies(self, kb, ctx):
        return asks_as_of(kb, ctx.reading.text) and not ctx.reading.measures

    def answer(self, kb, ctx, now):
        return Answer(self.kind, [as_of_lines(kb)], [kb.general_hotline()["id"]])


class Social(Handler):
    kind = ReplyKind.SOCIAL

    def applies(self, kb, ctx):
        # DIET's small-talk intents are trusted on short messages; 「謝謝，對了今天會下雨嗎」 or a long English
        # question it calls goodbye is read on (out of scope, the second reader)
        short = len(ctx.reading.text) <= SOCIAL_MAX and not ctx.reading.out_of_scope
        return ctx.msg.intent in SOCIAL and not ctx.asks_something and (short or ctx.msg.intent == "out_of_scope")

    def answer(self, kb, ctx, now):
        intent = ctx.msg.intent
        if intent == "out_of_scope":
            return OutOfScope().answer(kb, ctx, now)
        buttons = topic_buttons(kb) if intent in ("greet", "affirm", "deny") else []
        return Answer(self.kind, [say(LineKind.TEXT, intent)], buttons=buttons)


class OutOfScope(Handler):
    """房屋貸款, 股票 ...: words the lexicon marks out of scope, with no measure named."""

    kind = ReplyKind.OUT_OF_SCOPE

    def applies(self, kb, ctx):
        # 「稅籍登記的小工作室，沒有公司登記…可以借嗎」: a need of the package (a topic) with the firm's facts outweighs
        # an out-of-scope word in passing
        in_scope = (ctx.reading.topics or set(ctx.reading.aspects) & FIGURE_ASPECTS) and ctx.new_facts
        if ctx.reading.act:  # 「可以幫我們申訴嗎」: whatever measure a word of it names
            return True
        return ctx.reading.out_of_scope and not ctx.reading.measures and (ctx.reading.task or not in_scope)

    def answer(self, kb, ctx, now):
        # said plainly, with the general line to call and, when something in the package is near, its name
        return Answer(
            self.kind,
            _general(kb, "out_of_scope"),
            [kb.general_hotline()["id"]],
            buttons=nearest_buttons(kb, ctx.reading.text) or topic_buttons(kb),
        )


class SameHotline(Handler):
    """「信保基金電話幾號」 then 「幾點有人接」: still about that line."""

    def applies(self, kb, ctx):
        r = ctx.reading
        return bool(
            ctx.state.hotlines
            and ctx.aspects
            and set(ctx.aspects) <= set(ABOUT_LINES)
            and not (r.measures or r.topics or r.hotlines or ctx.new_facts)
        )

    def answer(self, kb, ctx, now):
        hot = ctx.state.hotlines
        return Answer(self.kind, hotline_answer(kb, hot, ctx.aspects, now, ctx.reading.text), hot, about_hotlines=True)


class FocusLines(Handler):
    """「那電話呢」「幾點有人接」 right after an answer about measures: the lines of what was answered, only."""

    def applies(self, kb, ctx):
        r = ctx.reading
        return bool(
            ctx.how == "previous"
            and ctx.aspects
            and set(ctx.aspects) <= set(ABOUT_LINES)
            and not (r.measures or r.topics or r.hotlines or ctx.new_facts)
        )

    def answer(self, kb, ctx, now):
        ma = answer_measures(kb, ctx.focus, [], ctx.facts, facts_known(ctx), False)
        hot = ma.hotlines
        return Answer(self.kind, hotline_answer(kb, hot, ctx.aspects, now, ctx.reading.text), hot, about_hotlines=True)


class Overview(Handler):
    """The directory of lines, the coaching stages, the package's pillars, or several measures at a glance."""

    kind = ReplyKind.OVERVIEW

    def applies(self, kb, ctx):
        text, cue = ctx.reading.text, ctx.cue
        directory = cue.directory.search(text) and not ctx.reading.measures  # 「兩個措施各打哪支電話」 is not it
        about_hotline = ctx.reading.hotlines and "overview" not in ctx.reading.aspects and not cue.package.search(text)
        # one measure in view (「節能有人可以幫忙嗎」 on the energy topic) is answered in full, not listed
        single = len(ctx.focus) == 1 and not (cue.package.search(text) or cue.stages.search(text))
        # 「金融支持分到多少億」: a pillar's money, which the deck does not split
        pillar_money = "amount" in ctx.aspects and any(p["name"] in text for p in kb.package_pillars())
        # 「新聞說政府拿700億出來幫產業」: the package named with nothing else asked is its overview
        package_alone = bool(cue.package.search(text)) and not (ctx.focus or ctx.reading.aspects or ctx.new_facts)
        return bool(
            directory
            or pillar_money
            or package_alone
            or not about_hotline
            and not single
            and "overview" in ctx.aspects
            and (
                ctx.msg.intent == "ask_overview"
                or not ctx.focus
                or ctx.how == "topic"
                or cue.package.search(text)
                or cue.directory.search(text)
            )
        )

    def answer(self, kb, ctx, now):
        focus = ctx.focus if ctx.how in ("named", "topic") else []
        lines, hot, many = overview(kb, ctx.reading.text, focus, tuple(ctx.aspects))
        return Answer(self.kind, [lines], hot, measures=ctx.focus, focus=ctx.focus, allow_many=many)


class HotlineItself(Handler):
    """「信保基金電話幾號」「0800-023-800跟0800-005-288有什麼不同」: about a hotline, whatever intent DIET guessed."""

    def applies(self, kb, ctx):
        return bool(
            ctx.reading.hotlines
            and not set(ctx.aspects) & MEASURE_ASPECTS
            and (not ctx.focus or ctx.how in ("previous", "aspect", "topic"))
        )

    def answer(self, kb, ctx, now):
        r = ctx.reading
        asked = ctx.aspects if "hours" in r.aspects or len(r.hotlines) == 1 else r.aspects
        return Answer(self.kind, hotline_answer(kb, r.hotlines, asked, now, r.text), r.hotlines, about_hotlines=True)


class GeneralLine(Handler):
    """A phone number or hours asked with no measure in view: the general line."""

    def applies(self, kb, ctx):
        return not ctx.focus and bool({"hours", "hotline"} & set(ctx.aspects))

    def answer(self, kb, ctx, now):
        general = kb.general_hotline()
        lines = answer_hours(kb, [general["id"]], now) if "hours" in ctx.aspects else _general(kb, "general_line")
        return Answer(self.kind, lines, [general["id"]], buttons=topic_buttons(kb))


class OutOfScopeIntent(OutOfScope):
    def applies(self, kb, ctx):
        return not ctx.focus and ctx.msg.intent == "out_of_scope"


class NotAboutThePackage(OutOfScope):
    """Nothing in the message is read as the package's (no measure, topic, line or fact of the firm, no question
    about a measure's figures or conditions) and the second reader finds no measure it is about: out of scope,
    said plainly, with the route (and the nearest measures as buttons, in case)."""

    def applies(self, kb, ctx):
        asked = set(ctx.aspects) & (FIGURE_ASPECTS | {"eligibility", "items", "self_funding"})
        # DIET unsure but with a guess about a measure's question (「嗯那個什麼的」): the two-stage clarify instead
        guess = ctx.msg.intent == "nlu_fallback" and any(
            r.get("name", "").startswith("ask_") and (r.get("confidence") or 0) >= DIET_GUESS for r in ctx.msg.ranking
        )
        return ctx.state.fallbacks == 0 and not (
            ctx.focus or ctx.new_facts or asked or guess or nearest(kb, ctx.reading.text)
        )

    def answer(self, kb, ctx, now):  # a miss all the same: a second one in a row offers a person
        answer = super().answer(kb, ctx, now)
        answer.fallbacks = 1
        return answer


class Clarify(Handler):
    """Not understood the first time: the nearest measures by name (or the likeliest intents, or the topics) as
    buttons, and the general line, so even a question the bot cannot place gets a route."""

    kind = ReplyKind.CLARIFY

    def __init__(self, descriptions: dict | None = None):
        self.descriptions = descriptions or {}

    def applies(self, kb, ctx):
        return not ctx.focus and ctx.state.fallbacks == 0

    def answer(self, kb, ctx, now):
        names = [r["name"] for r in ctx.msg.ranking if r.get("name") in self.descriptions and r["name"] not in SOCIAL][
            :2
        ]
        buttons = (
            nearest_buttons(kb, ctx.reading.text)
            or [{"title": self.descriptions[n], "payload": "/" + n} for n in names]
            or topic_buttons(kb)
        )
        general = kb.general_hotline()["id"]
        # one measure clearly nearest (「老冷氣跟照明換掉划算嗎」 → ESCO): its line too, and the next turn is about it
        guess = [m for m in [clear_guess(kb, ctx.reading.text)] if m]
        lines = [h["id"] for m in guess for h in kb.hotlines_for(m)][:2]
        hot = list(dict.fromkeys(lines + [general]))
        return Answer(self.kind, _general(kb, "clarify"), hot, buttons=buttons, fallbacks=1, focus=guess or None)


class Fallback(Handler):
    """Not understood twice: the general line, so it is never a dead end."""

    kind = ReplyKind.FALLBACK

    def applies(self, kb, ctx):
        return not ctx.focus

    def answer(self, kb, ctx, now):
        return Answer(self.kind, _general(kb, "fallback_final"), [kb.general_hotline()["id"]])


def _narrowed(kb, ctx: Context) -> list:
    asked = [a for a in ctx.aspects if a in FIGURE_ASPECTS]
    if ctx.how != "named" and asked:  # 「利率呢」 about two loans: keep those that have a rate
        having = [m for m in ctx.focus if any(kb.figures(m, a) or kb.notes(m, a) for a in asked)]
        return having or ctx.focus
    return ctx.focus


def facts_known(ctx: Context) -> bool:
    return bool(DECISIVE_FACTS & set(ctx.facts)) and (
        bool(ctx.new_facts) or "eligibility" in ctx.aspects or ctx.how != "previous"
    )


def _what_if(ctx: Context) -> bool:
    """A follow-up that only changes the amount, budget, purpose or partners of the question just answered."""
    return bool(
        ctx.how == "previous"
        and ctx.new_facts
        and set(ctx.new_facts) <= WHAT_IF_FACTS
        and "eligibility" not in ctx.aspects
        and ctx.state.aspects
    )


class MeasureList(Handler):
    """More measures than fit one answer and nothing narrows them: what each is."""

    kind = ReplyKind.OVERVIEW

    def applies(self, kb, ctx):
        return (
            len(_narrowed(kb, ctx)) > MAX_MEASURES and not (set(ctx.aspects) & FIGURE_ASPECTS) and not facts_known(ctx)
        )

    def answer(self, kb, ctx, now):
        focus = _narrowed(kb, ctx)
        lines, hot = measure_list(kb, focus)
        return Answer(self.kind, [lines], hot, measures=focus, focus=focus)


class Measures(Handler):
    """The answer about the measures in focus: figures worked out for this firm, reasons, the way out."""

    def applies(self, kb, ctx):
        return bool(ctx.focus)

    def answer(self, kb, ctx, now):
        focus = _narrowed(kb, ctx)
        ma = answer_measures(
            kb, focus, ctx.aspects, ctx.facts, facts_known(ctx), ctx.how == "named", frozenset(ctx.reading.compared)
        )
        ended = ended_notes(kb, ma.shown, now)  # a closed or superseded measure says so first
        blocks = ([ended] if ended else []) + list(ma.blocks)
        if _what_if(ctx):  # 「如果只借80萬呢」: what that amount changes, not the whole measure again
            blocks = [[x for x in b if x.kind != LineKind.STATUS and x.key != "declare"] for b in blocks]
        if "application" in ctx.aspects:
            blocks += date_checks(kb, ma.shown, ctx.reading.text, now)
        if "hours" in ctx.aspects:
            blocks += answer_hours(kb, ma.hotlines[:1], now)
        question = "size" if ma.ask_size and "size" not in ctx.state.asked else None
        blocks = [[say(LineKind.NOTE, key, **values)] for key, values in ctx.reading.notes] + blocks
        if ctx.how == "retrieved":  # say which measure the question was taken to be about
            blocks.insert(0, [say(LineKind.TEXT, "retrieved", name=kb.measure(focus[0])["short_name"])])
        return Answer(
            self.kind,
            blocks,
            ma.hotlines,
            question=question,
            feedback=True,
            measures=ma.shown,
            focus=ma.next_focus or focus,
        )


def registered(descriptions: dict | None = None) -> list:
    """The handlers in the order they are tried."""
    from advisor import handoff  # a person at 馬上辦 (issue 16); imported here: it subclasses Handler

    return [
        Empty(),
        *handoff.first(),
        Feedback(),
        AboutBot(),
        AsOf(),
        Social(),
        OutOfScope(),
        SameHotline(),
        FocusLines(),
        Overview(),
        HotlineItself(),
        GeneralLine(),
        OutOfScopeIntent(),
        NotAboutThePackage(),
        Clarify(descriptions),
        *handoff.after_clarify(),
        Fallback(),
        MeasureList(),
        Measures(),
    ]
