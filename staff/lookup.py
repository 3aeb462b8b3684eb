"""Find (full-text search over the knowledge base) and the hotline directory, from actions/kb.py."""
from __future__ import annotations

from datetime import datetime

from actions.answer import TAIPEI, is_open

KIND_LABELS = {"measure": "措施", "figure": "數字", "criterion": "申請資格", "hotline": "專線"}


def _normalise_query(q: str) -> str:
    try:
        from components.normalize import normalize_text
        return normalize_text(q)
    except Exception:
        import unicodedata
        return " ".join(unicodedata.normalize("NFKC", q).split())


def search(kb, query: str, limit: int = 30) -> list:
    """Hits of KB.search (trigram FTS for 3+ characters, LIKE below), each with the measure's hotlines.
    Several words separated by spaces must all appear (searched by the longest, filtered by the others)."""
    q = _normalise_query(query or "")
    terms = q.split()
    if not terms:
        return []
    if len(terms) == 1:
        rows = kb.search(terms[0], limit=limit)
    else:
        longest = max(terms, key=len)
        rows = [r for r in kb.search(longest, limit=500)
                if all(t.casefold() in f"{r['title']} {r['body']}".casefold() for t in terms)][:limit]
    hits = []
    for r in rows:
        hotlines = [] if r["kind"] == "hotline" else kb.hotlines_for(r["ref"])
        hotline = kb.hotline(r["ref"]) if r["kind"] == "hotline" else None
        measure = kb.measure(r["ref"]) if r["kind"] != "hotline" else None
        hits.append({**r, "kind_label": KIND_LABELS.get(r["kind"], r["kind"]), "hotlines": hotlines,
                     "hotline": hotline, "measure": measure})
    return hits


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


DIRECTORY_COLUMNS = [("number", "電話"), ("name", "名稱"), ("handles", "處理事項"), ("hours", "服務時間"),
                     ("measures", "轉接措施"), ("source", "出處")]


def directory_rows(kb) -> list:
    return [{"number": h["number"], "name": h["name"], "handles": h["handles"], "hours": h["hours_text"] or "簡報未列",
             "measures": "、".join(x["measure"]["short_name"] + ("" if x["primary"] else "（次要）") for x in h["measures"]),
             "source": h["source"]} for h in directory(kb)]
