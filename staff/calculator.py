"""Eligibility calculator: what the caller said (a form) → the bot's own engine over every measure.

`parse_facts` turns the form into the facts `advisor.eligibility.assess` reads (knowledge/schema.py FACTS);
`evaluate` assesses every measure that has criteria and returns what fits, what does not (and why), what is
still unknown (and which facts are missing), the figures for this firm and the hotlines to transfer to.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from advisor.eligibility import ELIGIBLE, NO_CONDITIONS, NOT_ELIGIBLE, UNKNOWN, applies, assess, cap_in_wan
from knowledge import registry
from knowledge.render import amount_wan, figure_value, number
from knowledge.schema import FACTS
from staff import labels
from staff.reader import AMOUNT_UNIT, COUNT_UNIT, PERCENT_UNIT, read

HOME_HOTLINE = "mbd"  # 馬上辦服務中心 0800-280-280: the staff who use this helper

# The form's fields come from the fact registry (knowledge/registry.py), in its order; the revenue change gets
# an explicit direction choice right after it.
FIELD_ORDER = registry.FORM_FIELDS
CHOICE_FACTS = tuple(n for n in FIELD_ORDER if registry.BY_NAME[n].type == "choice")
YES_NO_FACTS = tuple(n for n in FIELD_ORDER if registry.BY_NAME[n].type == "bool")
CHOICES = {name: labels.choices(name) for name in (*CHOICE_FACTS, *YES_NO_FACTS, "revenue_direction")}
for _fact in CHOICE_FACTS:
    assert {v for v, _ in CHOICES[_fact]} == FACTS[_fact], f"calculator choices for {_fact} differ from the schema"
_after = FIELD_ORDER.index("revenue_change") + 1
FORM_FIELDS = FIELD_ORDER[:_after] + ("revenue_direction",) + FIELD_ORDER[_after:]
DIRECTION_SIGN = {"down": -1, "up": 1}
REVENUE_MAX = {-1: 100, 1: 1000}  # a revenue cannot fall by more than 100%
AMOUNT_MAX = 1_000_000  # 萬元 (100億): more is a unit mistake, not a firm's loan
AMOUNT_LINE_ORDER = ("amount", "guarantee", "rate_cut")  # the cap first: it changes what the rest applies to


@dataclass
class FormInput:
    values: dict = field(default_factory=dict)  # what was typed, for refilling the form
    facts: dict = field(default_factory=dict)  # what the engine reads
    errors: dict = field(default_factory=dict)  # field -> message

    @property
    def empty(self) -> bool:
        return not self.facts


def _error(key: str, **values) -> str:
    return labels.get("calc.errors." + key, **values)


def _revenue(raw: str, direction: str, form: FormInput) -> None:
    """The change's size from the text, its direction from the 減少/增加 choice (or the text's own sign)."""
    chosen = DIRECTION_SIGN.get(direction, 0)
    if not raw:
        if chosen:
            form.errors["revenue_change"] = _error("magnitude_missing")
        return
    reading = read(raw, PERCENT_UNIT)
    if reading.error:
        form.errors["revenue_change"] = reading.error
        return
    if reading.value == 0:
        form.facts["revenue_change"] = 0.0
        return
    if chosen and reading.sign and chosen != reading.sign:
        names = dict(CHOICES["revenue_direction"])
        said = names["down" if reading.sign < 0 else "up"]
        form.errors["revenue_change"] = _error("direction_conflict", raw=raw, said=said, chosen=names[direction])
        return
    sign = chosen or reading.sign
    if not sign:  # 15 with no direction: never guess (it used to be read as +15%)
        form.errors["revenue_change"] = _error("direction_missing")
    elif reading.value > REVENUE_MAX[sign]:
        form.errors["revenue_change"] = _error("percent_range", max=REVENUE_MAX[sign])
    else:
        form.facts["revenue_change"] = sign * reading.value


def _amount(name: str, raw: str, form: FormInput) -> None:
    reading = read(raw, AMOUNT_UNIT)
    if reading.error:
        form.errors[name] = reading.error
    elif reading.sign < 0 or reading.value <= 0:
        form.errors[name] = _error("amount_range")
    elif reading.value > AMOUNT_MAX:
        form.errors[name] = _error("amount_too_large", raw=raw)
    else:
        form.facts[name] = reading.value


def _applicants(raw: str, form: FormInput) -> None:
    reading = read(raw, COUNT_UNIT)
    if reading.error:
        form.errors["applicants"] = reading.error
    elif reading.sign < 0 or reading.value < 1 or not float(reading.value).is_integer():
        form.errors["applicants"] = _error("applicants_range")
    else:
        form.facts["applicants"] = int(reading.value)


def parse_facts(query) -> FormInput:
    """`query`: a mapping of form fields (strings). Blank or 「不知道」 leaves a fact unknown."""
    form = FormInput()
    for name in FORM_FIELDS:
        form.values[name] = (query.get(name) or "").strip()
    for name in FIELD_ORDER:
        raw = form.values[name]
        if name == "revenue_change":
            _revenue(raw, form.values["revenue_direction"], form)
            continue
        if not raw or raw == "unknown":
            continue
        if name in CHOICE_FACTS:
            if raw in FACTS[name]:
                form.facts[name] = raw
            else:
                form.errors[name] = _error("choice")
        elif name in YES_NO_FACTS:
            if raw in ("yes", "no"):
                form.facts[name] = raw == "yes"
            else:
                form.errors[name] = _error("yes_no")
        elif name in ("amount", "budget"):
            _amount(name, raw, form)
        elif name == "applicants":
            _applicants(raw, form)
    return form


def describe_facts(facts: dict) -> list:
    """The facts as the caller would say them back: [(label, value)], for staff to double-check."""
    said = labels.get("calc.said")
    names = {k: dict(v) for k, v in CHOICES.items()}
    out = []
    for name in FIELD_ORDER:
        if name not in facts:
            continue
        v = facts[name]
        if name in CHOICE_FACTS:
            text = names[name][v]
        elif name == "revenue_change":
            text = (
                labels.get("calc.revenue_flat")
                if v == 0
                else labels.get("calc.revenue_down" if v < 0 else "calc.revenue_up", value=number(abs(v)))
            )
        elif name in YES_NO_FACTS:
            text = labels.get("calc.said_yes" if v else "calc.said_no")
        elif name in ("amount", "budget"):
            text = amount_wan(v)
        else:
            text = labels.get("calc.single_applicant") if v == 1 else labels.get("calc.joint_applicants", count=v)
        out.append((said[name], text))
    return out


def amount_outcome(kb, facts: dict, measure: dict) -> str | None:
    """What the amount asked for gets, in one line, from the figures that depend on it:
    「借800萬元：保證成數最低9成，前6個月利率減碼1.5%」. None when no figure depends on the amount."""
    amount = facts.get("amount")
    if amount is None:
        return None
    phrase = labels.get("calc.amount")
    figures = kb.figures(measure["id"])
    parts = []
    for fig in sorted(
        figures,
        key=lambda f: (
            AMOUNT_LINE_ORDER.index(f["aspect"]) if f["aspect"] in AMOUNT_LINE_ORDER else len(AMOUNT_LINE_ORDER)
        ),
    ):
        when = fig["when"] or {}
        ok = applies(when, facts)
        if "amount" in when:
            if ok is not False:
                template = phrase["part_months"] if fig.get("months") else phrase["part"]
                parts.append(
                    template.format(
                        label=fig["label"],
                        qualifier=fig.get("qualifier") or "",
                        value=figure_value({**fig, "qualifier": None, "months": None}),
                        months=fig.get("months"),
                    )
                )
            elif not any(
                applies(f["when"], facts) is not False
                for f in figures
                if f is not fig and f["label"] == fig["label"] and f["aspect"] == fig["aspect"]
            ):
                parts.append(phrase["not_applicable"].format(label=fig["label"], condition=fig["condition"]))
        elif fig["aspect"] == "amount" and ok is True and cap_in_wan(fig) is not None and amount > cap_in_wan(fig):
            parts.append(phrase["over_cap"].format(label=fig["label"], cap=amount_wan(cap_in_wan(fig))))
    if not parts:
        return None
    line = phrase["line_loan"] if measure.get("family") == "loan" else phrase["line"]
    return line.format(amount=amount_wan(amount), parts=phrase["sep"].join(parts))


@dataclass
class MeasureResult:
    measure: dict
    status: str
    reasons: list
    missing: list  # labels of the facts still needed (kb messages fact.*)
    passed: list
    declare: list
    figures: list  # [{"text", "source", "conditional"}]
    notes: list
    hotlines: list
    links: list  # [(short name, relation)]
    amount_line: str | None = None  # what the amount asked for gets, in one line


@dataclass
class CalcResult:
    eligible: list
    not_eligible: list
    unknown: list
    other: list  # measures without criteria (anyone can ask), for completeness
    transfer: list  # hotline dicts, first = the one to transfer to
    transfer_basis: str  # which group the transfer list comes from


def _result(kb, facts: dict, mid: str) -> MeasureResult:
    a = assess(kb, facts, mid)
    figures = [
        {
            "text": f["text"],
            "source": f["source"],
            "conditional": applies(f["when"], facts) is not True,
            "aspect": f["aspect"],
        }
        for f in a.figures
        if f["aspect"] != "eligibility"
    ]
    missing = []
    for fact in a.missing:
        try:
            missing.append(kb.message("fact." + fact))
        except KeyError:
            missing.append(fact)
    links = [(kb.measure(to)["short_name"], rel) for to, rel in kb.links(mid) if kb.measure(to)]
    measure = kb.measure(mid)
    return MeasureResult(
        measure,
        a.status,
        a.reasons,
        missing,
        a.passed,
        a.declare,
        figures,
        a.notes,
        kb.hotlines_for(mid),
        links,
        amount_outcome(kb, facts, measure),
    )


def evaluate(kb, facts: dict) -> CalcResult:
    groups = {ELIGIBLE: [], NOT_ELIGIBLE: [], UNKNOWN: [], NO_CONDITIONS: []}
    for m in kb.measures():
        checks = [c for c in kb.criteria(m["id"]) if c["kind"] == "check"]
        if checks:
            r = _result(kb, facts, m["id"])
            groups[r.status].append(r)
        else:
            groups[NO_CONDITIONS].append(
                MeasureResult(m, NO_CONDITIONS, [], [], [], [], [], [], kb.hotlines_for(m["id"]), [])
            )
    transfer, basis = [], ""
    basis_labels = labels.get("calc.transfer_basis")
    for status, label in ((ELIGIBLE, basis_labels["eligible"]), (UNKNOWN, basis_labels["unknown"])):
        for r in groups[status]:
            transfer += [h for h in r.hotlines if h["id"] not in {t["id"] for t in transfer}]
        if transfer:
            basis = label
            break
    if not transfer:
        transfer, basis = [kb.general_hotline()], basis_labels["none"]
    return CalcResult(groups[ELIGIBLE], groups[NOT_ELIGIBLE], groups[UNKNOWN], groups[NO_CONDITIONS], transfer, basis)
