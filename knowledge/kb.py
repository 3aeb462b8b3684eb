"""Data access for the actions: reads knowledge/kb.sqlite (built by `make kb`).

The knowledge base is small (a few hundred rows), so it is loaded into memory once and reloaded when the
file is replaced by a rebuild; every query is parameterised. A missing or half-built file raises
KBUnavailable, which the actions turn into an apology with the general hotline.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

from knowledge.render import figure_text

DEFAULT_PATH = Path(os.environ.get("KB_PATH", Path(__file__).resolve().parent.parent / "knowledge" / "kb.sqlite"))


class KBUnavailable(RuntimeError):
    """The knowledge base file is missing or unreadable."""


@dataclass
class Snapshot:
    measures: dict
    hotlines: dict
    aliases: list  # (alias, measure_id), longest alias first
    measure_hotlines: dict  # measure_id -> [hotline_id] by rank
    program_hotlines: dict
    figures: dict  # owner_id -> [figure dict]
    criteria: dict  # measure_id -> [criterion dict]
    dates: dict
    items: dict  # (measure_id, kind) -> [text]
    notes: dict  # (measure_id, aspect) -> [text]
    links: dict  # measure_id -> [(to_id, relation)]
    programs: dict
    package_pillars: list  # the package's 六面向: [{id, name, measures: [measure_id]}]
    periods: dict  # group_id -> [period dict]
    lexicon: list  # rows of the lexicon table
    messages: dict
    deck: dict = field(default_factory=dict)  # the source deck: title, date
    publish: dict | None = None  # the staff editor's last publish (kbedit/publish.py); None after `make kb`
    stamp: tuple = field(default=())
    derived: dict = field(default_factory=dict)  # things compiled from this snapshot once (word matchers)


def _rows(con, sql, *args):
    return [dict(r) for r in con.execute(sql, args)]


def _has_table(con, name: str) -> bool:
    return bool(con.execute("select 1 from sqlite_master where type = 'table' and name = ?", (name,)).fetchone())


def _deck_row(con) -> dict:
    """The source deck's title and date (a KB built before they were recorded has none)."""
    rows = _rows(con, "select * from deck") if _has_table(con, "deck") else []
    return rows[0] if rows else {}


def _publish_row(con) -> dict | None:
    """The staff editor's publish record (kbedit/publish.py); a KB built by `make kb` has none."""
    if not _has_table(con, "publish_info"):
        return None
    rows = _rows(con, "select * from publish_info")
    return rows[0] if rows else None


def _load(path: Path) -> Snapshot:
    if not path.exists():
        raise KBUnavailable(f"{path} does not exist: run `make kb`")
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        con.row_factory = sqlite3.Row
        try:
            measures = {r["id"]: r for r in _rows(con, "select * from measures")}
            for m in measures.values():
                m["implied_by"] = json.loads(m.pop("implied_by_json") or "null")
                m["status"] = json.loads(m.pop("status_json", None) or "null")
            hotlines = {r["id"]: r for r in _rows(con, "select * from hotlines")}
            aliases = sorted(
                ((r["alias"], r["measure_id"]) for r in _rows(con, "select * from aliases")), key=lambda a: -len(a[0])
            )
            mh, ph, figs, crit, dates, items, notes, links, periods = ({} for _ in range(9))
            for r in _rows(con, "select * from measure_hotlines order by rank"):
                mh.setdefault(r["measure_id"], []).append(r["hotline_id"])
            for r in _rows(con, "select * from program_hotlines order by rank"):
                ph.setdefault(r["program_id"], []).append(r["hotline_id"])
            for r in _rows(con, "select * from figures order by position"):
                r["when"] = json.loads(r.pop("when_json")) if r.get("when_json") else None
                figs.setdefault(r["owner_id"], []).append(r)
            for r in _rows(con, "select * from criteria order by position"):
                r["value"] = json.loads(r.pop("value_json"))
                crit.setdefault(r["measure_id"], []).append(r)
            for r in _rows(con, "select * from dates"):
                dates.setdefault(r["measure_id"], []).append(r)
            for r in _rows(con, "select * from items order by position"):
                items.setdefault((r["measure_id"], r["kind"]), []).append(r["text"])
            for r in _rows(con, "select * from notes"):
                notes.setdefault((r["measure_id"], r["aspect"]), []).append(r["text"])
            for r in _rows(con, "select * from links"):
                links.setdefault(r["from_id"], []).append((r["to_id"], r["relation"]))
            for r in _rows(con, "select * from periods order by position"):
                periods.setdefault(r["group_id"], []).append(r)
            programs = {r["id"]: r for r in _rows(con, "select * from programs")}
            pillars = _rows(con, "select * from package_pillars order by position")
            for a in pillars:
                a["measures"] = [
                    r["measure_id"]
                    for r in _rows(
                        con, "select measure_id from package_measures where pillar_id = ? order by number", a["id"]
                    )
                ]
            lexicon = _rows(con, "select * from lexicon")
            messages = {r["key"]: r["text"] for r in _rows(con, "select * from messages")}
            deck = _deck_row(con)
            publish = _publish_row(con)
        finally:
            con.close()
    except sqlite3.Error as e:
        raise KBUnavailable(f"{path} cannot be read ({e}): rebuild it with `make kb`") from e
    return Snapshot(
        measures,
        hotlines,
        aliases,
        mh,
        ph,
        figs,
        crit,
        dates,
        items,
        notes,
        links,
        programs,
        pillars,
        periods,
        lexicon,
        messages,
        deck,
        publish,
    )


class KB:
    """Read-only view of the knowledge base; cheap to call from every action."""

    def __init__(self, path: Path | str = DEFAULT_PATH):
        self.path = Path(path)
        self._snap: Snapshot | None = None
        self._lock = threading.Lock()

    # -- loading --------------------------------------------------------------------------------------
    def _stamp(self) -> tuple:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            raise KBUnavailable(f"{self.path} does not exist: run `make kb`") from None
        return st.st_ino, st.st_mtime_ns, st.st_size

    @property
    def snap(self) -> Snapshot:
        stamp = self._stamp()
        if self._snap is None or self._snap.stamp != stamp:
            with self._lock:
                if self._snap is None or self._snap.stamp != stamp:
                    snap = _load(self.path)
                    snap.stamp = stamp
                    self._snap = snap
        return self._snap

    # -- measures -------------------------------------------------------------------------------------
    def measure(self, measure_id: str) -> dict | None:
        return self.snap.measures.get(measure_id)

    def measures(self, family: str | None = None) -> list:
        return [m for m in self.snap.measures.values() if family is None or m["family"] == family]

    def aliases(self) -> list:
        return self.snap.aliases

    def figures(self, owner_id: str, aspect: str | None = None) -> list:
        return [f for f in self.snap.figures.get(owner_id, []) if aspect is None or f["aspect"] == aspect]

    def criteria(self, measure_id: str) -> list:
        return self.snap.criteria.get(measure_id, [])

    def dates(self, measure_id: str) -> list:
        return self.snap.dates.get(measure_id, [])

    def items(self, measure_id: str, kind: str = "items") -> list:
        return self.snap.items.get((measure_id, kind), [])

    def notes(self, measure_id: str, aspect: str) -> list:
        return self.snap.notes.get((measure_id, aspect), [])

    def links(self, measure_id: str) -> list:
        return self.snap.links.get(measure_id, [])

    def periods(self, group_id: str) -> list:
        return self.snap.periods.get(group_id, [])

    # -- hotlines -------------------------------------------------------------------------------------
    def hotline(self, hotline_id: str) -> dict:
        return self.snap.hotlines[hotline_id]

    def hotlines(self) -> list:
        return list(self.snap.hotlines.values())

    def general_hotline(self) -> dict:
        return next(h for h in self.snap.hotlines.values() if h["general"])

    def hotlines_for(self, measure_id: str) -> list:
        ids = self.snap.measure_hotlines.get(measure_id) or self.snap.program_hotlines.get(measure_id) or []
        return [self.snap.hotlines[i] for i in ids]

    # -- programs -------------------------------------------------------------------------------------
    def program(self, program_id: str) -> dict | None:
        return self.snap.programs.get(program_id)

    def program_with_role(self, role: str) -> dict:
        """The program that plays role in overviews (programs.yml `role`: package, stages)."""
        return next(p for p in self.snap.programs.values() if p.get("role") == role)

    def package_pillars(self) -> list:
        return self.snap.package_pillars

    def stages(self, program_id: str) -> list:
        return sorted(
            (m for m in self.snap.measures.values() if m["program_id"] == program_id), key=lambda m: m["stage"]
        )

    # -- words ----------------------------------------------------------------------------------------
    def lexicon(self, kind: str) -> list:
        return [r for r in self.snap.lexicon if r["kind"] == kind]

    def derived(self, name: str, build):
        """build(kb) computed once per knowledge-base snapshot (a rebuild of kb.sqlite makes a new one)."""
        snap = self.snap
        if name not in snap.derived:
            snap.derived[name] = build(self)
        return snap.derived[name]

    def message(self, key: str, **values) -> str:
        return self.snap.messages[key].format(**values)

    # -- search (staff helper, `make staff`) ---------------------------------------------------------
    def search(self, query: str, limit: int = 20) -> list:
        """Full-text search; trigram FTS needs 3+ characters, shorter queries use LIKE."""
        query = query.strip()
        if not query:
            return []
        con = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True)
        con.row_factory = sqlite3.Row
        try:
            if len(query) >= 3:
                phrase = '"' + query.replace('"', '""') + '"'
                sql = (
                    "select s.kind, s.ref, s.title, s.body, s.source from search_fts f "
                    "join search s on s.rowid = f.rowid where search_fts match ? order by rank limit ?"
                )
                return _rows(con, sql, phrase, limit)
            like = "%" + query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            sql = (
                "select kind, ref, title, body, source from search where title like ? escape '\\' "
                "or body like ? escape '\\' limit ?"
            )
            return _rows(con, sql, like, like, limit)
        finally:
            con.close()


def figure_line(fig: dict) -> str:
    return fig.get("text") or figure_text(fig)


SOURCES = Path(__file__).resolve().parent.parent / "knowledge"


def emergency_text(key: str) -> str:
    """A message from knowledge/messages.yml with the general line, read from the YAML sources themselves:
    for when kb.sqlite cannot be read (or the action server is down and the channel answers instead)."""
    import yaml

    messages = yaml.safe_load((SOURCES / "messages.yml").read_text(encoding="utf-8"))["messages"]
    hotlines = yaml.safe_load((SOURCES / "hotlines.yml").read_text(encoding="utf-8"))["hotlines"]
    general = next(h for h in hotlines if h.get("general"))
    return messages[key].format(name=general["name"], number=general["number"], hours=general["hours"]["text"])


_default: KB | None = None


def default_kb() -> KB:
    global _default
    if _default is None:
        _default = KB()
    return _default
