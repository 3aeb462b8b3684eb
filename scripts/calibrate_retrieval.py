"""Calibrates the second reader's threshold (advisor/retrieval.py THRESHOLD) on a held-out set.

tests/calibration/retrieval.yaml was written by a helper who never saw data/ or the tests: firms describing a need
in their own words without naming the measure (in_scope, each labelled with the deck's name of the measure), and
business-sounding questions the deck does not cover (out_of_scope). For each threshold t the second reader answers
a message when its best score is at least t: an in-scope message counts as right when that answer is its measure
(or the same subsidy under another name), an out-of-scope message when nothing is answered. The threshold with the
best balanced accuracy is printed (ties go to the higher, safer value), with the range as good as it within 2 points.

    .venv/bin/python scripts/calibrate_retrieval.py [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.retrieval import index  # noqa: E402
from knowledge.kb import KB  # noqa: E402

SET = ROOT / "tests" / "calibration" / "retrieval.yaml"


def measure_for(kb, label: str) -> str | None:
    """The measure id a label of the set names (the deck's title, without its 措施 number or agency)."""
    for m in kb.measures():
        if label in (m["short_name"], m["name"]) or m["short_name"] in label or label in m["name"]:
            return m["id"]
    return None


def same(kb, a: str, b: str) -> bool:
    """The same measure, or one linked to it in the same family (階段三 is 研發轉型補助)."""
    if a == b:
        return True
    fam = kb.measure(a)["family"] == kb.measure(b)["family"]
    return fam and (b in [to for to, _ in kb.links(a)] or a in [to for to, _ in kb.links(b)])


def scored(kb, path: Path = SET) -> list:
    """(best score, right measure at the top, in scope) per message."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    idx, rows = index(kb), []
    for case in data["in_scope"]:
        want = measure_for(kb, case["measure"])
        if want is None:
            raise SystemExit(f"{path}: no measure matches the label {case['measure']!r}")
        hits = idx.rank(case["text"])
        rows.append((hits[0].score if hits else 0.0, bool(hits) and same(kb, hits[0].measure_id, want), True))
    for case in data["out_of_scope"]:
        hits = idx.rank(case["text"] if isinstance(case, dict) else case)
        rows.append((hits[0].score if hits else 0.0, False, False))
    return rows


def rates(rows: list, t: float) -> tuple:
    pos = [r for r in rows if r[2]]
    neg = [r for r in rows if not r[2]]
    tpr = sum(s >= t and right for s, right, _ in pos) / max(len(pos), 1)
    tnr = sum(s < t for s, _, _ in neg) / max(len(neg), 1)
    return tpr, tnr


def calibrate(rows: list) -> dict:
    candidates = sorted({round(s, 3) for s, _, _ in rows})
    table = [(t, *rates(rows, t)) for t in candidates]
    best = max(table, key=lambda r: ((r[1] + r[2]) / 2, r[0]))
    good = [t for t, tpr, tnr in table if (tpr + tnr) / 2 >= (best[1] + best[2]) / 2 - 0.02]
    return {
        "threshold": best[0],
        "balanced_accuracy": (best[1] + best[2]) / 2,
        "in_scope_answered_right": best[1],
        "out_of_scope_refused": best[2],
        "range": [min(good), max(good)],
        "in_scope": sum(1 for r in rows if r[2]),
        "out_of_scope": sum(1 for r in rows if not r[2]),
        "top1_right": sum(1 for r in rows if r[2] and r[1]) / max(sum(1 for r in rows if r[2]), 1),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    r = calibrate(scored(KB()))
    if args.json:
        print(json.dumps(r, ensure_ascii=False))
    else:
        print(
            f"threshold {r['threshold']:.3f} (as good within 2 points: {r['range'][0]:.3f}–{r['range'][1]:.3f}): "
            f"in scope answered with the right measure {r['in_scope_answered_right']:.1%} of {r['in_scope']} "
            f"(right at the top, any score: {r['top1_right']:.1%}), "
            f"out of scope refused {r['out_of_scope_refused']:.1%} of {r['out_of_scope']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
