"""Taiwanese phone numbers for callbacks: mobile 09xx-xxx-xxx, landlines 0X-XXXX-XXXX (02 and 04 with 8 digits,
the other areas 7 or 8, the 3- and 4-digit area codes of 037, 049, 082, 0826, 0836, 089), and +886 forms.
Extensions (#123, 分機123) are kept. `find` returns the normalised number (digits, leading 0) or None."""

from __future__ import annotations

import re

_CANDIDATE = re.compile(r"(?:\+?886[\s\-]?|0)[\d\s\-()]{7,14}\d")
_EXT = re.compile(r"^\s*(?:#|分機|轉|ext\.?|x)\s*(\d{1,6})", re.IGNORECASE)
# national significant numbers after the leading 0: (prefix, total digits including the 0)
_PLANS = [
    ("9", (10,)),  # mobile
    ("2", (10,)),  # Taipei, New Taipei, Keelung: 02-XXXX-XXXX
    ("4", (9, 10)),  # Taichung 04-XXXX-XXXX, Changhua 04-XXX-XXXX
    ("37", (9,)),
    ("49", (9, 10)),
    ("826", (9,)),
    ("836", (9,)),
    ("82", (9,)),
    ("89", (9,)),
    ("3", (9, 10)),
    ("5", (9,)),
    ("6", (9,)),
    ("7", (9,)),
    ("8", (9,)),
]


def valid_digits(digits: str) -> bool:
    if not (digits.startswith("0") and digits.isdigit()):
        return False
    for prefix, lengths in _PLANS:
        if digits[1:].startswith(prefix):
            return len(digits) in lengths
    return False


def normalise(raw: str) -> str | None:
    digits = re.sub(r"[\s\-()]", "", raw)
    if digits.startswith("+886"):
        digits = "0" + digits[4:].lstrip("0")
    elif digits.startswith("886"):
        digits = "0" + digits[3:].lstrip("0")
    return digits if valid_digits(digits) else None


def find(text: str) -> str | None:
    """The first valid Taiwanese number in the text (with its extension as 「#123」), or None."""
    text = (text or "").translate(str.maketrans("０１２３４５６７８９－＋（）＃", "0123456789-+()#"))
    for m in _CANDIDATE.finditer(text):
        number = normalise(m.group(0))
        if number:
            ext = _EXT.match(text[m.end() :])
            return number + (f"#{ext.group(1)}" if ext else "")
    return None


def display(number: str) -> str:
    """0912345678 → 0912-345-678, 0227089055 → 02-2708-9055 (for the firm's confirmation and the staff)."""
    main, _, ext = number.partition("#")
    if main.startswith("09"):
        shown = f"{main[:4]}-{main[4:7]}-{main[7:]}"
    elif len(main) == 10:
        shown = f"{main[:2]}-{main[2:6]}-{main[6:]}"
    else:
        shown = f"{main[:2]}-{main[2:5]}-{main[5:]}"
    return shown + (f" #{ext}" if ext else "")
