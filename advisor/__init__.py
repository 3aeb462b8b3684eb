"""The domain core: read a firm's message, decide who is eligible, pick the answer kind, work the answer out,
render it. Rasa stays outside (actions/ is the thin adapter); the knowledge base is read through knowledge/kb.py.

    facts.py     reads a message a second time with the knowledge base's own words (aliases, lexicon)
    eligibility.py  criteria as data -> eligible / not eligible (why, as message keys) / unknown (what is missing)

    context.py   the turn in its conversation: facts, what is asked, the measures in focus
    handlers.py  the answer kinds, an ordered registered list (the first that applies answers)
    measures.py, sections.py, overview.py, hotlines.py   what each kind answers, as typed lines (lines.py)
    compose.py   the entry point; renders once, at the end, from knowledge/messages.yml (≤ 3 messages)
    words.py     the lexicon's cue words, compiled once per knowledge-base snapshot
"""

from advisor.compose import MAX_TEXT, compose, question_buttons
from advisor.hotlines import MAX_HOTLINES, TAIPEI, is_open
from advisor.model import Reply, ReplyKind, State, UserMessage

__all__ = [
    "MAX_TEXT",
    "MAX_HOTLINES",
    "TAIPEI",
    "Reply",
    "ReplyKind",
    "State",
    "UserMessage",
    "compose",
    "is_open",
    "question_buttons",
]
