"""What a firm types, made safe to process before Rasa sees it: a bounded prefix, no control characters.

NLU runs in Rasa's event loop: a 300,000-character message kept it busy for over a minute (every other firm
waited), so each channel cuts a message to MAX_INPUT_CHARS. That is more than the answer reads (MAX_TEXT in
advisor/compose.py), so the answer still sees that the message was long and tells the firm it read the beginning.

Control characters (NUL, ESC sequences), invisible format characters (zero-width spaces, bidi overrides that make
text read backwards in the staff helper) and lone surrogates (valid in JSON, not encodable as UTF-8) are dropped;
line breaks and tabs stay. A text that is not a string (a socket.io client may send a number or null) counts as
empty, which the answer handles.
"""

from __future__ import annotations

import unicodedata

from rasa.core.channels.channel import UserMessage

MAX_INPUT_CHARS = 4_000
_KEPT_CONTROLS = {"\n", "\t", "\r"}
_DROPPED = {"Cc", "Cf", "Cs"}
_ZWJ = "\u200d"  # joins emoji sequences (👨‍👩‍👧): harmless, keep it


def clean_text(text) -> str:
    if not isinstance(text, str):
        return ""
    text = text[: 4 * MAX_INPUT_CHARS]  # bounds the work below; what is dropped does not count towards the prefix
    if not text.isprintable():  # the common case has nothing to drop
        text = "".join(
            ch for ch in text if ch in _KEPT_CONTROLS or ch == _ZWJ or unicodedata.category(ch) not in _DROPPED
        )
    return text[:MAX_INPUT_CHARS]


def cleaned(on_new_message):
    async def handler(message: UserMessage) -> None:
        message.text = clean_text(message.text).strip()  # UserMessage strips, but before the invisible ones went
        await on_new_message(message)

    return handler
