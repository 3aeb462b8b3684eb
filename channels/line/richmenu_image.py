"""The rich menu's picture, drawn here (Pillow) so it always matches channels/line/richmenu.yml: one tile per
area, its label large and its hint small, in Noto Sans CJK TC (Debian's fonts-noto-cjk)."""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

# fonts-noto-cjk; RICHMENU_FONT overrides. Index 3 of the collection is Traditional Chinese (TC).
FONT_PATHS = ("/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",)
TC_INDEX = 3
TILE_COLOURS = ("#0B5394", "#38761D", "#B45F06", "#674EA7", "#134F5C", "#A61C00")
TEXT_COLOUR, HINT_COLOUR, GRID_COLOUR = "#FFFFFF", "#E6E6E6", "#FFFFFF"
MAX_BYTES = 1024 * 1024  # LINE's limit for a rich menu image


class FontMissing(RuntimeError):
    pass


def font_path() -> str:
    for path in filter(None, (os.environ.get("RICHMENU_FONT"), *FONT_PATHS)):
        if Path(path).is_file():
            return path
    raise FontMissing(
        "no CJK font: install Debian's fonts-noto-cjk (`make line-richmenu` does, as root), "
        "or set RICHMENU_FONT to a .ttc/.otf with Traditional Chinese"
    )


def _font(size: int) -> ImageFont.FreeTypeFont:
    path = font_path()
    try:
        return ImageFont.truetype(path, size, index=TC_INDEX if path.endswith(".ttc") else 0)
    except OSError:
        return ImageFont.truetype(path, size)


def _fit(draw: ImageDraw.ImageDraw, text: str, size: int, width: int) -> ImageFont.FreeTypeFont:
    """The font at `size`, smaller until `text` fits in `width` pixels."""
    font = _font(size)
    while size > 24 and draw.textlength(text, font=font) > width:
        size -= 8
        font = _font(size)
    return font


def render(areas: list, bounds: list, size: tuple) -> bytes:
    """A PNG of `size`, one tile per area at its bounds ({x, y, width, height})."""
    image = Image.new("RGB", size, GRID_COLOUR)
    draw = ImageDraw.Draw(image)
    for i, (area, box) in enumerate(zip(areas, bounds)):
        x, y, w, h = box["x"], box["y"], box["width"], box["height"]
        draw.rectangle((x + 6, y + 6, x + w - 7, y + h - 7), fill=TILE_COLOURS[i % len(TILE_COLOURS)])
        label_font = _fit(draw, area["label"], 128, w - 120)
        hint_font = _fit(draw, area.get("hint", ""), 56, w - 120)
        cx, cy = x + w / 2, y + h / 2
        draw.text((cx, cy - 40), area["label"], font=label_font, fill=TEXT_COLOUR, anchor="mm")
        if area.get("hint"):
            draw.text((cx, cy + 90), area["hint"], font=hint_font, fill=HINT_COLOUR, anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    png = out.getvalue()
    if len(png) > MAX_BYTES:
        raise ValueError(f"rich menu image is {len(png)} bytes, over LINE's 1 MB")
    return png
