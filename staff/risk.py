"""The review queue ordered by risk (issue 18): which conversations a reviewer should read first.

A turn's risk, highest first (its rank is the first that applies):
  0 thumbs_down     the firm tapped 👎 on this answer (the turn the 👎 followed)
  1 handoff         the firm asked for a person right after an answer (kind handoff after answer/overview)
  2 not_understood  the bot said it could not answer: clarify, fallback, out_of_scope
  3 low_confidence  NLU's intent confidence under LOW_CONFIDENCE (nlu_fallback included)
  4 figures         the answer states figures or eligibility (bot metadata reply_meta.stated: figure, excluded,
                    status lines)
  5 rest
Everything is read from the tracker's events (answer_kind and answered_* slots, the bot's reply_meta), never
guessed from the reply's text. A conversation ranks as its riskiest turn not yet reviewed; conversations with
every risky turn reviewed go last.
"""

from __future__ import annotations

from collections import defaultdict

from staff import labels
from staff.masking import mask
from staff.review import when

LOW_CONFIDENCE = 0.6  # the FallbackClassifier's threshold is 0.35; between the two, NLU guessed
ANSWERED = {"answer", "overview"}
SMALL_TALK = {"social", "feedback"}
STATED_RISKY = {"figure", "excluded", "status"}  # figures (one it cannot get too) and eligibility; not notes (hours)
REASONS = ("thumbs_down", "handoff", "not_understood", "low_confidence", "figures", "rest")


def turn_reasons(turns: list) -> list:
    """For one conversation's turns (oldest first): the list of reasons for each turn, riskiest first."""
    out = [[] for _ in turns]
    for i, t in enumerate(turns):
        if t.feedback == "down":
            target = _answered_before(turns, i)
            if target is not None:
                out[target].append("thumbs_down")
        if t.kind == "handoff" and i > 0 and turns[i - 1].kind in ANSWERED:
            out[i].append("handoff")
        if t.fell_back:
            out[i].append("not_understood")
        if t.feedback is None and t.kind not in SMALL_TALK and (t.confidence or 0.0) < LOW_CONFIDENCE and t.typed:
            out[i].append("low_confidence")
        if STATED_RISKY & set(t.stated):
            out[i].append("figures")
    return [sorted(set(r), key=REASONS.index) or ["rest"] for r in out]


def _answered_before(turns: list, i: int) -> int | None:
    """The turn a 👎 at turns[i] is about: the last one before it that was not itself feedback."""
    for j in range(i - 1, -1, -1):
        if turns[j].feedback is None:
            return j
    return None


def rank(reasons: list) -> int:
    return REASONS.index(reasons[0])


def queue(turns: list, reviewed: dict, limit: int = 200) -> list:
    """Queue rows (dicts), riskiest unreviewed first. `reviewed`: sender -> set of reviewed turn indexes."""
    by_sender = defaultdict(list)
    for t in turns:
        by_sender[t.sender_id].append(t)
    names = labels.get("risk.reasons")
    rows = []
    for sender, ts in by_sender.items():
        reasons = turn_reasons(ts)
        done = reviewed.get(sender, set())
        open_turns = [i for i in range(len(ts)) if ts[i].index not in done and ts[i].feedback is None]
        risky = sorted(open_turns, key=lambda i: (rank(reasons[i]), -ts[i].timestamp))
        top = risky[0] if risky else len(ts) - 1
        level = rank(reasons[top]) if risky else len(REASONS)
        rows.append(
            {
                "sender_id": sender,
                "risk": names[REASONS[level]] if risky else names["reviewed"],
                "reason_key": REASONS[level] if risky else "reviewed",
                "text": mask(ts[top].shown),
                "turn": ts[top].index,
                "reasons": labels.get("list_sep").join(
                    names[r] for r in dict.fromkeys(r for i in open_turns for r in reasons[i] if r != "rest")
                ),
                "messages": len(ts),
                "reviewed": len(done),
                "last": when(ts[-1].timestamp),
                "_rank": level,
                "_ts": ts[-1].timestamp,
            }
        )
    rows.sort(key=lambda r: (r["_rank"], -r["_ts"]))
    return rows[:limit]


def columns() -> list:
    return labels.columns("risk.columns")
