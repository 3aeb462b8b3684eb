"""Validation of the knowledge-base sources.

Every problem is reported as ``file: record.field: message`` so a maintainer can find the line to fix.
The vocabularies below are the contract between the YAML files, the eligibility engine and the NLU.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from knowledge.registry import FACT_VALUES

UNITS = {"萬元", "億元", "%", "成", "年", "個月", "個", "項", "家", "人"}
ASPECTS = {
    "amount",
    "rate",
    "rate_cut",
    "guarantee",
    "fee",
    "term",
    "eligibility",
    "period",
    "application",
    "items",
    "self_funding",
    "equipment_cap",
    "hotline",
    "hours",
    "overview",
    "documents",
    "agency",
}
FAMILIES = {"loan", "export", "rd", "coaching", "finance_help", "tech", "energy", "admin", "tax", "employment"}
# fact -> allowed values (None: a number): derived from the one fact table (knowledge/registry.py)
FACTS = FACT_VALUES
FIGURE_FIELDS = {
    "key",
    "aspect",
    "label",
    "value",
    "value_min",
    "unit",
    "qualifier",
    "condition",
    "when",
    "months",
    "hotline",
    "source",
}
MEASURE_FIELDS = {
    "id",
    "name",
    "short_name",
    "agency",
    "family",
    "program",
    "stage",
    "package_measure",
    "aliases",
    "summary",
    "hotlines",
    "source",
    "figures",
    "criteria",
    "dates",
    "links",
    "items",
    "services",
    "application",
    "notes",
    "implied_by",
    "status",
    "review_by",
}
# a measure marked closed (受理截止) or superseded by another, with the date (the staff editor sets it)
STATUS_STATES = ("closed", "superseded")
# roles a program plays in overviews (programs.yml `role`): the package of pillars, the program of stages
PROGRAM_ROLES = ("package", "stages", "size_standard")
# cue word lists the composer needs (lexicon.yml `cues`; advisor/words.py)
CUES = (
    "package",
    "stages",
    "days_off",
    "directory_collective",
    "directory_line",
    "directory_listing",
    "switch_lead",
    "switch_tail",
    "joint",
    "single",
    "firm_counter",
    "firm_nouns",
    "together",
    "another_firm",
    "apply",
    "other",
    "other_kind",
    "count_subject",
    "count_filler",
    "count_approx",
    "count_unit",
    "durations",
    "borrow",
    "again",
    "not_this",
    "not_there",
    "both",
    "if_not",
    "next_stage",
    "back",
    "callback_day",
    "callback_part",
    "as_of",
    "registered_short",
    "unregistered_short",
    "asking_for",
    "asked_for",
    "besides",
)
# word lists of the sums (lexicon.yml `sums`; advisor/amounts.py)
SUMS = (
    "base",
    "now",
    "level",
    "filler",
    "total",
    "month_counter",
    "cost",
    "stated_guarantee",
    "stated_self_funding",
    "change_asked",
    "at_cap",
    "cap_used",
    "year",
    "interest",
    "principal",
    "alternative",
    "which_months",
)
OPS = {"eq", "in", "le", "lt", "ge", "gt"}
PHONE = re.compile(r"^(0800-\d{3}-\d{3}|0\d-\d{8})$")
HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
ROC_DATE = re.compile(r"^\d{2,3}年\d{1,2}月\d{1,2}日$")
AD_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class KBError(ValueError):
    """A source file is invalid; the message names file, record and field."""


@dataclass
class Checker:
    file: str
    errors: list

    def fail(self, where: str, msg: str) -> None:
        self.errors.append(f"{self.file}: {where}: {msg}")

    def require(self, rec: dict, where: str, fields: dict) -> None:
        """fields: name -> type or tuple of types; a missing or mistyped field is an error."""
        if not isinstance(rec, dict):
            self.fail(where, f"expected a mapping, got {type(rec).__name__}")
            return
        for name, typ in fields.items():
            if name not in rec or rec[name] in (None, ""):
                self.fail(f"{where}.{name}", "missing")
            elif not isinstance(rec[name], typ) or isinstance(rec[name], bool) and bool not in _as_tuple(typ):
                self.fail(f"{where}.{name}", f"expected {_names(typ)}, got {rec[name]!r}")


def _as_tuple(typ):
    return typ if isinstance(typ, tuple) else (typ,)


def _names(typ) -> str:
    return " or ".join(t.__name__ for t in _as_tuple(typ))


def _check_condition(c: Checker, where: str, fact, op, value) -> None:
    if fact not in FACTS:
        c.fail(f"{where}.fact", f"unknown fact {fact!r}; known: {sorted(FACTS)}")
        return
    if op not in OPS:
        c.fail(f"{where}.op", f"unknown operator {op!r}; known: {sorted(OPS)}")
        return
    allowed = FACTS[fact]
    values = value if op == "in" else [value]
    if op == "in" and not isinstance(value, list):
        c.fail(f"{where}.value", "operator 'in' needs a list")
        return
    for v in values:
        if allowed is None and (isinstance(v, bool) or not isinstance(v, (int, float))):
            c.fail(f"{where}.value", f"{fact} compares numbers, got {v!r}")
        elif allowed is not None and v not in allowed:
            c.fail(f"{where}.value", f"{v!r} is not a value of {fact}; allowed: {sorted(map(str, allowed))}")


def _check_when(c: Checker, where: str, when) -> None:
    if when is None:
        return
    if not isinstance(when, dict) or not when:
        c.fail(f"{where}.when", "expected a mapping fact -> {op: value}")
        return
    for fact, test in when.items():
        if not isinstance(test, dict) or len(test) != 1:
            c.fail(f"{where}.when.{fact}", "expected exactly one {op: value}")
            continue
        ((op, value),) = test.items()
        _check_condition(c, f"{where}.when.{fact}", fact, op, value)


def check_figure(c: Checker, where: str, fig: dict, hotline_ids: set) -> None:
    c.require(fig, where, {"key": str, "label": str, "value": (int, float), "unit": str, "source": str})
    if not isinstance(fig, dict):
        return
    for extra in set(fig) - FIGURE_FIELDS:
        c.fail(
            f"{where}.{extra}",
            f"unknown field (a typo, or an unquoted comma in a flow mapping?); known: {sorted(FIGURE_FIELDS)}",
        )
    if fig.get("unit") not in UNITS:
        c.fail(f"{where}.unit", f"{fig.get('unit')!r} is not one of {sorted(UNITS)}")
    if "aspect" in fig and fig["aspect"] not in ASPECTS:
        c.fail(f"{where}.aspect", f"{fig['aspect']!r} is not one of {sorted(ASPECTS)}")
    if "value_min" in fig and not (
        isinstance(fig["value_min"], (int, float)) and fig["value_min"] < fig.get("value", 0)
    ):
        c.fail(f"{where}.value_min", "must be a number below value")
    if "months" in fig and not isinstance(fig["months"], int):
        c.fail(f"{where}.months", "must be a whole number")
    if "hotline" in fig and fig["hotline"] not in hotline_ids:
        c.fail(f"{where}.hotline", f"unknown hotline {fig['hotline']!r}")
    _check_when(c, where, fig.get("when"))


def check_review_by(c: Checker, where: str, rec: dict) -> None:
    """review_by: an optional AD date by which staff should check the record again (listed on the staff home)."""
    if "review_by" in rec and not (isinstance(rec["review_by"], str) and AD_DATE.match(rec["review_by"])):
        c.fail(f"{where}.review_by", f"{rec['review_by']!r} is not like 2025-08-07 (quote it in YAML)")


def check_status(c: Checker, where: str, status, measure_ids: list) -> None:
    if status is None:
        return
    c.require(status, f"{where}.status", {"state": str, "ad": str, "source": str})
    if not isinstance(status, dict):
        return
    for extra in set(status) - {"state", "ad", "by", "text", "source"}:
        c.fail(f"{where}.status.{extra}", "unknown field; known: ['ad', 'by', 'source', 'state', 'text']")
    if status.get("state") not in STATUS_STATES:
        c.fail(f"{where}.status.state", f"{status.get('state')!r} is not one of {list(STATUS_STATES)}")
    if isinstance(status.get("ad"), str) and not AD_DATE.match(status["ad"]):
        c.fail(f"{where}.status.ad", f"{status['ad']!r} is not like 2025-08-07")
    if status.get("state") == "superseded" and status.get("by") not in measure_ids:
        c.fail(
            f"{where}.status.by",
            f"a superseded measure names the measure that replaces it; {status.get('by')!r} is not one",
        )


def validate(sources: dict) -> None:
    """sources: file name -> parsed YAML. Raises KBError listing every problem found."""
    errors = problems(sources)
    if errors:
        raise KBError("knowledge base is invalid:\n  " + "\n  ".join(errors))


def problems(sources: dict) -> list:
    """Every problem as `file: record.field: message` (what `make kb` prints; the staff editor shows each one
    beside its field)."""
    errors: list = []
    hot = sources["hotlines.yml"]
    meas = sources["measures.yml"]
    prog = sources["programs.yml"]
    lex = sources["lexicon.yml"]

    c = Checker("knowledge/hotlines.yml", errors)
    hotline_ids, numbers = set(), set()
    for i, h in enumerate((hot or {}).get("hotlines") or []):
        where = f"hotlines[{h.get('id', i) if isinstance(h, dict) else i}]"
        c.require(h, where, {"id": str, "number": str, "name": str, "aliases": list, "handles": str, "source": str})
        if not isinstance(h, dict):
            continue
        if h.get("id") in hotline_ids:
            c.fail(f"{where}.id", "duplicate id")
        hotline_ids.add(h.get("id"))
        if isinstance(h.get("number"), str) and not PHONE.match(h["number"]):
            c.fail(f"{where}.number", f"{h['number']!r} is not a phone number like 0800-000-257 or 02-27089055")
        if h.get("number") in numbers:
            c.fail(f"{where}.number", "duplicate number")
        numbers.add(h.get("number"))
        hours = h.get("hours")
        if hours is not None:
            c.require(hours, f"{where}.hours", {"open": str, "close": str, "text": str})
            for k in ("open", "close"):
                if isinstance(hours, dict) and isinstance(hours.get(k), str) and not HHMM.match(hours[k]):
                    c.fail(f"{where}.hours.{k}", f"{hours[k]!r} is not HH:MM")
        check_review_by(c, where, h)
    if not hotline_ids:
        c.fail("hotlines", "no hotlines")
    if sum(1 for h in (hot or {}).get("hotlines") or [] if isinstance(h, dict) and h.get("general")) != 1:
        c.fail("hotlines", "exactly one hotline must be marked general: true")

    c = Checker("knowledge/measures.yml", errors)
    measure_ids = [m.get("id") for m in (meas or {}).get("measures") or [] if isinstance(m, dict)]
    if len(set(measure_ids)) != len(measure_ids):
        c.fail("measures", "duplicate measure ids")
    for i, m in enumerate((meas or {}).get("measures") or []):
        where = f"measures[{m.get('id', i) if isinstance(m, dict) else i}]"
        c.require(
            m,
            where,
            {
                "id": str,
                "name": str,
                "short_name": str,
                "agency": str,
                "family": str,
                "aliases": list,
                "summary": str,
                "hotlines": list,
                "source": str,
            },
        )
        if not isinstance(m, dict):
            continue
        for extra in set(m) - MEASURE_FIELDS:
            c.fail(f"{where}.{extra}", f"unknown field; known: {sorted(MEASURE_FIELDS)}")
        check_review_by(c, where, m)
        check_status(c, where, m.get("status"), measure_ids)
        if m.get("family") not in FAMILIES:
            c.fail(f"{where}.family", f"{m.get('family')!r} is not one of {sorted(FAMILIES)}")
        for h in m.get("hotlines") or []:
            if h not in hotline_ids:
                c.fail(f"{where}.hotlines", f"unknown hotline {h!r}")
        keys = set()
        for j, fig in enumerate(m.get("figures") or []):
            fw = f"{where}.figures[{fig.get('key', j) if isinstance(fig, dict) else j}]"
            check_figure(c, fw, fig, hotline_ids)
            if isinstance(fig, dict):
                if fig.get("key") in keys:
                    c.fail(f"{fw}.key", "duplicate key in this measure")
                keys.add(fig.get("key"))
        for j, cr in enumerate(m.get("criteria") or []):
            cw = f"{where}.criteria[{j}]"
            c.require(cr, cw, {"fact": str, "op": str, "text": str, "source": str})
            if isinstance(cr, dict):
                for extra in set(cr) - {"fact", "op", "value", "kind", "text", "periods", "source"}:
                    c.fail(f"{cw}.{extra}", "unknown field")
                _check_condition(c, cw, cr.get("fact"), cr.get("op"), cr.get("value"))
                if cr.get("kind", "check") not in ("check", "declare"):
                    c.fail(f"{cw}.kind", "must be check or declare")
        for j, d in enumerate(m.get("dates") or []):
            dw = f"{where}.dates[{j}]"
            c.require(d, dw, {"key": str, "roc": str, "ad": str, "text": str, "source": str})
            if isinstance(d, dict):
                if isinstance(d.get("roc"), str) and not ROC_DATE.match(d["roc"]):
                    c.fail(f"{dw}.roc", f"{d['roc']!r} is not like 114年8月7日")
                if isinstance(d.get("ad"), str) and not AD_DATE.match(d["ad"]):
                    c.fail(f"{dw}.ad", f"{d['ad']!r} is not like 2025-08-07")
                elif isinstance(d.get("ad"), str) and isinstance(d.get("roc"), str) and ROC_DATE.match(d["roc"]):
                    y, mo, dd = map(int, re.findall(r"\d+", d["roc"]))
                    if d["ad"] != f"{y + 1911:04d}-{mo:02d}-{dd:02d}":
                        c.fail(f"{dw}.ad", f"{d['ad']} does not match {d['roc']} (ROC year + 1911)")
        implied = m.get("implied_by")
        if implied is not None:
            if (
                not isinstance(implied, dict)
                or not isinstance(implied.get("rank"), int)
                or not isinstance(implied.get("facts"), dict)
            ):
                c.fail(f"{where}.implied_by", "expected {rank: int, facts: {fact: [values] | any}}")
            else:
                for fact, values in implied["facts"].items():
                    if fact not in FACTS:
                        c.fail(f"{where}.implied_by.{fact}", f"unknown fact; known: {sorted(FACTS)}")
                    elif values != "any" and (FACTS[fact] is None or not set(values) <= FACTS[fact]):
                        c.fail(f"{where}.implied_by.{fact}", f"values must be 'any' or some of {FACTS[fact]}")
        for j, link in enumerate(m.get("links") or []):
            lw = f"{where}.links[{j}]"
            c.require(link, lw, {"to": str, "relation": str})
            if isinstance(link, dict) and link.get("to") not in measure_ids:
                c.fail(f"{lw}.to", f"unknown measure {link.get('to')!r}")

    c = Checker("knowledge/programs.yml", errors)
    package_numbers = {
        m.get("package_measure")
        for m in (meas or {}).get("measures") or []
        if isinstance(m, dict) and m.get("package_measure")
    }
    for i, p in enumerate((prog or {}).get("programs") or []):
        where = f"programs[{p.get('id', i) if isinstance(p, dict) else i}]"
        c.require(p, where, {"id": str, "name": str, "summary": str, "source": str})
        if not isinstance(p, dict):
            continue
        for j, fig in enumerate(p.get("figures") or []):
            check_figure(c, f"{where}.figures[{j}]", fig, hotline_ids)
        if p.get("role") not in (None, *PROGRAM_ROLES):
            c.fail(f"{where}.role", f"{p.get('role')!r} is not one of {PROGRAM_ROLES}")
        listed = []
        for j, a in enumerate(p.get("pillars") or []):
            c.require(a, f"{where}.pillars[{j}]", {"id": str, "name": str, "measures": list})
            if isinstance(a, dict):
                listed += a.get("measures") or []
        if p.get("pillars") and sorted(listed) != sorted(package_numbers):
            c.fail(
                f"{where}.pillars",
                f"measure numbers {sorted(listed)} differ from the package_measure "
                f"numbers in measures.yml {sorted(package_numbers)}",
            )
        for s in p.get("stages") or []:
            if s not in measure_ids:
                c.fail(f"{where}.stages", f"unknown measure {s!r}")
    deck = (prog or {}).get("deck")
    c.require(deck, "deck", {"title": str, "date": str, "source": str})
    if isinstance(deck, dict) and isinstance(deck.get("date"), str) and not AD_DATE.match(deck["date"]):
        c.fail("deck.date", f"{deck['date']!r} is not like 2026-01-19")
    for i, per in enumerate((prog or {}).get("periods") or []):
        c.require(per, f"periods[{i}]", {"id": str, "items": list, "source": str})

    c = Checker("knowledge/lexicon.yml", errors)
    for aspect in (lex or {}).get("aspects") or {}:
        if aspect not in ASPECTS:
            c.fail(f"aspects.{aspect}", f"not one of {sorted(ASPECTS)}")
    for fact, values in ((lex or {}).get("facts") or {}).items():
        if fact not in FACTS:
            c.fail(f"facts.{fact}", f"unknown fact; known: {sorted(FACTS)}")
            continue
        for value in values or {}:
            if FACTS[fact] is not None and value not in FACTS[fact]:
                c.fail(f"facts.{fact}.{value}", f"not a value of {fact}")
    for topic, spec in ((lex or {}).get("topics") or {}).items():
        if not isinstance(spec, dict) or not spec.get("words") or not spec.get("measures"):
            c.fail(f"topics.{topic}", "needs words and measures")
            continue
        for mid in spec["measures"]:
            if mid not in measure_ids:
                c.fail(f"topics.{topic}.measures", f"unknown measure {mid!r}")
    for kind in ("described", "stage_words"):
        for mid, words in ((lex or {}).get(kind) or {}).items():
            if mid not in measure_ids:
                c.fail(f"{kind}.{mid}", "unknown measure")
            elif not isinstance(words, list) or not words:
                c.fail(f"{kind}.{mid}", "expected a list of phrases")
    for wrong, right in ((lex or {}).get("typos") or {}).items():
        if not isinstance(right, str) or len(wrong) != len(right):
            c.fail(f"typos.{wrong}", "the correction must be a word of the same length")
    for key in ("out_of_scope", "bot_tasks", "bot_acts", "about_bot", "budget", "third_party", "not_in_dictionary"):
        if not isinstance((lex or {}).get(key, []), list):
            c.fail(key, "expected a list of phrases")
    for key in ("nouns", "down", "up"):
        if not ((lex or {}).get("revenue") or {}).get(key):
            c.fail(f"revenue.{key}", "missing")

    for role in PROGRAM_ROLES:
        if sum(1 for p in (prog or {}).get("programs") or [] if isinstance(p, dict) and p.get("role") == role) != 1:
            c.fail("programs", f"exactly one program must have role: {role}")
    c = Checker("knowledge/lexicon.yml", errors)
    for cue in CUES:
        if not isinstance(((lex or {}).get("cues") or {}).get(cue), list):
            c.fail(f"cues.{cue}", "missing: a list of words")
    for key in SUMS:
        words = ((lex or {}).get("sums") or {}).get(key)
        if not isinstance(words, list) or not all(isinstance(w, str) and w for w in words):
            c.fail(f"sums.{key}", "missing: a list of words")
    return errors
