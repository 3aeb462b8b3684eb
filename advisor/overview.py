"""Overviews: the hotline directory, the coaching team's stages, the package's pillars (六面向) and measures."""

from __future__ import annotations

from advisor.hotlines import MAX_HOTLINES
from advisor.lines import LineKind, joined, say
from advisor.sections import package_place
from advisor.words import cues
from knowledge.render import figure_value


def _dedupe(seq):
    return list(dict.fromkeys(seq))


def _directory(kb) -> list:
    lines = [say(LineKind.HEADING, "directory_heading")]
    for h in kb.hotlines():
        hours = say(LineKind.TEXT, "hours_suffix", hours=h["hours_text"]) if h.get("hours_text") else ""
        lines.append(
            say(LineKind.TEXT, "directory_line", number=h["number"], name=h["name"], handles=h["handles"], hours=hours)
        )
    return lines


def _stages(kb) -> tuple:
    prog = kb.program_with_role("stages")
    lines = [say(LineKind.HEADING, "coaching_overview", name=prog["name"], summary=prog["summary"])]
    for m in kb.stages(prog["id"]):
        lines.append(say(LineKind.TEXT, "coaching_stage", stage=m["stage"], name=m["short_name"], summary=m["summary"]))
    return lines, [h["id"] for h in kb.hotlines_for(prog["id"])]


def _pillars(kb, prog: dict, named: list) -> tuple:
    """「金融支持有哪些」: that pillar's measures with what each is, not all fourteen."""
    lines, hot = [], []
    for i, pillar in named:
        lines.append(
            say(
                LineKind.HEADING,
                "package_pillar_heading",
                pillar=pillar["name"],
                name=prog["name"],
                position=i,
                count=len(pillar["measures"]),
            )
        )
        for mid in pillar["measures"]:
            m = kb.measure(mid)
            lines.append(
                say(
                    LineKind.TEXT,
                    "package_measure_line",
                    number=m["package_measure"],
                    name=m["short_name"],
                    summary=m["summary"],
                )
            )
            hot += [h["id"] for h in kb.hotlines_for(mid)]
    return lines, _dedupe(hot)[:MAX_HOTLINES] or [h["id"] for h in kb.hotlines_for(prog["id"])]


def _package(kb, prog: dict) -> list:
    lines = [say(LineKind.HEADING, "package_overview", name=prog["name"], summary=prog["summary"])]
    for i, pillar in enumerate(kb.package_pillars(), 1):
        refs = [
            say(
                LineKind.TEXT,
                "package_measure_ref",
                number=kb.measure(m)["package_measure"],
                name=kb.measure(m)["short_name"],
            )
            for m in pillar["measures"]
        ]
        lines.append(say(LineKind.TEXT, "package_pillar", position=i, pillar=pillar["name"], measures=joined(refs)))
    return lines


def measure_list(kb, focus: list) -> tuple:
    lines = []
    for m in map(kb.measure, focus):
        lines.append(say(LineKind.TEXT, "measure_summary_line", name=m["short_name"], summary=m["summary"]))
        lines += package_place(kb, m["id"])  # 「屬於…「安定就業」面向」: most of what the deck says of such a measure
    return lines, _dedupe(h["id"] for m in focus for h in kb.hotlines_for(m))[:MAX_HOTLINES]


def overview(kb, text: str, focus: list, aspects: tuple = ()) -> tuple:
    """(lines, hotline ids, allow more than MAX_HOTLINES)."""
    cue = cues(kb)
    if cue.directory.search(text):
        return _directory(kb), [], True
    if cue.stages.search(text) and not cue.package.search(text):
        return (*_stages(kb), False)
    prog = kb.program_with_role("package")
    named = [(i, p) for i, p in enumerate(kb.package_pillars(), 1) if p["name"] in text]
    if named and "amount" in aspects:  # 「金融支持分到多少億」: the deck gives only the package's total
        total = next(f for f in kb.figures(prog["id"]) if f["key"] == "budget")
        pillars = "、".join(p["name"] for _, p in named)
        line = say(
            LineKind.TEXT, "pillar_budget_unknown", pillars=pillars, name=prog["name"], total=figure_value(total)
        )
        return [line], [h["id"] for h in kb.hotlines_for(prog["id"])], False
    if 0 < len(named) <= 2:
        return (*_pillars(kb, prog, named), False)
    if focus and not cue.package.search(text):
        return (*measure_list(kb, focus), False)
    return _package(kb, prog), [h["id"] for h in kb.hotlines_for(prog["id"])], False
