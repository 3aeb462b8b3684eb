"""The page checks of tests/e2e/page_checks.py can fail: the colour arithmetic against WCAG's published values,
and the browser checks against a page built to break them (the widget's old blue-on-blue buttons, a call button
running past a phone's edge, a hover that hides the text)."""

from __future__ import annotations

import pytest

from tests.e2e.page_checks import (
    RGBA,
    contrast_ratio,
    effective_background,
    horizontal_overflow,
    low_contrast,
    low_contrast_in_states,
    parse_color,
)

WHITE, BLACK = RGBA(255, 255, 255), RGBA(0, 0, 0)
BRAND = RGBA(11, 83, 148)


def test_contrast_ratio_matches_wcag():
    assert contrast_ratio(BLACK, WHITE) == pytest.approx(21.0)
    assert contrast_ratio(WHITE, WHITE) == pytest.approx(1.0)
    assert contrast_ratio(BRAND, BRAND) == pytest.approx(1.0)  # the widget's blank quick replies
    assert contrast_ratio(RGBA(0x76, 0x76, 0x76), WHITE) == pytest.approx(4.54, abs=0.01)  # the AA borderline grey
    assert contrast_ratio(RGBA(0x77, 0x77, 0x77), WHITE) < 4.5
    assert contrast_ratio(WHITE, BRAND) == pytest.approx(contrast_ratio(BRAND, WHITE))  # symmetric
    assert contrast_ratio(RGBA(0, 0, 0, 0.5), WHITE) == pytest.approx(contrast_ratio(RGBA(127.5, 127.5, 127.5), WHITE))


def test_parse_color():
    assert parse_color("rgb(11, 83, 148)") == BRAND
    assert parse_color("rgba(0, 0, 0, 0.25)") == RGBA(0, 0, 0, 0.25)
    assert parse_color("rgb(0 0 0 / 50%)") == RGBA(0, 0, 0, 0.5)
    assert parse_color("transparent") == RGBA(0, 0, 0, 0)
    assert parse_color("color(srgb 1 0 0)") is None


def test_effective_background_walks_up_and_blends():
    assert effective_background(["rgba(0, 0, 0, 0)", "rgb(11, 83, 148)", "rgb(255, 255, 255)"]) == BRAND
    half = effective_background(["rgba(0, 0, 0, 0.5)", "rgb(255, 255, 255)"])
    assert half == RGBA(127.5, 127.5, 127.5)
    assert effective_background(["rgba(0, 0, 0, 0)"]) == WHITE  # nothing opaque: the canvas


BROKEN = """<!doctype html><html><head><style>
  body { margin: 0; font: 16px sans-serif; background: #fff; }
  .pill { background: rgb(11, 83, 148); color: rgb(11, 83, 148); padding: 4px; border: 0; }
  .grey { color: #999; }
  .call { display: inline-block; white-space: nowrap; padding: 8px; background: #0b5394; color: #fff; }
  .clip { width: 100px; overflow: hidden; white-space: nowrap; }
  .hover-bad { background: #fff; color: #0b5394; border: 1px solid #0b5394; }
  .hover-bad:hover { color: #fff; }
  .veil { opacity: 0.3; }
</style></head><body>
  <p>readable</p>
  <button class="pill">貸款與保證</button>
  <p class="grey">grey on white</p>
  <p class="veil">faded by opacity</p>
  <a class="call" href="tel:0227089055">📞 撥打 研發轉型補助 個案補助 聯絡窗口（產發署） 02-27089055</a>
  <div class="clip">0800-280-280 0800-280-280 0800-280-280</div>
  <button class="hover-bad">白底藍字</button>
</body></html>"""

GOOD = """<!doctype html><html><body style="margin:0;font:16px sans-serif">
  <p>readable</p><button style="background:#0b5394;color:#fff;border:0;max-width:100%">📞 02-2708-9055 個案補助</button>
</body></html>"""


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 320, "height": 600})
    yield context.new_page()
    context.close()


def test_the_checks_find_what_is_broken(page):
    page.set_content(BROKEN)
    bad = {item.text: item for item in low_contrast(page)}
    assert set(bad) == {"貸款與保證", "grey on white", "faded by opacity"}, [str(b) for b in bad.values()]
    assert bad["貸款與保證"].ratio == pytest.approx(1.0)
    overflow = "\n".join(horizontal_overflow(page))
    assert "a.call" in overflow and "scrolls sideways" in overflow
    assert "div.clip" in overflow and "overflow-x: hidden" in overflow

    in_states = {item.text for item in low_contrast_in_states(page)}
    assert "白底藍字" in in_states  # white on white when hovered


def test_the_checks_pass_a_good_page(page):
    page.set_content(GOOD)
    assert low_contrast(page) == []
    assert horizontal_overflow(page) == []
    assert low_contrast_in_states(page) == []
