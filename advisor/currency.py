"""How current the answers are (issue 17): what the data is and as of when, and measures that have ended.

「你們的資料是什麼時候的」 is answered with the deck's date and the staff's last publish (its date and source), read
from the knowledge base (knowledge/kb.py: deck, publish). A measure the editor marked closed (受理截止) or
superseded, or whose intake end date (dates key `intake_end`) has passed, is answered as such, with the date,
before its figures.
"""

from __future__ import annotations

from datetime import date, datetime

from advisor.hotlines import TAIPEI
from advisor.lines import LineKind, say

END_DATE_KEY = "intake_end"  # a date of a measure (knowledge/measures.yml dates) after which it takes no application


def asks_as_of(kb, text: str) -> bool:
    return any(row["key"] == "as_of" and row["phrase"] in text for row in kb.lexicon("cue"))


def ended(kb, measure_id: str, today: date) -> dict | None:
    """{state: closed | superseded, ad, by (a name)} when the measure has ended by `today`, else None."""
    m = kb.measure(measure_id) or {}
    status = m.get("status")
    if status and status.get("ad") and status["ad"] <= today.isoformat():
        by = kb.measure(status.get("by") or "") if status.get("by") else None
        return {"state": status["state"], "ad": status["ad"], "by": by["short_name"] if by else ""}
    for d in kb.dates(measure_id):
        if d["key"] == END_DATE_KEY and d["ad"] < today.isoformat():
            return {"state": "closed", "ad": d["ad"], "by": ""}
    return None


def ended_notes(kb, measure_ids: list, now: datetime) -> list:
    """One line per measure shown that has ended: said first, so nobody applies to a closed measure."""
    today = now.astimezone(TAIPEI).date()
    lines = []
    for mid in measure_ids:
        end = ended(kb, mid, today)
        if end is None:
            continue
        name = kb.measure(mid)["short_name"]
        if end["state"] == "superseded" and end["by"]:
            lines.append(say(LineKind.NOTE, "measure_superseded", name=name, date=end["ad"], by=end["by"]))
        else:
            lines.append(say(LineKind.NOTE, "measure_closed", name=name, date=end["ad"]))
    return lines


def as_of_lines(kb) -> list:
    """The deck and its date; the last publish (date and source) or that none happened since the deck."""
    deck = kb.snap.deck or {}
    lines = [
        say(LineKind.TEXT, "as_of", title=deck.get("title", ""), date=deck.get("date", ""), roc=deck.get("roc") or "")
    ]
    info = kb.snap.publish
    if info:
        when = datetime.fromisoformat(info["published_at"]).astimezone(TAIPEI).date().isoformat()
        source = f"{info['source_doc']}（{info['source_date']}）"
        lines.append(say(LineKind.TEXT, "as_of_published", date=when, source=source))
    else:
        lines.append(say(LineKind.TEXT, "as_of_repository"))
    lines.append(say(LineKind.TEXT, "as_of_check"))
    return lines
