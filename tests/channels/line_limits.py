"""LINE's limits on what a bot sends, checked on a whole reply (Messaging API reference, "Message objects",
"Flex Message", "Action objects", "Quick reply"; counted in UTF-16 units, the stricter count):

* at most 5 messages per reply or push call;
* text message: 1..5,000 characters; Flex altText: 1..1,500 (we send at most 400);
* Flex: a bubble (or a carousel of at most 12 bubbles) whose JSON is at most 30 KB per bubble and 50 KB per
  carousel; every text component's ``text`` non-empty; known block and component types only;
* actions: ``label`` at most 20 characters; postback ``data`` 1..300, ``displayText`` at most 300; ``uri``
  at most 1,000 and one of http, https, tel, line;
* quick reply: 1..13 items, each an ``action`` item, on the message it belongs to.
"""

import json
from typing import Any

MAX_MESSAGES, MAX_TEXT, MAX_ALT_TEXT = 5, 5000, 1500
MAX_BUBBLE_BYTES, MAX_CAROUSEL_BYTES, MAX_BUBBLES = 30 * 1024, 50 * 1024, 12
MAX_LABEL, MAX_DATA, MAX_DISPLAY_TEXT, MAX_URI, MAX_QUICK_REPLIES = 20, 300, 300, 1000, 13
URI_SCHEMES = ("http://", "https://", "tel:", "line://")
BLOCKS = ("header", "hero", "body", "footer")
COMPONENTS = {"box", "button", "image", "video", "icon", "text", "span", "separator", "filler", "spacer"}


def units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def check_action(action: dict[str, Any], where: str) -> None:
    kind = action.get("type")
    assert kind in {
        "postback",
        "message",
        "uri",
        "datetimepicker",
        "camera",
        "cameraRoll",
        "location",
        "richmenuswitch",
        "clipboard",
    }, f"{where}: unknown action type {kind!r}"
    if "label" in action:
        assert 1 <= units(action["label"]) <= MAX_LABEL, f"{where}: label {action['label']!r} over {MAX_LABEL}"
    if kind == "postback":
        assert 1 <= units(action["data"]) <= MAX_DATA, f"{where}: postback data over {MAX_DATA}"
        assert units(action.get("displayText", "")) <= MAX_DISPLAY_TEXT, f"{where}: displayText too long"
    if kind == "uri":
        uri = action["uri"]
        assert len(uri) <= MAX_URI and uri.lower().startswith(URI_SCHEMES), f"{where}: bad uri {uri!r}"
    if kind == "message":
        assert 1 <= units(action["text"]) <= 300, f"{where}: message action text"


def check_component(node: dict[str, Any], where: str) -> None:
    kind = node.get("type")
    assert kind in COMPONENTS, f"{where}: unknown component {kind!r}"
    if kind == "text":
        assert isinstance(node.get("text"), str) and node["text"], f"{where}: empty text component"
    if kind == "button" or "action" in node:
        check_action(node["action"], f"{where}.action")
    for i, child in enumerate(node.get("contents") or []):
        check_component(child, f"{where}.contents[{i}]")


def check_bubble(bubble: dict[str, Any], where: str) -> None:
    assert bubble.get("type") == "bubble", f"{where}: not a bubble"
    size = len(json.dumps(bubble, ensure_ascii=False).encode("utf-8"))
    assert size <= MAX_BUBBLE_BYTES, f"{where}: bubble is {size} bytes"
    assert any(block in bubble for block in BLOCKS), f"{where}: empty bubble"
    for block in BLOCKS:
        if block in bubble:
            check_component(bubble[block], f"{where}.{block}")


def check_message(message: dict[str, Any], where: str) -> None:
    kind = message.get("type")
    if kind == "text":
        assert 1 <= units(message["text"]) <= MAX_TEXT, f"{where}: text of {units(message['text'])} units"
        assert message["text"].strip(), f"{where}: blank text"
    elif kind == "flex":
        assert 1 <= units(message["altText"]) <= MAX_ALT_TEXT, f"{where}: altText length"
        contents = message["contents"]
        if contents.get("type") == "carousel":
            assert 1 <= len(contents["contents"]) <= MAX_BUBBLES, f"{where}: carousel size"
            size = len(json.dumps(contents, ensure_ascii=False).encode("utf-8"))
            assert size <= MAX_CAROUSEL_BYTES, f"{where}: carousel is {size} bytes"
            for i, bubble in enumerate(contents["contents"]):
                check_bubble(bubble, f"{where}.contents[{i}]")
        else:
            check_bubble(contents, f"{where}.contents")
    elif kind == "image":
        for key in ("originalContentUrl", "previewImageUrl"):
            assert message[key].startswith("https://") and len(message[key]) <= 2000, f"{where}: {key}"
    if "quickReply" in message:
        items = message["quickReply"]["items"]
        assert 1 <= len(items) <= MAX_QUICK_REPLIES, f"{where}: {len(items)} quick replies"
        for i, item in enumerate(items):
            assert item.get("type") == "action", f"{where}.quickReply[{i}]"
            check_action(item["action"], f"{where}.quickReply[{i}].action")


def assert_valid_messages(messages: list[dict[str, Any]]) -> None:
    """Everything LINE would refuse in one reply call raises AssertionError saying where."""
    assert 1 <= len(messages) <= MAX_MESSAGES, f"{len(messages)} messages in one call"
    for i, message in enumerate(messages):
        check_message(message, f"messages[{i}]")
