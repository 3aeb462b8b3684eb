"""Reply content as typed lines, rendered to text once, at the edge, from knowledge/messages.yml.

A line is either a message key with its values (filled in at render time) or a text the knowledge base holds
(a figure's text, a criterion, a summary). Values may be lines themselves or `Joined` lists of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class LineKind(str, Enum):
    HEADING = "heading"  # 【measure】
    STATUS = "status"  # eligible / not eligible (why) / still unknown
    FIGURE = "figure"  # a figure that applies (label: value)
    EXCLUDED = "excluded"  # a figure this firm cannot get
    MISSING = "missing"  # the deck does not list what was asked
    NOTE = "note"  # worked-out amounts, dates against intake, hours
    TEXT = "text"  # a summary, criterion, item list or any other sentence


@dataclass(frozen=True)
class Joined:
    items: tuple
    sep: str = "sep.list"  # message key of the separator


@dataclass(frozen=True)
class Line:
    kind: LineKind
    key: str | None = None  # message key; None: `text` is the knowledge base's own text
    values: tuple = ()  # (name, value) pairs for the message
    text: str = ""
    label: str = ""  # a figure's label (「貸款額度」): lets a refused measure keep its headline figure

    @property
    def ident(self) -> tuple:
        """What makes two lines say the same thing."""
        return self.key, self.values, self.text


def say(kind: LineKind, key: str, **values) -> Line:
    return Line(kind, key, tuple(values.items()))


def kb_text(kind: LineKind, text: str, label: str = "") -> Line:
    return Line(kind, None, (), text, label)


def joined(items, sep: str = "sep.list") -> Joined:
    return Joined(tuple(items), sep)


def render(kb, item) -> str:
    if isinstance(item, Line):
        if item.key is None:
            return item.text
        return kb.message(item.key, **{k: render(kb, v) for k, v in item.values})
    if isinstance(item, Joined):
        return kb.message(item.sep).join(render(kb, x) for x in item.items)
    if isinstance(item, (list, tuple)):  # a block: its lines one per row
        return "\n".join(render(kb, x) for x in item)
    return "" if item is None else str(item)
