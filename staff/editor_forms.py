"""A knowledge-base record as a form and back: the fields of a measure or a hotline, one input each.

Inputs are named after the record's structure (`summary`, `aliases`, `figures.2.value`, `status.ad`), and the
validator's problems (`measures[sme_loan].figures[loan_cap].value: …`) are mapped back to those names, so each
problem shows beside its field. Values are read as typed: a number field that does not hold a number is kept
as text and the validator says so, exactly as `make kb` would for the same YAML. Fields the form does not show
(anything else in the file) are carried over unchanged.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import yaml

from knowledge.schema import ASPECTS, FAMILIES, OPS, STATUS_STATES, UNITS

NUMBERS = {"value", "value_min", "months", "stage", "package_measure"}
LINES = {"aliases", "hotlines", "items", "services"}  # lists of words or sentences: one per line
EXTRA_ROWS = 2  # empty rows under a table, to add a figure, a date …

# field, input kind, choices: the form's layout (labels in staff/labels.yml editor.fields)
MEASURE_FIELDS = [
    ("id", "id", None),
    ("name", "text", None),
    ("short_name", "text", None),
    ("agency", "text", None),
    ("family", "select", sorted(FAMILIES)),
    ("summary", "area", None),
    ("aliases", "lines", None),
    ("hotlines", "lines", None),
    ("items", "lines", None),
    ("services", "lines", None),
    ("application", "area", None),
    ("program", "text", None),
    ("stage", "number", None),
    ("package_measure", "number", None),
    ("implied_by", "yaml", None),
    ("source", "text", None),
    ("review_by", "date", None),
]
HOTLINE_FIELDS = [
    ("id", "id", None),
    ("number", "text", None),
    ("name", "text", None),
    ("button", "text", None),
    ("aliases", "lines", None),
    ("handles", "area", None),
    ("source", "text", None),
    ("review_by", "date", None),
]
TABLES = {
    "figures": [
        ("key", "text", None),
        ("aspect", "select", sorted(ASPECTS)),
        ("label", "text", None),
        ("qualifier", "text", None),
        ("value", "number", None),
        ("value_min", "number", None),
        ("unit", "select", sorted(UNITS)),
        ("months", "number", None),
        ("condition", "text", None),
        ("when", "yaml", None),
        ("hotline", "text", None),
        ("source", "text", None),
    ],
    "criteria": [
        ("fact", "text", None),
        ("op", "select", sorted(OPS)),
        ("value", "yaml", None),
        ("kind", "select", ["check", "declare"]),
        ("text", "text", None),
        ("periods", "text", None),
        ("source", "text", None),
    ],
    "dates": [
        ("key", "text", None),
        ("aspect", "select", sorted(ASPECTS)),
        ("roc", "text", None),
        ("ad", "date", None),
        ("text", "text", None),
        ("source", "text", None),
    ],
    "links": [("to", "text", None), ("relation", "text", None)],
    "notes": [("aspect", "select", sorted(ASPECTS)), ("text", "text", None)],
}
MEASURE_TABLES = ("figures", "criteria", "dates", "links", "notes")
STATUS = [("state", "select", list(STATUS_STATES)), ("ad", "date", None), ("by", "text", None),
          ("text", "text", None), ("source", "text", None)]  # fmt: skip
HOURS = [("open", "text", None), ("close", "text", None), ("text", "text", None)]
ORDER = [
    "id", "name", "short_name", "agency", "family", "program", "stage", "package_measure", "number", "button",
    "aliases", "summary", "handles", "hours", "general", "services", "items", "application", "hotlines", "source",
    "criteria", "figures", "dates", "links", "notes", "implied_by", "status", "review_by",
]  # fmt: skip
PATH = re.compile(r"^(?P<table>\w+)\[(?P<label>[^\]]*)\](?:\.(?P<rest>.+))?$")


def _shown(value) -> str:
    """A value as the form shows it: words one per line, mappings and lists as YAML flow, numbers plain."""
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**6).strip()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _number(raw: str):
    try:
        return int(raw)
    except ValueError:
        try:
            return float(raw)
        except ValueError:
            return raw  # the validator says "expected int or float, got '三千'", as make kb would


def _yaml(raw: str):
    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError:
        return raw


def _read(kind: str, raw: str):
    raw = raw.strip()
    if raw == "":
        return None
    if kind == "number":
        return _number(raw)
    if kind == "yaml":
        return _yaml(raw)
    return raw


@dataclass
class Form:
    """What the template needs: the values to show, per input name, and the problems beside them."""

    kind: str  # measure | hotline
    values: dict  # input name -> text
    rows: dict  # table -> number of rows shown
    problems: dict = field(default_factory=dict)  # input name -> [problem]
    loose: list = field(default_factory=list)  # problems of the record not tied to one input


def to_form(kind: str, record: dict | None) -> Form:
    record = record or {}
    values = {}
    for name, ftype, _ in MEASURE_FIELDS if kind == "measure" else HOTLINE_FIELDS:
        v = record.get(name)
        values[name] = "\n".join(map(str, v)) if ftype == "lines" and isinstance(v, list) else _shown(v)
    rows = {}
    if kind == "measure":
        for table in MEASURE_TABLES:
            items = record.get(table) or []
            rows[table] = len(items) + EXTRA_ROWS
            for i, item in enumerate(items):
                for name, _, _ in TABLES[table]:
                    values[f"{table}.{i}.{name}"] = _shown(item.get(name) if isinstance(item, dict) else None)
        for name, _, _ in STATUS:
            values[f"status.{name}"] = _shown((record.get("status") or {}).get(name))
    else:
        for name, _, _ in HOURS:
            values[f"hours.{name}"] = _shown((record.get("hours") or {}).get(name))
        values["general"] = "true" if record.get("general") else ""
    return Form(kind, values, rows)


def _ordered(record: dict, original: dict) -> dict:
    keys = [k for k in original if k in record] + [k for k in ORDER if k in record and k not in original]
    keys += [k for k in record if k not in keys]
    return {k: record[k] for k in keys}


def from_form(kind: str, form, original: dict | None) -> tuple:
    """(record, Form of what was typed): the record to validate and save, the form to show again if refused."""
    original = original or {}
    typed = {k: str(v) for k, v in form.items()}
    record = {k: v for k, v in original.items() if k not in {n for n, _, _ in MEASURE_FIELDS + HOTLINE_FIELDS}}
    for name, ftype, _ in MEASURE_FIELDS if kind == "measure" else HOTLINE_FIELDS:
        raw = typed.get(name, "")
        if ftype == "id" and original.get("id"):
            record["id"] = original["id"]  # a record's id never changes: other records point to it
            continue
        if ftype == "lines":
            words = [w.strip() for w in raw.splitlines() if w.strip()]
            if words or name in original:
                record[name] = words
            continue
        value = _read(ftype, raw)
        if value is not None:
            record[name] = value
        else:
            record.pop(name, None)
    rows = {}
    if kind == "measure":
        for table in MEASURE_TABLES:
            old_items = original.get(table) or []
            count = _row_count(typed, table)
            rows[table] = count + EXTRA_ROWS
            items = []
            for i in range(count):
                if typed.get(f"{table}.{i}.delete"):
                    continue
                old = old_items[i] if i < len(old_items) and isinstance(old_items[i], dict) else {}
                item = {k: v for k, v in old.items() if k not in {n for n, _, _ in TABLES[table]}}
                for name, ftype, _ in TABLES[table]:
                    value = _read(ftype, typed.get(f"{table}.{i}.{name}", ""))
                    if value is not None:
                        item[name] = value
                if item:
                    items.append(_ordered(item, old))
            if items:
                record[table] = items
            else:
                record.pop(table, None)
        status = {n: _read(t, typed.get(f"status.{n}", "")) for n, t, _ in STATUS}
        status = {k: v for k, v in status.items() if v is not None}
        if status:
            record["status"] = status
        else:
            record.pop("status", None)
    else:
        hours = {n: _read(t, typed.get(f"hours.{n}", "")) for n, t, _ in HOURS}
        hours = {k: v for k, v in hours.items() if v is not None}
        if hours:
            record["hours"] = hours
        else:
            record.pop("hours", None)
        if typed.get("general"):
            record["general"] = True
        else:
            record.pop("general", None)
    return _ordered(record, original), Form(kind, typed, rows)


def _row_count(typed: dict, table: str) -> int:
    found = [int(m.group(1)) for k in typed if (m := re.match(rf"^{table}\.(\d+)\.", k))]
    return max(found) + 1 if found else 0


def place_problems(form: Form, record: dict, problems: dict) -> Form:
    """problems: where inside the record -> [problem] (kbedit.draft.split_problems) onto the form's inputs."""
    for where, found in problems.items():
        name = _input_for(record, where)
        if name is None:
            form.loose += [f"{where}: {p}" if where else p for p in found]
        else:
            form.problems.setdefault(name, []).extend(found)
    return form


def _input_for(record: dict, where: str) -> str | None:
    if where in record or where in {n for n, _, _ in MEASURE_FIELDS + HOTLINE_FIELDS}:
        return where
    top = where.split(".")[0]
    if top in ("status", "hours"):
        return where if where.count(".") == 1 else top + ".state" if top == "status" else None
    m = PATH.match(where)
    if not m or m["table"] not in TABLES:
        return None
    items = record.get(m["table"]) or []
    label = m["label"]
    for i, item in enumerate(items):
        mine = str(item.get("key", i)) if m["table"] == "figures" and isinstance(item, dict) else str(i)
        if mine == label:
            rest = (m["rest"] or "").split(".")[0]
            return f"{m['table']}.{i}.{rest}" if rest else f"{m['table']}.{i}.{TABLES[m['table']][0][0]}"
    return None
