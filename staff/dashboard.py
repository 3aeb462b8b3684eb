"""How the bot is doing (issue 18): per day and per week, from the tracker store's events (staff/review.py's turns),
with server-rendered SVG charts, each with its CSV.

Definitions (every figure is a count of user messages, "turns", or of conversations, by Taipei time):
- conversations: distinct sender ids with a user message that day (a conversation over midnight counts on both
  days; the period's total is the distinct count, not the sum of the days);
- messages: user messages; answer kinds: the answer_kind action_answer set for each (none: no answer logged),
  so the kinds of a day add up to its messages;
- dead end: a turn that is not small talk (social, feedback) whose reply routed to no hotline (answered_hotlines
  empty) or that got no answer; dead-end rate = dead ends / turns that are not small talk;
- handoff rate: conversations with a handoff turn / conversations;
- 👍/👎: feedback taps; top measures and hotlines: turns that routed to each (answered_measures/_hotlines);
- busiest hours: user messages per hour of the day;
- latency: per conversation, from its first user message to the first answer (kind answer or overview), in
  seconds, counted on the day of the first message; median and 90th percentile.
`reconcile` counts user events and senders straight from the events table, to check the page against them.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from markupsafe import Markup, escape

from staff import labels
from staff.review import TAIPEI

KINDS = ("answer", "overview", "clarify", "fallback", "out_of_scope", "handoff", "social", "feedback", "none")
SMALL_TALK = {"social", "feedback"}
ANSWERED = {"answer", "overview"}
TOP = 10


@dataclass
class Report:
    tables: dict = field(default_factory=dict)  # name -> (columns, rows)
    totals: dict = field(default_factory=dict)


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, TAIPEI).strftime("%Y-%m-%d")


def _week(ts: float) -> str:
    y, w, _ = datetime.fromtimestamp(ts, TAIPEI).isocalendar()
    return f"{y}-W{w:02d}"


def percentile(values: list, q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of `values`; None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q / 100 * len(ordered)) - 1)]


def _rate(n: int, d: int) -> float:
    return round(n / d, 4) if d else 0.0


def _period_rows(turns: list, key) -> list:
    stats = defaultdict(lambda: {"senders": set(), "kinds": Counter(), "dead": 0, "askable": 0, "up": 0, "down": 0})
    handoff_senders = defaultdict(set)
    for t in turns:
        s = stats[key(t.timestamp)]
        s["senders"].add(t.sender_id)
        kind = t.kind or "none"
        s["kinds"][kind] += 1
        if kind not in SMALL_TALK:
            s["askable"] += 1
            s["dead"] += kind == "none" or not t.hotlines
        if t.feedback:
            s[t.feedback] += 1
        if kind == "handoff":
            handoff_senders[key(t.timestamp)].add(t.sender_id)
    latencies = defaultdict(list)
    for first, seconds in first_answer_latencies(turns):
        latencies[key(first)].append(seconds)
    rows = []
    for period in sorted(stats):
        s = stats[period]
        lat = latencies.get(period, [])
        rows.append(
            {
                "period": period,
                "conversations": len(s["senders"]),
                "messages": sum(s["kinds"].values()),
                **{k: s["kinds"][k] for k in KINDS},
                "dead_ends": s["dead"],
                "dead_end_rate": _rate(s["dead"], s["askable"]),
                "handoff_conversations": len(handoff_senders[period]),
                "handoff_rate": _rate(len(handoff_senders[period]), len(s["senders"])),
                "up": s["up"],
                "down": s["down"],
                "latency_median": _round(percentile(lat, 50)),
                "latency_p90": _round(percentile(lat, 90)),
            }
        )
    return rows


def _round(v):
    return "" if v is None else round(v, 1)


def first_answer_latencies(turns: list) -> list:
    """[(first message time, seconds to the first answer)] per conversation that got an answer."""
    by_sender = defaultdict(list)
    for t in turns:
        by_sender[t.sender_id].append(t)
    out = []
    for ts in by_sender.values():
        first = ts[0].timestamp
        answered = next((t for t in ts if t.kind in ANSWERED and t.answer_ts is not None), None)
        if answered is not None:
            out.append((first, max(0.0, answered.answer_ts - first)))
    return out


def _top(turns: list, attr: str, names: dict) -> list:
    counts = Counter(ref for t in turns for ref in dict.fromkeys(getattr(t, attr)))
    return [{"id": ref, "name": names.get(ref, ref), "count": n} for ref, n in counts.most_common(TOP)]


def build(turns: list, kb) -> Report:
    cols = labels.get("dashboard.columns")
    period_cols = lambda first: [(first, cols[first])] + [(k, cols[k]) for k in PERIOD_KEYS]  # noqa: E731
    daily = [{"day": r.pop("period"), **r} for r in _period_rows(turns, _day)]
    weekly = [{"week": r.pop("period"), **r} for r in _period_rows(turns, _week)]
    hotline_names = {h["id"]: f"{h['name']} {h['number']}" for h in kb.hotlines()}
    measure_names = {m["id"]: m["short_name"] for m in kb.measures()}
    measure_names.update({pid: p["name"] for pid, p in kb.snap.programs.items()})
    hours = Counter(datetime.fromtimestamp(t.timestamp, TAIPEI).hour for t in turns)
    ref_cols = [("id", cols["id"]), ("name", cols["name"]), ("count", cols["count"])]
    report = Report()
    report.tables = {
        "daily": (period_cols("day"), daily),
        "weekly": (period_cols("week"), weekly),
        "measures": (ref_cols, _top(turns, "measures", measure_names)),
        "hotlines": (ref_cols, _top(turns, "hotlines", hotline_names)),
        "hours": (
            [("hour", cols["hour"]), ("messages", cols["messages"])],
            [{"hour": h, "messages": hours[h]} for h in range(24)],
        ),
    }
    askable = [t for t in turns if (t.kind or "none") not in SMALL_TALK]
    senders = {t.sender_id for t in turns}
    lat = [s for _, s in first_answer_latencies(turns)]
    report.totals = {
        "conversations": len(senders),
        "messages": len(turns),
        "dead_ends": sum((t.kind or "none") == "none" or not t.hotlines for t in askable),
        "dead_end_rate": _rate(sum((t.kind or "none") == "none" or not t.hotlines for t in askable), len(askable)),
        "handoff_rate": _rate(len({t.sender_id for t in turns if t.kind == "handoff"}), len(senders)),
        "up": sum(t.feedback == "up" for t in turns),
        "down": sum(t.feedback == "down" for t in turns),
        "latency_median": _round(percentile(lat, 50)),
        "latency_p90": _round(percentile(lat, 90)),
    }
    return report


PERIOD_KEYS = (
    "conversations",
    "messages",
    *KINDS,
    "dead_ends",
    "dead_end_rate",
    "handoff_conversations",
    "handoff_rate",
    "up",
    "down",
    "latency_median",
    "latency_p90",
)


def reconcile(con: sa.engine.Connection, since: float | None = None) -> dict:
    """User messages and conversations counted straight from the events table (the tracker store's read-only
    connection, staff/review.py connect: the same SQL on SQLite and PostgreSQL), to hold the dashboard's totals
    against."""
    where, args = "type_name = 'user'", {}
    if since is not None:
        where += " and timestamp >= :since"
        args["since"] = since
    sql = "select count(*), count(distinct sender_id) from events where " + where
    messages, senders = con.execute(sa.text(sql), args).one()
    return {"messages": int(messages), "conversations": int(senders)}


# ------------------------------------------------------------------------------------------- SVG charts
PALETTE = ("#0b5cab", "#1e7b34", "#c77700", "#b3261e", "#6b4fa0", "#5f6b7a")


def bar_chart(title: str, categories: list, series: list, stacked: bool = False, height: int = 220) -> Markup:
    """Vertical bars: `series` is [(name, [value per category])]; grouped side by side, or stacked. Self-contained
    SVG (no script), scaled to its container with viewBox; a <title> on each bar gives the exact figure."""
    width, left, bottom, top = 480, 40, 40, 26  # small enough that its 13px text stays readable on a phone
    n = max(len(categories), 1)
    totals = [sum(v[i] for _, v in series) for i in range(len(categories))] if stacked else []
    peak = max([*(totals or [0]), *(x for _, v in series for x in v), 1]) if categories else 1
    plot_h, plot_w = height - top - bottom, width - left - 10
    slot = plot_w / n
    bar_w = slot * 0.8 / (1 if stacked else max(len(series), 1))
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" style="width:100%;height:auto;background:#fff">',
        f'<text x="{left}" y="17" font-size="15" fill="#1f2933">{escape(title)}</text>',
    ]
    for frac in (0, 0.5, 1):
        y = top + plot_h * (1 - frac)
        parts.append(f'<line x1="{left}" x2="{width - 10}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d5dbe3"/>')
        parts.append(
            f'<text x="{left - 4}" y="{y + 4:.1f}" font-size="12" text-anchor="end">{_fmt(peak * frac)}</text>'
        )
    step = max(1, math.ceil(n / 8))  # at most about 8 labels under the axis
    for i, cat in enumerate(categories):
        x0 = left + slot * i + slot * 0.1
        base = 0.0
        for j, (name, values) in enumerate(series):
            v = values[i]
            h = plot_h * v / peak
            x = x0 if stacked else x0 + bar_w * j
            y = top + plot_h - h - (plot_h * base / peak if stacked else 0)
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{PALETTE[j % 6]}">'
                f"<title>{escape(cat)} {escape(name)}: {_fmt(v)}</title></rect>"
            )
            base += v if stacked else 0
        if i % step == 0:
            parts.append(
                f'<text x="{left + slot * (i + 0.5):.1f}" y="{height - bottom + 15}" font-size="12" '
                f'text-anchor="middle">{escape(_short(cat))}</text>'
            )
    if len(series) > 1:
        x = left
        for j, (name, _) in enumerate(series):
            parts.append(f'<rect x="{x}" y="{height - 14}" width="11" height="11" fill="{PALETTE[j % 6]}"/>')
            parts.append(f'<text x="{x + 15}" y="{height - 4}" font-size="13">{escape(name)}</text>')
            x += 15 + 14 * len(name) + 12
    parts.append("</svg>")
    return Markup("".join(parts))


def hbar_chart(title: str, rows: list) -> Markup:
    """Horizontal bars for a top-N list: rows are (label, value)."""
    width, label_w, row_h, top = 480, 190, 24, 28
    height = top + row_h * max(len(rows), 1) + 8
    peak = max([v for _, v in rows] + [1])
    parts = [
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title)}" '
        f'xmlns="http://www.w3.org/2000/svg" style="width:100%;height:auto;background:#fff">',
        f'<text x="4" y="17" font-size="15" fill="#1f2933">{escape(title)}</text>',
    ]
    for i, (label, v) in enumerate(rows):
        y = top + row_h * i
        w = (width - label_w - 50) * v / peak
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" font-size="13" text-anchor="end">{escape(label[:13])}</text>'
        )
        parts.append(
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{PALETTE[0]}">'
            f"<title>{escape(label)}: {v}</title></rect>"
        )
        parts.append(f'<text x="{label_w + w + 4:.1f}" y="{y + 16}" font-size="13">{v}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def _fmt(v) -> str:
    return f"{v:.0f}" if abs(v - round(v)) < 1e-9 or v >= 10 else f"{v:.2f}".rstrip("0")


def _short(cat) -> str:
    return str(cat)[5:] if len(str(cat)) == 10 else str(cat)  # 2026-12-01 -> 12-01


def charts(report: Report) -> list:
    """[(title, svg, csv table name)] for the page, in its order."""
    names = labels.get("dashboard.charts")
    cols = labels.get("dashboard.columns")
    out = []
    for period in ("daily", "weekly"):
        _, rows = report.tables[period]
        cats = [r["day" if period == "daily" else "week"] for r in rows]

        def series(keys, rows=rows):
            return [(cols[k], [r[k] for r in rows]) for k in keys]

        kinds = [
            (cols["answer"], [r["answer"] + r["overview"] for r in rows]),
            (cols["clarify"], [r["clarify"] + r["fallback"] for r in rows]),
            (cols["out_of_scope"], [r["out_of_scope"] for r in rows]),
            (cols["handoff"], [r["handoff"] for r in rows]),
            (cols["other"], [r["social"] + r["feedback"] + r["none"] for r in rows]),
        ]
        latency = [(cols[k], [r[k] or 0 for r in rows]) for k in ("latency_median", "latency_p90")]
        out += [
            (
                names[f"{period}_volume"],
                bar_chart(names[f"{period}_volume"], cats, series(["conversations", "messages"])),
                period,
            ),
            (names[f"{period}_kinds"], bar_chart(names[f"{period}_kinds"], cats, kinds, stacked=True), period),
            (
                names[f"{period}_rates"],
                bar_chart(names[f"{period}_rates"], cats, series(["dead_end_rate", "handoff_rate"])),
                period,
            ),
            (names[f"{period}_feedback"], bar_chart(names[f"{period}_feedback"], cats, series(["up", "down"])), period),
            (names[f"{period}_latency"], bar_chart(names[f"{period}_latency"], cats, latency), period),
        ]
    hours = report.tables["hours"][1]
    out.append(
        (
            names["hours"],
            bar_chart(
                names["hours"],
                [f"{r['hour']:02d}" for r in hours],
                [(cols["messages"], [r["messages"] for r in hours])],
            ),
            "hours",
        )
    )
    for name in ("measures", "hotlines"):
        rows = report.tables[name][1]
        out.append((names[name], hbar_chart(names[name], [(r["name"], r["count"]) for r in rows]), name))
    return out
