"""`make review-export`: the staff helper's review marks (staff/corrections.py, in STAFF_DB) become
- conversation tests in tests/reviewed.yaml (run by tests/test_reviewed.py in `make test`): the conversation up to
  the marked turn, masked, with the answer kind, measure, hotline and facts expected of its last reply; and
- NLU training examples in data/nlu/reviewed.yml (picked up by `make train`, which trains on data/): the
  corrected turn's masked text under the intent the reviewer chose.
Both files are merged: a case or example already there stays unless a mark replaces it, so the files the team
commits keep what earlier exports wrote. Examples that would clash are left out and reported: a sentence already
in data/ (under another intent: a conflict for the team to settle; under the same: nothing to add) or one of the
held-out unseen sentences of tests/unseen/ (it must stay unseen for `make eval`).

    python scripts/review_export.py [--staff-db URL_OR_PATH] [--tests tests/reviewed.yaml] [--nlu data/nlu/reviewed.yml]
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import re
import sys
import unicodedata
from datetime import datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
TESTS = ROOT / "tests" / "reviewed.yaml"
NLU = ROOT / "data" / "nlu" / "reviewed.yml"
UNSEEN = ROOT / "tests" / "unseen"
STOCK_PHRASE = 7  # as tests/test_unseen_sets.py: shorter sentences are stock phrases, not leaks

TESTS_HEADER = """\
# Conversation tests from the staff helper's review (issue 18), written by `make review-export`: correct a turn in
# the helper and export again rather than editing by hand; the one key to add by hand is `pending: <why>` on a case
# that cannot be fixed yet (it must then fail: strict xfail). Personal data is masked (〔電話〕, 〔統編〕, 〔email〕).
# Each case: the firm's messages up to the reviewed turn; its last reply must have the answer `kind`, one of
# `measures_any` (measure ids), one of `hotlines_any` (numbers, in the text) and the `facts` in the state.
# `was` is what the bot answered when the turn was reviewed. Run by tests/test_reviewed.py (make test).
"""
NLU_HEADER = """\
# NLU examples from the staff helper's review (issue 18), written by `make review-export` (masked; one per
# corrected turn with an intent). `make train` trains on them; `make improve` shows what they change.
"""


def canonical(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", unicodedata.normalize("NFKC", text).lower())


def case_id(sender: str, index: int) -> str:
    """Stable per turn, without the sender id (a LINE user id is personal)."""
    return f"r-{hashlib.sha256(sender.encode('utf-8')).hexdigest()[:10]}-{index}"


def hotline_number(kb, hotline_id: str) -> str | None:
    try:
        return kb.hotline(hotline_id)["number"]
    except (KeyError, TypeError):
        return None


@functools.lru_cache(maxsize=1)
def tokenizer():
    """jieba with the knowledge base's dictionary, as config.yml's JiebaTokenizer reads the training data."""
    import jieba

    t = jieba.Tokenizer()
    for path in sorted((ROOT / "knowledge" / "dict").glob("*.txt")):
        t.load_userdict(str(path))
    return t


def annotate(text: str, words: str, measure: str) -> str | None:
    """The example with `words` marked as the measure entity, or None when they are not whole tokens (Rasa would
    warn that the entity splits a token, which fails the training: scripts/data_warnings.py)."""
    start = text.find(words)
    if start < 0 or not words:
        return None
    end = start + len(words)
    bounds = {b for _, s, e in tokenizer().tokenize(text) for b in (s, e)}
    if start not in bounds or end not in bounds:
        return None
    entity = json.dumps({"entity": "measure", "value": measure}, ensure_ascii=False)
    return f"{text[:start]}[{words}]{entity}{text[end:]}"


def case_of(mark, kb) -> dict:
    case = {"id": case_id(mark.sender_id, mark.turn_index), "category": mark.verdict, "turns": list(mark.turns)}
    if mark.verdict == "corrected":
        case["kind"] = mark.kind
        if mark.measure:
            case["measures_any"] = [mark.measure]
        number = hotline_number(kb, mark.hotline) if mark.hotline else None
        if number:
            case["hotlines_any"] = [number]
        if mark.facts:
            case["facts"] = dict(mark.facts)
        if mark.intent:
            case["intent"] = mark.intent
    else:  # marked correct: what it answered then is what it must keep answering
        case["kind"] = mark.was.get("kind") or ""
        if mark.was.get("measures"):
            case["measures_any"] = list(mark.was["measures"])
        numbers = [n for n in (hotline_number(kb, h) for h in mark.was.get("hotlines") or []) if n]
        if numbers:
            case["hotlines_any"] = numbers
    case["was"] = {k: mark.was.get(k) for k in ("kind", "intent", "measures", "hotlines") if k in mark.was}
    case["reviewed"] = f"{datetime.fromtimestamp(mark.at).strftime('%Y-%m-%d')} {mark.actor}"
    return case


def training_sentences(skip: Path) -> dict:
    """canonical sentence -> intent, for every example in data/nlu except the review file itself."""
    seen = {}
    for path in sorted((ROOT / "data" / "nlu").glob("*.yml")):
        if path.resolve() == skip.resolve():
            continue
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    text = re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}", r"\1\2", line[2:])
                    seen.setdefault(canonical(text), block["intent"])
    return seen


def unseen_sentences() -> set:
    out = set()
    for path in UNSEEN.glob("*.yaml"):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")).get("cases") or []:
            out.update(canonical(t) for t in case.get("turns") or [] if len(canonical(t)) >= STOCK_PHRASE)
    return out


def read_existing_cases(path: Path) -> list:
    if not path.exists():
        return []
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("cases") or []


def read_existing_examples(path: Path) -> dict:
    """intent -> [example text] of the review file."""
    if not path.exists():
        return {}
    out = {}
    for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
        lines = [ln.strip()[2:] for ln in str(block.get("examples") or "").splitlines() if ln.strip().startswith("- ")]
        out.setdefault(block["intent"], []).extend(lines)
    return out


def write_nlu(path: Path, examples: dict) -> None:
    lines = [NLU_HEADER.rstrip("\n"), 'version: "3.1"', "nlu:"]
    for intent in sorted(examples):
        if not examples[intent]:
            continue
        lines += [f"- intent: {intent}", "  examples: |"]
        lines += [f"    - {text}" for text in examples[intent]]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_cases(path: Path, cases: list) -> None:
    body = yaml.safe_dump({"cases": cases}, allow_unicode=True, sort_keys=False, width=1000)
    path.write_text(TESTS_HEADER + body, encoding="utf-8")


def export(marks: list, kb, tests: Path = TESTS, nlu: Path = NLU) -> dict:
    """Writes both files; returns what was done, for the summary."""
    cases = {c["id"]: c for c in read_existing_cases(tests)}
    new_cases = [case_of(m, kb) for m in marks]
    for c in new_cases:
        if cases.get(c["id"], {}).get("pending"):  # the team's note stays until they remove it
            c["pending"] = cases[c["id"]]["pending"]
        cases[c["id"]] = c
    examples = read_existing_examples(nlu)
    in_data, unseen = training_sentences(nlu), unseen_sentences()
    added, skipped, notes = [], [], []
    for m in marks:
        if m.verdict != "corrected" or not m.intent or not m.turns:
            continue
        text = " ".join(m.turns[-1].split())
        key = canonical(text)
        if not key or text.startswith("/"):
            continue
        if set(text) & set("[]{}()"):  # Rasa reads [text](entity) as an annotation: not as the firm typed it
            skipped.append((text, "brackets"))
            continue
        for intent in list(examples):  # a turn corrected again moves to its new intent
            examples[intent] = [t for t in examples[intent] if canonical(t) != key or intent == m.intent]
        if len(key) >= STOCK_PHRASE and key in unseen:
            skipped.append((text, "unseen"))
        elif key in in_data:
            skipped.append((text, f"in data/ as {in_data[key]}"))
        elif key not in {canonical(t) for t in examples.get(m.intent, [])}:
            example = annotate(text, m.words, m.measure) if m.words and m.measure else None
            if m.words and example is None:
                notes.append(f"{text}: '{m.words}' not annotated (not whole jieba tokens of the message)")
            examples.setdefault(m.intent, []).append(example or text)
            added.append((m.intent, example or text))
    tests.parent.mkdir(parents=True, exist_ok=True)
    write_cases(tests, list(cases.values()))
    write_nlu(nlu, examples)
    return {"cases": len(cases), "exported": len(new_cases), "added": added, "skipped": skipped, "notes": notes}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--staff-db", default=os.environ.get("STAFF_DB"), help="the staff database (default var/staff.db)")
    ap.add_argument("--tests", type=Path, default=TESTS)
    ap.add_argument("--nlu", type=Path, default=NLU)
    args = ap.parse_args(argv)
    from knowledge.kb import default_kb
    from staff import db
    from staff.corrections import MarkStore

    marks = MarkStore(db.open_store(args.staff_db)).all()
    if not marks:
        print("review-export: no marked turns yet (mark them in the staff helper: /review/queue)")
        return 0
    done = export(marks, default_kb(), args.tests, args.nlu)
    print(f"review-export: {done['exported']} marked turns -> {args.tests} ({done['cases']} cases in all)")
    print(f"review-export: {len(done['added'])} new NLU examples -> {args.nlu}")
    for intent, text in done["added"]:
        print(f"  + {intent}: {text}")
    for text, why in done["skipped"]:
        print(f"  - left out ({why}): {text}")
    for note in done["notes"]:
        print(f"  ! {note}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
