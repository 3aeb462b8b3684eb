"""The firm's own amounts, read for the sums a clerk does: revenue before and now, and what the firm states for
its own case (a guarantee share, the self-funding share it can offer, an equipment cost, a course fee).

「113年同期營收3000萬，今年同期剩2500萬」 is a revenue change of -16.7%, not a wish to borrow 3,000萬: the revenue
amounts are taken out of the amounts the rest of the answer reads, and the change is worked out from them:
- two amounts, the base period's and now's;
- a drop (or rise) stated as an amount (「今年同期少了300萬」);
- several base-period months averaged (「1月500萬、2月300萬」), or a total over N months (「6個月加起來6000萬」);
- one amount, with the other remembered from an earlier turn (a correction: 「1-2月平均是420萬才對」).
Which period an amount belongs to is read from the words before it (lexicon.yml `sums`), in its own clause first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from components.numbers import parse_number

# figures that hold for this turn only (the composer does not keep them): the working shown once, and what the
# firm states for its own case
TURN_FIGURES = (
    "revenue_working",
    "stated_guarantee",
    "stated_self_funding",
    "equipment_cost",
    "cost",
    "months_elapsed",
    "window_start",
    "amount_parts",
    "total_asked",
    "revenue_base_only",
    "at_cap",
    "cap_used_asked",
    "year_interest_asked",
    "principal_asked",
    "amount_alternatives",
    "month_table",
    "base_table",
)
_CLAUSE = re.compile(r"[，,；;。！!？?\n]")
_SENTENCE = re.compile(r"[。！!？?\n]")
_COUNT = r"(\d+|[一二兩三四五六七八九十]+)"
# 「700、650、720萬」: bare numbers listed before the amount that carries the unit, all in that unit
_LISTED = re.compile(r"((?:\d+(?:\.\d+)?\s*、\s*)+)$")
_RAW = re.compile(r"\d+(?:\.\d+)?")
_ROC_YEAR = 1911


def _alt(words) -> str:
    return "|".join(re.escape(w) for w in sorted(set(words), key=len, reverse=True) if w)


@dataclass(frozen=True)
class Words:
    kinds: dict  # word -> kind: noun, base, now, down, up, level, block (borrow, budget), cost, equipment, total
    any: re.Pattern  # every word above, longest first
    direction_end: re.Pattern  # a level/down/up word at the end of the text, fillers after it allowed
    months: re.Pattern  # 「6個月」
    total: re.Pattern
    equipment_after: re.Pattern  # 「300萬的新機器」
    stated: dict  # kind (guarantee, self_funding) -> pattern of the words before a stated share
    total_asked: re.Pattern  # 「總共會出多少」: a total word before a question word
    budget: re.Pattern  # a budget word: 「總經費600萬」 is not a loan
    period_months: list  # [(pattern of a period's words, months)]: 「113年下半年」 spans 6 months
    elapsed: re.Pattern  # 「已經繳了4個月」: months of a window already used
    start: re.Pattern  # 「114年10月開始」: the month a window started
    asks: dict  # fact -> pattern: 「用滿」 (at_cap), 「還可以再借多少」 (cap_used_asked), 「掉了幾%」 (change_asked)
    year_interest: tuple  # (year words, interest words): both in the message ask for a year's interest
    alternative: re.Pattern  # 「如果只借100萬呢」: after an amount to borrow, another case, not a second loan
    which_months: re.Pattern  # 「哪幾個月有掉超過一成」: each month against the base
    period_words: list  # [(period key, pattern of its words)]: which of the deck's bases an amount is of


def _compile(kb) -> Words:
    sums: dict = {}
    for row in kb.lexicon("sums"):
        sums.setdefault(row["key"], []).append(row["phrase"])
    revenue: dict = {}
    for row in kb.lexicon("revenue"):
        revenue.setdefault(row["key"], []).append(row["phrase"])
    borrow = [r["phrase"] for r in kb.lexicon("cue") if r["key"] in ("borrow", "apply")]
    budget = [r["phrase"] for r in kb.lexicon("budget")]
    equipment = [r["phrase"] for r in kb.lexicon("fact") if r["key"] == "purpose" and r["value"] == '"equipment"']
    kinds: dict = {}
    # later assignments win: a level word (掉到) beats the down word it also is; a block word beats a noun
    for kind, words in (
        ("noun", revenue.get("nouns", [])),
        ("base", sums.get("base", [])),
        ("now", sums.get("now", [])),
        ("down", revenue.get("down", [])),
        ("up", revenue.get("up", [])),
        ("level", sums.get("level", [])),
        ("block", borrow + budget),
        ("cost", sums.get("cost", [])),
        ("equipment", equipment),
    ):
        for w in words:
            kinds[w] = kind
    # 「加起來6000萬」 is a total, not a rise (起來): total words take part in the match, and win where they start
    for w in sums.get("total", []):
        kinds[w] = "total"
    directions = [w for w, k in kinds.items() if k in ("level", "down", "up", "total")]
    fillers = _alt(sums.get("filler", []))
    return Words(
        kinds=kinds,
        any=re.compile(_alt(kinds)),
        direction_end=re.compile(rf"({_alt(directions)})(?:{fillers})*\s*$"),
        months=re.compile(rf"{_COUNT}\s*(?:{_alt(sums.get('month_counter', []))})"),
        total=re.compile(_alt(sums.get("total", []))),
        equipment_after=re.compile(rf"^\s*的?\s*(?:全新|新)?的?\s*(?:{_alt(equipment)})"),
        stated={
            k: re.compile(rf"(?:{_alt(sums.get('stated_' + k, []))})\S{{0,3}}$") for k in ("guarantee", "self_funding")
        },
        total_asked=re.compile(rf"(?:{_alt(sums.get('total', []))}).{{0,6}}(?:{_alt(sums.get('question', []))})"),
        budget=re.compile(_alt(budget)),
        period_months=_period_months(kb),
        elapsed=re.compile(
            rf"(?:{_alt(sums.get('elapsed', []))})\s*{_COUNT}\s*(?:{_alt(sums.get('month_counter', []))})"
        ),
        start=re.compile(rf"(\d{{3,4}})\s*年\s*(\d{{1,2}})\s*月\s*(?:份)?\s*(?:{_alt(sums.get('start', []))})"),
        asks={
            fact: re.compile(_alt(sums.get(key, [])))
            for fact, key in (
                ("at_cap", "at_cap"),
                ("cap_used_asked", "cap_used"),
                ("change_asked", "change_asked"),
                ("principal_asked", "principal"),
            )
        },
        year_interest=(re.compile(_alt(sums.get("year", []))), re.compile(_alt(sums.get("interest", [])))),
        alternative=re.compile(_alt(sums.get("alternative", []))),
        which_months=re.compile(_alt(sums.get("which_months", []))),
        period_words=_period_words(kb),
    )


def _period_words(kb) -> list:
    out = []
    for period in kb.periods("revenue_drop"):
        names = period.get("words")
        names = json.loads(names) if isinstance(names, str) else names
        if names:
            out.append((period["key"], re.compile(_alt(names))))
    return out


def _period_key(w: Words, window: str) -> str:
    """Which of the deck's bases (擇一) a base amount is of: by the period's own words (下半年, 1至2月), by months 1
    and 2 alone (「114年1月、2月各1000萬」), else the same period of 113年 (「113年8月」, 「去年同期」)."""
    for key, pattern in w.period_words:
        if pattern.search(window):
            return key
    months = {_count(m.group(1)) for m in _MONTH.finditer(window)}
    if months and months <= set(_JAN_FEB):
        return "jan_feb_114_avg"
    return "same_period_113"


def _period_months(kb) -> list:
    out = []
    for period in kb.periods("revenue_drop"):
        names = period.get("words")
        names = json.loads(names) if isinstance(names, str) else names
        if period.get("months") and names:
            out.append((re.compile(_alt(names)), int(period["months"])))
    return out


def window_facts(w: Words, text: str) -> dict:
    """Months of a window already used, and the month it started (ROC years; a Western year is converted)."""
    out = {}
    m = w.elapsed.search(text)
    if m and _count(m.group(1)):
        out["months_elapsed"] = _count(m.group(1))
    m = w.start.search(text)
    if m and 1 <= int(m.group(2)) <= 12:
        year = int(m.group(1))
        out["window_start"] = (year - _ROC_YEAR if year > _ROC_YEAR else year, int(m.group(2)))
    return out


def package_totals(kb) -> set:
    """The package's total in 萬元 (700億 → 7,000,000): an amount equal to it names the package."""
    from advisor.eligibility import cap_in_wan

    package = kb.program_with_role("package")
    return {cap_in_wan(f) for f in kb.figures(package["id"]) if f["key"] == "budget"} - {None} if package else set()


def words(kb) -> Words:
    return kb.derived("sums_words", _compile)


def _found(w: Words, text: str) -> list:
    """[(kind, start, end)] of the sums' words in text, longest first at each position."""
    return [(w.kinds[m.group(0)], m.start(), m.end()) for m in w.any.finditer(text)]


def _role(w: Words, window: str) -> str | None:
    """What the amount after window is: base, now, down/up (a change stated as an amount), revenue (a revenue
    amount of no known period), equipment, cost, or None (an amount to borrow or a budget, or no revenue word)."""
    clause = _CLAUSE.split(window)[-1]
    in_clause = _found(w, clause)
    if w.budget.search(clause) and not any(k == "noun" for k, _, _ in in_clause):
        return "block"  # 「總經費只有500萬」: a budget, whatever word comes before the amount
    m = w.direction_end.search(window)
    if m and w.kinds[m.group(1)] != "total":
        kind = w.kinds[m.group(1)]
        return "now" if kind == "level" else kind
    for part in (clause, window):
        found = _found(w, part)
        if not found:
            continue
        last = found[-1][0]
        if last in ("block", "cost", "equipment"):
            return last
        # 「今年1月營收620萬」: a now word right before a base period's month names the year of that month
        found = [f for i, f in enumerate(found) if not _qualifies_next(found, i)]
        kinds = {k for k, _, _ in found}
        for role in ("now", "base"):
            if role in kinds:
                return role
        if "noun" in kinds:  # 「營收6000萬」: revenue, of no named period (「剩下的300萬」 alone is not)
            return "revenue"
    return None


def _qualifies_next(found: list, i: int) -> bool:
    """A now word (今年) directly followed by a base word (1月): the year of the base period, not now."""
    kind, _, end = found[i]
    return kind == "now" and i + 1 < len(found) and found[i + 1][0] == "base" and found[i + 1][1] == end


def _count(text: str) -> int | None:
    value = parse_number(text)
    return int(value) if value and value > 0 else None


def _stated_share(w: Words, text: str, e: dict) -> tuple | None:
    """A percentage the firm states for its case: (kind, value), value in 成 for a guarantee, % for self-funding."""
    before = _CLAUSE.split(text[: e["start"]])[-1]
    for kind, pattern in w.stated.items():
        if pattern.search(before):
            return kind, e["value"] / 10 if kind == "guarantee" else e["value"]
    return None


_MONTH = re.compile(r"(?<![\d.])(1[0-2]|[1-9]|十[一二]?|[一二三四五六七八九])\s*月")
# the deck's 114年1至2月平均: months 1 and 2, averaged, when the firm lists them beside later months
_JAN_FEB = (1, 2)


def month_table(w: Words, text: str, entities: list) -> dict | None:
    """「113年下半年月平均480萬。今年1月500萬、2月460萬…哪幾個月有掉超過一成」: each month's revenue against the base.
    The base is an amount of no month with a base word (113年下半年月平均480萬), else the months a base word (113年,
    去年) dates, else months 1 and 2 averaged (the deck's 114年1至2月平均) when later months are listed. None when
    the firm does not ask which months, or there is no base or no month to compare."""
    if not w.which_months.search(text):
        return None
    free, rows, dated = [], [], []
    prev_end = 0
    for e in sorted(entities or [], key=lambda x: x.get("start") or 0):
        if e.get("entity") != "amount":
            continue
        window = _CLAUSE.split(text[prev_end : e.get("start") or 0])[-1]
        prev_end = e.get("end") or prev_end
        months = list(_MONTH.finditer(window))
        value = float(e["value"])
        if not months:
            if _role(w, window) in ("base", "revenue"):
                free.append(value)
            continue
        month = _count(months[-1].group(1))
        words = _found(w, _MONTH.sub("", window))
        (dated if any(k == "base" for k, _, _ in words) and not any(k == "now" for k, _, _ in words) else rows).append(
            (month, value)
        )
    if free:
        base, parts = free[0], []
    elif dated:
        parts = [v for _, v in dated]
        base = sum(parts) / len(parts)
    elif any(m in _JAN_FEB for m, _ in rows) and any(m not in _JAN_FEB for m, _ in rows):
        parts = [v for m, v in rows if m in _JAN_FEB]
        rows = [(m, v) for m, v in rows if m not in _JAN_FEB]
        base = sum(parts) / len(parts)
    else:
        return None
    if not rows or base <= 0:
        return None
    return {"base": base, "base_parts": parts if len(parts) > 1 else [], "rows": rows}


def read_amounts(kb, text: str, entities: list, remembered: dict) -> tuple:
    """(the entities the rest of the reading takes, the facts worked out here). Revenue amounts, costs and
    equipment costs are taken out; a percentage the firm states for its case is kept and also noted."""
    w = words(kb)
    table = month_table(w, text, entities)
    if table:
        # the months are revenue, none of them an amount to borrow, and a percentage (「掉超過一成」) is the
        # threshold asked about, not the firm's change; the best month decides (the deck's bases are 擇一)
        changes = [(v - table["base"]) / table["base"] * 100 for _, v in table["rows"]]
        facts = {"month_table": table, "revenue_base": table["base"], "revenue_change": min(changes)}
        return [e for e in entities or [] if e.get("entity") not in ("amount", "percent")], facts
    left, facts = [], {}
    base, now, deltas, months, totals = [], [], [], None, None
    unknown, requests, alternatives = [], [], []
    base_periods = []  # beside base: the deck's base period each amount is of
    has_budget = "budget" in remembered or any(r["phrase"] in text for r in kb.lexicon("budget"))
    prev_end = 0
    facts.update(window_facts(w, text))
    if w.total_asked.search(text):  # 「政府總共出多少」: a total of the grants is asked
        facts["total_asked"] = True
    for fact in ("at_cap", "cap_used_asked", "principal_asked"):
        if w.asks[fact].search(text):
            facts[fact] = True
    if all(p.search(text) for p in w.year_interest):
        facts["year_interest_asked"] = True
    listed = _listed(text, entities or [])
    for e in sorted(entities or [], key=lambda x: x.get("start") or 0):
        start = e.get("start") or 0
        if any(i <= start < j for i, j, _ in listed.values()):  # a bare number of a list: read with its last amount
            continue
        if e.get("entity") == "percent":
            stated = _stated_share(w, text, e)
            if stated:
                facts["stated_" + stated[0]] = stated[1]
            left.append(e)
            continue
        if e.get("entity") != "amount":
            left.append(e)
            continue
        parts = [float(e["value"])]
        if id(e) in listed:
            list_start, _, parts = listed[id(e)]
            window = text[prev_end:list_start]
        else:
            window = text[prev_end:start]
        window = _SENTENCE.split(window)[-1]
        prev_end = e.get("end") or start
        value = float(e["value"])
        if has_budget and w.equipment_after.search(text[prev_end : prev_end + 8]):
            facts["equipment_cost"] = value
            continue
        role = _role(w, window)
        if role == "cost":
            facts["cost"] = value
        elif role == "equipment" and has_budget:
            facts["equipment_cost"] = value
        elif role in ("down", "up"):
            deltas.append(value if role == "up" else -value)
        elif role in ("base", "now", "revenue"):
            group = {"base": base, "now": now, "revenue": unknown}[role]
            group.extend(parts)
            if role == "base":
                base_periods.extend([_period_key(w, _CLAUSE.split(window)[-1])] * len(parts))
            if role == "base" and w.total.search(window):
                count = w.months.search(window)
                n = _count(count.group(1)) if count else None
                # no count: the period named implies it (113年下半年: 6 months, programs.yml periods)
                n = n or next((k for pattern, k in w.period_months if pattern.search(window)), None)
                if n:
                    months, totals = n, value
                    group[-1] = value / months
        else:
            clause = _CLAUSE.split(window)[-1]
            if role == "block" and requests and w.alternative.search(clause):
                alternatives.append(value)  # 「如果只借100萬呢」: worked out on its own, not summed; not the amount
                continue
            if role == "block" and not w.budget.search(clause):
                requests.append(value)
            left.append(e)
    if len(requests) > 1:  # 「借800萬週轉，再借2000萬買設備」: several loans, summed against the cap
        facts["amount_parts"] = requests
    if alternatives:
        facts["amount_alternatives"] = alternatives
    # an amount of no named period: the base when now (or a change) comes after it, now when the base came first
    if unknown and not base and (now or deltas):
        base, unknown = unknown[:1], unknown[1:]
    if unknown and base and not now and not deltas:
        now = unknown[:1]
    table = _base_table(base, base_periods, now, deltas)
    if table:
        facts.update(table)
        return left, facts
    working = _work(base, now, deltas, months, totals, remembered)
    if not working.get("revenue_working") and w.asks["change_asked"].search(text):
        # 「三個月合起來掉了幾%」 with no amount this turn: the change from the amounts stated in earlier turns
        working = _work([], [], [], None, None, remembered, again=True) or working
    facts.update(working)
    return left, facts


def _base_table(base: list, periods: list, now: list, deltas: list) -> dict:
    """「113年8月是920萬…114年1月、2月各是1000萬」: amounts of more than one of the deck's bases are not averaged
    together: the change against each, the most favourable deciding (the deck's bases are 擇一)."""
    by_period: dict = {}
    for value, key in zip(base, periods):
        by_period.setdefault(key, []).append(value)
    if len(by_period) < 2 or not now or deltas or len(periods) != len(base):
        return {}
    n = sum(now) / len(now)
    rows = [(key, sum(vs) / len(vs), vs if len(vs) > 1 else []) for key, vs in by_period.items()]
    if any(b <= 0 for _, b, _ in rows):
        return {}
    change = min((n - b) / b * 100 for _, b, _ in rows)
    return {"base_table": {"now": n, "rows": rows}, "revenue_now": n, "revenue_change": change}


def _listed(text: str, entities: list) -> dict:
    """{id(amount entity): (start of its list, its start, [values])} for 「700、650、720萬」: the bare numbers before
    an amount, in the amount's unit."""
    out = {}
    for e in entities:
        if e.get("entity") != "amount" or e.get("start") is None:
            continue
        m = _LISTED.search(text[: e["start"]])
        raw = _RAW.match(text[e["start"] : e.get("end") or e["start"]])
        if not m or not raw or not float(raw.group(0)):
            continue
        unit = float(e["value"]) / float(raw.group(0))
        values = [float(x) * unit for x in _RAW.findall(m.group(1))]
        out[id(e)] = (m.start(1), e["start"], [*values, float(e["value"])])
    return out


def _work(base: list, now: list, deltas: list, months, totals, remembered: dict, again: bool = False) -> dict:
    """The change worked out, with the amounts it came from; remembered amounts fill the side this turn lacks
    (both sides when the change is asked again)."""
    out = {}
    b = sum(base) / len(base) if base else None
    n = sum(now) / len(now) if now else None
    if again:
        b, n = remembered.get("revenue_base"), remembered.get("revenue_now")
    if b is not None:
        out["revenue_base"] = b
    if n is not None:
        out["revenue_now"] = n
    if b is None and (n is not None or deltas):
        b = remembered.get("revenue_base")
    if n is None and deltas and b is not None:
        n = b + sum(deltas)
        out["revenue_now"] = n
    elif n is None and b is not None and base:
        n = remembered.get("revenue_now")
    if b is not None and n is None and base and not deltas:
        out["revenue_base_only"] = b  # 「113年同期3,600萬，要低於多少才算」: the level the threshold means
    if b is None or n is None or b <= 0:
        return out
    out["revenue_change"] = (n - b) / b * 100
    out["revenue_working"] = {
        "base": b,
        "now": n,
        "base_parts": base if len(base) > 1 else [],
        "now_parts": now if len(now) > 1 else [],
        "months": months,
        "total": totals,
        "delta": sum(deltas) if deltas else None,
    }
    return out
