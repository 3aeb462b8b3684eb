"""Pages of the review workflow (issue 18): the queue ordered by risk (/review/queue), the transcript with personal
data masked and a form per turn (/review/conversation/{sender}: mark correct, or correct it), the admins' unmask
(audited), and the dashboard (/dashboard, staff/dashboard.py). Same login, CSRF (same-origin POST) and audit as
the rest of the helper (staff/app.py)."""

from __future__ import annotations

import functools
from pathlib import Path

import yaml
from aiohttp import web

from advisor.model import ReplyKind
from staff import calculator, dashboard, labels, masking, review, risk
from staff.corrections import Mark, MarkStore

ROOT = Path(__file__).resolve().parent.parent
MARKS = web.AppKey("marks", MarkStore)
KINDS = [k.value for k in ReplyKind]
FACT_FIELDS = calculator.FORM_FIELDS


@functools.lru_cache(maxsize=1)
def intents() -> list:
    """Every intent of the domain, with what it means (data/intent_descriptions.yml) for the select."""
    domain = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    meanings = review.intent_meanings()
    return [(name, meanings.get(name, "")) for name in domain.get("intents") or []]


def _app():
    from staff import app as staff_app  # the app module imports this one: late, to share its helpers

    return staff_app


def _load(request: web.Request, sender: str | None = None, days: int | None = None):
    a = _app()
    con = review.connect(request.app[a.SETTINGS].tracker)
    try:
        since = None
        if days is not None:
            since = review.datetime.now(review.TAIPEI).timestamp() - days * 86400
        return review.load_turns(con, since=since, sender_id=sender)
    finally:
        con.close()


async def queue_page(request: web.Request) -> web.Response:
    a = _app()
    days = a._days(request)
    try:
        turns, problem = _load(request, days=days), None
    except review.TrackerUnavailable as e:
        turns, problem = [], str(e)
    rows = risk.queue(turns, request.app[MARKS].reviewed())
    if request.path.endswith(".csv") or a.wants_csv(request):
        a.audit(request, "export", "review-queue")
        return a.csv_response("review-queue", risk.columns(), rows)
    return a.render(
        request,
        "review_queue.html",
        title=labels.get("titles.review_queue"),
        cols=risk.columns(),
        rows=rows,
        problem=problem,
        days=days,
    )


def _may_unmask(request: web.Request) -> bool:
    a = _app()
    wanted = request.query.get("unmask") == "1"
    if wanted and not request[a.ACCOUNT_KEY].has_role("admin"):
        raise web.HTTPForbidden(text="forbidden for this role")
    return wanted


async def conversation_page(request: web.Request, errors: dict | None = None, status: int = 200) -> web.Response:
    a = _app()
    sender = request.match_info["sender"]
    unmasked = _may_unmask(request)
    a.audit(request, "unmask" if unmasked else "view", sender)
    try:
        turns = _load(request, sender=sender)
    except review.TrackerUnavailable as e:
        return a.render(request, "error.html", status=404, title=labels.get("titles.review"), message=str(e))
    if not turns:
        raise web.HTTPNotFound()
    kb = request.app[a.KB_KEY]
    shown = review.transcript(turns)
    reasons = risk.turn_reasons(turns)
    names = labels.get("risk.reasons")
    for row, t, why in zip(shown, turns, reasons):
        row["index"] = t.index
        row["risk"] = [names[r] for r in why if r != "rest"]
        if not unmasked:
            row["text"], row["raw"] = masking.mask(row["text"]), masking.mask(row["raw"])
            row["bot"] = masking.mask_all(row["bot"])
    return a.render(
        request,
        "conversation.html",
        status=status,
        title=labels.get("titles.conversation", sender=sender),
        sender=sender,
        turns=shown,
        hotline_names={h["id"]: f"{h['name']} {h['number']}" for h in kb.hotlines()},
        tapped=labels.get("review.tapped"),
        unmasked=unmasked,
        marks=request.app[MARKS].for_sender(sender),
        errors=errors or {},
        kinds=[(k, labels.get("review.kinds").get(k, k)) for k in KINDS],
        intents=intents(),
        measures=[(m["id"], m["short_name"]) for m in kb.measures()],
        hotlines=[(h["id"], f"{h['name']} {h['number']}") for h in kb.hotlines()],
        fact_fields=FACT_FIELDS,
        fields=labels.get("calc.fields"),
        choices=calculator.CHOICES,
        words=labels.get("calc"),
    )


async def mark_turn(request: web.Request) -> web.Response:
    a = _app()
    sender = request.match_info["sender"]
    try:
        index = int(request.match_info["index"])
    except ValueError:
        raise web.HTTPNotFound() from None
    form = await request.post()
    try:
        turns = _load(request, sender=sender)
    except review.TrackerUnavailable:
        raise web.HTTPNotFound() from None
    if not 0 <= index < len(turns):
        raise web.HTTPNotFound()
    kb = request.app[a.KB_KEY]
    verdict = str(form.get("verdict") or "")
    errors = {}
    mark = Mark(
        sender_id=sender,
        turn_index=index,
        turn_ts=turns[index].timestamp,
        verdict=verdict,
        turns=[masking.mask(t.text) for t in turns[: index + 1]],
        was=_was(turns[index]),
        actor=a.actor(request),
    )
    if verdict == "corrected":
        mark.kind = str(form.get("kind") or "")
        mark.intent = str(form.get("intent") or "")
        mark.measure = str(form.get("measure") or "")
        mark.hotline = str(form.get("hotline") or "")
        mark.words = str(form.get("words") or "").strip()[:64]
        facts = calculator.parse_facts(form)
        mark.facts = {k: v for k, v in facts.facts.items()}
        words = labels.get("review.mark_errors")
        if mark.kind not in KINDS:
            errors["kind"] = words["kind"]
        if mark.intent and mark.intent not in dict(intents()):
            errors["intent"] = words["intent"]
        if mark.measure and not kb.measure(mark.measure):
            errors["measure"] = words["measure"]
        if mark.hotline and mark.hotline not in {h["id"] for h in kb.hotlines()}:
            errors["hotline"] = words["hotline"]
        if mark.words and (not mark.measure or mark.words not in mark.turns[-1]):
            errors["words"] = words["words"]
        if not (mark.intent or mark.measure or mark.hotline or mark.facts or mark.kind != turns[index].kind):
            errors["nothing"] = words["nothing"]
        errors.update({f"fact_{k}": v for k, v in facts.errors.items()})
    elif verdict != "correct":
        raise web.HTTPBadRequest(text="verdict must be correct or corrected")
    if errors:
        errors["_turn"] = index
        return await conversation_page(request, errors=errors, status=400)
    request.app[MARKS].save(mark)
    a.audit(request, "review_mark", f"{sender}#{index}")
    raise web.HTTPSeeOther(f"/review/conversation/{review_quote(sender)}#turn-{index}")


def review_quote(sender: str) -> str:
    from urllib.parse import quote

    return quote(sender, safe="")


def _was(t: review.Turn) -> dict:
    return {
        "kind": t.kind or "",
        "intent": t.intent or "",
        "confidence": round(t.confidence or 0.0, 3),
        "measures": list(t.measures),
        "hotlines": list(t.hotlines),
        "reply": masking.mask("\n".join(t.bot))[:600],
    }


async def dashboard_page(request: web.Request) -> web.Response:
    a = _app()
    days = a._days(request) if "days" in request.query else 28
    turns, problem, counted = [], None, None
    try:
        con = review.connect(request.app[a.SETTINGS].tracker)
    except review.TrackerUnavailable as e:
        problem = str(e)
    else:
        try:
            since = review.datetime.now(review.TAIPEI).timestamp() - days * 86400
            turns = review.load_turns(con, since=since)
            counted = dashboard.reconcile(con, since)
        finally:
            con.close()
    kb = request.app[a.KB_KEY]
    report = dashboard.build(turns, kb)
    if counted is not None:
        counted["ok"] = counted == {k: report.totals[k] for k in counted}
    chart = request.match_info.get("chart")
    if chart:
        if chart not in report.tables:
            raise web.HTTPNotFound()
        a.audit(request, "export", f"dashboard-{chart}")
        cols, rows = report.tables[chart]
        return a.csv_response(f"dashboard-{chart}", cols, rows)
    return a.render(
        request,
        "dashboard.html",
        title=labels.get("titles.dashboard"),
        report=report,
        charts=dashboard.charts(report),
        reconciled=counted,
        problem=problem,
        days=days,
    )


def add_routes(app: web.Application) -> None:
    a = _app()
    app[MARKS] = MarkStore(app[a.ENGINE])
    r = app.router
    r.add_get("/review/queue", queue_page)
    r.add_get("/review/queue.csv", queue_page)
    r.add_get("/review/conversation/{sender:.+}", conversation_page)
    r.add_post("/review/mark/{index}/{sender:.+}", mark_turn)
    r.add_get("/dashboard", dashboard_page)
    r.add_get("/dashboard/{chart}.csv", dashboard_page)
