"""The editor's pages (issue 17), for editors and admins: edit a measure or a hotline in the shared draft,
preview the draft against test sentences and real questions, publish, list and compare versions, roll back,
download a version's files for the repository; a supervisor's list of recent changes. Every other staff
member sees a notice when a publish happened, and the home page's records due for review and closed measures.
"""

from __future__ import annotations

import asyncio
import functools
import os
import tempfile
from datetime import date, datetime, timedelta
from pathlib import Path

from aiohttp import web

from advisor.hotlines import TAIPEI
from kbedit import diff, preview
from kbedit.draft import EDITABLE, Meta, record_hash, split_problems
from kbedit.editing import Editor, Refused
from kbedit.store import Store, default_url
from knowledge.kb import DEFAULT_PATH
from staff import editor_forms as forms
from staff import labels
from staff.accounts import ACCOUNT_KEY, require_role

EDITOR = web.AppKey("kb_editor", object)
SEEN = web.AppKey("publish_seen", dict)  # account name -> the last publish whose notice it dismissed
FILES = {"measures": "measures.yml", "hotlines": "hotlines.yml"}
KINDS = {"measures.yml": "measure", "hotlines.yml": "hotline"}
PREVIEW_LAST = int(os.environ.get("PREVIEW_LAST_QUESTIONS") or 50)
REVIEW_AHEAD_DAYS = 14  # a record whose review date is this close is listed on the home page


def local_time(iso: str | None) -> str:
    """An ISO time stored in UTC, as staff read it: Taipei, to the minute."""
    if not iso:
        return ""
    try:
        return datetime.fromisoformat(iso).astimezone(TAIPEI).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def editor_of(app: web.Application) -> Editor:
    """Made on first use: the versions store beside the tracker store, publishing over the served kb.sqlite."""
    if app.get(EDITOR) is None:
        from staff.app import SETTINGS

        settings = app[SETTINGS]
        kb_path = Path(settings.kb_path or DEFAULT_PATH)
        dict_dir = Path(os.environ.get("KB_DICT_DIR") or kb_path.parent / "dict")
        app[EDITOR] = Editor(Store(default_url(settings.tracker_db)), kb_path, dict_dir)
    return app[EDITOR]


def _page(request, page_name: str, status: int = 200, /, title_args: dict | None = None, **context):
    """templates/editor_<page_name>.html under its title in labels.yml (editor.titles.<page_name>)."""
    from staff.app import render

    title = labels.get(f"editor.titles.{page_name}", **(title_args or {}))
    return render(request, f"editor_{page_name}.html", status=status, title=title, **context)


def _meta(request, form) -> Meta:
    return Meta(
        author=request[ACCOUNT_KEY].name,
        why=str(form.get("why") or "").strip()[:500],
        source_doc=str(form.get("source_doc") or "").strip()[:300],
        source_date=str(form.get("source_date") or "").strip()[:10],
    )


def editor_view(handler):
    """An editor's page: the editor role checked (admins pass), then the handler called with the app's Editor."""

    @functools.wraps(handler)
    async def view(request: web.Request) -> web.Response:
        return await handler(request, editor_of(request.app))

    return require_role("editor")(view)


def _audit(request, action: str, target: str) -> None:
    from staff.app import audit

    audit(request, action, target)


def _file(request) -> str:
    file = FILES.get(request.match_info["file"])
    if file is None:
        raise web.HTTPNotFound()
    return file


# ------------------------------------------------------------------------------------------- home
@editor_view
async def editor_home(request: web.Request, ed: Editor) -> web.Response:
    ed.reconcile()  # a `make kb` since the last visit is recorded as a version before anything is shown
    draft = ed.draft()
    live = ed.store.live_version()
    return _page(
        request,
        "home",
        pending=ed.pending(),
        measures=[(rid, draft.record("measures.yml", rid)) for rid in draft.ids("measures.yml")],
        hotlines=[(rid, draft.record("hotlines.yml", rid)) for rid in draft.ids("hotlines.yml")],
        live=live,
        serving=ed.serving(),
        words=labels.get("editor"),
        meta={},
        meta_problems={},
        problems=[],
        message=request.query.get("done"),
    )


# ------------------------------------------------------------------------------------------- a record
def _record_page(request, file, rid, form, *, is_new=False, conflict=None, saved=False, meta=None, meta_problems=None,
                 other=None, record_h=None, status=200):  # fmt: skip
    from staff.app import render

    return render(
        request,
        "editor_record.html",
        status=status,
        title=labels.get(f"editor.titles.{KINDS[file]}", name=rid),
        file=file,
        slug=[k for k, v in FILES.items() if v == file][0],
        rid=rid,
        is_new=is_new,
        form=form,
        layout=forms.MEASURE_FIELDS if KINDS[file] == "measure" else forms.HOTLINE_FIELDS,
        tables={t: forms.TABLES[t] for t in forms.MEASURE_TABLES} if KINDS[file] == "measure" else {},
        status_fields=forms.STATUS,
        hours_fields=forms.HOURS,
        words=labels.get("editor"),
        conflict=conflict,
        saved=saved,
        meta=meta or {},
        meta_problems=meta_problems or {},
        other=other or [],
        record_hash=record_h,
    )


@editor_view
async def record_form(request: web.Request, ed: Editor) -> web.Response:
    file = _file(request)
    rid = request.match_info["rid"]
    if rid == "new":
        template = ed.draft().find(file, request.query.get("from", "")) if request.query.get("from") else None
        record = {k: v for k, v in (template or {}).items() if k not in ("id", "aliases", "status", "review_by")}
        return _record_page(request, file, "", forms.to_form(KINDS[file], record), is_new=True,
                            record_h=record_hash(None))  # fmt: skip
    record, h = ed.open(file, rid)
    if record is None:
        raise web.HTTPNotFound()
    return _record_page(request, file, rid, forms.to_form(KINDS[file], record), record_h=h,
                        saved=request.query.get("saved") == "1")  # fmt: skip


@editor_view
async def record_save(request: web.Request, ed: Editor) -> web.Response:
    file = _file(request)
    rid = request.match_info["rid"]
    data = await request.post()
    is_new = rid == "new"
    original = None if is_new else ed.draft().find(file, rid)
    if not is_new and original is None:
        raise web.HTTPNotFound()
    record, _ = forms.from_form(KINDS[file], data, original)
    if is_new:
        rid = str(record.get("id") or "").strip()
        if not rid:
            form = forms.to_form(KINDS[file], record)
            form.problems["id"] = [labels.get("editor.errors.id_missing")]
            return _record_page(request, file, "", form, is_new=True, record_h=record_hash(None), status=422)
    meta = _meta(request, data)
    expected = str(data.get("record_hash") or "")
    action = str(data.get("action") or "edit")
    action = action if action in labels.get("editor.actions") else "edit"
    result = ed.save(file, rid, record, expected, meta, "add" if is_new else action)
    if result.saved:
        _audit(request, "kb_edit", f"{file}:{rid}")
        raise web.HTTPSeeOther(f"/editor/{'measures' if file == 'measures.yml' else 'hotlines'}/{rid}?saved=1")
    meta_values = {**meta.stated(), "action": action}
    if result.conflict:
        c = result.conflict
        form = forms.to_form(KINDS[file], c.current)
        return _record_page(
            request, file, rid, form, is_new=is_new, record_h=c.current_hash, status=409, meta=meta_values,
            conflict={"last": c.last_change, "yours": diff.field_changes(c.current, record)},
        )  # fmt: skip
    form = forms.place_problems(forms.to_form(KINDS[file], record), record, result.field_problems)
    return _record_page(
        request, file, "" if is_new else rid, form, is_new=is_new, record_h=expected, status=422,
        meta=meta_values, meta_problems=result.meta_problems, other=[str(p) for p in result.other_problems],
    )  # fmt: skip


# ------------------------------------------------------------------------------------------- preview, publish
@editor_view
async def preview_page(request: web.Request, ed: Editor) -> web.Response:
    from staff.app import SETTINGS

    tracker = request.app[SETTINGS].tracker

    def work():
        work_dir = Path(tempfile.gettempdir()) / f"kb-preview-{os.getuid()}"
        work_dir.mkdir(mode=0o700, exist_ok=True)
        from knowledge.kb import KB

        live, draft = KB(ed.kb_path), preview.draft_kb(ed.draft().sources(), work_dir)
        cases = preview.all_cases(tracker, PREVIEW_LAST)
        return preview.run(live, draft, cases, preview.default_parser(ed.store))

    result = await asyncio.get_running_loop().run_in_executor(None, work)
    return _page(
        request,
        "preview",
        result=result,
        words=labels.get("editor"),
        last=PREVIEW_LAST,
    )


@editor_view
async def publish(request: web.Request, ed: Editor) -> web.Response:
    data = await request.post()
    meta = _meta(request, data)
    try:
        pub = await asyncio.get_running_loop().run_in_executor(None, ed.publish, meta)
    except Refused as e:
        draft = ed.draft()
        return _page(
            request,
            "home",
            422,
            pending=ed.pending(),
            measures=[(rid, draft.record("measures.yml", rid)) for rid in draft.ids("measures.yml")],
            hotlines=[(rid, draft.record("hotlines.yml", rid)) for rid in draft.ids("hotlines.yml")],
            live=ed.store.live_version(),
            serving=ed.serving(),
            words=labels.get("editor"),
            meta=meta.stated(),
            meta_problems=meta.problems(),
            problems=[labels.get(f"editor.refused.{e.key}")] + [str(p) for p in e.problems if p.file],
            message=None,
        )
    _audit(request, "kb_publish", str(pub.version_id))
    raise web.HTTPSeeOther(f"/editor/versions/{pub.version_id}?published=1")


@editor_view
async def discard(request: web.Request, ed: Editor) -> web.Response:
    ed.discard(request[ACCOUNT_KEY].name)
    _audit(request, "kb_discard", "draft")
    raise web.HTTPSeeOther("/editor?done=discarded")


# ------------------------------------------------------------------------------------------- versions
@editor_view
async def versions_page(request: web.Request, ed: Editor) -> web.Response:
    return _page(
        request,
        "versions",
        versions=ed.store.versions(),
        serving=ed.serving(),
        words=labels.get("editor"),
    )


def _version(ed: Editor, raw: str) -> dict:
    try:
        v = ed.store.version(int(raw))
    except ValueError:
        v = None
    if v is None:
        raise web.HTTPNotFound()
    return v


@editor_view
async def version_page(request: web.Request, ed: Editor) -> web.Response:
    v = _version(ed, request.match_info["vid"])
    before = ed.store.previous(v["id"])
    changes = diff.record_changes(before["files"], v["files"]) if before else []
    return _page(
        request,
        "version",
        title_args={"id": v["id"]},
        v=v,
        before=before,
        changes=changes,
        edits=ed.store.changes(version_id=v["id"]),
        text=diff.text_diff(before["files"], v["files"], f"v{before['id']}", f"v{v['id']}") if before else "",
        files=list(v["files"]),
        changed_files=diff.changed_files(before["files"], v["files"]) if before else [],
        published=request.query.get("published") == "1",
        serving=ed.serving(),
        words=labels.get("editor"),
        meta={},
        meta_problems={},
    )


@editor_view
async def version_file(request: web.Request, ed: Editor) -> web.Response:
    v = _version(ed, request.match_info["vid"])
    name = request.match_info["name"]
    if name not in v["files"]:
        raise web.HTTPNotFound()
    _audit(request, "export", f"kb-v{v['id']}-{name}")
    resp = web.Response(text=v["files"][name], content_type="application/yaml", charset="utf-8")
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}"'  # the name make kb-import wants
    return resp


@editor_view
async def diff_page(request: web.Request, ed: Editor) -> web.Response:
    a, b = _version(ed, request.query.get("a", "")), _version(ed, request.query.get("b", ""))
    return _page(
        request,
        "diff",
        title_args={"a": a["id"], "b": b["id"]},
        a=a,
        b=b,
        changes=diff.record_changes(a["files"], b["files"]),
        text=diff.text_diff(a["files"], b["files"], f"v{a['id']}", f"v{b['id']}"),
        words=labels.get("editor"),
    )


@editor_view
async def rollback(request: web.Request, ed: Editor) -> web.Response:
    v = _version(ed, request.match_info["vid"])
    data = await request.post()
    meta = _meta(request, data)
    try:
        pub = await asyncio.get_running_loop().run_in_executor(None, ed.rollback, v["id"], meta)
    except Refused as e:
        before = ed.store.previous(v["id"])
        return _page(
            request,
            "version",
            422,
            title_args={"id": v["id"]},
            v=v,
            before=before,
            changes=diff.record_changes(before["files"], v["files"]) if before else [],
            edits=ed.store.changes(version_id=v["id"]),
            text="",
            files=list(v["files"]),
            changed_files=[],
            published=False,
            serving=ed.serving(),
            words=labels.get("editor"),
            meta=meta.stated(),
            meta_problems=meta.problems(),
            refused=labels.get(f"editor.refused.{e.key}"),
        )
    _audit(request, "kb_rollback", str(v["id"]))
    raise web.HTTPSeeOther(f"/editor/versions/{pub.version_id}?published=1")


@editor_view
async def changes_page(request: web.Request, ed: Editor) -> web.Response:
    """The supervisor's view: who changed what, why, from which document, and in which version it went out."""
    return _page(
        request,
        "changes",
        changes=ed.store.changes(limit=300),
        words=labels.get("editor"),
    )


# ------------------------------------------------------------------------------------------- for all staff
def publish_notice(request: web.Request) -> dict | None:
    """The last publish, unless this account dismissed its notice (no e-mail: the helper itself says it)."""
    from staff.app import KB_KEY

    account = request.get(ACCOUNT_KEY)
    if account is None:
        return None
    try:
        info = request.app[KB_KEY].snap.publish
    except Exception:  # noqa: BLE001 -- no knowledge base: the page says so itself
        return None
    if not info or request.app[SEEN].get(account.name, 0) >= info["version"]:
        return None
    return info


async def notice_seen(request: web.Request) -> web.Response:
    from staff.app import KB_KEY

    info = request.app[KB_KEY].snap.publish
    if info:
        request.app[SEEN][request[ACCOUNT_KEY].name] = info["version"]
    from staff.app import safe_next

    raise web.HTTPSeeOther(safe_next(request.headers.get("Referer", "/").split(request.host, 1)[-1]))


def home_lists(kb, today: date | None = None) -> dict:
    """The staff home's lists: records whose review date is near or past, and measures closed or superseded."""
    today = today or date.today()
    horizon = (today + timedelta(days=REVIEW_AHEAD_DAYS)).isoformat()
    due = [
        {"kind": "measure", "id": m["id"], "name": m["short_name"], "review_by": m["review_by"]}
        for m in kb.measures()
        if m.get("review_by") and m["review_by"] <= horizon
    ]
    due += [
        {"kind": "hotline", "id": h["id"], "name": h["name"], "review_by": h["review_by"]}
        for h in kb.hotlines()
        if h.get("review_by") and h["review_by"] <= horizon
    ]
    from advisor.currency import ended

    closed = []
    for m in kb.measures():
        end = ended(kb, m["id"], today)
        if end:
            closed.append({"id": m["id"], "name": m["short_name"], **end})
    return {"due": sorted(due, key=lambda r: r["review_by"]), "closed": closed, "today": today.isoformat()}


def add_routes(app: web.Application) -> None:
    app[EDITOR] = None
    app[SEEN] = {}
    r = app.router
    r.add_get("/editor", editor_home)
    r.add_get("/editor/preview", preview_page)
    r.add_post("/editor/publish", publish)
    r.add_post("/editor/discard", discard)
    r.add_get("/editor/versions", versions_page)
    r.add_get("/editor/versions/{vid}", version_page)
    r.add_get("/editor/versions/{vid}/files/{name}", version_file)
    r.add_post("/editor/versions/{vid}/rollback", rollback)
    r.add_get("/editor/diff", diff_page)
    r.add_get("/editor/changes", changes_page)
    r.add_get("/editor/{file}/{rid}", record_form)
    r.add_post("/editor/{file}/{rid}", record_save)
    r.add_post("/notice/seen", notice_seen)


__all__ = ["EDITABLE", "add_routes", "editor_of", "home_lists", "publish_notice", "split_problems"]
