"""The 案件 queue (issue 16): handoffs and callbacks by age; claim, reply, hand back, close; case-code look-up.

Routes are added by `add_routes(app)`. The cases live in handoff/store.py (shared with the bot); pausing the bot
and delivering staff messages go through staff/rasa_api.py. Everything staff do here is written to the audit log
(claim, reply, handback, close, lookup, lookup_failed, view) with the case id or conversation id, never the text.
New cases appear without a reload: /queue/events is a server-sent event stream of the queue's version, and
static/queue.js fetches the rows again when it changes (no framework; the only script the helper serves).
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict, deque
from datetime import datetime
from pathlib import Path
from urllib.parse import urlencode

from aiohttp import web

from handoff import codes, phones
from handoff.settings import TAIPEI, settings
from handoff.store import HandoffStore
from staff import calculator, labels, review
from staff.rasa_api import RasaApi

STORE = web.AppKey("handoff_store", HandoffStore)
RASA = web.AppKey("rasa_api", RasaApi)
FAILURES = web.AppKey("lookup_failures", dict)
STATIC = Path(__file__).resolve().parent / "static"
LOOKUP_WINDOW = 600.0  # seconds over which wrong codes are counted
MAX_REPLY = 1000  # characters of one staff reply
SCRIPT_CSP = (
    "default-src 'none'; script-src 'self'; connect-src 'self'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


# ------------------------------------------------------------------------------------------- helpers
def calc_query(facts: dict) -> str:
    """The calculator's form filled in from the firm's facts (slots): /calc?size=sme&revenue_change=15&…"""
    q = {}
    for name, value in facts.items():
        if name == "revenue_change":
            q["revenue_change"] = f"{abs(value):g}"
            q["revenue_direction"] = "down" if value < 0 else "up"
        elif name in ("us_export_3y", "trade_registered"):
            q[name] = "yes" if value else "no"
        elif name in ("amount", "budget", "applicants"):
            q[name] = f"{value:g}"
        elif name in calculator.CHOICES:
            q[name] = str(value)
    return urlencode(q)


def when(ts: float) -> str:
    return datetime.fromtimestamp(ts, TAIPEI).strftime("%m-%d %H:%M")


def age(ts: float) -> str:
    minutes = int((time.time() - ts) // 60)
    return (
        labels.get("queue.age_hours", h=minutes // 60, m=minutes % 60)
        if minutes >= 60
        else labels.get("queue.age_minutes", m=minutes)
    )


def describe(kb, case) -> dict:
    ctx = case.context or {}
    names = {m["id"]: m["short_name"] for m in kb.measures()}
    return {
        "case": case,
        "kind": labels.get("queue.kinds")[case.kind],
        "status": labels.get("queue.statuses")[case.status],
        "channel": labels.get("queue.channels").get(case.channel, case.channel),
        "age": age(case.created),
        "created": when(case.created),
        "facts": calculator.describe_facts(ctx.get("facts") or {}),
        "measures": [names.get(m, m) for m in ctx.get("measures") or []],
        "questions": ctx.get("questions") or [],
        "answers": ctx.get("answers") or [],
        "phone": phones.display(case.phone) if case.phone else None,
        "preferred": case.preferred,
        "calc": calc_query(ctx.get("facts") or {}),
        "resolution": labels.get("queue.resolutions").get(case.resolution or "", ""),
    }


def _audit(request, action: str, target: str) -> None:
    from staff.app import audit

    audit(request, action, target)


def _render(request, template: str, status: int = 200, **context):
    from staff.app import render

    return render(request, template, status=status, **context)


def _actor(request) -> str:
    from staff.app import actor

    return actor(request)


def _case_or_404(request):
    try:
        case = request.app[STORE].get(int(request.match_info["case_id"]))
    except ValueError:
        case = None
    if case is None:
        raise web.HTTPNotFound()
    return case


def _transcript(request, sender: str):
    from staff.app import SETTINGS

    try:
        con = review.connect(request.app[SETTINGS].tracker)
    except review.TrackerUnavailable as e:
        return [], str(e)
    try:
        return review.transcript(review.load_turns(con, sender_id=sender)), None
    finally:
        con.close()


# ------------------------------------------------------------------------------------------- pages
async def queue_page(request: web.Request) -> web.Response:
    resp = _render(request, "queue.html", title=labels.get("titles.queue"), **_rows(request))
    resp.headers["Content-Security-Policy"] = SCRIPT_CSP
    return resp


def _rows(request) -> dict:
    from staff.app import KB_KEY

    store = request.app[STORE]
    kb = request.app[KB_KEY]
    show_closed = request.query.get("closed") == "1"
    return {
        "rows": [describe(kb, c) for c in store.queue(include_closed=show_closed)],
        "version": store.version(),
        "show_closed": show_closed,
    }


async def queue_rows(request: web.Request) -> web.Response:
    return _render(request, "_queue_rows.html", **_rows(request))


async def queue_events(request: web.Request) -> web.StreamResponse:
    """Server-sent events: the queue's version every time it changes (checked every second), for 10 minutes."""
    resp = web.StreamResponse(headers={"Content-Type": "text/event-stream", "Cache-Control": "no-store"})
    await resp.prepare(request)
    store, last = request.app[STORE], None
    try:
        for _ in range(600):
            version = await asyncio.get_running_loop().run_in_executor(None, store.version)
            if version != last:
                await resp.write(f"data: {version}\n\n".encode())
                last = version
            await asyncio.sleep(1)
    except (ConnectionResetError, asyncio.CancelledError):
        pass
    return resp


async def case_page(request: web.Request, notice: str | None = None, status: int = 200) -> web.Response:
    from staff.app import KB_KEY

    case = _case_or_404(request)
    _audit(request, "view", f"case {case.id} {case.sender_id}")
    turns, problem = _transcript(request, case.sender_id)
    return _render(
        request,
        "case.html",
        status=status,
        title=labels.get("titles.case", id=case.id),
        c=describe(request.app[KB_KEY], case),
        turns=turns,
        problem=problem,
        sent=request.app[STORE].messages(case.sender_id),
        mine=case.status == "claimed" and case.claimed_by == _actor(request),
        resolutions=labels.get("queue.resolutions"),
        words=labels.get("queue"),
        notice=notice,
        max_reply=MAX_REPLY,
    )


async def _send(request, case, kind: str, text: str = "") -> str | None:
    """Outbox first (nothing lost), then deliver now; the notice to show when the firm did not get it yet."""
    store = request.app[STORE]
    store.post(case.sender_id, case.channel, kind, text)
    result = await request.app[RASA].deliver(case.sender_id, case.channel)
    if result is None:
        return labels.get("queue.notices.bot_down")
    if result.get("error") == "quota":
        return labels.get("queue.notices.line_quota")
    if result.get("pending"):
        return labels.get("queue.notices.pending")
    return None


async def case_action(request: web.Request) -> web.Response:
    case = _case_or_404(request)
    form = await request.post()
    action, who = request.match_info["action"], _actor(request)
    store, rasa = request.app[STORE], request.app[RASA]
    notes = []
    if action == "claim":
        if not store.claim(case.id, who):
            return await case_page(request, labels.get("queue.notices.taken"), status=409)
        if not await rasa.pause(case.sender_id):
            notes.append(labels.get("queue.notices.not_paused"))
        notes.append(await _send(request, case, "claimed"))
    elif action == "reply":
        text = str(form.get("text") or "").strip()
        if case.status != "claimed" or case.claimed_by != who:
            return await case_page(request, labels.get("queue.notices.claim_first"), status=409)
        if not text or len(text) > MAX_REPLY:
            return await case_page(request, labels.get("queue.notices.reply_length", max=MAX_REPLY), status=400)
        notes.append(await _send(request, case, "reply", text))
    elif action in ("handback", "close"):
        resolution = str(form.get("resolution") or "")
        if action == "close" and resolution not in labels.get("queue.resolutions"):
            return await case_page(request, labels.get("queue.notices.resolution"), status=400)
        was_mine = case.status == "claimed" and case.claimed_by == who
        done = store.hand_back(case.id, who) if action == "handback" else store.close(case.id, who, resolution)
        if not done:
            return await case_page(request, labels.get("queue.notices.taken"), status=409)
        if was_mine:  # the bot answers again, and says so
            if not await rasa.resume(case.sender_id):
                notes.append(labels.get("queue.notices.not_resumed"))
            notes.append(await _send(request, case, "handback"))
    else:
        raise web.HTTPNotFound()
    _audit(request, action, f"case {case.id} {case.sender_id}")
    notice = labels.get("item_sep").join(n for n in notes if n) or None
    return await case_page(request, notice)


# ------------------------------------------------------------------------------------------- case codes
def _too_many(request) -> bool:
    now = time.time()
    keys = (_actor(request), request.remote or "-")
    limit = settings().lookup_failures
    for key in keys:
        q = request.app[FAILURES][key]
        while q and q[0] < now - LOOKUP_WINDOW:
            q.popleft()
        if len(q) >= limit:
            return True
    return False


def _failed(request) -> None:
    now = time.time()
    for key in (_actor(request), request.remote or "-"):
        request.app[FAILURES][key].append(now)


async def lookup_page(request: web.Request) -> web.Response:
    return _render(request, "lookup.html", title=labels.get("titles.lookup"), error=None, typed="")


async def lookup_submit(request: web.Request) -> web.Response:
    from staff.app import KB_KEY

    form = await request.post()
    typed = str(form.get("code") or "")[:40]
    title = labels.get("titles.lookup")
    if _too_many(request):
        _audit(request, "lookup_failed", "rate-limited")
        return _render(request, "lookup.html", status=429, title=title, error=labels.get("lookup.too_many"), typed="")
    code = codes.normalise(typed)
    found = request.app[STORE].find_code(code) if code else None
    if found is None:
        _failed(request)
        _audit(request, "lookup_failed", code or "malformed")
        await asyncio.sleep(0.5)  # each wrong guess costs time too
        return _render(
            request, "lookup.html", status=404, title=title, error=labels.get("lookup.not_found"), typed=typed
        )
    _audit(request, "lookup", f"{code} {found['sender_id']}")
    kb = request.app[KB_KEY]
    ctx = found["context"] or {}
    facts = ctx.get("facts") or {}
    calc_form = calculator.parse_facts(dict(p.split("=", 1) for p in calc_query(facts).split("&") if "=" in p))
    result = calculator.evaluate(kb, calc_form.facts) if calc_form.facts else None
    turns, problem = _transcript(request, found["sender_id"])
    names = {m["id"]: m["short_name"] for m in kb.measures()}
    return _render(
        request,
        "lookup_result.html",
        title=labels.get("titles.lookup_result", code=codes.spaced(code)),
        code=codes.spaced(code),
        found=found,
        channel=labels.get("queue.channels").get(found["channel"], found["channel"]),
        expires=when(found["expires"]),
        said=calculator.describe_facts(facts),
        measures=[names.get(m, m) for m in ctx.get("measures") or []],
        calc=calc_query(facts),
        result=result,
        turns=turns,
        problem=problem,
        words=labels.get("calc"),
    )


async def queue_script(request: web.Request) -> web.FileResponse:
    return web.FileResponse(STATIC / "queue.js", headers={"Content-Type": "text/javascript; charset=utf-8"})


def add_routes(app: web.Application, store: HandoffStore | None = None, rasa: RasaApi | None = None) -> None:
    app[STORE] = store or HandoffStore()
    app[RASA] = rasa or RasaApi()
    app[FAILURES] = defaultdict(deque)
    r = app.router
    r.add_get("/queue", queue_page)
    r.add_get("/queue/rows", queue_rows)
    r.add_get("/queue/events", queue_events)
    r.add_get("/queue/{case_id}", case_page)
    r.add_post("/queue/{case_id}/{action}", case_action)
    r.add_get("/lookup", lookup_page)
    r.add_post("/lookup", lookup_submit)
    r.add_get("/static/queue.js", queue_script)
