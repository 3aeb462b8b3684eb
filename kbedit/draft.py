"""A draft of the knowledge base: the five source files of knowledge/ as text, changed one record at a time.

Validation is `make kb`'s own: the texts are parsed by knowledge.build.parse_sources and checked by
knowledge.schema.problems, the code `python -m knowledge.build` runs, so the editor reports exactly the
`file: record.field: problem` lines `make kb` would print for the same files, and refuses what it would refuse.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path

from kbedit import records
from knowledge.build import SOURCES, parse_sources, read_sources
from knowledge.schema import AD_DATE, KBError, problems

EDITABLE = tuple(records.KINDS)  # measures.yml, hotlines.yml
ERROR_LINE = re.compile(r"^(?P<file>knowledge/[\w.]+): (?P<where>[^:]+): (?P<problem>.*)$", re.S)


@dataclass(frozen=True)
class Meta:
    """Who made a change, when, why, and from which document (and its date): every change carries them."""

    author: str
    why: str
    source_doc: str
    source_date: str  # AD date of the document, 2026-03-02
    at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat(timespec="seconds"))

    def stated(self) -> dict:
        """What the editor typed about the change (reason, document, its date): a form's values."""
        return {"why": self.why, "source_doc": self.source_doc, "source_date": self.source_date}

    def signed(self, at: str = "at") -> dict:
        """Who, when (under the column name `at`), why and from which document: what every stored change,
        version and publish record carries."""
        return {at: self.at, "author": self.author, **self.stated()}

    def problems(self) -> dict:
        """field -> problem: a change without a reason or a source (document and date) is refused."""
        out = {}
        for name in ("author", "why", "source_doc", "source_date"):
            if not str(getattr(self, name) or "").strip():
                out[name] = "missing"
        if "source_date" not in out:
            if not AD_DATE.match(self.source_date):
                out["source_date"] = f"{self.source_date!r} is not like 2026-03-02"
            else:
                try:
                    date.fromisoformat(self.source_date)
                except ValueError:
                    out["source_date"] = f"{self.source_date!r} is not a date"
        return out


@dataclass(frozen=True)
class Problem:
    file: str
    where: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.where}: {self.problem}"


def parse_problem(line: str) -> Problem:
    m = ERROR_LINE.match(line)
    if not m:
        return Problem("", "", line)
    return Problem(m["file"], m["where"], m["problem"])


def record_hash(record: dict | None) -> str:
    """What an editor saw when the form was opened: a save checks the record still hashes the same."""
    if record is None:
        return "none"
    text = json.dumps(record, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def record_where(file: str, rid: str) -> str:
    """How the validator names a record: measures[sme_loan], hotlines[mbd]."""
    return f"{records.KINDS[file][0]}[{rid}]"


class Draft:
    """The five source texts. Immutable: each change returns a new Draft."""

    def __init__(self, files: dict):
        missing = [n for n in SOURCES if n not in files]
        if missing:
            raise ValueError(f"a draft needs every source file; missing {missing}")
        self.files = {n: files[n] for n in SOURCES}

    @classmethod
    def from_dir(cls, src: Path) -> Draft:
        return cls(read_sources(Path(src)))

    def write_dir(self, out: Path) -> None:
        out = Path(out)
        out.mkdir(parents=True, exist_ok=True)
        for name, text in self.files.items():
            (out / name).write_text(text, encoding="utf-8")

    # -- reading -----------------------------------------------------------------------------------
    def sources(self) -> dict:
        """Parsed exactly as `make kb` parses the files (raises KBError for a file that is not YAML)."""
        return parse_sources(self.files)

    def problems(self) -> list:
        """Every line `make kb` would print for these files, as Problems (empty: it would build)."""
        try:
            return [parse_problem(p) for p in problems(self.sources())]
        except KBError as e:
            return [parse_problem(str(e))]

    def ids(self, file: str) -> list:
        return records.record_ids(self.files[file], file)

    def record(self, file: str, rid: str) -> dict:
        return records.get(self.files[file], file, rid)

    def find(self, file: str, rid: str) -> dict | None:
        try:
            return self.record(file, rid)
        except records.RecordNotFound:
            return None

    # -- changing ----------------------------------------------------------------------------------
    def put(self, file: str, rid: str, record: dict | None) -> Draft:
        """The draft with record `rid` replaced (None: deleted), or added at the end when it is new."""
        if file not in EDITABLE:
            raise ValueError(f"{file} is not edited record by record")
        text = self.files[file]
        if rid in self.ids(file):
            text = records.replace(text, file, rid, record)
        elif record is not None:
            text = records.append(text, file, record)
        return Draft({**self.files, file: text})


def split_problems(found: list, file: str, rid: str) -> tuple:
    """(this record's problems by where, the rest): the form shows the first beside their fields."""
    where = record_where(file, rid)
    mine, rest = {}, []
    for p in found:
        if p.file == f"knowledge/{file}" and (p.where == where or p.where.startswith(where + ".")):
            mine.setdefault(p.where[len(where) :].lstrip("."), []).append(p.problem)
        else:
            rest.append(p)
    return mine, rest
