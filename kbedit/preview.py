"""Preview: the draft answered beside the live knowledge base, before anything is published.

Questions: the FAQ checks (tests/faq.yml), the story tests (tests/test_stories.yml), the public acceptance cases
(../shared/acceptance/cases.yaml, read where it lies), and the last N questions firms really asked (the tracker
store, each replayed from the start of its conversation so the facts it had stated carry over).

Chosen: in-process, through the action side's own answer code (advisor.compose) with each knowledge base, not a
second Rasa. A second Rasa with the draft would take 30-90 s to load and 1.2 GB; the answer depends on the KB
only after NLU, and NLU does not read the KB (its dictionary changes only with a retrain). So each message's
intent and entities are taken as recorded: from the tracker store for real questions, from the running bot's
NLU (Rasa's HTTP API /model/parse, with its token) for test sentences, cached per model in the versions store.
A story's own intent label replaces the parsed one. The whole preview takes well under a second once parsed.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import json
import os
import re
import tempfile
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from advisor import State, UserMessage, compose
from knowledge.build import build_db
from knowledge.kb import KB

ROOT = Path(__file__).resolve().parent.parent
FAQ = ROOT / "tests" / "faq.yml"
STORIES = ROOT / "tests" / "test_stories.yml"
ACCEPTANCE = Path(os.environ.get("ACCEPTANCE_CASES") or ROOT.parent / "shared" / "acceptance" / "cases.yaml")
FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:萬元|億元|萬|億|%|成|年|個月|個|項|家|元)?")
PHONE = re.compile(r"0800-\d{3}-\d{3}|0\d-\d{8}")
REPLAY_TURNS = 30  # the most turns of one conversation replayed


@dataclass
class Case:
    source: str  # faq | story | acceptance | tracker
    ident: str
    turns: list  # [{"text", "intent"?, "entities"?, "ranking"?}]: parse given (tracker, story intent) or None
    expect: dict = field(default_factory=dict)


@dataclass
class Row:
    case: Case
    live: str
    draft: str
    live_problems: list
    draft_problems: list
    figures_live: list  # figures only the live answer states, as written there (3,500萬元)
    figures_draft: list  # figures only the draft's answer states

    @property
    def changed(self) -> bool:
        return self.live != self.draft

    @property
    def breaks(self) -> bool:
        """A check that passes with the live KB and fails with the draft."""
        return not self.live_problems and bool(self.draft_problems)

    @property
    def fixes(self) -> bool:
        return bool(self.live_problems) and not self.draft_problems


# -------------------------------------------------------------------------------------------------- cases
def faq_cases(path: Path = FAQ) -> list:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [Case("faq", " / ".join(c["turns"]), [{"text": t} for t in c["turns"]], {"faq": c}) for c in data]


def story_cases(path: Path = STORIES) -> list:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out = []
    for s in data.get("stories") or []:
        turns = [
            {"text": str(step["user"]).strip(), "intent": step.get("intent")}
            for step in s.get("steps") or []
            if "user" in step
        ]
        if turns:
            out.append(Case("story", s["story"], turns))
    return out


@functools.lru_cache(maxsize=1)
def grader():
    """The shared grader's own checks (as scripts/eval.py uses it): a case passes here exactly as it passes there."""
    path = ACCEPTANCE.parent / "grade.py"
    if not path.exists():
        return None
    spec = importlib.util.spec_from_file_location("acceptance_grade", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def acceptance_cases(path: Path = ACCEPTANCE) -> list:
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    cases = data["cases"] if isinstance(data, dict) else data
    return [Case("acceptance", c["id"], [{"text": t} for t in c["turns"]], {"acceptance": c}) for c in cases]


def tracker_cases(tracker_db: Path, last: int = 50) -> list:
    """The conversations of the last `last` questions, each replayed from its start with the recorded parses."""
    from staff import review

    try:
        con = review.connect(tracker_db)  # a path or a postgresql:// URL
    except review.TrackerUnavailable:
        return []
    try:
        recent = con.execute(
            "select sender_id, id from events where type_name = ? order by timestamp desc, id desc limit ?",
            ("user", last),
        ).fetchall()
        wanted = {}
        for sender, event_id in recent:
            wanted.setdefault(sender, set()).add(event_id)
        out = []
        for sender, ids in wanted.items():
            rows = con.execute(
                "select id, data from events where sender_id = ? and type_name = ? order by id",
                (sender, "user"),
            ).fetchall()
            rows = [r for r in rows if r[0] <= max(ids)][-REPLAY_TURNS:]
            turns = []
            for event_id, data in rows:
                try:
                    payload = json.loads(data) if data else {}
                except ValueError:
                    continue
                parse = payload.get("parse_data") or {}
                turns.append(
                    {
                        "text": payload.get("text") or "",
                        "intent": (parse.get("intent") or {}).get("name") or "nlu_fallback",
                        "confidence": (parse.get("intent") or {}).get("confidence") or 0.0,
                        "entities": parse.get("entities") or [],
                        "ranking": parse.get("intent_ranking") or [],
                        "shown": event_id in ids,
                    }
                )
            if turns:
                out.append(Case("tracker", sender, turns))
        return out
    finally:
        con.close()


# -------------------------------------------------------------------------------------------------- NLU
class RasaParser:
    """Intent and entities of a test sentence from the running bot's NLU (POST /model/parse), cached per model."""

    def __init__(self, url: str, token: str | None, cache=None, timeout: float = 10):
        self.url, self.token, self.cache, self.timeout = url.rstrip("/"), token, cache, timeout
        self._model = None

    def _call(self, path: str, body: dict | None = None) -> dict:
        query = f"?token={self.token}" if self.token else ""
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.url + path + query, data=data, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=self.timeout) as resp:  # noqa: S310 - our own bot's URL
            return json.loads(resp.read().decode("utf-8"))

    def model(self) -> str:
        if self._model is None:
            self._model = str(self._call("/status").get("model_file") or "unknown")
        return self._model

    def __call__(self, text: str) -> dict:
        model = self.model()
        cached = self.cache.cached_parse(model, text) if self.cache else None
        if cached is not None:
            return cached
        parse = self._call("/model/parse", {"text": text})
        parse = {k: parse.get(k) for k in ("intent", "entities", "intent_ranking")}
        if self.cache:
            self.cache.cache_parse(model, text, parse)
        return parse


def default_parser(cache=None) -> RasaParser:
    url = os.environ.get("RASA_URL") or f"http://127.0.0.1:{os.environ.get('RASA_PORT') or 5005}"
    token_file = Path(os.environ.get("RASA_API_TOKEN_FILE") or ROOT / "var" / "rasa-api-token")
    token = token_file.read_text(encoding="utf-8").strip() if token_file.exists() else None
    return RasaParser(url, token, cache)


# -------------------------------------------------------------------------------------------------- answers
def _message(turn: dict, parser) -> UserMessage:
    if "entities" not in turn:  # a test sentence: NLU's reading (a story keeps its own intent label)
        parse = parser(turn["text"])
        intent = parse.get("intent") or {}
        turn = {
            **turn,
            "intent": turn.get("intent") or intent.get("name") or "nlu_fallback",
            "confidence": intent.get("confidence") or 0.0,
            "entities": parse.get("entities") or [],
            "ranking": parse.get("intent_ranking") or [],
        }
    return UserMessage(
        text=turn["text"],
        intent=turn["intent"],
        confidence=float(turn.get("confidence") or 0.0),
        entities=turn["entities"],
        ranking=turn.get("ranking") or [],
    )


def replay(kb: KB, messages: list) -> list:
    """Each turn's messages, the state carried from turn to turn as the action server carries it in slots."""
    state, out = State(), []
    for msg in messages:
        reply = compose(kb, msg, state)
        state = reply.state
        out.append(reply.messages)
    return out


def text_of(messages: list) -> str:
    lines = []
    for m in messages:
        lines.append(m["text"])
        lines += [f"［{b['title']}］" for b in m.get("buttons") or [] if b.get("title")]
    return "\n".join(lines)


def figures(text: str) -> dict:
    """The figures a text states: written form (3500萬元) -> as written (3,500萬元), for highlighting."""
    return {f.replace(",", "").replace(" ", ""): f.strip() for f in FIGURE.findall(PHONE.sub("", text))}


def check(case: Case, messages: list) -> list:
    """What a FAQ check or an acceptance case would say about this answer (empty: it passes)."""
    body = text_of(messages)
    problems = []
    if "faq" in case.expect:
        c = case.expect["faq"]
        problems += [f"missing {f}" for f in c.get("contains", []) if f not in body]
        problems += [f"missing {h}" for h in c.get("hotlines", []) if h not in body]
    if "acceptance" in case.expect and grader() is not None:
        g, c = grader(), case.expect["acceptance"]
        text = g.reply_text([{"text": m["text"], "buttons": m.get("buttons") or []} for m in messages])
        norm, found = g.normalise(text), g.hotlines_in(text)
        want = {g.digits(h) for h in c.get("hotlines_any") or []}
        if want and not (want & found):
            problems.append(f"missing hotline, one of {sorted(c['hotlines_any'])}")
        if c.get("hotlines_only") is not None and found - {g.digits(h) for h in c["hotlines_only"]}:
            problems.append("hotlines outside the allowed set")
        if len(found) > c.get("max_hotlines", 4):
            problems.append(f"{len(found)} hotlines, at most {c.get('max_hotlines', 4)}")
        problems += [
            f"missing one of {alts}"
            for alts in c.get("facts_all") or []
            if not any(g.normalise(a) in norm for a in alts)
        ]
        problems += [f"says {bad}" for bad in c.get("facts_none") or [] if g.normalise(bad) in norm]
    return problems


def draft_kb(sources: dict, workdir: Path) -> KB:
    """The draft built as a knowledge base of its own (once per draft content), never swapped in."""
    digest = hashlib.sha256(json.dumps(sources, sort_keys=True, default=str).encode()).hexdigest()[:16]
    path = workdir / f"draft-{digest}.sqlite"
    if not path.exists():
        for old in workdir.glob("draft-*.sqlite"):
            old.unlink(missing_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".draft-", suffix=".sqlite", dir=workdir)
        os.close(fd)
        os.unlink(tmp)
        build_db(sources, Path(tmp))
        os.replace(tmp, path)
    return KB(path)


@dataclass
class Preview:
    rows: list
    unparsed: list  # test sentences NLU could not be asked about (bot not running): skipped, said so

    @property
    def changed(self) -> list:
        return [r for r in self.rows if r.changed]

    @property
    def breaking(self) -> list:
        return [r for r in self.rows if r.breaks]


def run(live: KB, draft: KB, cases: list, parser) -> Preview:
    rows, unparsed = [], []
    for case in cases:
        try:
            messages = [_message(t, parser) for t in case.turns]
        except OSError as e:  # the bot's NLU is not reachable
            unparsed.append((case, str(e)))
            continue
        live_turns, draft_turns = replay(live, messages), replay(draft, messages)
        shown = [i for i, t in enumerate(case.turns) if t.get("shown", True)] or [len(case.turns) - 1]
        if case.source != "tracker":
            shown = [len(case.turns) - 1]  # a test checks its last reply
        for i in shown:
            lt, dt = text_of(live_turns[i]), text_of(draft_turns[i])
            lf, df = figures(lt), figures(dt)
            row_case = case if case.source != "tracker" else Case(case.source, case.ident, case.turns[: i + 1])
            rows.append(
                Row(
                    row_case,
                    lt,
                    dt,
                    check(case, live_turns[i]),
                    check(case, draft_turns[i]),
                    sorted(lf[k] for k in lf.keys() - df.keys()),
                    sorted(df[k] for k in df.keys() - lf.keys()),
                )
            )
    # what would change first, tests that would break before them
    rows.sort(key=lambda r: (not r.breaks, not r.changed, not r.fixes))
    return Preview(rows, unparsed)


def all_cases(tracker_db: Path | None, last: int) -> list:
    cases = faq_cases() + acceptance_cases() + story_cases()
    if tracker_db is not None:
        cases += tracker_cases(tracker_db, last)
    return cases
