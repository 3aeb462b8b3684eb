"""Handing the conversation to a person at 馬上辦 (issue 16): the answer kinds of the handoff.

- `Offer`: the firm asks for a person (intent request_human, data/nlu/handoff.yml, or the lexicon cues
  `handoff_person`), complains (`handoff_complaint`) or taps 👎 a second time: call now (the hotline, a case code
  to read out), a written reply from staff in this chat, and outside staff hours a callback.
- `OfferAfterMisses`: not understood twice in a row (where the general line alone was given before).
- `Written`, `CallbackAsk`: the firm chose a written reply or a callback (it tapped the button, or typed its label).
- `CallbackDetails`: the turn after the callback question: phone number (handoff/phones.py) and preferred time.

What the adapter must do besides answering (store the code, queue the case, keep the callback question open) goes
in `Answer.handoff`; words are in knowledge/messages.yml (`handoff_*`) and knowledge/lexicon.yml (`cues`), the
centre's hours and the code's lifetime in knowledge/handoff.yml.
"""

from __future__ import annotations

import re

from advisor.handlers import Answer, Handler
from advisor.hotlines import call_button, is_open
from advisor.lines import LineKind, render, say
from advisor.model import ReplyKind
from advisor.sections import FIGURE_ASPECTS
from handoff import codes, phones
from handoff.settings import settings

CALLBACK = "callback"  # the handoff stage: the bot asked for a phone number and a time


def words(kb, key: str) -> list:
    return [row["phrase"] for row in kb.lexicon("cue") if row["key"] == key]


def _said(kb, text: str, key: str) -> bool:
    return any(w in text for w in words(kb, key))


def _button(kb, key: str) -> dict:
    label = kb.message(key)
    return {"title": label, "payload": label}


def _tapped(kb, text: str, key: str) -> bool:
    return text.strip() == kb.message(key) or _said(kb, text, key.replace("_button", ""))


def offer(kb, ctx, now, kind=ReplyKind.HANDOFF, lead=None) -> Answer:
    s = settings()
    h = kb.hotline(s.hotline)
    code = codes.new_code()
    open_now = is_open(h, now)
    hours = (
        say(
            LineKind.TEXT,
            "handoff_hotline_hours",
            hours=h["hours_text"],
            now=kb.message("handoff_open" if open_now else "handoff_closed"),
        )
        if h.get("hours_text")
        else say(LineKind.TEXT, "handoff_hotline_no_hours")
    )
    staffed = s.staffed(now)
    lines = [
        lead or say(LineKind.TEXT, "handoff_offer"),
        say(
            LineKind.TEXT,
            "handoff_call",
            name=h["name"],
            number=h["number"],
            hours=hours,
            code=codes.spaced(code),
            ttl=f"{s.code_hours:g}",
        ),
        say(LineKind.TEXT, "handoff_written_line", hours=s.hours_text),
        say(
            LineKind.TEXT,
            "handoff_staff_hours",
            hours=s.hours_text,
            now=kb.message("handoff_open" if staffed else "handoff_closed"),
        ),
    ]
    call = call_button(h)
    buttons = [{**call, "title": render(kb, call["title"])}, _button(kb, "handoff_written_button")]
    if not staffed:
        lines.append(say(LineKind.TEXT, "handoff_callback_line"))
        buttons.append(_button(kb, "handoff_callback_button"))
    return Answer(kind, [lines], buttons=buttons, handoff={"event": "offer", "code": code})


class Offer(Handler):
    kind = ReplyKind.HANDOFF

    def applies(self, kb, ctx):
        text = ctx.reading.text
        if ctx.msg.intent == "request_human" and not ctx.asks_something:
            return True
        if ctx.msg.intent == "out_of_scope" or ctx.reading.out_of_scope:
            return False  # 「產險理賠一直拖，可以找誰申訴」: not ours to take
        if _said(kb, text, "handoff_complaint") and not ctx.asks_something:
            return True  # 「美國客人一直抱怨交期…設倉庫最多補多少」 asks about a measure: answered as usual
        if _said(kb, text, "handoff_person") and not (ctx.reading.measures or set(ctx.aspects) & FIGURE_ASPECTS):
            return True
        down = kb.message("feedback_down_button")[0]
        return len(text) <= 12 and text.startswith(down) and ctx.state.downs >= 1  # 👎 the second time

    def answer(self, kb, ctx, now):
        return offer(kb, ctx, now)


class OfferAfterMisses(Handler):
    """Not understood twice in a row: say so, then the handoff offer (the general line stays in reach)."""

    kind = ReplyKind.FALLBACK

    def applies(self, kb, ctx):
        return not ctx.focus and ctx.state.fallbacks >= 1

    def answer(self, kb, ctx, now):
        g = kb.general_hotline()
        lead = say(LineKind.TEXT, "handoff_after_misses", name=g["name"], number=g["number"], hours=g["hours_text"])
        return offer(kb, ctx, now, kind=self.kind, lead=lead)


class Written(Handler):
    kind = ReplyKind.HANDOFF

    def applies(self, kb, ctx):
        return _tapped(kb, ctx.reading.text, "handoff_written_button")

    def answer(self, kb, ctx, now):
        s = settings()
        key = "handoff_written_queued" if s.staffed(now) else "handoff_written_queued_closed"
        return Answer(self.kind, [say(LineKind.TEXT, key, hours=s.hours_text)], handoff={"event": "written"})


class CallbackAsk(Handler):
    kind = ReplyKind.HANDOFF

    def applies(self, kb, ctx):
        return _tapped(kb, ctx.reading.text, "handoff_callback_button")

    def answer(self, kb, ctx, now):
        s = settings()
        # the line to call now stays in reach, with any line the firm named (「請信保基金的專員打給我」)
        hot = list(dict.fromkeys([s.hotline, *ctx.reading.hotlines]))[:3]
        if phones.find(ctx.msg.text):  # 「打給我，電話0912-345-678，今天下午」: number and time already given
            answer = CallbackDetails().answer(kb, ctx, now)
            answer.hotlines = hot
            return answer
        lines = [
            say(LineKind.TEXT, "handoff_callback_ask"),
            say(LineKind.NOTE, "handoff_consent", days=s.callback_days),
        ]
        return Answer(self.kind, [lines], hot, handoff={"event": "callback_ask", "stage": CALLBACK})


class CallbackDetails(Handler):
    """The answer to the callback question. Anything else the firm asks instead is answered as usual."""

    kind = ReplyKind.HANDOFF

    def applies(self, kb, ctx):
        if ctx.state.handoff_stage != CALLBACK:
            return False
        text = ctx.reading.text
        tried = _DIGITS.search(text)  # 「電話是 12345」: a number that is no phone number is answered as one
        return bool(phones.find(text) or tried) or _said(kb, text, "handoff_cancel") or not ctx.asks_something

    def answer(self, kb, ctx, now):
        s = settings()
        text = ctx.msg.text
        if _said(kb, ctx.reading.text, "handoff_cancel"):
            return Answer(self.kind, [say(LineKind.TEXT, "handoff_callback_cancelled")], handoff={"event": "cancel"})
        number = phones.find(text)
        if not number:
            return Answer(
                self.kind,
                [say(LineKind.TEXT, "handoff_phone_invalid")],
                handoff={"event": "callback_invalid", "stage": CALLBACK},
            )
        preferred = _preferred(text, kb) or kb.message("handoff_any_time")
        return Answer(
            self.kind,
            [
                say(
                    LineKind.TEXT,
                    "handoff_callback_confirmed",
                    phone=phones.display(number),
                    preferred=preferred,
                    hours=s.hours_text,
                )
            ],
            handoff={"event": "callback", "phone": number, "preferred": preferred},
        )


_DIGITS = re.compile(r"\d[\d\s\-()]{3,}\d")
_PHONE_LIKE = re.compile(r"(?:\+?886|0)[\d\s\-()]{7,14}\d(?:\s*(?:#|分機|轉)\s*\d{1,6})?")


_N = r"(?:\d{1,2}|[一二三四五六七八九十兩]{1,3})"
_CLOCK = re.compile(
    rf"{_N}\s*(?:點|:|：)\s*(?:\d{{1,2}}|半|[一二三四五]十[一二三四五六七八九]?)?\s*分?"
    rf"(?:\s*(?:到|至|-|~)\s*{_N}\s*(?:點|:|：)?\s*(?:\d{{1,2}}|半)?)?(?:以後|以前|之後|之前|後|前|左右)?"
)


def _preferred(text: str, kb=None) -> str:
    """The firm's preferred time, in its own words (「明天上午」「週三下午3點」): the day and time words of the lexicon
    and clock times, in order; without them, the short words left beside the number (at most 20 characters)."""
    rest = _PHONE_LIKE.sub(" ", text)
    if kb is not None:
        time_words = [*words(kb, "callback_day"), *words(kb, "callback_part")]
        pattern = "|".join(re.escape(w) for w in sorted(time_words, key=len, reverse=True))
        found = re.findall(f"(?:{pattern})+(?:{_CLOCK.pattern})?|{_CLOCK.pattern}", rest) if pattern else []
        if found:
            return "".join(found)[:40]
    rest = re.sub(r"[\s,，。、;；:：]+", " ", rest).strip()
    return rest if len(rest) <= 20 else ""


def first() -> list:
    """Tried before every other answer kind but the empty message (a 👎 before the feedback thanks)."""
    return [CallbackDetails(), Written(), CallbackAsk(), Offer()]


def after_clarify() -> list:
    """Tried where the second miss used to give the general line only."""
    return [OfferAfterMisses()]
