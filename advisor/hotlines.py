"""Hotlines in an answer: their lines with hours, tap-to-call buttons carrying the hotline's data, and hours."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from advisor.lines import LineKind, joined, say
from advisor.words import cues
from knowledge.render import display_number

TAIPEI = ZoneInfo("Asia/Taipei")
MAX_HOTLINES = 3


def is_open(hotline: dict, now: datetime) -> bool | None:
    if not hotline.get("hours_open"):
        return None
    t = now.astimezone(TAIPEI).time()
    return time.fromisoformat(hotline["hours_open"]) <= t < time.fromisoformat(hotline["hours_close"])


def hotline_line(h: dict, now: datetime):
    hours = [say(LineKind.TEXT, "hours_suffix", hours=h["hours_text"])] if h.get("hours_text") else []
    if is_open(h, now) is False:
        hours.append(say(LineKind.TEXT, "hours_closed_short"))
    return say(LineKind.TEXT, "hotline_line", name=h["name"], number=h["number"], hours=joined(hours, "sep.none"))


def call_button(h: dict) -> dict:
    """A tap-to-call button: its title is rendered at the edge; channels read the number from the data."""
    return {
        "title": say(LineKind.TEXT, "call_button", number=display_number(h["number"]), label=h["button"]),
        "type": "web_url",
        "url": "tel:" + h["digits"],
        "hotline_id": h["id"],
        "name": h["name"],
        "number": h["number"],
    }


def hotline_block(kb, hotlines: list, now: datetime) -> tuple:
    """Lines and tap-to-call buttons for the hotlines given."""
    return [hotline_line(h, now) for h in hotlines], [call_button(h) for h in hotlines]


def answer_hours(kb, hotline_ids: list, now: datetime) -> list:
    lines = []
    for hid in hotline_ids:
        h = kb.hotline(hid)
        if h.get("hours_text"):
            lines.append(say(LineKind.NOTE, "hours_known", name=h["name"], number=h["number"], hours=h["hours_text"]))
            if is_open(h, now) is False:
                lines.append(
                    say(
                        LineKind.NOTE,
                        "hours_closed_now",
                        now=now.astimezone(TAIPEI).strftime("%H:%M"),
                        name=h["name"],
                        hours=h["hours_text"],
                    )
                )
        else:
            general = kb.general_hotline()
            lines.append(
                say(
                    LineKind.NOTE,
                    "hours_unknown",
                    name=h["name"],
                    general=general["name"],
                    number=general["number"],
                    hours=general["hours_text"],
                )
            )
    return lines


def hotline_answer(kb, hotline_ids: list, aspects: list, now: datetime, text: str = "") -> list:
    """About hotlines themselves: their hours when asked, else what each handles."""
    if "hours" in aspects:
        lines = answer_hours(kb, hotline_ids, now)
        if cues(kb).days_off.search(text):  # 「星期六可以打嗎」: the deck gives times of day, not days
            lines.append(say(LineKind.NOTE, "hours_days_unknown"))
        return lines
    return [
        say(LineKind.TEXT, "hotline_handles", name=kb.hotline(h)["name"], handles=kb.hotline(h)["handles"])
        for h in hotline_ids
    ]
