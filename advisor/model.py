"""What the composer takes and gives: the user's message, the conversation state, the reply and its kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class ReplyKind(str, Enum):
    """What a reply is (the answer_kind slot; the staff review reads it)."""

    ANSWER = "answer"
    OVERVIEW = "overview"
    SOCIAL = "social"
    CLARIFY = "clarify"
    FALLBACK = "fallback"
    OUT_OF_SCOPE = "out_of_scope"
    FEEDBACK = "feedback"
    HANDOFF = "handoff"  # to a person (advisor/handoff.py)


@dataclass
class UserMessage:
    """One message from the firm, as NLU read it."""

    text: str
    intent: str = "nlu_fallback"
    confidence: float = 0.0
    entities: list = field(default_factory=list)
    ranking: list = field(default_factory=list)  # [{"name", "confidence"}], best first


@dataclass
class State:
    facts: dict = field(default_factory=dict)
    focus: list = field(default_factory=list)
    fallbacks: int = 0
    aspects: list = field(default_factory=list)  # what was last asked about the focus (rate, guarantee ...)
    hotlines: list = field(default_factory=list)  # hotlines last asked about by name (「信保基金電話」 → 「幾點？」)
    asked: list = field(default_factory=list)  # questions the bot has asked in this conversation (size)
    downs: int = 0  # 👎 taps earlier in this conversation (the second one offers a person)
    handoff_stage: str | None = None  # the handoff question the bot just asked (callback: phone and time)
    previous_text: str = ""  # the firm's message before this one: read again with the follow-up to a clarify


@dataclass
class Reply:
    messages: list
    state: State
    kind: ReplyKind
    measures: list = field(default_factory=list)
    hotlines: list = field(default_factory=list)
    handoff: dict | None = None  # what the adapter stores for the handoff to a person (advisor/handoff.py)
    stated: list = field(default_factory=list)  # line kinds the answer holds (figure, status …): the review's risk
