"""Calibrates the second reader's threshold (advisor/retrieval.py THRESHOLD) on the NLU training examples.

The second reader only speaks when the lexicon names no measure, topic or hotline, so the calibration set is the
examples of data/nlu/ the lexicon reads nothing in: out_of_scope examples are the negatives, the examples of the
ask_* and inform intents the positives (small talk is answered before the second reader is asked). The threshold
that separates them best (balanced accuracy; ties go to the higher, safer value) is printed with its rates.

    .venv/bin/python scripts/calibrate_retrieval.py [--json]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from advisor.facts import read  # noqa: E402
from advisor.retrieval import index  # noqa: E402
from knowledge.kb import KB  # noqa: E402

SMALL_TALK = {"greet", "goodbye", "thanks", "affirm", "deny", "chitchat"}
_ANNOTATION = re.compile(r"\[([^\]]+)\](?:\([^)]*\)|\{[^}]*\})")


def examples(nlu_dir: Path = ROOT / "data" / "nlu"):
    """(intent, text) for every example, entity annotations removed."""
    for path in sorted(nlu_dir.glob("*.yml")):
        for block in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" not in block:
                continue
            for line in block.get("examples", "").splitlines():
                line = line.strip()
                if line.startswith("- "):
                    yield block["intent"], _ANNOTATION.sub(r"\1", line[2:].strip())


def calibration_set(kb) -> list:
    """(score of the best measure, is it in scope) for the examples the lexicon reads nothing in."""
    idx, rows = index(kb), []
    for intent, text in examples():
        if intent in SMALL_TALK:
            continue
        r = read(kb, text)
        if r.measures or r.topics or r.hotlines:
            continue
        hits = idx.rank(text)
        rows.append((hits[0].score if hits else 0.0, intent != "out_of_scope"))
    return rows


def calibrate(rows: list) -> dict:
    pos = sorted(s for s, ok in rows if ok)
    neg = sorted(s for s, ok in rows if not ok)
    best = None
    for t in sorted({round(s, 3) for s, _ in rows} | {0.0}):
        tpr = sum(s >= t for s in pos) / max(len(pos), 1)
        tnr = sum(s < t for s in neg) / max(len(neg), 1)
        bal = (tpr + tnr) / 2
        if best is None or bal > best["balanced_accuracy"] + 1e-9 or abs(bal - best["balanced_accuracy"]) < 1e-9:
            best = {"threshold": t, "balanced_accuracy": bal, "in_scope_kept": tpr, "out_of_scope_refused": tnr}
    best.update(positives=len(pos), negatives=len(neg))
    # the range of thresholds as good as the best: any value inside it is calibrated
    good = [
        t
        for t in sorted({round(s, 3) for s, _ in rows})
        if abs(
            (sum(s >= t for s in pos) / max(len(pos), 1) + sum(s < t for s in neg) / max(len(neg), 1)) / 2
            - best["balanced_accuracy"]
        )
        < 0.02
    ]
    best["range"] = [min(good), max(good)] if good else [best["threshold"], best["threshold"]]
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    result = calibrate(calibration_set(KB()))
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        print(
            f"threshold {result['threshold']:.3f} (as good: {result['range'][0]:.3f}–{result['range'][1]:.3f}): "
            f"in scope kept {result['in_scope_kept']:.1%} of {result['positives']}, "
            f"out of scope refused {result['out_of_scope_refused']:.1%} of {result['negatives']}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
