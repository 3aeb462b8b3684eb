"""Figures a clerk works out from the knowledge base's figures and what the firm said, each with its working and
the labels of the KB figures it used (so the firm sees where every number comes from):

- the revenue change from the firm's two amounts (advisor/amounts.py reads them): 「營業額由3,000萬元減為2,500萬元，
  減少16.7%」, with the average when one was taken;
- the rate inside the rate cut's window: 「貸款利率2.22% − 利率減碼1.5% = 0.72%（貸款額度1,000萬元以內，最長6個月）」,
  unless the firm's amount is outside the cut's condition;
- the guaranteed amount: the loan amount (or the cap, 「用滿」) × the guarantee share that applies (or the share the
  firm states);
- the share of the loan's cap the firm's amount uses, and what is left to borrow;
- the interest over the first year: the rate cut's window at the lower rate, the other months at the rate;
- the revenue level a threshold means for the firm's base amount: 「3,600萬 × (1 − 10%) = 3,240萬」;
- a total of two shares (政府負擔 + 企業自付) and the government's part of it;
- the self-funding share the firm can offer against the share the measure requires.
Budgets against shares and caps are worked out in advisor/eligibility.py (`_budget_notes`).

Each item is (aspects, message key, values, when nothing is asked): shown when one of the aspects is asked, always
(aspects None), and when nothing in particular was asked only if the last is True.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from advisor.eligibility import applies, assess, cap_in_wan, compare
from advisor.lines import LineKind, joined, kb_text, say
from knowledge.render import amount_wan, figure_value, number

# the revenue change's working, shown right under the status line (and kept when the measure is refused)
WORKING_KEYS = (
    "revenue_change.down",
    "revenue_change.up",
    "revenue_change.same",
    "base_table_head",
    "base_row.down",
    "base_row.up",
    "month_table_base",
    "month_row.down",
    "month_row.up",
    "month_row.same",
    "month_table_met",
    "month_table_none",
)
# a figure asked about that a derived line answers: the rate, the guarantee, what the firm and the state pay
RATE_ASPECTS = ("rate", "rate_cut")
GUARANTEE_ASPECTS = ("guarantee", "amount")
SHARE_ASPECTS = ("amount", "self_funding")


def percent(value: float) -> str:
    """One decimal, as a clerk rounds: 16.666 -> '16.7', 6.25 -> '6.3', 15.0 -> '15'."""
    d = Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    return number(float(d))


def _fig(kb, mid: str, aspect: str, unit: str | None = None) -> list:
    return [f for f in kb.figures(mid, aspect) if unit is None or f["unit"] == unit]


def revenue_working(kb, working: dict) -> tuple:
    """(message key, values) of the change worked out from the firm's amounts."""
    basis = []
    if working.get("months") and working.get("total"):
        basis.append(
            say(
                LineKind.TEXT,
                "revenue_total",
                months=str(working["months"]),
                total=amount_wan(working["total"]),
                average=amount_wan(working["base"]),
            )
        )
    for side in ("base", "now"):
        parts = working.get(side + "_parts") or []
        if parts:
            basis.append(_average_basis(parts, working[side]))
    delta = working.get("delta")
    if delta:
        basis.append(
            say(
                LineKind.TEXT,
                "revenue_delta.down" if delta < 0 else "revenue_delta.up",
                base=amount_wan(working["base"]),
                delta=amount_wan(abs(delta)),
                now=amount_wan(working["now"]),
            )
        )
    change = (working["now"] - working["base"]) / working["base"] * 100
    key = "revenue_change.down" if change < 0 else "revenue_change.up" if change > 0 else "revenue_change.same"
    return key, {
        "basis": joined(basis, "sep.none"),
        "base": amount_wan(working["base"]),
        "now": amount_wan(working["now"]),
        "pct": percent(abs(change)),
    }


def _interest(amount: float, rate: Decimal, months: int) -> float:
    """Simple interest in 萬元: amount × rate% × months/12."""
    return float(Decimal(str(amount)) * rate / 100 * months / 12)


def _rate_in_cut(kb, mid: str, facts: dict) -> list:
    out = []
    amount = facts.get("amount")
    for rate in _fig(kb, mid, "rate", "%"):
        for cut in _fig(kb, mid, "rate_cut", "%"):
            if applies(cut["when"], facts) is False:  # the firm's amount is outside the cut's condition
                continue
            result = Decimal(str(rate["value"])) - Decimal(str(cut["value"]))
            months = say(LineKind.TEXT, "rate_cut_months", months=str(cut["months"])) if cut.get("months") else ""
            out.append(
                (
                    RATE_ASPECTS,
                    "rate_in_cut",
                    {
                        "rate_label": rate["label"],
                        "rate": number(rate["value"]) + "%",
                        "cut_label": cut["label"],
                        "cut": number(cut["value"]) + "%",
                        "result": number(float(result)) + "%",
                        "condition": cut["condition"] or "",
                        "months": months,
                    },
                    False,  # only when the rate or its cut is asked
                )
            )
            if amount and cut.get("months"):  # the interest over the window, and what the cut saves
                n = int(cut["months"])
                if facts.get("year_interest_asked") and n < 12:
                    out.append((None, "interest_first_year", _first_year(amount, rate, result, n), True))
                out.append(
                    (
                        RATE_ASPECTS,
                        "interest_in_cut",
                        {
                            "amount": amount_wan(amount),
                            "result": number(float(result)) + "%",
                            "cut": number(cut["value"]) + "%",
                            "months": str(n),
                            "interest": amount_wan(_interest(amount, result, n)),
                            "saving": amount_wan(_interest(amount, Decimal(str(cut["value"])), n)),
                            "monthly": amount_wan(_interest(amount, Decimal(str(cut["value"])), 1)),
                        },
                        False,
                    )
                )
    return out


def _first_year(amount: float, rate: dict, result: Decimal, n: int) -> dict:
    """The first 12 months' simple interest: n months at the cut rate, the rest at the rate."""
    full = Decimal(str(rate["value"]))
    cut_part, rest_part = _interest(amount, result, n), _interest(amount, full, 12 - n)
    return {
        "amount": amount_wan(amount),
        "result": number(float(result)) + "%",
        "rate": number(rate["value"]) + "%",
        "months": str(n),
        "rest": str(12 - n),
        "a": amount_wan(cut_part),
        "b": amount_wan(rest_part),
        "total": amount_wan(cut_part + rest_part),
    }


def _windows(kb, mid: str, facts: dict) -> list:
    """A window that lasts at most N months or years (利率減碼最長6個月, 手續費全免最長2年): the months left after
    the months the firm says have passed, and the last month when the firm says when it started."""
    elapsed, start = facts.get("months_elapsed"), facts.get("window_start")
    if not elapsed and not start:
        return []
    out = []
    for f in kb.figures(mid):
        if applies(f["when"], facts) is False:
            continue
        if f.get("months"):
            length = int(f["months"])
        elif f["unit"] == "年" and "最長" in (f.get("qualifier") or ""):
            length = int(f["value"] * 12)
        else:
            continue
        values = {"label": f["label"], "length": figure_value(f)}
        if elapsed:
            left = max(length - elapsed, 0)
            # only when the window's own aspect is asked: 「已經3個月沒訂單」 is not a window used
            out.append(((f["aspect"],), "window_left", {**values, "elapsed": str(elapsed), "left": str(left)}, False))
        if start:
            year, month = start
            last = year * 12 + month - 1 + length - 1  # the start month counts as the first
            out.append(
                (
                    (f["aspect"],),
                    "window_end",
                    {
                        **values,
                        "start": say(LineKind.TEXT, "roc_month", year=str(year), month=str(month)),
                        "end": say(LineKind.TEXT, "roc_month", year=str(last // 12), month=str(last % 12 + 1)),
                        "next": say(
                            LineKind.TEXT, "roc_month", year=str((last + 1) // 12), month=str((last + 1) % 12 + 1)
                        ),
                    },
                    False,
                )
            )
    return out


def _loan_caps(a, facts: dict) -> list:
    """[(figure, cap in 萬元)] of the loan's own caps that apply to the firm (not a guarantee's 保證額度)."""
    return [
        (f, cap_in_wan(f))
        for f in a.figures
        if f["aspect"] == "amount"
        and cap_in_wan(f) is not None
        and not f["key"].startswith("guarantee")
        and applies(f["when"], facts)
    ]


def _guaranteed(kb, mid: str, a, facts: dict) -> list:
    """The loan amount (at most the loan's cap) × the guarantee share, at most the guarantee's own cap (保證額度)."""
    amount = facts.get("amount")
    shares = [f for f in a.figures if f["aspect"] == "guarantee" and f["unit"] == "成"]
    caps = [f for f in a.figures if f["aspect"] == "amount" and cap_in_wan(f) is not None and applies(f["when"], facts)]
    loan_caps = [f for f, _ in _loan_caps(a, facts)]
    if not amount and facts.get("at_cap") and len(caps) == 1:  # 「額度用滿的話」: the one cap that applies
        amount = cap_in_wan(caps[0])
    if not amount or not shares:
        return []
    lent = min([amount, *[cap_in_wan(f) for f in loan_caps]])
    basis = amount_wan(lent)
    if lent < amount:  # 「借5000萬」 of a loan capped at 3,500萬: the guarantee is on what can be lent
        cap = next(f for f in loan_caps if cap_in_wan(f) == lent)
        basis = say(LineKind.TEXT, "guaranteed_on_cap", label=cap["label"], cap=amount_wan(lent))
    guarantee_caps = [f for f in caps if f["key"].startswith("guarantee")]

    def value_of(share: float) -> float:
        return min([lent * share / 10, *[cap_in_wan(g) for g in guarantee_caps]])

    def guaranteed(share: float):
        value = lent * share / 10
        for g in guarantee_caps:
            if value > cap_in_wan(g):
                return say(LineKind.TEXT, "guaranteed_capped", amount=amount_wan(cap_in_wan(g)), label=g["label"])
        return amount_wan(value)

    def rest(share: float, at_least: bool) -> tuple:
        """The part of the loan the guarantee does not cover: loan − guaranteed amount."""
        value = value_of(share)
        return (
            GUARANTEE_ASPECTS,
            "not_guaranteed_at_most" if at_least else "not_guaranteed",
            {"amount": amount_wan(lent), "guaranteed": amount_wan(value), "rest": amount_wan(lent - value)},
            True,
        )

    stated = facts.get("stated_guarantee")
    if stated:
        return [
            (
                GUARANTEE_ASPECTS,
                "guaranteed_amount_stated",
                {"amount": basis, "share": number(stated) + "成", "result": guaranteed(stated)},
                True,
            ),
            rest(stated, False),
        ]
    out = []
    for f in shares:
        if f.get("value_min") is not None:
            result = say(LineKind.TEXT, "guaranteed_range", low=guaranteed(f["value_min"]), high=guaranteed(f["value"]))
        elif (f.get("qualifier") or "").startswith("最低"):
            result = say(LineKind.TEXT, "guaranteed_at_least", amount=guaranteed(f["value"]))
        else:
            result = guaranteed(f["value"])
        out.append(
            (
                GUARANTEE_ASPECTS,
                "guaranteed_amount",
                {
                    "amount": basis,
                    "share": figure_value(f),
                    "result": result,
                    "label": f["label"],
                    "condition": "：" + f["condition"] if f.get("condition") else "",
                },
                True,
            )
        )
        if f.get("value_min") is None:
            out.append(rest(f["value"], (f.get("qualifier") or "").startswith("最低")))
    return out


def _requests_total(kb, mid: str, a, facts: dict) -> list:
    """Several amounts to borrow (「借800萬週轉，再借2000萬買設備」): their sum against the loan's cap, and what
    is left."""
    parts = facts.get("amount_parts")
    if not parts:
        return []
    total = sum(parts)
    out = []
    for f, cap in _loan_caps(a, facts):
        values = {
            "parts": " + ".join(amount_wan(p) for p in parts),
            "total": amount_wan(total),
            "label": f["label"],
            "cap": amount_wan(cap),
            "left": amount_wan(cap - total),
            "over": amount_wan(total - cap),
        }
        out.append((None, "requests_over_cap" if total > cap + 1e-9 else "requests_within_cap", values, True))
    return out


def _cap_used(kb, mid: str, a, facts: dict) -> list:
    """「已經借了2,800萬，用掉上限的幾成，還可以再借多少」: the amount's share of the loan's cap, and what is left."""
    amount = facts.get("amount")
    if not facts.get("cap_used_asked") or not amount or facts.get("amount_parts"):
        return []
    out = []
    for f, cap in _loan_caps(a, facts):
        values = {"amount": amount_wan(amount), "label": f["label"], "cap": amount_wan(cap)}
        if amount > cap + 1e-9:
            out.append((None, "cap_used_over", {**values, "over": amount_wan(amount - cap)}, True))
        else:
            share = amount / cap * 100
            tenths = say(LineKind.TEXT, "cap_used_tenths", tenths=number(share / 10)) if share % 10 == 0 else ""
            values.update(pct=percent(share), tenths=tenths, left=amount_wan(cap - amount))
            out.append((None, "cap_used", values, True))
    return out


def _average_basis(parts: list, average: float):
    """「900萬元、700萬元平均800萬元；」: the amounts an average was taken of."""
    return say(
        LineKind.TEXT,
        "revenue_average",
        parts=joined([kb_text(LineKind.TEXT, amount_wan(p)) for p in parts]),
        average=amount_wan(average),
    )


def _drop_criteria(kb, mid: str) -> list:
    """The measure's revenue-drop thresholds (營業額減少10%: revenue_change le -10)."""
    return [
        c
        for c in kb.criteria(mid)
        if c["fact"] == "revenue_change" and c["op"] in ("le", "lt") and isinstance(c["value"], (int, float))
    ]


def _level(criterion: dict, base: float) -> tuple:
    """(the drop in %, the revenue level it means for base): 480萬 × (1 − 10%) = 432萬."""
    drop = abs(float(criterion["value"]))
    return drop, float(Decimal(str(base)) * (100 - Decimal(str(drop))) / 100)


def _threshold_level(kb, mid: str, facts: dict) -> list:
    """The firm's base revenue and no revenue now: the level the measure's revenue threshold means for it."""
    base = facts.get("revenue_base_only")
    if not base:
        return []
    out = []
    for c in _drop_criteria(kb, mid):
        drop, level = _level(c, base)
        out.append(
            (
                None,
                "threshold_level",
                {"text": c["text"], "base": amount_wan(base), "pct": number(drop), "level": amount_wan(level)},
                True,
            )
        )
    return out


def _month_table(kb, mid: str, facts: dict) -> list:
    """「哪幾個月有掉超過一成」: the level the threshold means against the base, then each month's change and whether
    it reaches it, then the months that do."""
    table = facts.get("month_table")
    if not table:
        return []
    out = []
    base = table["base"]
    for c in _drop_criteria(kb, mid):
        drop, level = _level(c, base)
        basis = _average_basis(table["base_parts"], base) if table["base_parts"] else ""
        values = {"basis": basis, "text": c["text"], "base": amount_wan(base), "pct": number(drop)}
        out.append((None, "month_table_base", {**values, "level": amount_wan(level)}, True))
        met = []
        for month, now in table["rows"]:
            change = (now - base) / base * 100
            ok = compare(change, c["op"], c["value"])
            met += [str(month)] if ok else []
            key = "month_row.down" if change < 0 else "month_row.up" if change > 0 else "month_row.same"
            verdict = say(LineKind.TEXT, "month_meets" if ok else "month_short")
            row = {"month": str(month), "now": amount_wan(now), "pct": percent(abs(change)), "verdict": verdict}
            out.append((None, key, row, True))
        months = joined([kb_text(LineKind.TEXT, m + "月") for m in met])
        out.append((None, "month_table_met" if met else "month_table_none", {"months": months}, True))
    return out


def _base_table(kb, mid: str, facts: dict) -> list:
    """Amounts of several of the deck's bases (擇一): the change against each, and whether it reaches the
    threshold; the firm may use any one of them."""
    table = facts.get("base_table")
    if not table:
        return []
    texts = {p["key"]: p["text"] for p in kb.periods("revenue_drop")}
    out = []
    for c in _drop_criteria(kb, mid):
        out.append((None, "base_table_head", {"now": amount_wan(table["now"]), "text": c["text"]}, True))
        for key, base, parts in table["rows"]:
            change = (table["now"] - base) / base * 100
            ok = compare(change, c["op"], c["value"])
            basis = _average_basis(parts, base) if parts else ""
            values = {
                "period": texts.get(key, ""),
                "basis": basis,
                "base": amount_wan(base),
                "pct": percent(abs(change)),
                "verdict": say(LineKind.TEXT, "month_meets" if ok else "month_short"),
            }
            out.append((None, "base_row.down" if change < 0 else "base_row.up", values, True))
    return out


def _stages_total(kb, mid: str, facts: dict) -> list:
    """A total asked (「都用到最高，政府總共出多少」) of a measure that is a stage of a program (輔導團): the most the
    government pays over the stages up to this one, each stage's fixed amounts and caps added up."""
    m = kb.measure(mid)
    if not facts.get("total_asked") or not m or not m.get("program_id") or not m.get("stage"):
        return []
    parts = []
    for stage in kb.stages(m["program_id"]):
        if stage["stage"] > m["stage"]:
            break
        named = False
        for f in _fig(kb, stage["id"], "amount"):
            if cap_in_wan(f) is not None and not f["when"]:
                # the stage's name once, before its first figure
                label = f["label"] if named else (stage.get("short_name") or stage["name"]) + " " + f["label"]
                parts.append((label, cap_in_wan(f)))
                named = True
    if len(parts) < 2:
        return []
    values = {
        "parts": " + ".join(label + amount_wan(v) for label, v in parts),
        "total": amount_wan(sum(v for _, v in parts)),
    }
    return [(None, "stages_total", values, True)]


def _stage_items_total(kb, mid: str, facts: dict) -> list:
    """A total asked of one measure's own capped items (「工具導入和人才培訓都申請，加起來最多多少」)."""
    if not facts.get("total_asked"):
        return []
    caps = [f for f in _fig(kb, mid, "amount") if cap_in_wan(f) is not None and not f["when"]]
    if len(caps) < 2:
        return []
    m = kb.measure(mid)
    values = {
        "name": (m.get("short_name") or m["name"]) if m else "",
        "parts": " + ".join(f["label"] + amount_wan(cap_in_wan(f)) for f in caps),
        "total": amount_wan(sum(cap_in_wan(f) for f in caps)),
    }
    return [(None, "stage_items_total", values, True)]


def _principal(kb, mid: str, facts: dict) -> list:
    """「平均一年要還多少本金」: the amount spread evenly over the longest term that applies to the firm."""
    amount = facts.get("amount")
    if not facts.get("principal_asked") or not amount:
        return []
    out = []
    for f in _fig(kb, mid, "term", "年"):
        if applies(f["when"], facts) is False or not f["value"]:
            continue
        values = {
            "amount": amount_wan(amount),
            "years": number(f["value"]),
            "per_year": amount_wan(amount / f["value"]),
            "label": f["label"],
            "condition": "：" + f["condition"] if f.get("condition") else "",
        }
        out.append((None, "principal_per_year", values, True))
    return out


def _total_of_shares(kb, mid: str) -> list:
    """「政府負擔19萬元 + 企業自付1萬元 = 20萬元」: a fixed amount from each side, not a cap."""
    gov = [f for f in _fig(kb, mid, "amount") if cap_in_wan(f) is not None and not f.get("qualifier") and not f["when"]]
    own = [f for f in _fig(kb, mid, "self_funding") if cap_in_wan(f) is not None and not f["when"]]
    if len(gov) != 1 or len(own) != 1:
        return []
    g, o = cap_in_wan(gov[0]), cap_in_wan(own[0])
    total = g + o
    return [
        (
            SHARE_ASPECTS,
            "total_of_shares",
            {
                "a_label": gov[0]["label"],
                "a": amount_wan(g),
                "b_label": own[0]["label"],
                "b": amount_wan(o),
                "total": amount_wan(total),
                "pct": percent(g / total * 100),
            },
            True,
        )
    ]


def _self_funding_offer(kb, mid: str, facts: dict) -> list:
    """The share the firm says it can fund itself (「只能自籌四成」) against the share the measure requires."""
    offered = facts.get("stated_self_funding")
    if offered is None:
        return []
    out = []
    for f in _fig(kb, mid, "self_funding", "%"):
        values = {
            "offered": number(offered),
            "label": f["label"],
            "qualifier": f.get("qualifier") or "",
            "share": number(f["value"]),
        }
        if f["key"] == "subsidy_share":  # the grant's largest share: the firm funds the rest
            grant = 100 - offered
            key = "self_funding_grant_short" if grant > f["value"] else "self_funding_enough"
            values["grant"] = number(grant)
        else:  # the firm's smallest share
            key = "self_funding_short" if offered < f["value"] else "self_funding_enough"
            values["grant"] = number(100 - f["value"])
        out.append((None, key, values, True))
    return out


def _alternative_amounts(kb, mid: str, facts: dict) -> list:
    """「要借150萬，保證幾成？如果只借100萬呢」: for each other amount the firm asks about in the same message, the
    figures that depend on the amount as they are for it (保證成數 一律10成 within 100萬) and its guaranteed sum."""
    out = []
    for alt in facts.get("amount_alternatives") or []:
        other = {**facts, "amount": alt, "amount_alternatives": None, "amount_parts": None}
        tiered = [f for f in kb.figures(mid) if "amount" in (f.get("when") or {})]
        for f in tiered:
            values = {"amount": amount_wan(alt), "label": f["label"], "value": figure_value(f)}
            values["condition"] = "（" + f["condition"] + "）" if f.get("condition") else ""
            if applies(f["when"], other) is True:
                out.append(((f["aspect"],), "alternative_amount", values, True))
            elif not any(g["label"] == f["label"] and applies(g["when"], other) is not False for g in tiered):
                # 「利率減碼：貸款額度1,000萬元以內」 for 1,200萬: no variant of it for this amount
                out.append(((f["aspect"],), "alternative_amount_excluded", values, True))
        out += _guaranteed(kb, mid, assess(kb, other, mid), other)
    return out


def figures(kb, mid: str, a, facts: dict) -> list:
    """Every derived figure for this measure and firm, as (aspects shown for, message key, values)."""
    out = []
    working = facts.get("revenue_working")
    if working and any(c["fact"] == "revenue_change" for c in kb.criteria(mid)):
        key, values = revenue_working(kb, working)
        out.append((None, key, values, True))
    out += _rate_in_cut(kb, mid, facts)
    out += _windows(kb, mid, facts)
    out += _guaranteed(kb, mid, a, facts)
    out += _requests_total(kb, mid, a, facts)
    out += _cap_used(kb, mid, a, facts)
    out += _threshold_level(kb, mid, facts)
    out += _month_table(kb, mid, facts)
    out += _base_table(kb, mid, facts)
    out += _stage_items_total(kb, mid, facts)
    out += _stages_total(kb, mid, facts)
    out += _principal(kb, mid, facts)
    out += _total_of_shares(kb, mid)
    out += _self_funding_offer(kb, mid, facts)
    out += _alternative_amounts(kb, mid, facts)
    return out


def lines(items: list, asked: list) -> list:
    """The derived lines to show: those for what was asked, or all of them when nothing in particular was."""
    return [
        say(LineKind.NOTE, key, **values)
        for aspects, key, values, unasked in items
        if aspects is None or (unasked if not asked else bool(set(aspects) & set(asked)))
    ]
