"""The domain core of the answer path: read a turn, pick the answer kind, work the answer out, render it.

    context.py   the turn in its conversation: facts, what is asked, the measures in focus
    handlers.py  the answer kinds, an ordered registered list (the first that applies answers)
    measures.py, sections.py, overview.py, hotlines.py   what each kind answers, as typed lines (lines.py)
    compose.py   the entry point; renders once, at the end, from knowledge/messages.yml (≤ 3 messages)
    words.py     the lexicon's cue words, compiled once per knowledge-base snapshot
"""
from actions.answering.compose import MAX_TEXT, compose, question_buttons
from actions.answering.hotlines import MAX_HOTLINES, TAIPEI, is_open
from actions.answering.model import Reply, ReplyKind, State, UserMessage

__all__ = ["MAX_TEXT", "MAX_HOTLINES", "TAIPEI", "Reply", "ReplyKind", "State", "UserMessage", "compose", "is_open",
           "question_buttons"]
