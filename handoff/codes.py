"""Case codes a firm reads out on the phone: 6 characters from an alphabet without look-alikes.

No 0/O/Q/D, 1/I/L/J, 2/Z, 5/S, 8/B, U/V: 20 characters remain, so 20**6 = 64 million codes. A code is drawn
with `secrets` (unguessable), lives a few hours (settings.py) and the staff look-up is rate-limited, so guessing
one that is live is hopeless.
"""

from __future__ import annotations

import re
import secrets

ALPHABET = "ACEFGHKMNPRTWXY34679"
LENGTH = 6
_SEPARATORS = re.compile(r"[\s\-_.·・]+")


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalise(typed: str) -> str | None:
    """What staff typed (「k7x 3pa」, 「K7X-3PA」) as a code, or None if it cannot be one."""
    text = _SEPARATORS.sub("", (typed or "").upper())
    if len(text) != LENGTH or any(ch not in ALPHABET for ch in text):
        return None
    return text


def spaced(code: str) -> str:
    """Read out in two groups of three: 「K7X 3PA」."""
    return f"{code[:3]} {code[3:]}"
