"""`make line-richmenu` (channels/line/richmenu.py): the image, the areas, and the idempotent upload against the
fake LINE API (tests/channels/fake_line_api.py)."""

import asyncio
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from fake_line_api import DEFAULT_RICHMENU, RICHMENU, FakeLineApi
from PIL import Image

from channels.line import richmenu
from channels.line.api import LineApiClient
from channels.line.richmenu_image import FontMissing, font_path

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = ["貸款與保證", "研發轉型補助", "海外訂單與拓銷", "AI與節能", "專線一覽", "找專人"]


def need_font():
    try:
        font_path()
    except FontMissing as missing:
        if os.environ.get("CI"):
            pytest.fail(str(missing))
        pytest.skip(str(missing))


def test_six_areas_cover_the_image_exactly_and_send_what_the_bot_understands():
    spec = richmenu.load()
    assert [a["label"] for a in spec["areas"]] == REQUIRED
    boxes = richmenu.bounds(6, 2500, 1686)
    covered = [[0] * 25 for _ in range(17)]  # a 100-pixel grid: every cell in exactly one area
    for box in boxes:
        for gy in range(17):
            for gx in range(25):
                x, y = gx * 100 + 50, min(gy * 100 + 50, 1685)
                if box["x"] <= x < box["x"] + box["width"] and box["y"] <= y < box["y"] + box["height"]:
                    covered[gy][gx] += 1
    assert all(c == 1 for row in covered for c in row)
    assert sum(b["width"] * b["height"] for b in boxes) == 2500 * 1686

    messages = yaml.safe_load((ROOT / "knowledge" / "messages.yml").read_text(encoding="utf-8"))["messages"]
    topics = {v for k, v in messages.items() if k.startswith("topic.")}  # the greeting's topic buttons
    intents = set(yaml.safe_load((ROOT / "domain.yml").read_text())["intents"])
    for area in spec["areas"]:
        act = richmenu.action(area)
        assert 1 <= len(act["label"]) <= 20
        if act["type"] == "postback":
            assert act["data"].lstrip("/") in intents and act["displayText"] == area["label"]
        else:
            assert act["text"].strip()
    # what each area gets from the real bot is checked in tests/live/test_line_live.py
    assert sum(a.get("text") in topics for a in spec["areas"]) >= 4


def test_image_is_2500_by_1686_under_1_mb_one_tile_per_area_with_text():
    need_font()
    spec = richmenu.load()
    menu, png = richmenu.build(spec)
    assert len(png) <= 1024 * 1024
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG" and image.size == (2500, 1686)
    colours = []
    for area in menu["areas"]:
        b = area["bounds"]
        tile = image.crop((b["x"] + 20, b["y"] + 20, b["x"] + b["width"] - 20, b["y"] + b["height"] - 20))
        counts = tile.getcolors(maxcolors=1_000_000)
        background = max(counts)[1]
        text_pixels = sum(n for n, colour in counts if sum(colour) > 600)  # white-ish glyphs
        assert text_pixels > 5_000, f"no label drawn in {area['action']['label']}"
        colours.append(background)
    assert len(set(colours)) == 6


async def run_sync(fake, spec):
    api = LineApiClient(fake.base_url, "test-token", data_api_base=fake.base_url)
    try:
        return await richmenu.sync(api, spec)
    finally:
        await api.close()


def test_creates_uploads_sets_default_then_a_second_run_changes_nothing():
    need_font()
    spec = richmenu.load()

    async def scenario():
        async with FakeLineApi() as fake:
            first = await run_sync(fake, spec)
            changes_after_first = len(fake.changes())
            second = await run_sync(fake, spec)
            return fake, first, changes_after_first, second

    fake, first, changes_after_first, second = asyncio.run(scenario())
    assert len(fake.rich_menus) == 1
    ((menu_id, menu),) = fake.rich_menus.items()
    assert fake.default_rich_menu == menu_id
    assert [a["action"]["label"] for a in menu["areas"]] == REQUIRED
    assert menu["size"] == {"width": 2500, "height": 1686} and menu["name"].startswith(spec["name"])
    image = Image.open(io.BytesIO(fake.rich_menu_images[menu_id]))
    assert image.size == (2500, 1686)
    upload = next(c for c in fake.calls if c["path"].endswith("/content"))
    assert upload["headers"]["Content-Type"] == "image/png"
    assert [c["path"] for c in fake.changes()] == [
        RICHMENU,
        f"{RICHMENU}/{menu_id}/content",
        f"{DEFAULT_RICHMENU}/{menu_id}",
    ]
    assert first and second == []
    assert len(fake.changes()) == changes_after_first  # the second run only looked


def test_an_edited_menu_replaces_the_old_one():
    need_font()
    spec = richmenu.load()
    edited = {**spec, "areas": [dict(a) for a in spec["areas"]]}
    edited["areas"][0]["hint"] = "另一個說明"

    async def scenario():
        async with FakeLineApi() as fake:
            await run_sync(fake, spec)
            old = fake.default_rich_menu
            await run_sync(fake, edited)
            return fake, old

    fake, old = asyncio.run(scenario())
    assert old not in fake.rich_menus and len(fake.rich_menus) == 1
    assert fake.default_rich_menu in fake.rich_menus and fake.default_rich_menu != old


def test_make_line_richmenu_against_the_fake_api(tmp_path):
    need_font()
    sys.path.insert(0, str(ROOT))
    from tests.live.bot import FakeLine

    line = FakeLine()
    try:
        env = {
            **os.environ,
            "LINE_CHANNEL_ACCESS_TOKEN": "test-token",
            "LINE_API_BASE": line.base_url,
            "RICHMENU_ARGS": f"--image {tmp_path / 'menu.png'}",
        }
        runs = [
            subprocess.run(
                ["make", "-s", "line-richmenu"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
            )
            for _ in range(2)
        ]
        fake = line.fake
    finally:
        line.close()
    assert [r.returncode for r in runs] == [0, 0], [r.stderr for r in runs]
    assert "created" in runs[0].stdout and "nothing changed" in runs[1].stdout
    assert len(fake.rich_menus) == 1 and fake.default_rich_menu in fake.rich_menus
    assert Image.open(tmp_path / "menu.png").size == (2500, 1686)
    assert "test-token" not in runs[0].stdout + runs[0].stderr


def test_without_a_token_it_says_what_to_set():
    env = {k: v for k, v in os.environ.items() if k != "LINE_CHANNEL_ACCESS_TOKEN"}
    done = subprocess.run(
        [sys.executable, "-m", "channels.line.richmenu"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 2 and "LINE_CHANNEL_ACCESS_TOKEN" in done.stderr
