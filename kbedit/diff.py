"""What changed between two sets of source files: record by record and field by field for measures and hotlines
(「measures[sme_loan].figures[loan_cap].value: 3500 → 4000」), a unified text diff for every file."""

from __future__ import annotations

import difflib
from dataclasses import dataclass

import yaml

from kbedit import records
from knowledge.build import SOURCES


@dataclass
class FieldChange:
    path: str  # inside the record: figures[loan_cap].value
    old: object
    new: object


@dataclass
class RecordChange:
    file: str
    record_id: str
    change: str  # added | removed | changed
    fields: list


def _label(item, index: int) -> str:
    if isinstance(item, dict):
        for k in ("key", "id", "to"):
            if k in item:
                return str(item[k])
    return str(index)


def _flatten(value, path: str, out: dict) -> dict:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(v, f"{path}.{k}" if path else str(k), out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            _flatten(v, f"{path}[{_label(v, i)}]", out)
    else:
        out[path] = value
    return out


def field_changes(old: dict | None, new: dict | None) -> list:
    a, b = _flatten(old or {}, "", {}), _flatten(new or {}, "", {})
    return [FieldChange(p, a.get(p), b.get(p)) for p in dict.fromkeys([*a, *b]) if a.get(p) != b.get(p)]


def record_changes(old_files: dict, new_files: dict) -> list:
    out = []
    for file, (top, _) in records.KINDS.items():
        old = {
            r["id"]: r
            for r in (yaml.load(old_files[file], Loader=records.FAST) or {}).get(top) or []
            if isinstance(r, dict)
        }
        new = {
            r["id"]: r
            for r in (yaml.load(new_files[file], Loader=records.FAST) or {}).get(top) or []
            if isinstance(r, dict)
        }
        for rid in dict.fromkeys([*old, *new]):
            if old.get(rid) == new.get(rid):
                continue
            kind = "added" if rid not in old else "removed" if rid not in new else "changed"
            out.append(RecordChange(file, rid, kind, field_changes(old.get(rid), new.get(rid))))
    return out


def text_diff(old_files: dict, new_files: dict, old_name: str = "a", new_name: str = "b") -> str:
    out = []
    for name in SOURCES:
        out += difflib.unified_diff(
            old_files[name].splitlines(keepends=True),
            new_files[name].splitlines(keepends=True),
            f"{old_name}/knowledge/{name}",
            f"{new_name}/knowledge/{name}",
        )
    return "".join(out)


def changed_files(old_files: dict, new_files: dict) -> list:
    return [n for n in SOURCES if old_files[n] != new_files[n]]
