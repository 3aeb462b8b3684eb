"""Held-out NLU evaluation: trains if needed, runs `rasa test nlu` on tests/nlu/, prints intent macro-F1,
entity F1 (number entities from NumberExtractor and DIET's entities) and the ten worst confusions.
The last line is `intent macro-F1: 0.xx`."""
import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="config.yml")
    ap.add_argument("--out", default="results/nlu")
    args = ap.parse_args()
    model = subprocess.run(["scripts/train.sh", args.config], cwd=ROOT, check=True, capture_output=True,
                           text=True).stdout.strip().splitlines()[-1]
    out = ROOT / args.out
    subprocess.run([str(ROOT / ".venv/bin/rasa"), "test", "nlu", "--model", model, "--nlu", "tests/nlu",
                    "--out", str(out), "--no-plot"], cwd=ROOT, check=True, capture_output=True)
    intents = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    errors = json.loads((out / "intent_errors.json").read_text(encoding="utf-8")) \
        if (out / "intent_errors.json").exists() else []
    confusions = Counter((e["intent"], e["intent_prediction"]["name"]) for e in errors)
    print("ten worst confusions (gold -> predicted: count):")
    for (gold, pred), n in confusions.most_common(10):
        print(f"  {gold} -> {pred}: {n}")
    for name in sorted(p.name for p in out.glob("*_report.json") if p.name != "intent_report.json"):
        rep = json.loads((out / name).read_text(encoding="utf-8"))
        extractor = name.replace("_report.json", "")
        for label, row in sorted(rep.items()):
            if isinstance(row, dict) and "f1-score" in row and label not in ("accuracy",):
                print(f"entity F1 {extractor:18s} {label:14s} {row['f1-score']:.3f} (support {row.get('support')})")
    print(f"intent accuracy: {intents['accuracy']:.3f}")
    print(f"intent macro-F1: {intents['macro avg']['f1-score']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
