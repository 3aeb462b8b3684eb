"""Eligibility engine: what the firm said, tested against the criteria the knowledge base holds as data.

Given facts such as {"size": "sme", "revenue_change": -15, "amount": 800}, `assess` returns for a measure
eligible / not_eligible / unknown (naming the missing facts), the reasons, and the figures that apply to this
firm: figures whose `when` condition holds, plus those whose condition is still unknown (shown with their
condition, so the firm gets an answer before every fact is known).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.render import amount_wan, figure_value, number

ELIGIBLE, NOT_ELIGIBLE, UNKNOWN, NO_CONDITIONS = "eligible", "not_eligible", "unknown", "no_conditions"


def compare(actual, op: str, expected):
    """True / False, or None when the fact is not known yet."""
    if actual is None:
        return None
    if op == "eq":
        return actual == expected
    if op == "in":
        return actual in expected
    if isinstance(actual, bool) or not isinstance(actual, (int, float)):
        return False
    # A small tolerance so 100.0 and 99.99999 from a parsed 「一百萬」 compare as people expect.
    eps = 1e-9
    return {
        "le": actual <= expected + eps,
        "lt": actual < expected - eps,
        "ge": actual >= expected - eps,
        "gt": actual > expected + eps,
    }[op]


def applies(when: dict | None, facts: dict):
    """A figure's condition: True, False, or None (some fact unknown)."""
    if not when:
        return True
    results = [compare(facts.get(fact), *next(iter(cond.items()))) for fact, cond in when.items()]
    if False in results:
        return False
    return None if None in results else True


def _fails_on_property(when: dict, facts: dict) -> bool:
    """Whether a condition fails on what the firm is (its size), not only on what it chooses: applying alone or
    with others is the firm's choice, so the other option is no exclusion."""
    return any(
        fact != "applicants" and compare(facts.get(fact), *next(iter(cond.items()))) is False
        for fact, cond in when.items()
    )


def _fails_on_choice(fig: dict) -> bool:
    """A figure whose condition names only how the firm applies (單家 or 聯合)."""
    return set(fig["when"] or {}) == {"applicants"}


def cap_in_wan(fig: dict):
    if fig["unit"] == "萬元":
        return fig["value"]
    if fig["unit"] == "億元":
        return fig["value"] * 10000
    return None


@dataclass
class Assessment:
    measure_id: str
    status: str
    reasons: list = field(default_factory=list)  # why not eligible, rendered (the staff calculator shows them)
    why: list = field(default_factory=list)  # the same as (message key, values): the composer renders them
    missing: list = field(default_factory=list)  # facts still needed
    passed: list = field(default_factory=list)  # criteria texts met
    declare: list = field(default_factory=list)  # requirements the firm proves with documents
    figures: list = field(default_factory=list)  # figures that apply, or may apply
    notes: list = field(default_factory=list)  # e.g. the request is over the cap, rendered (staff calculator)
    said: list = field(default_factory=list)  # the same as (message key, values): the composer renders them
    excluded: list = field(default_factory=list)  # figures this firm cannot get at all (個案補助 for a large firm)
    failed: list = field(default_factory=list)  # the criteria that refused it, as (fact, op, value)
    # figures the firm gets by the other way of applying (產業聯盟 for a large firm refused the 個案補助)
    choices: list = field(default_factory=list)
    facts: dict = field(default_factory=dict)  # what it was assessed on (advisor/derived.py works figures out of it)

    @property
    def fits(self) -> bool:
        return self.status in (ELIGIBLE, NO_CONDITIONS)


def _failure_reason(criterion: dict, actual) -> tuple:
    """(message key, values) saying why a criterion fails."""
    if criterion["fact"] == "revenue_change" and isinstance(actual, (int, float)):
        if actual > 0:
            return "revenue_increase", {"actual": number(actual), "criterion": criterion["text"]}
        if actual == 0:  # 「沒有減少」「反而好一點」: no figure was said, so none is shown
            return "revenue_not_down", {"criterion": criterion["text"]}
        return "revenue_below_threshold", {
            "direction": "direction.down",
            "actual": number(abs(actual)),
            "criterion": criterion["text"],
        }
    return "criterion_failed", {"criterion": criterion["text"]}


def _refuse(kb, result: Assessment, criterion: dict, actual) -> None:
    key, values = _failure_reason(criterion, actual)
    result.failed.append((criterion["fact"], criterion["op"], repr(criterion["value"])))
    result.why.append((key, values))
    shown = {k: kb.message(v) if k == "direction" else v for k, v in values.items()}
    result.reasons.append(kb.message(key, **shown))


def assess(kb, facts: dict, measure_id: str) -> Assessment:
    checks = [c for c in kb.criteria(measure_id) if c["kind"] == "check"]
    result = Assessment(measure_id, NO_CONDITIONS if not checks else ELIGIBLE, facts=facts)
    for c in kb.criteria(measure_id):
        if c["kind"] != "declare":
            continue
        result.declare.append(c["text"])
        # proved with documents at the bank, so never asked for; but a firm that says it is not affected is told
        if compare(facts.get(c["fact"]), c["op"], c["value"]) is False:
            _refuse(kb, result, c, facts.get(c["fact"]))
    for c in checks:
        outcome = compare(facts.get(c["fact"]), c["op"], c["value"])
        if outcome is False:
            _refuse(kb, result, c, facts.get(c["fact"]))
        elif outcome is None:
            result.missing.append(c["fact"])
        else:
            result.passed.append(c["text"])
    if result.reasons:
        result.status = NOT_ELIGIBLE
    elif result.missing:
        result.status = UNKNOWN

    amount = facts.get("amount")
    budget = facts.get("budget")
    for fig in kb.figures(measure_id):
        ok = applies(fig["when"], facts)
        if ok is False:
            variants = [
                f for f in kb.figures(measure_id) if f["label"] == fig["label"] and f["aspect"] == fig["aspect"]
            ]
            if len(variants) > 1 and all(applies(f["when"], facts) is False for f in variants):
                result.figures.append(fig)  # the deck has no variant for this firm (稅籍登記業者): show them all
            # applicants is the firm's choice (單家 or 聯合), not a property: the other option is no exclusion
            elif len(variants) == 1 and _fails_on_property(fig["when"], facts):
                result.excluded.append(fig)  # the only variant does not fit: say so rather than drop it
            else:
                result.choices.append(fig)  # fails only on how the firm applies, its choice
            continue
        result.figures.append(fig)
        cap = cap_in_wan(fig)
        if (
            amount is not None
            and cap is not None
            and fig["aspect"] == "amount"
            and amount > cap
            and ok is True
            and "amount" not in (fig["when"] or {})
        ):
            _note(
                kb,
                result,
                "over_cap",
                {"requested": amount_wan(amount), "limit": figure_value(fig), "cap": amount_wan(cap)},
            )
    # the other way of applying matters only where what the firm is rules out a figure of the same aspect
    result.choices = [
        f for f in result.choices if any(x["aspect"] == f["aspect"] for x in result.excluded) and _fails_on_choice(f)
    ]
    if budget:
        for key, values in _budget_notes(result, budget, facts.get("equipment_cost"), facts.get("applicants")):
            _note(kb, result, key, values)
    if facts.get("cost"):
        for key, values in _cost_notes(result, facts["cost"]):
            _note(kb, result, key, values)
    return result


def _note(kb, result: Assessment, key: str, values: dict) -> None:
    result.said.append((key, values))
    result.notes.append(kb.message(key, **values))


def _grant_share(result: Assessment):
    """The grant's largest share of the budget: the subsidy share (補助不超過總經費50%), or what the self-funding
    share leaves (自籌款須達全案總經費50%: the grant is at most the other 50%)."""
    shares = [f for f in result.figures if f["unit"] == "%" and f["aspect"] == "self_funding"]
    for fig in shares:
        if fig["key"] == "subsidy_share":
            return fig["value"]
    for fig in shares:
        return 100 - fig["value"]
    return None


def _budget_notes(result: Assessment, budget: float, equipment_cost: float | None = None, applicants=None) -> list:
    """The shares of a project budget worked out, as (message key, values): 50% of 600萬 is 300萬, capped by the
    grant that applies, and the rest the firm funds itself (the cap as a share of the budget, and the self-funded part
    split evenly among the firms applying together); the equipment share against the equipment planned."""
    notes = []
    caps = [f for f in result.figures if f["aspect"] == "amount" and cap_in_wan(f) is not None]
    grant_share = _grant_share(result)
    if grant_share is not None and caps:  # the grant: the share, but never above its cap
        share = budget * grant_share / 100
        base = {"budget": amount_wan(budget), "share": number(grant_share)}
        capped = [c for c in caps if cap_in_wan(c) < share]
        if len(capped) < len(caps):  # some grant is not capped: the share itself
            labels = "、".join(c["label"] for c in caps if c not in capped)
            notes.append(
                (
                    "budget_grant_share",
                    {**base, "result": amount_wan(share), "labels": labels, "own": amount_wan(budget - share)},
                )
            )
            notes += _split(budget - share, applicants)
        for cap in capped:
            notes.append(
                (
                    "budget_grant",
                    {
                        **base,
                        "computed": amount_wan(share),
                        "label": cap["label"],
                        "cap": amount_wan(cap_in_wan(cap)),
                        "own": amount_wan(budget - cap_in_wan(cap)),
                    },
                )
            )
            notes.append(
                (
                    "budget_cap_share",
                    {
                        "label": cap["label"],
                        "cap": amount_wan(cap_in_wan(cap)),
                        "budget": amount_wan(budget),
                        "pct": _percent(cap_in_wan(cap) / budget * 100),
                    },
                )
            )
            notes += _split(budget - cap_in_wan(cap), applicants)
    for fig in result.figures:
        if fig["unit"] != "%" or fig["aspect"] not in ("self_funding", "equipment_cap"):
            continue
        if fig["key"] == "subsidy_share" and caps:  # said above, as the grant
            continue
        share = budget * fig["value"] / 100
        notes.append(
            (
                "budget_share",
                {
                    "budget": amount_wan(budget),
                    "share": number(fig["value"]),
                    "label": fig["label"],
                    "qualifier": fig.get("qualifier") or "",
                    "computed": amount_wan(share),
                },
            )
        )
        if fig["aspect"] == "equipment_cap" and equipment_cost:
            over = equipment_cost - share
            notes.append(
                (
                    "equipment_over" if over > 1e-9 else "equipment_within",
                    {"planned": amount_wan(equipment_cost), "computed": amount_wan(share), "over": amount_wan(over)},
                )
            )
    return notes


def _percent(value: float) -> str:
    from advisor.derived import percent  # derived.py imports this module

    return percent(value)


def _split(own: float, applicants) -> list:
    """The self-funded part shared evenly among the firms applying together (「5家平均分攤」)."""
    if not applicants or applicants < 2 or own <= 0:
        return []
    return [
        (
            "budget_split",
            {"own": amount_wan(own), "n": str(applicants), "each": amount_wan(own / applicants)},
        )
    ]


def _cost_notes(result: Assessment, cost: float) -> list:
    """A cost the firm pays (課程費15萬) against each grant cap that applies: the grant, and what the firm pays."""
    notes = []
    for fig in result.figures:
        cap = cap_in_wan(fig)
        if fig["aspect"] != "amount" or cap is None:
            continue
        values = {
            "cost": amount_wan(cost),
            "label": fig["label"],
            "qualifier": fig.get("qualifier") or "",
            "cap": amount_wan(cap),
            "grant": amount_wan(min(cost, cap)),
            "own": amount_wan(max(cost - cap, 0)),
        }
        notes.append(("cost_over_cap" if cost > cap + 1e-9 else "cost_within_cap", values))
    return notes


def assess_all(kb, facts: dict, measure_ids=None) -> list:
    ids = measure_ids if measure_ids is not None else [m["id"] for m in kb.measures()]
    return [assess(kb, facts, mid) for mid in ids]
