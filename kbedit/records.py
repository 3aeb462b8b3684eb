"""One record of a knowledge-base file, found in and written back into the file's text.

The sources are hand-kept YAML with comments and a house style (block records, flow-style figures, dates and
links). An edit replaces only the lines of the record it changes, rendered in that style; every other line,
comment and blank stays byte for byte, so an export reads like a maintainer's edit and diffs to a few lines.
Comments inside an edited record are not kept (a re-rendered record has none).
"""

from __future__ import annotations

import json

import yaml

# libyaml for finding records (20x faster); validation parses with knowledge.build's own loader, as make kb does
FAST = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# file -> (top-level key, the field that names a record): the records the editor changes
KINDS = {"measures.yml": ("measures", "id"), "hotlines.yml": ("hotlines", "id")}


class RecordNotFound(KeyError):
    pass


def _items(text: str, top: str):
    """(record id, first line, line after its last content line) for each record under `top`."""
    root = yaml.compose(text, Loader=FAST)
    if root is None or not isinstance(root, yaml.MappingNode):
        return []
    seq = next((v for k, v in root.value if k.value == top), None)
    if not isinstance(seq, yaml.SequenceNode):
        return []
    lines = text.splitlines(keepends=True)
    out = []
    for i, node in enumerate(seq.value):
        start = node.start_mark.line
        stop = seq.value[i + 1].start_mark.line if i + 1 < len(seq.value) else node.end_mark.line + 1
        stop = min(stop, len(lines))
        while stop > start + 1 and (not lines[stop - 1].strip() or lines[stop - 1].lstrip().startswith("#")):
            stop -= 1  # blank lines and the next section's comment belong between records, not to this one
        rid = None
        if isinstance(node, yaml.MappingNode):
            rid = next((v.value for k, v in node.value if k.value == "id" and isinstance(v, yaml.ScalarNode)), None)
        out.append((rid, start, stop))
    return out


def record_ids(text: str, file: str) -> list:
    return [rid for rid, _, _ in _items(text, KINDS[file][0])]


def get(text: str, file: str, rid: str) -> dict:
    top, _ = KINDS[file]
    for r in (yaml.load(text, Loader=FAST) or {}).get(top) or []:
        if isinstance(r, dict) and r.get("id") == rid:
            return r
    raise RecordNotFound(rid)


ALWAYS_QUOTED = {
    "source",
    "ad",
    "review_by",
    "date",
    "open",
    "close",
}  # the files quote these (dates would read as dates)


def _plain_ok(text: str, flow: bool) -> bool:
    """Whether PyYAML reads `text` unquoted back as the same string (in a flow collection when flow)."""
    wrapped = f"[{text}]" if flow else f"x: {text}"
    try:
        back = yaml.safe_load(wrapped)
    except yaml.YAMLError:
        return False
    return (back == [text]) if flow else (back == {"x": text})


def _str(text: str, flow: bool, key: str | None = None) -> str:
    if key in ALWAYS_QUOTED or not text or not _plain_ok(text, flow):
        return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    return text


def _flow(value, key: str | None = None) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v, k)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if isinstance(value, str):
        return _str(value, True, key)
    return json.dumps(value)  # numbers, true/false, null


def _scalar(value, key: str) -> str:
    return _str(value, False, key) if isinstance(value, str) else json.dumps(value)


def render(record: dict) -> str:
    """A record as the files write one: `  - id: …`, one field a line, lists of mappings one flow mapping a line."""
    lines = []
    for n, (key, value) in enumerate(record.items()):
        lead = "  - " if n == 0 else "    "
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            lines.append(f"{lead}{key}:")
            lines += [f"      - {_flow(v)}" for v in value]
        elif isinstance(value, (list, dict)):
            lines.append(f"{lead}{key}: {_flow(value)}")
        else:
            lines.append(f"{lead}{key}: {_scalar(value, key)}")
    return "\n".join(lines) + "\n"


def replace(text: str, file: str, rid: str, record: dict | None) -> str:
    """The file's text with record `rid` replaced by `record` (None deletes it); other lines untouched."""
    top, _ = KINDS[file]
    for found, start, stop in _items(text, top):
        if found == rid:
            lines = text.splitlines(keepends=True)
            new = [render(record)] if record is not None else []
            return "".join(lines[:start] + new + lines[stop:])
    raise RecordNotFound(rid)


def append(text: str, file: str, record: dict) -> str:
    """The file's text with a new record after the last one of its list."""
    top, _ = KINDS[file]
    items = _items(text, top)
    if not items:
        raise RecordNotFound(top)
    lines = text.splitlines(keepends=True)
    stop = items[-1][2]
    if stop and not lines[stop - 1].endswith("\n"):
        lines[stop - 1] += "\n"
    return "".join(lines[:stop] + ["\n", render(record)] + lines[stop:])
