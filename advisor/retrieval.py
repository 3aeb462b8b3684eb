"""The second reader: when neither an alias nor a topic word names a measure, rank every measure of the knowledge
base by how much of its own words the message shares.

Each measure is one document: its names, aliases, summary, items and services, criteria, the package pillar it
belongs to, and the firm's words for it (lexicon.yml `described`). Messages and documents are compared as TF-IDF
vectors of single characters and character pairs, with Latin words whole (scikit-learn, installed with Rasa): no
word segmentation, and it survives typos and Simplified characters after normalisation. Single characters carry
meaning in Chinese: the calibrated balanced accuracy is 0.80 with them, 0.72 with pairs and triples only. Built
once per KB snapshot.

THRESHOLD decides between "this is about measure X" and "this is not about the package". It is calibrated by
`scripts/calibrate_retrieval.py` on tests/calibration/retrieval.yaml, a held-out set written without sight of
data/ or the tests; tests/test_retrieval.py checks the value still sits in the calibrated range.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from components.normalize import normalize_text

# scripts/calibrate_retrieval.py, 2026-12-01 (lexicon as of this commit): best balanced accuracy 0.79 at 0.213;
# 60.9% of the held-out descriptions answered with the right measure (88.2% have it at the top at any score),
# 97.2% of the out-of-scope questions refused.
THRESHOLD = 0.21
# Below THRESHOLD but at least this: close enough to offer the measure as a button, never to answer it.
NEAREST = 0.12
NEAREST_MAX = 3
CLEAR = 1.5
RANKED_KEPT = 64  # rankings kept per index (the texts of the last few turns)


# Latin letters and digits are read as whole words (ESCO, loan), never as letters: 「customs broker」 shares
# letters with every English alias but no word.
_LATIN = re.compile(r"[a-z0-9][a-z0-9&.+-]*")


def grams(text: str) -> list:
    """Single characters and character pairs of the Chinese text; whole words of the Latin text."""
    text = normalize_text(text or "").lower()
    words = _LATIN.findall(text)
    out = []
    for run in re.split(r"[a-z0-9&.+\-\s\W]+", text):
        out += list(run) + [run[i : i + 2] for i in range(len(run) - 1)]
    return out + words


@dataclass(frozen=True)
class Hit:
    measure_id: str
    score: float


class Index:
    def __init__(self, kb):
        self.ids, docs = [], []
        pillar_of = {m: p["name"] for p in kb.package_pillars() for m in p["measures"]}
        described = {}
        for row in kb.lexicon("described"):
            described.setdefault(row["key"], []).append(row["phrase"])
        aliases = {}
        for alias, mid in kb.aliases():
            aliases.setdefault(mid, []).append(alias)
        for m in kb.measures():
            mid = m["id"]
            parts = [m["name"], m["short_name"], m["summary"], pillar_of.get(mid, "")]
            parts += aliases.get(mid, []) + described.get(mid, [])
            parts += kb.items(mid, "items") + kb.items(mid, "services")
            parts += [c["text"] for c in kb.criteria(mid)]
            self.ids.append(mid)
            docs.append(" ".join(p for p in parts if p))
        self.vectorizer = TfidfVectorizer(analyzer=grams, sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform(docs)
        self._ranked: dict = {}  # text -> its ranking: a turn asks for the same text's ranking several times

    def rank(self, text: str) -> tuple:
        """Every measure with a score above zero, best first."""
        text = text or ""
        if text not in self._ranked:
            if len(self._ranked) >= RANKED_KEPT:
                self._ranked.pop(next(iter(self._ranked)))  # the oldest first out
            query = self.vectorizer.transform([text])
            scores = (self.matrix @ query.T).toarray().ravel()
            order = np.argsort(-scores)
            self._ranked[text] = tuple(Hit(self.ids[i], float(scores[i])) for i in order if scores[i] > 0)
        return self._ranked[text]

    def score(self, text: str, measure_id: str) -> float:
        """One measure's score for the text (0 when it shares nothing)."""
        return next((h.score for h in self.rank(text) if h.measure_id == measure_id), 0.0)


def index(kb) -> Index:
    return kb.derived("retrieval", Index)


def switched_off() -> bool:
    """`make eval`'s ablation (ADVISOR_SECOND_READER=off): what the answers are without the second reader."""
    return os.environ.get("ADVISOR_SECOND_READER") == "off"


def best(kb, text: str) -> Hit | None:
    """The measure the message is about, if its score reaches THRESHOLD."""
    if switched_off():
        return None
    hits = index(kb).rank(text)
    return hits[0] if hits and hits[0].score >= THRESHOLD else None


def nearest(kb, text: str, limit: int = NEAREST_MAX) -> list:
    """Measure ids close enough to offer as buttons when the bot cannot tell (never an answer by themselves)."""
    if switched_off():
        return []
    return [h.measure_id for h in index(kb).rank(text) if h.score >= NEAREST][:limit]


def clear_guess(kb, text: str) -> str | None:
    """The one measure clearly nearest (at least NEAREST, and CLEAR times the next one): worth its line and the
    next turn's focus in a clarify reply, never an answer by itself."""
    if switched_off():
        return None
    hits = index(kb).rank(text)
    if not hits or hits[0].score < NEAREST:
        return None
    return hits[0].measure_id if len(hits) == 1 or hits[0].score >= CLEAR * hits[1].score else None
