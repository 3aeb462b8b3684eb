"""Generic checks of a rendered page, for every element rather than a list of selectors:

- contrast: every visible piece of text (text nodes, input values and placeholders) against its effective
  background, computed from the rendered colours: the text colour (with its alpha and the opacities above it)
  over the first opaque background found walking up from the element, semi-transparent backgrounds blended on
  the way. WCAG 2 AA asks 4.5:1 for normal text; we ask it of all text.
- overflow: no element reaches past the viewport's left or right edge, no element scrolls or clips its content
  horizontally, and the page itself does not scroll sideways.
- states: the same contrast check after hovering and after keyboard focus on every interactive element.

The colour arithmetic is in Python (unit-tested in tests/e2e/test_page_checks.py); the browser only reports what
it rendered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

AA = 4.5


# ------------------------------------------------------------------------------------------- colour arithmetic
class RGBA(NamedTuple):
    r: float
    g: float
    b: float
    a: float = 1.0


_RGB = re.compile(r"rgba?\(\s*([\d.]+)[,\s]+([\d.]+)[,\s]+([\d.]+)(?:\s*[,/]\s*([\d.]+%?))?\s*\)")


def parse_color(css: str) -> RGBA | None:
    """'rgb(11, 83, 148)', 'rgba(0, 0, 0, 0.5)' or 'rgb(0 0 0 / 50%)' (what getComputedStyle returns);
    'transparent' is rgba(0,0,0,0); anything else (color(), lab(), …) is None."""
    css = (css or "").strip().lower()
    if css == "transparent":
        return RGBA(0, 0, 0, 0)
    m = _RGB.fullmatch(css)
    if not m:
        return None
    alpha = m.group(4)
    a = 1.0 if alpha is None else (float(alpha[:-1]) / 100 if alpha.endswith("%") else float(alpha))
    return RGBA(float(m.group(1)), float(m.group(2)), float(m.group(3)), a)


def over(top: RGBA, bottom: RGBA) -> RGBA:
    """top composited over an opaque bottom (source-over)."""
    a = top.a
    return RGBA(top.r * a + bottom.r * (1 - a), top.g * a + bottom.g * (1 - a), top.b * a + bottom.b * (1 - a), 1.0)


def luminance(c: RGBA) -> float:
    """WCAG 2 relative luminance of an opaque sRGB colour."""

    def channel(v: float) -> float:
        v /= 255
        return v / 12.92 if v <= 0.04045 else ((v + 0.055) / 1.055) ** 2.4

    return 0.2126 * channel(c.r) + 0.7152 * channel(c.g) + 0.0722 * channel(c.b)


def contrast_ratio(fg: RGBA, bg: RGBA) -> float:
    """WCAG 2 contrast ratio (1 to 21) of fg drawn over bg; bg must be opaque, fg may be translucent."""
    fg = over(fg, bg) if fg.a < 1 else fg
    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def effective_background(layers: Iterable[str]) -> RGBA:
    """The colour behind an element, from its own background up to the root's (the order the page gives them):
    blends translucent layers over the first opaque one below them; white (the canvas) if none is opaque."""
    stack = []
    for css in layers:
        c = parse_color(css)
        if c is None or c.a == 0:
            continue
        stack.append(c)
        if c.a >= 1:
            break
    colour = RGBA(255, 255, 255, 1.0)
    for c in reversed(stack):
        colour = over(c, colour)
    return colour


# ----------------------------------------------------------------------------------------- what the page shows
# For every visible element that directly holds text (or is a text field): its text, its colour (alpha already
# multiplied by the opacities of it and its ancestors), the backgrounds from it up to the root, and a readable
# path. Elements with a background image (a gradient, a picture) on the way up are reported as such.
_TEXTS_JS = r"""
() => {
  const out = [];
  const visible = el => {
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility !== 'visible') return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const path = el => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && parts.length < 4; e = e.parentElement) {
      let p = e.tagName.toLowerCase();
      if (e.id) p += '#' + e.id;
      else if (typeof e.className === 'string' && e.className.trim()) p += '.' + e.className.trim().split(/\s+/).join('.');
      parts.unshift(p);
    }
    return parts.join(' > ');
  };
  const layers = el => {
    const bgs = [];
    let image = null;
    for (let e = el; e; e = e.parentElement) {
      const s = getComputedStyle(e);
      if (s.backgroundImage && s.backgroundImage !== 'none' && !image) image = path(e);
      bgs.push(s.backgroundColor);
    }
    return {bgs, image};
  };
  const opacity = el => {
    let o = 1;
    for (let e = el; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity);
    return o;
  };
  const add = (el, text, color, extra) => {
    const {bgs, image} = layers(el);
    out.push(Object.assign({path: path(el), text: text.trim().slice(0, 60), color, opacity: opacity(el),
                            backgrounds: bgs, image, state: el.matches(':hover') ? 'hover' :
                            (el.matches(':focus') ? 'focus' : '')}, extra || {}));
  };
  for (const el of document.body.querySelectorAll('*')) {
    if (['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'svg'].includes(el.tagName)) continue;
    if (!visible(el)) continue;
    if (el.matches('input:not([type=hidden]), textarea')) {
      if (el.value) add(el, el.value, getComputedStyle(el).color);
      else if (el.placeholder) add(el, el.placeholder, getComputedStyle(el, '::placeholder').color, {placeholder: true});
      continue;
    }
    const own = [...el.childNodes].filter(n => n.nodeType === 3 && n.textContent.trim()).map(n => n.textContent).join('');
    if (own.trim()) add(el, own, getComputedStyle(el).color);
  }
  return out;
}
"""


class LowContrast(NamedTuple):
    path: str
    text: str
    ratio: float
    fg: RGBA
    bg: RGBA
    state: str

    def __str__(self) -> str:
        state = f" [{self.state}]" if self.state else ""
        return (
            f"{self.ratio:.2f}:1 {self.text!r} at {self.path}{state}: "
            f"rgb{tuple(round(v) for v in self.fg[:3])} on rgb{tuple(round(v) for v in self.bg[:3])}"
        )


def text_contrasts(page) -> list[tuple[dict, float]]:
    """Every visible text of the page with its contrast ratio (None when a background image is behind it)."""
    result = []
    for item in page.evaluate(_TEXTS_JS):
        fg = parse_color(item["color"])
        if fg is None:
            raise AssertionError(f"unreadable colour {item['color']!r} at {item['path']}")
        fg = fg._replace(a=fg.a * item["opacity"])
        bg = effective_background(item["backgrounds"])
        item["fg"], item["bg"] = fg, bg
        result.append((item, None if item["image"] else contrast_ratio(fg, bg)))
    return result


def low_contrast(page, minimum: float = AA) -> list[LowContrast]:
    """The texts under `minimum`:1 (and texts over a background image, which cannot be computed: they fail too,
    so that a gradient behind text is a decision, not an accident)."""
    bad = []
    for item, ratio in text_contrasts(page):
        if ratio is None:
            bad.append(
                LowContrast(
                    item["path"] + f" (background image at {item['image']})",
                    item["text"],
                    0.0,
                    item["fg"],
                    item["bg"],
                    item["state"],
                )
            )
        elif ratio < minimum:
            bad.append(LowContrast(item["path"], item["text"], ratio, item["fg"], item["bg"], item["state"]))
    return bad


_OVERFLOW_JS = r"""
() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  const path = el => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && parts.length < 4; e = e.parentElement) {
      let p = e.tagName.toLowerCase();
      if (e.id) p += '#' + e.id;
      else if (typeof e.className === 'string' && e.className.trim()) p += '.' + e.className.trim().split(/\s+/).join('.');
      parts.unshift(p);
    }
    return parts.join(' > ');
  };
  if (document.documentElement.scrollWidth > width + 1)
    out.push({path: 'html', problem: `the page scrolls sideways: ${document.documentElement.scrollWidth} px wide in ${width} px`});
  for (const el of document.body.querySelectorAll('*')) {
    const s = getComputedStyle(el);
    if (s.display === 'none' || s.visibility !== 'visible' || el.closest('template')) continue;
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) continue;
    const text = (el.innerText || '').trim().slice(0, 50);
    if (r.right > width + 1 || r.left < -1)
      out.push({path: path(el), text, problem: `spans ${Math.round(r.left)}..${Math.round(r.right)} px in a ${width} px viewport`});
    if (s.overflowX !== 'visible' && el.scrollWidth > el.clientWidth + 1 && el.tagName !== 'HTML' && el.tagName !== 'BODY')
      out.push({path: path(el), text, problem: `content ${el.scrollWidth} px wide in a box of ${el.clientWidth} px (overflow-x: ${s.overflowX})`});
  }
  return out;
}
"""


def horizontal_overflow(page) -> list[str]:
    """Every element that runs past the viewport's sides or hides/scrolls content sideways, as readable lines."""
    return [f"{o['path']} {o.get('text', '')!r}: {o['problem']}" for o in page.evaluate(_OVERFLOW_JS)]


INTERACTIVE = "a[href], button, summary, [role=button], .rw-reply, input, textarea"


def low_contrast_in_states(page, minimum: float = AA) -> list[LowContrast]:
    """Hover each interactive element, then walk the page with Tab: the contrast check in each state
    (the element hovered or focused, and all other text as it is then)."""
    bad: dict[tuple, LowContrast] = {}
    for element in page.locator(INTERACTIVE).all():
        if not element.is_visible():
            continue
        element.hover()
        page.wait_for_timeout(350)  # the widget's transitions (box-shadow .3s)
        for item in low_contrast(page, minimum):
            bad.setdefault((item.path, item.text, item.state), item)
    page.mouse.move(0, 0)
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    seen = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            "() => { const e = document.activeElement; return e && e !== document.body ?"
            " e.outerHTML.slice(0, 120) : null; }"
        )
        if focused is None or focused in seen:
            break
        seen.add(focused)
        page.wait_for_timeout(50)
        for item in low_contrast(page, minimum):
            bad.setdefault((item.path, item.text, item.state), item)
    return list(bad.values())
