"""A planted set of conversations whose every dashboard figure is worked out by hand below (issue 18), and whose
risk order is known: c1 👎, c2 handoff after an answer, c3 not understood, c4 low NLU confidence, c5 an answer
stating eligibility, c6 small talk only.

Days: MON and TUE of last week (one ISO week), FRI of the week before (another). Latency = seconds from a
conversation's first message to its first answer (the answer's `delay` after its message)."""

from __future__ import annotations

from datetime import datetime, timedelta

from tests.staff.tracker_factory import TAIPEI, T, ts

_today = datetime.now(TAIPEI).date()
MON = _today - timedelta(days=_today.weekday() + 7)
TUE, FRI = MON + timedelta(days=1), MON - timedelta(days=3)
MON, TUE, FRI = MON.isoformat(), TUE.isoformat(), FRI.isoformat()


def week(day: str) -> str:
    y, w, _ = datetime.fromisoformat(day).isocalendar()
    return f"{y}-W{w:02d}"


PHONE = "0912-345-678"
PLANTED = {
    "c1": [
        T(
            "我營業額掉了15%能貸多少",
            "ask_amount",
            "answer",
            ts(MON, "09:00"),
            ["sme_loan"],
            ["mbd"],
            stated=["figure", "heading"],
            delay=2,
        ),
        T("👎 沒幫助", "deny", "feedback", ts(MON, "09:01")),
    ],
    "c2": [
        T(
            "多元發展貸款利率",
            "ask_rate",
            "answer",
            ts(MON, "10:30"),
            ["sme_loan"],
            ["mbd"],
            stated=["figure"],
            delay=4,
        ),
        T(f"我要找真人，電話 {PHONE}", "request_human", "handoff", ts(MON, "10:31"), [], ["mbd"]),
    ],
    "c3": [
        T("房貸利率多少", "out_of_scope", "out_of_scope", ts(TUE, "14:00"), [], ["center"]),
        T("這個補助跟那個有什麼不同", "nlu_fallback", "clarify", ts(TUE, "14:01")),
        T("👍", "affirm", "feedback", ts(TUE, "14:02")),
    ],
    "c4": [
        T(
            "信保電話",
            "ask_hotline",
            "answer",
            ts(FRI, "20:00"),
            [],
            ["smeg"],
            confidence=0.5,
            stated=["text"],
            delay=3,
        ),
        T("謝謝", "thanks", "social", ts(FRI, "20:01")),
    ],
    "c5": [
        T("/greet", "greet", "social", ts(FRI, "20:10")),
        T(
            "外銷貸款保證我們可以嗎",
            "ask_eligibility",
            "answer",
            ts(FRI, "20:11"),
            ["export_loan_guarantee"],
            ["smeg"],
            stated=["status"],
            delay=6,
        ),
    ],
    "c6": [T("你好", "greet", "social", ts(FRI, "21:00"))],
}
ZERO_KINDS = {
    k: 0 for k in ("answer", "overview", "clarify", "fallback", "out_of_scope", "handoff", "social", "feedback", "none")
}


def row(**values) -> dict:
    base = {
        "conversations": 0,
        "messages": 0,
        **ZERO_KINDS,
        "dead_ends": 0,
        "dead_end_rate": 0.0,
        "handoff_conversations": 0,
        "handoff_rate": 0.0,
        "up": 0,
        "down": 0,
        "latency_median": "",
        "latency_p90": "",
    }
    return {**base, **values}


# per day, worked out by hand from PLANTED
FRI_ROW = row(conversations=3, messages=5, answer=2, social=3, latency_median=3.0, latency_p90=66.0)
MON_ROW = row(
    conversations=2, messages=4, answer=2, feedback=1, handoff=1, handoff_conversations=1, handoff_rate=0.5,
    down=1, latency_median=2.0, latency_p90=4.0,
)  # fmt: skip
TUE_ROW = row(conversations=1, messages=3, out_of_scope=1, clarify=1, feedback=1, dead_ends=1, dead_end_rate=0.5, up=1)
DAILY = [{"day": FRI, **FRI_ROW}, {"day": MON, **MON_ROW}, {"day": TUE, **TUE_ROW}]
WEEKLY = [
    {"week": week(FRI), **FRI_ROW},
    {
        "week": week(MON),
        **row(
            conversations=3, messages=7, answer=2, out_of_scope=1, clarify=1, handoff=1, feedback=2, dead_ends=1,
            dead_end_rate=0.2, handoff_conversations=1, handoff_rate=0.3333, up=1, down=1, latency_median=2.0,
            latency_p90=4.0,
        ),
    },
]  # fmt: skip
TOTALS = {
    "conversations": 6,
    "messages": 12,
    "dead_ends": 1,
    "dead_end_rate": 0.1429,  # 1 of 7 turns that are not small talk
    "handoff_rate": 0.1667,  # 1 of 6 conversations
    "up": 1,
    "down": 1,
    "latency_median": 3.0,  # of 2, 4, 3, 66 seconds (nearest rank)
    "latency_p90": 66.0,
}
HOURS = {9: 2, 10: 2, 14: 3, 20: 4, 21: 1}
MEASURES = [("sme_loan", 2), ("export_loan_guarantee", 1)]
HOTLINES = [("mbd", 3), ("smeg", 2), ("center", 1)]
RISK_ORDER = ["c1", "c2", "c3", "c4", "c5", "c6"]
