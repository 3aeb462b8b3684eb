"""The second reader: when neither an alias nor a topic word names a measure, rank every measure of the knowledge
base by how much of its own words the message shares.

Each measure is one document: its names, aliases, summary, items and services, criteria, the package pillar it
belongs to, and the firm's words for it (lexicon.yml `described`). Messages and documents are compared as TF-IDF
vectors of character 2- and 3-grams (scikit-learn, installed with Rasa), which needs no word segmentation and
survives typos and Simplified characters after normalisation. The index is built once per knowledge-base snapshot.

THRESHOLD decides between "this is about measure X" and "this is not about the package": it is calibrated by
`scripts/calibrate_retrieval.py` on the NLU examples the lexicon reads nothing in (tests/test_retrieval.py checks
the value still sits in the calibrated range).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from components.normalize import normalize_text

# Calibrated on 2026-12-01 (scripts/calibrate_retrieval.py): see README, "The second reader".
THRESHOLD = 0.2
# Below THRESHOLD but at least this: close enough to offer the measure as a button, never to answer it.
NEAREST = 0.08
NEAREST_MAX = 3


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
            docs.append(normalize_text(" ".join(p for p in parts if p)).lower())
        self.vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True)
        self.matrix = self.vectorizer.fit_transform(docs)

    def rank(self, text: str) -> list:
        """Every measure with a score above zero, best first."""
        query = self.vectorizer.transform([normalize_text(text or "").lower()])
        scores = (self.matrix @ query.T).toarray().ravel()
        order = np.argsort(-scores)
        return [Hit(self.ids[i], float(scores[i])) for i in order if scores[i] > 0]


def index(kb) -> Index:
    return kb.derived("retrieval", Index)


def best(kb, text: str) -> Hit | None:
    """The measure the message is about, if its score reaches THRESHOLD."""
    hits = index(kb).rank(text)
    return hits[0] if hits and hits[0].score >= THRESHOLD else None


def nearest(kb, text: str, limit: int = NEAREST_MAX) -> list:
    """Measure ids close enough to offer as buttons when the bot cannot tell (never an answer by themselves)."""
    return [h.measure_id for h in index(kb).rank(text) if h.score >= NEAREST][:limit]
