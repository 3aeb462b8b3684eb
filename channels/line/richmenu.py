"""`make line-richmenu`: the default rich menu of channels/line/richmenu.yml on the LINE channel, idempotently.

The menu's name carries a hash of its definition and image, so a second run finds it, sees it is the default,
and changes nothing; an edited menu is created, its image uploaded, set as default, and our older menus deleted.

    python -m channels.line.richmenu [--image FILE]   # needs LINE_CHANNEL_ACCESS_TOKEN; LINE_API_BASE and
                                                      # LINE_DATA_API_BASE point it elsewhere (tests: the fake API)
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import sys
from pathlib import Path

import yaml

from channels.line.api import DEFAULT_API_BASE, DEFAULT_DATA_API_BASE, LineApiClient
from channels.line.richmenu_image import FontMissing, render
from channels.line.text import MAX_DISPLAY_TEXT, MAX_LABEL, MAX_POSTBACK_DATA, utf16_len

SPEC = Path(__file__).with_name("richmenu.yml")
COLUMNS = 3


def load(path: Path = SPEC) -> dict:
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    for area in spec["areas"]:
        if utf16_len(area["label"]) > MAX_LABEL:
            raise ValueError(f"{path}: label {area['label']!r} is over {MAX_LABEL} characters")
        if ("text" in area) == ("postback" in area):
            raise ValueError(f"{path}: area {area['label']!r} needs exactly one of text / postback")
    return spec


def bounds(count: int, width: int, height: int, columns: int = COLUMNS) -> list:
    """A grid of `count` areas that covers the image exactly (the last column and row take the remainder)."""
    rows = -(-count // columns)
    xs = [round(width * c / columns) for c in range(columns + 1)]
    ys = [round(height * r / rows) for r in range(rows + 1)]
    return [
        {"x": xs[c], "y": ys[r], "width": xs[c + 1] - xs[c], "height": ys[r + 1] - ys[r]}
        for r in range(rows)
        for c in range(columns)
    ][:count]


def action(area: dict) -> dict:
    if "postback" in area:
        assert len(area["postback"]) <= MAX_POSTBACK_DATA and utf16_len(area["display"]) <= MAX_DISPLAY_TEXT
        return {"type": "postback", "label": area["label"], "data": area["postback"], "displayText": area["display"]}
    return {"type": "message", "label": area["label"], "text": area["text"]}


def build(spec: dict) -> tuple[dict, bytes]:
    """(the rich menu object LINE takes, without its name; the PNG)."""
    size = (spec["size"]["width"], spec["size"]["height"])
    boxes = bounds(len(spec["areas"]), *size)
    menu = {
        "size": spec["size"],
        "selected": True,
        "chatBarText": spec["chat_bar_text"],
        "areas": [{"bounds": box, "action": action(area)} for area, box in zip(spec["areas"], boxes)],
    }
    return menu, render(spec["areas"], boxes, size)


def versioned_name(prefix: str, menu: dict, png: bytes) -> str:
    digest = hashlib.sha256(json.dumps(menu, sort_keys=True, ensure_ascii=False).encode() + png).hexdigest()
    return f"{prefix} {digest[:12]}"


async def sync(api: LineApiClient, spec: dict) -> list:
    """Makes the menu of `spec` LINE's default; returns what it changed (empty when nothing was needed)."""
    menu, png = build(spec)
    name = versioned_name(spec["name"], menu, png)
    listed = await api.list_rich_menus()
    _check(listed, "list rich menus")
    menus = listed.body.get("richmenus", [])
    ours = [m for m in menus if str(m.get("name", "")).startswith(spec["name"] + " ")]
    current = [m["richMenuId"] for m in ours if m["name"] == name]
    default = await api.default_rich_menu()
    default_id = default.body.get("richMenuId") if default.ok and isinstance(default.body, dict) else None
    changes = []

    if default_id in current:
        menu_id = default_id
    elif current:
        menu_id = current[0]
        if (await api.set_default_rich_menu(menu_id)).ok:
            changes.append(f"set {menu_id} as default")
        else:  # e.g. its image never arrived: make it again
            await api.delete_rich_menu(menu_id)
            changes.append(f"deleted {menu_id} (unusable)")
            current, menu_id = [], None
    if not current:
        created = await api.create_rich_menu({**menu, "name": name})
        _check(created, "create the rich menu")
        menu_id = created.body["richMenuId"]
        uploaded = await api.upload_rich_menu_image(menu_id, png)
        if not uploaded.ok:
            await api.delete_rich_menu(menu_id)
            _check(uploaded, "upload the rich menu image")
        _check(await api.set_default_rich_menu(menu_id), "set the default rich menu")
        changes += [f"created {menu_id}", f"uploaded its image ({len(png):,} bytes)", f"set {menu_id} as default"]
    for old in ours:
        if old["richMenuId"] != menu_id and old["name"] != name and (await api.delete_rich_menu(old["richMenuId"])).ok:
            changes.append(f"deleted the older {old['richMenuId']}")
    return changes


def _check(result, what: str) -> None:
    if not result.ok:
        raise SystemExit(f"line-richmenu: could not {what}: HTTP {result.status} {result.error_message}".rstrip())


def main(argv: list | None = None) -> int:
    parser = argparse.ArgumentParser(description="Create LINE's default rich menu (idempotent).")
    parser.add_argument("--image", type=Path, help="also write the image to this file (to look at it)")
    parser.add_argument("--image-only", action="store_true", help="write the image, call nothing")
    args = parser.parse_args(argv)
    spec = load()
    try:
        menu, png = build(spec)
    except FontMissing as missing:
        print(f"line-richmenu: {missing}", file=sys.stderr)
        return 2
    if args.image:
        args.image.write_bytes(png)
        print(f"line-richmenu: image written to {args.image}")
    if args.image_only:
        return 0
    token = (os.environ.get("LINE_CHANNEL_ACCESS_TOKEN") or "").strip()
    if not token:
        print("line-richmenu: set LINE_CHANNEL_ACCESS_TOKEN (the channel's long-lived access token)", file=sys.stderr)
        return 2
    base = (os.environ.get("LINE_API_BASE") or "").strip() or DEFAULT_API_BASE
    data_base = (os.environ.get("LINE_DATA_API_BASE") or "").strip() or (
        DEFAULT_DATA_API_BASE if base == DEFAULT_API_BASE else base
    )
    api = LineApiClient(base, token, timeout=30, data_api_base=data_base)

    async def run() -> list:
        try:
            return await sync(api, spec)
        finally:
            await api.close()

    changes = asyncio.run(run())
    print(
        "line-richmenu: " + ("; ".join(changes) if changes else "the default rich menu is up to date, nothing changed")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
