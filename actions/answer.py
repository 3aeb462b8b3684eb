"""Kept for imports from before the answer path became a package (staff/lookup.py): see actions/answering/."""
from actions.answering import (MAX_HOTLINES, MAX_TEXT, TAIPEI, Reply, ReplyKind, State, UserMessage, compose,  # noqa: F401
                               is_open)
