"""Rasa bot messages -> LINE messages, as pure functions (no server, no I/O): text, Flex bubbles with
tap-to-call buttons, quick replies, images, and the fitting of one turn into one LINE call."""

import copy
import logging
from collections.abc import Iterable
from functools import cache
from typing import Any

from linebot.models import (
    BoxComponent,
    BubbleContainer,
    ButtonComponent,
    FlexSendMessage,
    ImageSendMessage,
    PostbackAction,
    QuickReplyButton,
    SeparatorComponent,
    TextComponent,
    TextSendMessage,
    URIAction,
)

from channels.line.text import (
    MAX_ALT_TEXT,
    MAX_DISPLAY_TEXT,
    MAX_FLEX_TEXT,
    MAX_LABEL,
    MAX_LINK_BUTTONS,
    MAX_MESSAGES,
    MAX_POSTBACK_DATA,
    MAX_QUICK_REPLIES,
    MAX_TEXT,
    MAX_URI,
    collapse,
    make_label,
    strip_leading_symbols,
    truncate_text,
    utf16_len,
)
from knowledge.kb import emergency_text

logger = logging.getLogger(__name__)

Message = dict[str, Any]
_LINK_SCHEMES = ("tel:", "https://", "http://")


@cache
def channel_text(key: str) -> str:
    """A LINE-only sentence from knowledge/messages.yml (read from the YAML, so it works without kb.sqlite)."""
    return emergency_text(key)


def text_message(text: str) -> Message:
    """A LINE text message (truncated to 5000 characters)."""
    return TextSendMessage(text=truncate_text(text, MAX_TEXT)).as_json_dict()


# ------------------------------------------------------------------------------------------- buttons
def _link_uri(button: Message) -> str | None:
    url = button.get("url")
    if not isinstance(url, str):
        return None
    url = url.strip()
    if not url.lower().startswith(_LINK_SCHEMES):
        return None
    if url.lower().startswith("tel:"):
        url = "tel:" + "".join(url[4:].split())
    if len(url) > MAX_URI or url.lower() == "tel:":
        return None
    return url


def hotline_of(button: Message, uri: str) -> tuple[str | None, str]:
    """(name, number) of a tap-to-call button, from the data the action puts on it (``name`` / ``number``, or a
    ``hotline`` dict holding them), never parsed out of the title; the number defaults to the ``tel:`` uri's."""
    data = button.get("hotline") if isinstance(button.get("hotline"), dict) else button
    name = collapse(data.get("name")) or None
    number = collapse(data.get("number")) or uri[len("tel:") :]
    return name, number


def hotline_label(button: Message, uri: str, limit: int = MAX_LABEL) -> str:
    """A label for a ``tel:`` button that keeps the phone number: the title if it fits (leading emoji dropped if
    that is what it takes), else the hotline's name shortened before its number, else the number alone."""
    title = collapse(button.get("title"))
    for candidate in (title, strip_leading_symbols(title)):
        if candidate and utf16_len(candidate) <= limit:
            return candidate
    name, number = hotline_of(button, uri)
    room = limit - utf16_len(number) - 1
    if name and room >= 2:
        return f"{truncate_text(name, room)} {number}"
    return truncate_text(number, limit)


def describe_link(button: Message, uri: str) -> str:
    """The full, readable line for a link button, e.g. '📞 撥打 馬上辦服務中心 0800-280-280'."""
    title = collapse(button.get("title"))
    if uri.lower().startswith("tel:"):
        name, number = hotline_of(button, uri)
        if not title:
            return f"{name} {number}" if name else number
        digits = "".join(c for c in number if c.isdigit())
        title_digits = "".join(c for c in title if c.isdigit())
        return title if digits and digits in title_digits else f"{title} {number}"
    return f"{title} {uri}" if title else uri


def split_buttons(buttons: Iterable[Any]) -> tuple[list[tuple[Message, str]], list[Message]]:
    """Rasa buttons -> (link buttons with their uri, payload buttons). A ``tel:`` / ``http(s)://`` ``url`` is a
    link (tap-to-call / open page); otherwise a string ``payload`` is a quick reply; anything else is dropped."""
    links: list[tuple[Message, str]] = []
    payloads: list[Message] = []
    for button in buttons or []:
        if not isinstance(button, dict):
            continue
        uri = _link_uri(button)
        if uri:
            links.append((button, uri))
        elif isinstance(button.get("payload"), str) and button["payload"].strip():
            payloads.append(button)
    return links, payloads


def quick_reply_items(buttons: Iterable[Message]) -> list[Message]:
    """Postback quick reply items: ``data`` = payload (LINE sends it back as a postback event), ``displayText`` =
    the title (shown as the user's message), label at most 20. Duplicates and payloads over LINE's 300
    characters are skipped. Not capped here (the turn caps the total)."""
    items: list[Message] = []
    seen = set()
    for button in buttons:
        payload = str(button.get("payload") or "").strip()
        if len(payload) > MAX_POSTBACK_DATA:
            logger.warning("LINE: dropped a quick reply whose payload is too long.")
            continue
        if not payload or payload in seen:
            continue
        seen.add(payload)
        title = collapse(button.get("title")) or payload
        action = PostbackAction(
            label=make_label(title), data=payload, display_text=truncate_text(title, MAX_DISPLAY_TEXT)
        )
        items.append(QuickReplyButton(action=action).as_json_dict())
    return items


# ------------------------------------------------------------------------------------------- Flex
def link_messages(text: str, links: list[tuple[Message, str]]) -> list[Message]:
    """A Flex bubble: the bot text, then one tap-to-call / link button each.

    Whenever a label had to be shortened (or there are more than MAX_LINK_BUTTONS links) the full lines are
    listed in the bubble, so no phone number is ever lost. The altText (notifications, old clients) is the text
    plus every full line. A text too long for a bubble goes first as its own text message."""
    text = (text or "").strip()
    messages: list[Message] = []
    if utf16_len(text) > MAX_FLEX_TEXT:
        messages.append(text_message(text))
        text = ""
    body_text = text or channel_text("line_link_prompt")

    shown, hidden = links[:MAX_LINK_BUTTONS], links[MAX_LINK_BUTTONS:]
    buttons, details = [], []
    for button, uri in shown:
        if uri.lower().startswith("tel:"):
            label, style = hotline_label(button, uri), "primary"
        else:
            label, style = make_label(button.get("title") or uri), "link"
        if strip_leading_symbols(label) != strip_leading_symbols(button.get("title")):
            details.append(describe_link(button, uri))  # the label was shortened: the line in full
        buttons.append(ButtonComponent(action=URIAction(label=label, uri=uri), style=style, height="sm"))
    details.extend(describe_link(button, uri) for button, uri in hidden)

    body_contents: list[Any] = [TextComponent(text=body_text, wrap=True)]
    if details:
        body_contents.append(SeparatorComponent(margin="md"))
        body_contents.extend(
            TextComponent(text=line, wrap=True, size="sm", color="#555555", margin="sm") for line in details
        )
    bubble = BubbleContainer(
        body=BoxComponent(layout="vertical", contents=body_contents),
        footer=BoxComponent(layout="vertical", spacing="sm", contents=buttons),
    )
    all_lines = [describe_link(button, uri) for button, uri in links]
    alt_text = truncate_text("\n".join([text or body_text] + all_lines), MAX_ALT_TEXT)
    messages.append(FlexSendMessage(alt_text=alt_text, contents=bubble).as_json_dict())
    return messages


# ------------------------------------------------------------------------------------------- one turn
def convert_bot_message(message: Message) -> tuple[list[Message], list[Message]]:
    """One Rasa bot message -> (LINE messages, quick reply items).

    ``text`` -> text message; buttons with a ``tel:`` / ``http(s)`` ``url`` -> a Flex bubble holding the text;
    buttons with a ``payload`` -> quick reply items (the caller puts them on the turn's last message);
    ``image`` (https) -> image message; ``custom: {"line": {...} | [...]}`` -> raw LINE message(s)."""
    text = message.get("text")
    text = text if isinstance(text, str) else ""
    buttons = list(message.get("buttons") or []) + list(message.get("quick_replies") or [])
    links, payload_buttons = split_buttons(buttons)

    messages: list[Message] = []
    if links:
        messages.extend(link_messages(text, links))
    elif text.strip():
        messages.append(text_message(text.strip()))

    image = message.get("image")
    if isinstance(image, str) and image.startswith("https://") and len(image) <= 2000:
        messages.append(ImageSendMessage(original_content_url=image, preview_image_url=image).as_json_dict())

    custom = message.get("custom")
    if isinstance(custom, dict) and custom.get("line"):
        raw = custom["line"]
        for item in raw if isinstance(raw, list) else [raw]:
            if isinstance(item, dict) and item.get("type"):
                messages.append(copy.deepcopy(item))

    return messages, quick_reply_items(payload_buttons)


def message_as_text(message: Message) -> str:
    """Plain-text stand-in for a LINE message (used when folding overflow)."""
    if message.get("type") == "text":
        return message.get("text") or ""
    if message.get("type") == "image":
        return message.get("originalContentUrl") or ""
    return message.get("altText") or ""


def _is_plain_text(message: Message) -> bool:
    return message.get("type") == "text" and set(message) <= {"type", "text"}


def fit_messages(messages: list[Message], limit: int = MAX_MESSAGES) -> list[Message]:
    """At most ``limit`` messages (one LINE call): adjacent texts merged first (blank line between, within 5000
    characters); if still too many, the messages from position ``limit`` on folded into one text (Flex bubbles
    give their altText, which holds the phone numbers)."""
    merged = [copy.deepcopy(m) for m in messages]
    while len(merged) > limit:
        for i in range(len(merged) - 1):
            first, second = merged[i], merged[i + 1]
            if _is_plain_text(first) and _is_plain_text(second):
                joined = f"{first['text']}\n\n{second['text']}"
                if utf16_len(joined) <= MAX_TEXT:
                    merged[i : i + 2] = [text_message(joined)]
                    break
        else:
            break
    if len(merged) > limit:
        head, tail = merged[: limit - 1], merged[limit - 1 :]
        folded = "\n\n".join(t for t in (message_as_text(m) for m in tail) if t)
        merged = head + ([text_message(folded)] if folded.strip() else [])
    return merged


def build_line_messages(bot_messages: Iterable[Message], limit: int = MAX_MESSAGES) -> list[Message]:
    """All Rasa bot messages of one turn -> the messages of ONE LINE call: at most ``limit``, the turn's quick
    replies (deduplicated, at most 13) on the last message only."""
    messages: list[Message] = []
    items: list[Message] = []
    seen_data = set()
    for bot_message in bot_messages:
        if not isinstance(bot_message, dict):
            continue
        converted, quick = convert_bot_message(bot_message)
        messages.extend(converted)
        for item in quick:
            if item["action"]["data"] not in seen_data:
                seen_data.add(item["action"]["data"])
                items.append(item)

    for message in messages:
        message.pop("quickReply", None)
    if items and not messages:
        messages.append(text_message(channel_text("line_quick_reply_prompt")))
    messages = fit_messages(messages, limit)
    if items and messages:
        messages[-1]["quickReply"] = {"items": items[:MAX_QUICK_REPLIES]}
    return messages
