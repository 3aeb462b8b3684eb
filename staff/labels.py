"""The staff helper's words (staff/labels.yml), read once: Python keeps the logic, the YAML the Chinese."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml

PATH = Path(__file__).resolve().parent / "labels.yml"


@functools.lru_cache(maxsize=1)
def labels() -> dict:
    return yaml.safe_load(PATH.read_text(encoding="utf-8"))


def get(dotted: str, **values):
    """`get("calc.errors.choice")`; with values, a string is formatted: `get("titles.conversation", sender=s)`."""
    node = labels()
    for part in dotted.split("."):
        node = node[part]
    return node.format(**values) if values else node


def columns(dotted: str, **values) -> list:
    """Table columns as [(key, header)], headers formatted with `values`."""
    return [(key, header.format(**values)) for key, header in get(dotted)]


def choices(fact: str) -> list:
    return [(value, label) for value, label in get("calc.choices." + fact)]
