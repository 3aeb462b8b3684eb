"""LINE's limits (Messaging API reference) and the text helpers that keep every field within them."""

from typing import Any

MAX_MESSAGES = 5  # messages per reply / push call
MAX_TEXT = 5000  # text message
MAX_ALT_TEXT = 400  # what we send as a Flex altText (LINE allows 1,500; notifications show far less)
MAX_LABEL = 20  # action label: quick reply, URI button, rich menu
MAX_QUICK_REPLIES = 13
MAX_POSTBACK_DATA = 300
MAX_DISPLAY_TEXT = 300
MAX_URI = 1000
MAX_LINK_BUTTONS = 6  # tap-to-call / link buttons in one Flex bubble
MAX_FLEX_TEXT = 2000  # a longer text goes in its own text message before the bubble

ELLIPSIS = "…"


def utf16_len(text: str) -> int:
    """Length as LINE counts it at worst (UTF-16 code units): never smaller than the count of code points."""
    return len(text.encode("utf-16-le")) // 2


def truncate_text(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """At most ``limit`` UTF-16 units, never splitting a code point, with ``ellipsis`` when cut."""
    if utf16_len(text) <= limit:
        return text
    budget = limit - utf16_len(ellipsis)
    if budget <= 0:
        return ellipsis[:limit]
    used, out = 0, []
    for char in text:
        size = 2 if ord(char) > 0xFFFF else 1
        if used + size > budget:
            break
        out.append(char)
        used += size
    return "".join(out).rstrip() + ellipsis


def collapse(title: Any) -> str:
    """Whitespace collapsed to single spaces."""
    return " ".join(str(title or "").split())


def strip_leading_symbols(title: Any) -> str:
    """Without leading emoji and symbols ("📞 撥打 …" -> "撥打 …"), whitespace collapsed."""
    text = collapse(title)
    start = 0
    while start < len(text) and not (text[start].isalnum() or text[start] == "+"):
        start += 1
    return text[start:]


def make_label(title: Any, limit: int = MAX_LABEL) -> str:
    """An action label: whitespace collapsed, truncated to ``limit``."""
    return truncate_text(collapse(title), limit)
