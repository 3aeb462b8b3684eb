"""The unseen sets in tests/unseen/ were written by helpers who never saw data/ or the tests. They stay unseen:
no sentence of theirs may appear in the training data, and every case must be gradable and cite the deck."""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
UNSEEN = sorted((ROOT / "tests" / "unseen").glob("*.yaml"))
# Follow-ups of six characters or fewer (「可以借多少」, 「保證成數多少」) are the language's stock phrases: they
# coincide with training examples by nature, not by pasting. Anything longer is a sentence of its own.
STOCK_PHRASE = 7
CHECKS = ("hotlines_any", "hotlines_only", "facts_all", "facts_none", "max_hotlines")


def canonical(text: str) -> str:
    """What makes two sentences the same for this test: width, case, spaces and punctuation ignored."""
    text = unicodedata.normalize("NFKC", text).lower()
    return re.sub(r"[\s\W_]+", "", text)


def training_sentences() -> set[str]:
    sentences = set()
    for path in (ROOT / "data").rglob("*.yml"):
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line.startswith("- "):
                # an example, with entity annotations [text](entity) reduced to their text
                sentences.add(canonical(re.sub(r"\[([^\]]*)\]\([^)]*\)|\[([^\]]*)\]\{[^}]*\}", r"\1\2", line[2:])))
            elif line.startswith("user:") or line.startswith("text:"):
                sentences.add(canonical(line.split(":", 1)[1]))
    sentences.discard("")
    return sentences


@functools.cache
def cases(path: Path) -> list[dict]:
    """A set's cases, read once (these tests and tests/test_second_reader.py read every set; PyYAML's pure-Python
    loader took seconds per read). Read-only for the callers."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))["cases"]


def test_there_are_unseen_sets():
    assert len(UNSEEN) >= 8
    assert sum(len(cases(p)) for p in UNSEEN) >= 300


@pytest.mark.parametrize("path", UNSEEN, ids=lambda p: p.stem)
def test_every_case_is_gradable(path):
    ids = set()
    for case in cases(path):
        assert case["id"] not in ids, f"{path.name}: {case['id']} twice"
        ids.add(case["id"])
        assert case.get("category"), f"{path.name}: {case['id']} has no category"
        assert case["turns"] and all(isinstance(t, str) and t.strip() for t in case["turns"]), case["id"]
        assert any(k in case for k in CHECKS), f"{path.name}: {case['id']} checks nothing"


def test_no_unseen_sentence_is_in_the_training_data():
    seen = training_sentences()
    leaked = [
        (p.name, c["id"], turn)
        for p in UNSEEN
        for c in cases(p)
        for turn in c["turns"]
        if len(canonical(turn)) >= STOCK_PHRASE and canonical(turn) in seen
    ]
    assert not leaked, f"unseen sentences pasted into data/: {leaked[:10]}"


def test_the_leak_check_can_fail(tmp_path, monkeypatch):
    sentence = next(t for t in cases(UNSEEN[0])[0]["turns"] if len(canonical(t)) >= STOCK_PHRASE)
    assert canonical(sentence) not in training_sentences()
    assert canonical(f"  {sentence}！") == canonical(sentence)
    fake = tmp_path / "data" / "nlu"
    fake.mkdir(parents=True)
    (fake / "leak.yml").write_text(f"nlu:\n- intent: x\n  examples: |\n    - {sentence}\n", encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    assert canonical(sentence) in training_sentences()
