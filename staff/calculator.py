"""Eligibility calculator: what the caller said (a form) → the bot's own engine over every measure.

`parse_facts` turns the form into the facts `actions.eligibility.assess` reads (knowledge/schema.py FACTS);
`evaluate` assesses every measure that has criteria and returns what fits, what does not (and why), what is
still unknown (and which facts are missing), the figures for this firm and the hotlines to transfer to.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from actions.eligibility import ELIGIBLE, NO_CONDITIONS, NOT_ELIGIBLE, UNKNOWN, applies, assess
from knowledge.render import number
from knowledge.schema import FACTS

HOME_HOTLINE = "mbd"      # 馬上辦服務中心 0800-280-280: the staff who use this helper

# Form choices: (value, label). Values are checked against knowledge/schema.py so the two cannot drift.
CHOICES = {
    "size": [("sme", "中小微企業"), ("large", "非中小微企業"), ("tax_registered", "稅籍登記業者")],
    "factory_type": [("registered", "有工廠登記證"), ("managed", "納管工廠"), ("specific", "特定工廠"),
                     ("none", "沒有工廠登記")],
    "purpose": [("working_capital", "週轉金"), ("equipment", "購置機器／設備")],
    "us_export_3y": [("yes", "有"), ("no", "沒有")],
    "trade_registered": [("yes", "有"), ("no", "沒有")],
}
for _fact in ("size", "factory_type", "purpose"):
    assert {v for v, _ in CHOICES[_fact]} == FACTS[_fact], f"calculator choices for {_fact} differ from the schema"

FIELD_ORDER = ("size", "revenue_change", "us_export_3y", "trade_registered", "factory_type", "amount", "budget",
               "purpose", "applicants")
NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


@dataclass
class FormInput:
    values: dict = field(default_factory=dict)    # what was typed, for refilling the form
    facts: dict = field(default_factory=dict)     # what the engine reads
    errors: dict = field(default_factory=dict)    # field -> message

    @property
    def empty(self) -> bool:
        return not self.facts


def _number(text: str):
    text = unicodedata.normalize("NFKC", text).replace("−", "-").replace("–", "-").replace(",", "")
    text = text.replace("%", "").replace("萬元", "").replace("萬", "").replace(" ", "")
    return float(text) if NUMBER.match(text) else None


def parse_facts(query) -> FormInput:
    """`query`: a mapping of form fields (strings). Blank or 「不知道」 leaves a fact unknown."""
    form = FormInput()
    for name in FIELD_ORDER:
        raw = (query.get(name) or "").strip()
        form.values[name] = raw
        if not raw or raw == "unknown":
            continue
        if name in ("size", "factory_type", "purpose"):
            if raw in FACTS[name]:
                form.facts[name] = raw
            else:
                form.errors[name] = "請從選項中選擇"
        elif name in ("us_export_3y", "trade_registered"):
            if raw in ("yes", "no"):
                form.facts[name] = raw == "yes"
            else:
                form.errors[name] = "請選 有／沒有／不知道"
        elif name == "revenue_change":
            value = _number(raw)
            if value is None or not -100 <= value <= 1000:
                form.errors[name] = "請輸入 -100 到 1000 之間的百分比，減少用負號（例：-15）"
            else:
                form.facts[name] = value
        elif name in ("amount", "budget"):
            value = _number(raw)
            if value is None or value <= 0:
                form.errors[name] = "請輸入大於 0 的金額（萬元），例：800"
            else:
                form.facts[name] = value
        elif name == "applicants":
            value = _number(raw)
            if value is None or value < 1 or not float(value).is_integer():
                form.errors[name] = "請輸入申請家數（1 以上的整數）"
            else:
                form.facts[name] = int(value)
    return form


def describe_facts(facts: dict) -> list:
    """The facts as the caller would say them back: [(label, value)], for staff to double-check."""
    labels = {k: dict(v) for k, v in CHOICES.items()}
    out = []
    for name in FIELD_ORDER:
        if name not in facts:
            continue
        v = facts[name]
        if name == "size":
            out.append(("企業規模", labels["size"][v]))
        elif name == "revenue_change":
            text = "持平（0%）" if v == 0 else (f"減少{number(-v)}%" if v < 0 else f"增加{number(v)}%")
            out.append(("營業額變化", text))
        elif name == "us_export_3y":
            out.append(("近3年輸美實績", "有" if v else "沒有"))
        elif name == "trade_registered":
            out.append(("出進口廠商登記", "有" if v else "沒有"))
        elif name == "factory_type":
            out.append(("工廠類型", labels["factory_type"][v]))
        elif name == "amount":
            out.append(("想申請金額", f"{number(v)}萬元"))
        elif name == "budget":
            out.append(("計畫總經費", f"{number(v)}萬元"))
        elif name == "purpose":
            out.append(("資金用途", labels["purpose"][v]))
        elif name == "applicants":
            out.append(("申請家數", "單一企業" if v == 1 else f"{v}家聯合申請"))
    return out


@dataclass
class MeasureResult:
    measure: dict
    status: str
    reasons: list
    missing: list          # labels of the facts still needed (kb messages fact.*)
    passed: list
    declare: list
    figures: list          # [{"text", "source", "conditional"}]
    notes: list
    hotlines: list
    links: list            # [(short name, relation)]


@dataclass
class CalcResult:
    eligible: list
    not_eligible: list
    unknown: list
    other: list            # measures without criteria (anyone can ask), for completeness
    transfer: list         # hotline dicts, first = the one to transfer to
    transfer_basis: str    # which group the transfer list comes from


def _result(kb, facts: dict, mid: str) -> MeasureResult:
    a = assess(kb, facts, mid)
    figures = [{"text": f["text"], "source": f["source"], "conditional": applies(f["when"], facts) is not True,
                "aspect": f["aspect"]} for f in a.figures if f["aspect"] != "eligibility"]
    missing = []
    for fact in a.missing:
        try:
            missing.append(kb.message("fact." + fact))
        except KeyError:
            missing.append(fact)
    links = [(kb.measure(to)["short_name"], rel) for to, rel in kb.links(mid) if kb.measure(to)]
    return MeasureResult(kb.measure(mid), a.status, a.reasons, missing, a.passed, a.declare, figures, a.notes,
                         kb.hotlines_for(mid), links)


def evaluate(kb, facts: dict) -> CalcResult:
    groups = {ELIGIBLE: [], NOT_ELIGIBLE: [], UNKNOWN: [], NO_CONDITIONS: []}
    for m in kb.measures():
        checks = [c for c in kb.criteria(m["id"]) if c["kind"] == "check"]
        if checks:
            r = _result(kb, facts, m["id"])
            groups[r.status].append(r)
        else:
            groups[NO_CONDITIONS].append(MeasureResult(m, NO_CONDITIONS, [], [], [], [], [], [], kb.hotlines_for(m["id"]), []))
    transfer, basis = [], ""
    for status, label in ((ELIGIBLE, "符合的措施"), (UNKNOWN, "尚待確認的措施")):
        for r in groups[status]:
            transfer += [h for h in r.hotlines if h["id"] not in {t["id"] for t in transfer}]
        if transfer:
            basis = label
            break
    if not transfer:
        transfer, basis = [kb.general_hotline()], "沒有符合的措施：總諮詢專線"
    return CalcResult(groups[ELIGIBLE], groups[NOT_ELIGIBLE], groups[UNKNOWN], groups[NO_CONDITIONS], transfer, basis)
