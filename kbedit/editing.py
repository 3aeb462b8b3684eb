"""The editor's operations: open a record, save a change to the shared draft (validated, with its source, never
over someone else's save), publish the draft, roll back to any version, and keep the history in step with the
knowledge base actually served.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from kbedit import publish as pub
from kbedit.draft import Draft, Meta, Problem, record_hash, split_problems
from kbedit.store import DraftMoved, Store

DISCARDED = 0  # the version id of changes thrown away with the draft (versions count from 1)
REPO_SOURCES = Path(__file__).resolve().parent.parent / "knowledge"


class Refused(ValueError):
    """A publish or rollback that cannot be done; the message says why (a labels key for the page)."""

    def __init__(self, key: str, problems: list | None = None):
        super().__init__(key)
        self.key = key
        self.problems = problems or []


@dataclass
class Conflict:
    """The record changed since the editor opened it: what it is now and who changed it."""

    current: dict | None
    current_hash: str
    last_change: dict | None


@dataclass
class SaveResult:
    saved: bool
    field_problems: dict = field(default_factory=dict)  # where inside the record -> [problem]
    other_problems: list = field(default_factory=list)  # Problems elsewhere this change causes
    meta_problems: dict = field(default_factory=dict)  # why / source_doc / source_date -> problem
    conflict: Conflict | None = None
    new_hash: str | None = None


@dataclass
class Publication:
    version_id: int
    retrain: bool


class Editor:
    def __init__(self, store: Store, kb_path: Path, dict_dir: Path, repo_sources: Path = REPO_SOURCES):
        self.store = store
        self.kb_path = Path(kb_path)
        self.dict_dir = Path(dict_dir)
        self.repo_sources = Path(repo_sources)
        self.reconcile()

    # -- history in step with what is served -------------------------------------------------------
    def reconcile(self) -> None:
        """A publish killed before its swap leaves a pending version: it failed unless the KB says otherwise.
        A KB built by `make kb` (no publish record) comes from the repository's files: recorded as a version."""
        info = pub.live_info(self.kb_path)
        serving = info["version"] if info else None
        for vid in self.store.pending_versions():
            self.store.set_status(vid, "live" if vid == serving else "failed")
        live = self.store.live_version()
        if serving is None:
            repo = Draft.from_dir(self.repo_sources)
            if live is None or live["files"] != repo.files:
                deck = (repo.sources().get("programs.yml") or {}).get("deck") or {}
                meta = Meta(
                    author="make kb",
                    why="knowledge/*.yml of the repository, built by make kb",
                    source_doc=str(deck.get("title") or "knowledge/*.yml"),
                    source_date=str(deck.get("date") or ""),
                )
                self.store.add_version(repo.files, meta, "repository", "live")
                live = self.store.live_version()
        draft = self.store.draft()
        if live is not None and (draft is None or (draft.base_version != live["id"] and not self.pending())):
            self.store.reset_draft(live["files"], live["id"], "system")

    def serving(self) -> dict | None:
        """The version being served, as its publish record says (None: built by `make kb`)."""
        return pub.live_info(self.kb_path)

    # -- the draft ---------------------------------------------------------------------------------
    def draft(self) -> Draft:
        return Draft(self.store.draft().files)

    def pending(self) -> list:
        return self.store.changes(pending=True)

    def open(self, file: str, rid: str) -> tuple:
        """(record or None, its hash): the form sends the hash back with the save."""
        record = self.draft().find(file, rid)
        return record, record_hash(record)

    def save(self, file: str, rid: str, record: dict | None, expected_hash: str, meta: Meta, action: str) -> SaveResult:
        meta_problems = meta.problems()
        while True:
            row = self.store.draft()
            draft = Draft(row.files)
            current = draft.find(file, rid)
            if record_hash(current) != expected_hash:
                return SaveResult(
                    False,
                    conflict=Conflict(current, record_hash(current), self.store.last_change(file, rid)),
                    meta_problems=meta_problems,
                )
            new = draft.put(file, rid, record)
            problems = new.problems()
            mine, rest = split_problems(problems, file, rid)
            if problems or meta_problems:
                return SaveResult(False, mine, rest, meta_problems)
            change = dict(
                **meta.signed(),
                file=file,
                record_id=rid,
                action=action,
                before=json.dumps(current, ensure_ascii=False) if current is not None else None,
                after=json.dumps(record, ensure_ascii=False) if record is not None else None,
            )
            try:
                self.store.save_draft(new.files, row.revision, meta.author, change)
            except DraftMoved:
                continue  # someone saved another record meanwhile: check this one again on the new draft
            return SaveResult(True, new_hash=record_hash(record))

    def discard(self, by: str) -> None:
        """Throw the draft's changes away: back to the live version (the changes stay listed, never published)."""
        live = self.store.live_version()
        self.store.reset_draft(live["files"], live["id"], by)
        self.store.attach_pending(DISCARDED)

    # -- publish and roll back ---------------------------------------------------------------------
    def publish(self, meta: Meta) -> Publication:
        if meta.problems():
            raise Refused("meta", [Problem("", k, v) for k, v in meta.problems().items()])
        draft = self.draft()
        live = self.store.live_version()
        if live is not None and draft.files == live["files"]:
            raise Refused("nothing_to_publish")
        return self._publish(draft, meta, "publish", None)

    def rollback(self, version_id: int, meta: Meta) -> Publication:
        if meta.problems():
            raise Refused("meta", [Problem("", k, v) for k, v in meta.problems().items()])
        if self.pending():
            raise Refused("draft_not_empty")
        target = self.store.version(version_id)
        if target is None:
            raise Refused("no_such_version")
        return self._publish(Draft(target["files"]), meta, "rollback", version_id)

    def _publish(self, draft: Draft, meta: Meta, kind: str, rollback_of: int | None) -> Publication:
        problems = draft.problems()
        if problems:
            raise Refused("invalid", problems)
        sources = draft.sources()
        pub.clean_leftovers(self.kb_path)
        vid = self.store.add_version(draft.files, meta, kind, "pending", rollback_of)
        info = dict(version=vid, kind=kind, **meta.signed("published_at"))
        tmp = pub.build_kb_file(sources, self.kb_path, info)
        pub.swap_in(tmp, self.kb_path)
        retrain = pub.write_dict(sources, self.dict_dir)
        self.store.set_status(vid, "live", retrain)
        if kind == "publish":
            self.store.attach_pending(vid)
        self.store.reset_draft(draft.files, vid, meta.author)
        return Publication(vid, retrain)
