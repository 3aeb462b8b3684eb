"""The composer's entry point: read the turn, let the first applicable handler answer, then render at most three
messages: the answer; the hotlines with their call buttons; and one question with its answer buttons OR the
feedback line (👍/👎), never both."""

from __future__ import annotations

from datetime import datetime

from advisor.amounts import TURN_FIGURES
from advisor.context import read_turn
from advisor.handlers import Answer, registered
from advisor.hotlines import MAX_HOTLINES, TAIPEI, hotline_block
from advisor.lines import LineKind, render, say
from advisor.model import Reply, State, UserMessage

MAX_TEXT = 2000  # longer messages are read from their first 2,000 characters, and the firm is told so
CARRIED_ASPECTS = {
    "amount",
    "rate",
    "rate_cut",
    "guarantee",
    "fee",
    "term",
    "self_funding",
    "equipment_cap",
    "eligibility",
    "items",
    "period",
    "application",
}
# the questions the bot asks about the firm: the message that asks, and the fact whose values are the buttons
QUESTIONS = {"size": ("ask_size", "size")}


def question_buttons(kb, question: str) -> list:
    """One button per value of the fact; its label is the payload, which the reader reads back as that value."""
    from knowledge.registry import BY_NAME

    fact = BY_NAME[QUESTIONS[question][1]]
    return [{"title": kb.message(f"{fact.name}.{v}"), "payload": kb.message(f"{fact.name}.{v}")} for v in fact.values]


def _bubbles(kb, ans: Answer, notices: list, now: datetime) -> list:
    messages = []
    paragraphs = [render(kb, b) for b in [*notices, *ans.blocks]]
    if any(paragraphs):  # one line break: Rasa's channels split a text at a blank line into separate messages
        messages.append({"text": "\n".join(p for p in paragraphs if p)})
    ids = list(ans.hotlines) if ans.allow_many else list(ans.hotlines)[:MAX_HOTLINES]
    lines, buttons = hotline_block(kb, [kb.hotline(h) for h in ids], now)
    if lines:
        calls = [{**b, "title": render(kb, b["title"])} for b in buttons]
        messages.append({"text": render(kb, lines), "buttons": calls})
    if ans.question:
        messages.append({"text": kb.message(QUESTIONS[ans.question][0]), "buttons": question_buttons(kb, ans.question)})
    elif ans.buttons:
        if messages and "buttons" not in messages[-1]:
            messages[-1]["buttons"] = list(ans.buttons)
        else:
            messages.append({"text": kb.message("ask_topic"), "buttons": list(ans.buttons)})
    elif ans.feedback:  # 👍/👎 as quick replies: the staff helper's review counts them per day
        thumbs = [kb.message(k) for k in ("feedback_up_button", "feedback_down_button")]
        messages.append({"text": kb.message("feedback_ask"), "buttons": [{"title": t, "payload": t} for t in thumbs]})
    return messages


def compose(kb, msg: UserMessage, state: State, now: datetime | None = None, descriptions: dict | None = None) -> Reply:
    now = now or datetime.now(TAIPEI)
    notices = []
    if len(msg.text) > MAX_TEXT:
        notices.append(say(LineKind.NOTE, "too_long", limit=f"{MAX_TEXT:,}"))
        msg = UserMessage(
            msg.text[:MAX_TEXT],
            msg.intent,
            msg.confidence,
            [e for e in msg.entities if (e.get("end") or 0) <= MAX_TEXT],
            msg.ranking,
        )
    ctx = read_turn(kb, msg, state)
    handler = next(h for h in registered(descriptions) if h.applies(kb, ctx))
    ans = handler.answer(kb, ctx, now)
    ids = list(ans.hotlines) if ans.allow_many else list(ans.hotlines)[:MAX_HOTLINES]
    new_focus = list(ans.focus if ans.focus is not None else state.focus)
    # what was asked stays in mind while the measure does: 「利率多少」「電話呢」「如果只借80萬呢」
    kept = [a for a in ctx.aspects if a in CARRIED_ASPECTS] or (state.aspects if new_focus == state.focus else [])
    asked = state.asked + [ans.question] if ans.question and ans.question not in state.asked else list(state.asked)
    new_state = State(
        facts={k: v for k, v in ctx.facts.items() if k not in TURN_FIGURES},  # a working is shown once
        focus=new_focus,
        fallbacks=ans.fallbacks,
        aspects=kept,
        hotlines=list(ans.hotlines) if ans.about_hotlines else [],
        asked=asked,
        previous_text=msg.text,
    )
    return Reply(
        _bubbles(kb, ans, notices, now), new_state, ans.kind, list(ans.measures), ids, ans.handoff, stated(ans.blocks)
    )


def stated(blocks: list) -> list:
    """The kinds of line an answer holds (figure, excluded, status, note …), sorted: the staff review ranks an
    answer that states figures or eligibility above one that does not."""
    lines = [x for b in blocks for x in (b if isinstance(b, (list, tuple)) else [b])]
    return sorted({x.kind.value for x in lines if isinstance(getattr(x, "kind", None), LineKind)})
