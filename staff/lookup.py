"""Find (full-text search over the knowledge base) and the hotline directory, from knowledge/kb.py."""

from __future__ import annotations

from datetime import datetime

from advisor import TAIPEI, is_open
from staff import labels

MAX_CARDS = 30
ROWS_SEARCHED = 500  # KB.search rows before grouping: one measure can have a dozen matching figures


def _normalise_query(q: str) -> str:
    try:
        from components.normalize import normalize_text

        return normalize_text(q)
    except Exception:
        import unicodedata

        return " ".join(unicodedata.normalize("NFKC", q).split())


def _contains_all(text: str, terms: list) -> bool:
    folded = text.casefold()
    return all(t.casefold() in folded for t in terms)


def _rows(kb, terms: list) -> list:
    """KB.search rows (trigram FTS for 3+ characters, LIKE below) in rank order; several words separated by
    spaces must all appear (searched by the longest, filtered by the others)."""
    if len(terms) == 1:
        return kb.search(terms[0], limit=ROWS_SEARCHED)
    longest = max(terms, key=len)
    return [r for r in kb.search(longest, limit=ROWS_SEARCHED) if _contains_all(f"{r['title']} {r['body']}", terms)]


def _card(kb, kind: str, ref: str) -> dict:
    if kind == "hotline":
        return {
            "kind": "hotline",
            "kind_label": labels.get("search.kinds.hotline"),
            "ref": ref,
            "hotline": kb.hotline(ref),
            "measure": None,
            "lines": [],
            "hotlines": [],
            "aliases": [],
        }
    measure = kb.measure(ref)
    owner = measure or kb.program(ref) or {"name": ref, "summary": "", "source": ""}
    return {
        "kind": "measure" if measure else "program",
        "kind_label": labels.get("search.kinds." + ("measure" if measure else "program")),
        "ref": ref,
        "title": owner.get("short_name") or owner["name"],
        "name": owner["name"],
        "summary": owner.get("summary") or "",
        "source": owner.get("source") or "",
        "measure": measure,
        "hotline": None,
        "lines": [],
        "hotlines": kb.hotlines_for(ref),
        "aliases": [],
    }


def search(kb, query: str, limit: int = MAX_CARDS) -> list:
    """One card per measure (or program, or hotline), in the order of its best hit: the measure's summary, the
    figures and criteria that matched (each with its source), the aliases that matched as tags (never the alias
    list as prose), and its hotlines once."""
    terms = _normalise_query(query or "").split()
    if not terms:
        return []
    cards = {}
    for r in _rows(kb, terms):
        key = ("hotline" if r["kind"] == "hotline" else "measure", r["ref"])
        if key not in cards:
            if len(cards) >= limit:
                continue
            cards[key] = _card(kb, *key)
        card = cards[key]
        if r["kind"] in ("figure", "criterion"):
            # a figure's title carries the measure's name: 「外銷貸款優惠保證加碼｜輸美實績期間」 matches 保證, its
            # figure does not. A line is shown when the query is (also) in the line itself.
            if not any(t.casefold() in r["body"].casefold() for t in terms):
                continue
            part = labels.get("search.parts." + r["kind"])
            card["lines"].append({"part": part, "text": r["body"], "source": r["source"]})
        elif r["kind"] == "measure" and card["measure"]:
            # the row's body is the summary plus every alias: show the aliases that matched, as tags
            names = {card["measure"]["name"], card["measure"]["short_name"]}
            card["aliases"] = [
                a
                for a, mid in kb.aliases()
                if mid == r["ref"] and a not in names and any(t.casefold() in a.casefold() for t in terms)
            ]
    return list(cards.values())


def csv_rows(cards: list) -> list:
    """Search results as CSV rows: one per card."""
    sep = labels.get("list_sep")
    rows = []
    for c in cards:
        if c["kind"] == "hotline":
            h = c["hotline"]
            rows.append(
                {
                    "kind_label": c["kind_label"],
                    "title": f"{h['name']} {h['number']}",
                    "lines": h["handles"],
                    "source": h["source"],
                    "hotlines": h["number"],
                }
            )
            continue
        lines = [c["summary"]] + [f"{x['part']} {x['text']}" for x in c["lines"]]
        rows.append(
            {
                "kind_label": c["kind_label"],
                "title": c["title"],
                "lines": "\n".join(filter(None, lines)),
                "source": c["source"],
                "hotlines": sep.join(f"{x['name']} {x['number']}" for x in c["hotlines"]),
            }
        )
    return rows


def directory(kb, now: datetime | None = None) -> list:
    """Every hotline with what it handles, hours, whether it is open now, and the measures routed to it."""
    now = now or datetime.now(TAIPEI)
    routed = {h["id"]: [] for h in kb.hotlines()}
    for m in kb.measures():
        for rank, h in enumerate(kb.hotlines_for(m["id"])):
            routed.setdefault(h["id"], []).append({"measure": m, "primary": rank == 0})
    rows = []
    for h in kb.hotlines():
        rows.append({**h, "open_now": is_open(h, now), "measures": routed.get(h["id"], [])})
    return rows


def directory_columns() -> list:
    return labels.columns("directory.columns")


def directory_rows(kb) -> list:
    words = labels.get("directory")
    return [
        {
            "number": h["number"],
            "name": h["name"],
            "handles": h["handles"],
            "hours": h["hours_text"] or words["hours_unknown"],
            "measures": labels.get("list_sep").join(
                x["measure"]["short_name"] + ("" if x["primary"] else words["secondary"]) for x in h["measures"]
            ),
            "source": h["source"],
        }
        for h in directory(kb)
    ]
