"""The handoff's working arrangements (knowledge/handoff.yml): staff hours, code lifetime, retention."""

from __future__ import annotations

import functools
import os
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

ROOT = Path(__file__).resolve().parent.parent
PATH = ROOT / "knowledge" / "handoff.yml"
TAIPEI = ZoneInfo("Asia/Taipei")


@dataclass(frozen=True)
class Settings:
    open: time
    close: time
    weekdays: frozenset
    hours_text: str
    hours_source: str  # "assumption" until the supervisor confirms the hours (the deck gives none for 馬上辦)
    hours_confirmed_by: str | None
    hotline: str
    code_hours: float
    callback_days: int
    lookup_failures: int

    @property
    def hours_assumed(self) -> bool:
        """Are the staff hours still the assumption made without the deck, not yet confirmed by the supervisor?"""
        return self.hours_source == "assumption"

    def staffed(self, now: datetime) -> bool:
        """Are staff at work now (Taipei time)? Outside these hours the firm is offered a callback."""
        local = now.astimezone(TAIPEI)
        return local.isoweekday() in self.weekdays and self.open <= local.time() < self.close


@functools.lru_cache(maxsize=1)
def settings() -> Settings:
    data = yaml.safe_load(Path(os.environ.get("HANDOFF_SETTINGS") or PATH).read_text(encoding="utf-8"))
    hours = data["staff_hours"]
    return Settings(
        open=time.fromisoformat(hours["open"]),
        close=time.fromisoformat(hours["close"]),
        weekdays=frozenset(int(d) for d in hours["weekdays"]),
        hours_text=str(hours["text"]),
        hours_source=str(hours.get("source") or "assumption"),
        hours_confirmed_by=str(hours["confirmed_by"]) if hours.get("confirmed_by") else None,
        hotline=str(data["hotline"]),
        code_hours=float(data["code_hours"]),
        callback_days=int(data["callback_days"]),
        lookup_failures=int(data["lookup_failures"]),
    )
