"""A short soak (scripts/soak.py, as `make soak` runs it for 60 s): 16 senders at once on REST for a few seconds;
zero errors, and every message answered and in the tracker store."""

from __future__ import annotations

import asyncio
import importlib.util
import json
import sys

from tests.e2e.servers import ARTIFACTS, ROOT

spec = importlib.util.spec_from_file_location("soak", ROOT / "scripts" / "soak.py")
soak = sys.modules["soak"] = importlib.util.module_from_spec(spec)  # registered first: its dataclasses need it
spec.loader.exec_module(soak)

SENDERS, SECONDS = 16, 8


def test_short_soak(live_bot):
    turns, wall = asyncio.run(soak.soak(live_bot.url, SENDERS, SECONDS))
    stored = soak.stored_user_texts({t.sender for t in turns}, live_bot.tracker_db)
    figures = soak.summary(turns, wall, stored)
    (ARTIFACTS / "soak-short.json").write_text(json.dumps(figures, ensure_ascii=False, indent=1), encoding="utf-8")
    print("\n" + soak.report(figures))
    assert figures["senders"] == SENDERS and figures["messages"] >= SENDERS, figures
    assert figures["errors"] == 0, figures
    assert figures["lost"] == 0, figures
    assert sum(len(v) for v in stored.values()) == figures["messages"]  # each message once, none doubled
    some = set(sorted(stored)[:3])  # `--url` without the file reads the store through Rasa's API: the same
    assert soak.stored_user_texts(some, url=live_bot.url) == {s: stored[s] for s in some}


def test_the_figures_catch_what_goes_wrong():
    """The soak's own bookkeeping: an error, an apology, a reply missing, a message missing from the store."""
    apology = next(text for text, kind in soak.failure_texts().items() if kind == "busy")
    ok = [{"text": "3,500萬"}]
    turns = [
        soak.Turn("s-0", "a", 200, 0.1, ok),
        soak.Turn("s-0", "b", 500, 0.2, [], "HTTP 500"),
        soak.Turn("s-0", "c", 200, 0.3, [], "no reply"),
        soak.Turn("s-1", "a", 200, 0.4, ok),
        soak.Turn("s-1", "d", 200, 0.5, [{"text": apology}], "replied busy"),
    ]
    figures = soak.summary(turns, 1.0, {"s-0": ["a", "c"], "s-1": ["d"]})
    assert (figures["messages"], figures["errors"], figures["unanswered"], figures["missing_from_store"]) == (
        5,
        2,
        1,
        1,
    )
    assert figures["lost"] == 2 and figures["msgs_per_s"] == 5.0
