"""Held-out NLU evaluation: trains if needed, runs `rasa test nlu` on tests/nlu/, prints intent macro-F1,
entity F1 (number entities from NumberExtractor and DIET's entities) and the ten worst confusions.
With a config other than the baseline (config.yml), e.g. the spaCy variant config-spacy.yml, the baseline is
evaluated too and the two are printed side by side. A config whose SpacyNLP model is not installed stops before
training with scripts/check_spacy_model.py's message and exit code 2 (no report was made).
The last line is `intent macro-F1: 0.xx` (of --config)."""
import argparse
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL_MISSING = 2


def spacy_model_problem(config: str):
    """None when the config needs no spaCy model or its model loads; else what to tell the user."""
    import yaml
    pipeline = yaml.safe_load((ROOT / config).read_text(encoding="utf-8")).get("pipeline") or []
    models = [c.get("model") for c in pipeline if c.get("name") == "SpacyNLP"]
    if not models:
        return None
    from check_spacy_model import check  # scripts/ is on sys.path: this file runs as scripts/nlu_report.py
    code, message = check(str(models[0]))
    return message if code else None


def evaluate(config: str, out: Path) -> dict:
    """Trains (cached) and tests `config` on tests/nlu/; prints its confusions and entity F1; returns the scores."""
    model = subprocess.run(["scripts/train.sh", config], cwd=ROOT, check=True, capture_output=True,
                           text=True).stdout.strip().splitlines()[-1]
    subprocess.run([str(ROOT / ".venv/bin/rasa"), "test", "nlu", "--model", model, "--nlu", "tests/nlu",
                    "--out", str(out), "--no-plot"], cwd=ROOT, check=True, capture_output=True)
    intents = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    errors = json.loads((out / "intent_errors.json").read_text(encoding="utf-8")) \
        if (out / "intent_errors.json").exists() else []
    confusions = Counter((e["intent"], e["intent_prediction"]["name"]) for e in errors)
    print(f"[{config}] ten worst confusions (gold -> predicted: count):")
    for (gold, pred), n in confusions.most_common(10):
        print(f"  {gold} -> {pred}: {n}")
    scores = {"intent accuracy": intents["accuracy"], "intent macro-F1": intents["macro avg"]["f1-score"]}
    for name in sorted(p.name for p in out.glob("*_report.json") if p.name != "intent_report.json"):
        rep = json.loads((out / name).read_text(encoding="utf-8"))
        extractor = name.replace("_report.json", "")
        for label, row in sorted(rep.items()):
            if isinstance(row, dict) and "f1-score" in row and label not in ("accuracy",):
                print(f"entity F1 {extractor:18s} {label:14s} {row['f1-score']:.3f} (support {row.get('support')})")
                scores[f"entity F1 {extractor} {label}"] = row["f1-score"]
    return scores


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", default="config.yml")
    ap.add_argument("--baseline", default="config.yml", help="compared with --config when they differ")
    ap.add_argument("--out", default="results/nlu")
    args = ap.parse_args()
    problem = spacy_model_problem(args.config)
    if problem:
        print(f"no NLU report for {args.config}: its spaCy model is not usable.\n{problem}", file=sys.stderr)
        return MODEL_MISSING
    scores = evaluate(args.config, ROOT / args.out)
    if args.baseline != args.config:
        base = evaluate(args.baseline, ROOT / f"{args.out}-{Path(args.baseline).stem}")
        print(f"{'':40s} {args.baseline:>16s} {args.config:>16s}   delta")
        for key in sorted(set(base) | set(scores), key=lambda k: (not k.startswith("intent"), k)):
            b, s = base.get(key), scores.get(key)
            delta = f"{s - b:+.3f}" if b is not None and s is not None else ""
            print(f"{key:40s} {'-' if b is None else f'{b:.3f}':>16s} {'-' if s is None else f'{s:.3f}':>16s}   {delta}")
    print(f"intent accuracy: {scores['intent accuracy']:.3f}")
    print(f"intent macro-F1: {scores['intent macro-F1']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
