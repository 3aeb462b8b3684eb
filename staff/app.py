"""The staff helper's web app (aiohttp + Jinja2, server-rendered HTML; one small script on the 案件 queue page).

Pages: / (查詢), /calc (資格試算), /directory (專線一覽), /review (對話回顧) and their CSV exports; the review queue,
transcripts with their marks and the dashboard are in staff/review_pages.py.
Every path except /login needs a session of one staff account (staff/accounts.py): a random token in an
HttpOnly, SameSite=Strict cookie, kept in memory on the server (so 登出 really ends it, and a restart logs
everyone out). What staff view, export and look up goes to the audit log (staff/audit.py), read at /audit by
admins only.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
import logging
import secrets
import time
import traceback
from pathlib import Path
from urllib.parse import quote, urlsplit

import jinja2
import sqlalchemy as sa
from aiohttp import web
from markupsafe import Markup, escape

from knowledge.kb import KB, KBUnavailable
from staff import calculator, db, editor_pages, labels, lookup, masking, queue, review, review_pages, tracker_store
from staff.access_log import route_of
from staff.accounts import ACCOUNT_KEY, Account, AccountStore, require_role
from staff.audit import AuditLog
from staff.config import Settings

logger = logging.getLogger("staff")
TEMPLATES = Path(__file__).resolve().parent / "templates"
COOKIE = "staff_session"
PUBLIC = {"/login"}
SETTINGS = web.AppKey("settings", Settings)
KB_KEY = web.AppKey("kb", KB)
SESSIONS = web.AppKey("sessions", dict)
ENV = web.AppKey("jinja", jinja2.Environment)
LOGIN_LOCK = web.AppKey("login_lock", asyncio.Lock)
ENGINE = web.AppKey("engine", sa.engine.Engine)
ACCOUNTS = web.AppKey("accounts", AccountStore)
AUDIT = web.AppKey("audit", AuditLog)
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; form-action 'self'; "
    "frame-ancestors 'none'; base-uri 'none'"
)


# ------------------------------------------------------------------------------------------- helpers
def highlight(text, query) -> Markup:
    """Escape `text`, wrapping each (case-insensitive) occurrence of the query's words in <mark>."""
    text = str(text or "")
    terms = sorted({t for t in str(query or "").split() if t}, key=len, reverse=True)
    if not terms:
        return escape(text)
    folded, out, i = text.casefold(), [], 0
    while i < len(text):
        hit = next((t for t in terms if folded.startswith(t.casefold(), i)), None)
        if hit and len(hit.casefold()) == len(hit):
            out.append(Markup("<mark>%s</mark>") % text[i : i + len(hit)])
            i += len(hit)
        else:
            out.append(escape(text[i]))
            i += 1
    return Markup("").join(out)


def make_env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["highlight"] = highlight
    env.filters["local_time"] = editor_pages.local_time
    # what a firm typed, on the case pages (_transcript.html, _firm_facts.html): phones, 統編, e-mails masked
    env.filters["mask"] = lambda v: masking.mask(v) if isinstance(v, str) else v
    env.globals["nav"] = [(item["href"], item["label"], item.get("role")) for item in labels.get("nav")]
    env.globals["audit_actions"] = labels.get("audit.actions")
    env.globals["home"] = calculator.HOME_HOTLINE
    return env


def render(request: web.Request, template: str, status: int = 200, **context) -> web.Response:
    account = _session_account(request)
    html = (
        request.app[ENV]
        .get_template(template)
        .render(
            path=request.path,
            logged_in=account is not None,
            account=account,
            publish_notice=editor_pages.publish_notice(request),
            **context,
        )
    )
    return web.Response(text=html, content_type="text/html", charset="utf-8", status=status)


def page(request: web.Request, page_name: str, status: int = 200, /, **context) -> web.Response:
    """The page `page_name`: templates/<page_name>.html under its title in labels.yml (titles.<page_name>)."""
    return render(request, f"{page_name}.html", status=status, title=labels.get(f"titles.{page_name}"), **context)


def error_page(request: web.Request, status: int, title: str, message: str) -> web.Response:
    """error.html with the title titles.<title> and a message for the page."""
    return render(request, "error.html", status=status, title=labels.get(f"titles.{title}"), message=message)


def csv_safe(value):
    """Spreadsheet formula injection: a cell from a user's message that starts like a formula gets a quote."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def csv_response(name: str, columns: list, rows: list) -> web.Response:
    """UTF-8 with a BOM so Excel opens the Chinese text correctly; the first row is the column keys."""
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf, lineterminator="\r\n")
    writer.writerow([key for key, _ in columns])
    for row in rows:
        writer.writerow([csv_safe(row.get(key, "")) for key, _ in columns])
    resp = web.Response(text=buf.getvalue(), content_type="text/csv", charset="utf-8")
    resp.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return resp


def wants_csv(request: web.Request) -> bool:
    return request.query.get("format") == "csv"


def safe_next(target: str | None) -> str:
    """Only a path on this site (no //host or scheme): no open redirect after login."""
    if not target or not target.startswith("/") or target.startswith("//") or target.startswith("/\\"):
        return "/"
    return target


# ------------------------------------------------------------------------------------------- sessions
def _token_key(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _session_account(request: web.Request) -> Account | None:
    """The account of this request's session, re-read from the store (a disabled account is out at once)."""
    if ACCOUNT_KEY in request:
        return request[ACCOUNT_KEY]
    token = request.cookies.get(COOKIE)
    if not token:
        return None
    sessions = request.app[SESSIONS]
    entry = sessions.get(_token_key(token))
    if entry is None:
        return None
    expiry, name = entry
    account = request.app[ACCOUNTS].get(name) if expiry >= time.time() else None
    if account is None or not account.active:
        sessions.pop(_token_key(token), None)
        return None
    request[ACCOUNT_KEY] = account
    return account


def _session_ok(request: web.Request) -> bool:
    return _session_account(request) is not None


def actor(request: web.Request) -> str:
    return request[ACCOUNT_KEY].name


def audit(request: web.Request, action: str, target: str = "") -> None:
    request.app[AUDIT].record(actor(request), action, target)


def _same_origin(request: web.Request) -> bool:
    origin = request.headers.get("Origin")
    if not origin or origin == "null":
        return origin is None
    return urlsplit(origin).netloc == request.host


@web.middleware
async def security(request: web.Request, handler):
    try:
        resp = await handler(request)
    except web.HTTPException as exc:  # redirects and errors raised by handlers: same headers
        _harden(exc.headers)
        raise
    except KBUnavailable as e:
        logger.error("knowledge base unavailable: %s", e)
        resp = error_page(request, 503, "kb_unavailable", labels.get("errors.kb_unavailable", error=e))
    except Exception as e:
        # the route and where it failed, not the exception's message: it may quote what was typed
        logger.error(
            "error on %s: %s\n%s", route_of(request), type(e).__name__, "".join(traceback.format_tb(e.__traceback__))
        )
        resp = error_page(request, 500, "server_error", labels.get("errors.server_error"))
    _harden(resp.headers)
    return resp


def _harden(headers) -> None:
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"  # not no-referrer: Chromium then sends Origin: null on our own forms
    headers["Cache-Control"] = "no-store"


@web.middleware
async def login_required(request: web.Request, handler):
    if request.path in PUBLIC or _session_ok(request):
        if request.method == "POST" and not _same_origin(request):
            return web.Response(status=403, text="cross-site request refused")
        return await handler(request)
    if request.method in ("GET", "HEAD"):
        raise web.HTTPSeeOther("/login?next=" + quote(request.path_qs, safe=""))
    return web.Response(status=401, text="login required", headers={"WWW-Authenticate": 'Session realm="staff"'})


# ------------------------------------------------------------------------------------------- handlers
async def login_form(request: web.Request) -> web.Response:
    if _session_ok(request):
        raise web.HTTPSeeOther(safe_next(request.query.get("next")))
    return page(request, "login", next=safe_next(request.query.get("next")), name="", error=None)


async def login_submit(request: web.Request) -> web.Response:
    form = await request.post()
    name = str(form.get("name") or "").strip().lower()[:32]
    password = str(form.get("password") or "")
    target = safe_next(str(form.get("next") or ""))
    settings = request.app[SETTINGS]
    async with request.app[LOGIN_LOCK]:  # one guess at a time, each failure delayed
        account = await asyncio.get_running_loop().run_in_executor(None, request.app[ACCOUNTS].verify, name, password)
        ok = account is not None
        if not ok:
            logger.warning("failed staff login from %s", request.remote)
            await asyncio.sleep(settings.login_delay)
    if not ok:
        return page(request, "login", 401, next=target, name=name, error=labels.get("errors.wrong_password"))
    sessions = request.app[SESSIONS]
    now = time.time()
    for key in [k for k, (exp, _) in sessions.items() if exp < now]:
        del sessions[key]
    token = secrets.token_urlsafe(32)
    sessions[_token_key(token)] = (now + settings.session_hours * 3600, account.name)
    request.app[AUDIT].record(account.name, "login")
    resp = web.HTTPSeeOther(target)
    resp.set_cookie(
        COOKIE,
        token,
        httponly=True,
        samesite="Strict",
        path="/",
        secure=settings.secure_cookie,
        max_age=int(settings.session_hours * 3600),
    )
    raise resp


async def logout(request: web.Request) -> web.Response:
    token = request.cookies.get(COOKIE)
    if token:
        request.app[SESSIONS].pop(_token_key(token), None)
    resp = web.HTTPSeeOther("/login")
    resp.del_cookie(COOKIE, path="/")
    raise resp


async def search_page(request: web.Request) -> web.Response:
    q = request.query.get("q", "").strip()[:100]
    hits = lookup.search(request.app[KB_KEY], q) if q else []
    if q and wants_csv(request):
        audit(request, "export", "search")
        return csv_response("search", labels.columns("search.csv_columns"), lookup.csv_rows(hits))
    home = None if q else editor_pages.home_lists(request.app[KB_KEY])
    return page(request, "search", q=q, hits=hits, max_cards=lookup.MAX_CARDS, home=home)


async def calc_page(request: web.Request) -> web.Response:
    kb = request.app[KB_KEY]
    form = calculator.parse_facts(request.query)
    result = None if form.empty else calculator.evaluate(kb, form.facts)
    return page(
        request,
        "calc",
        form=form,
        result=result,
        choices=calculator.CHOICES,
        said=calculator.describe_facts(form.facts),
        fields=labels.get("calc.fields"),
        words=labels.get("calc"),
    )


async def directory_page(request: web.Request) -> web.Response:
    kb = request.app[KB_KEY]
    if wants_csv(request) or request.path.endswith(".csv"):
        audit(request, "export", "directory")
        return csv_response("directory", lookup.directory_columns(), lookup.directory_rows(kb))
    return page(request, "directory", hotlines=lookup.directory(kb))


def _days(request: web.Request) -> int:
    try:
        return max(1, min(int(request.query.get("days", "14")), 366))
    except ValueError:
        return 14


def _tracker_tables(request: web.Request):
    settings = request.app[SETTINGS]
    try:
        con = review.connect(settings.tracker)
    except review.TrackerUnavailable as e:
        return None, str(e)
    try:
        return review.build_tables(con, request.app[KB_KEY], _days(request)), None
    finally:
        con.close()


EMPTY_COLUMNS = {
    "conversations": review.conversations([])[0],
    "fallbacks": review.fallbacks([])[0],
    "hotlines": review.per_day([], "hotlines", {})[0],
    "measures": review.per_day([], "measures", {})[0],
    "feedback": review.feedback([])[0],
}


async def review_page(request: web.Request) -> web.Response:
    tables, problem = _tracker_tables(request)
    return page(
        request,
        "review",
        tables=tables,
        problem=problem,
        names=review.TABLES,
        days=_days(request),
        tracker=tracker_store.shown(request.app[SETTINGS].tracker),
    )


async def review_table(request: web.Request) -> web.Response:
    name = request.match_info["table"]
    if name not in review.TABLES:
        raise web.HTTPNotFound()
    tables, problem = _tracker_tables(request)
    cols, rows = tables[name] if tables else (EMPTY_COLUMNS[name], [])
    if request.path.endswith(".csv") or wants_csv(request):
        audit(request, "export", f"review-{name}")
        return csv_response(f"review-{name}", cols, rows)
    return render(
        request,
        "review_table.html",
        title=review.TABLES[name],
        name=name,
        cols=cols,
        rows=rows,
        problem=problem,
        days=_days(request),
    )


@require_role("admin")
async def audit_page(request: web.Request) -> web.Response:
    entries = request.app[AUDIT].entries(
        limit=1000, actor=request.query.get("actor") or None, action=request.query.get("action") or None
    )
    cols = labels.columns("audit.columns")
    if wants_csv(request):
        return csv_response("audit", cols, entries)
    return page(request, "audit", cols=cols, rows=entries)


async def not_found(request: web.Request) -> web.Response:
    return error_page(request, 404, "not_found", labels.get("errors.not_found"))


# ------------------------------------------------------------------------------------------- app
def create_app(
    settings: Settings, kb: KB | None = None, engine: sa.engine.Engine | None = None, handoff=None, rasa=None
) -> web.Application:
    app = web.Application(middlewares=[security, login_required], client_max_size=64 * 1024)
    app[SETTINGS] = settings
    app[KB_KEY] = kb or (KB(settings.kb_path) if settings.kb_path else KB())
    app[SESSIONS] = {}
    app[ENV] = make_env()
    app[LOGIN_LOCK] = asyncio.Lock()
    app[ENGINE] = engine or db.open_store(settings.db)
    app[ACCOUNTS] = AccountStore(app[ENGINE])
    app[AUDIT] = AuditLog(app[ENGINE])
    r = app.router
    r.add_get("/login", login_form)
    r.add_post("/login", login_submit)
    r.add_post("/logout", logout)
    r.add_get("/", search_page)
    r.add_get("/search", search_page)
    r.add_get("/calc", calc_page)
    r.add_get("/directory", directory_page)
    r.add_get("/directory.csv", directory_page)
    r.add_get("/review", review_page)
    review_pages.add_routes(app)  # the queue by risk, the transcript with its marks, the dashboard (issue 18)
    r.add_get("/review/{table}.csv", review_table)
    r.add_get("/review/{table}", review_table)
    r.add_get("/audit", audit_page)
    queue.add_routes(app, handoff, rasa)  # 案件 queue and case codes (issue 16)
    editor_pages.add_routes(app)
    r.add_route("*", "/{tail:.*}", not_found)
    return app
