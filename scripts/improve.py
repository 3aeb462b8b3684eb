"""`make improve`: does the review's training file (data/nlu/reviewed.yml, from `make review-export`) help?

Before: the model of data/ without the review file. After: the model of data/ with it. Each is trained only if
models/ does not hold it yet (named as scripts/train.sh names them, models/config-<hash>.tar.gz, so a later
`make train` finds the one it needs), and neither is linked as models/current-config.tar.gz: the served model
changes only when the team keeps (commits) the review file and runs `make train`, or leaves it out.
Prints, before and after: held-out intent macro-F1 and entity F1 on tests/nlu/ (as `make nlu-report`), and the
public and unseen sets' pass rates and dead ends (as `make eval`, scripts/eval.py).

    python scripts/improve.py [--skip-eval]
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
REVIEW = ROOT / "data" / "nlu" / "reviewed.yml"
CONFIG = "config.yml"


def model_hash(without: Path | None) -> str:
    """scripts/model_hash.py's hash, of the tree as it would be without `without`."""
    from scripts.model_hash import inputs, spacy_model_id

    h = hashlib.sha256()
    for f in inputs(CONFIG):
        if without is not None and f.resolve() == without.resolve():
            continue
        h.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes() + b"\0")
    h.update(spacy_model_id(CONFIG).encode())
    return h.hexdigest()[:16]


def train(data: Path, name: str) -> Path:
    """scripts/train.sh's training, on `data`, without touching models/current-config.tar.gz."""
    model = ROOT / "models" / f"{name}.tar.gz"
    if model.exists():
        print(f"improve: {model.relative_to(ROOT)} is there already (no training)", flush=True)
        return model
    log = ROOT / "models" / f"{name}.train.log"
    print(f"improve: training {model.relative_to(ROOT)} (4-11 minutes here)…", flush=True)
    start = time.time()
    with log.open("w", encoding="utf-8") as out:
        subprocess.run(
            [
                str(ROOT / ".venv/bin/rasa"),
                "train",
                "--config",
                CONFIG,
                "--domain",
                "domain.yml",
                "--data",
                str(data),
                "--out",
                "models",
                "--fixed-model-name",
                name,
                "--force",
                "--quiet",
            ],
            cwd=ROOT,
            check=True,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    warned = subprocess.run([str(ROOT / ".venv/bin/python"), "scripts/data_warnings.py", str(log)], cwd=ROOT)
    if warned.returncode:
        model.unlink(missing_ok=True)
        raise SystemExit(f"improve: Rasa warned about the training data (log in {log}); fix data/ first")
    print(f"improve: trained in {time.time() - start:.0f} s", flush=True)
    return model


def data_without_review(tmp: Path) -> Path:
    data = tmp / "data"
    shutil.copytree(ROOT / "data", data, ignore=lambda d, names: [n for n in names if Path(d, n) == REVIEW])
    return data


def nlu_scores(model: Path, label: str) -> dict:
    from nlu_report import score

    out = ROOT / "results" / f"improve-nlu-{label}"
    shutil.rmtree(out, ignore_errors=True)
    return score(str(model.relative_to(ROOT)), out, label)


def eval_rows(model: Path) -> list:
    import eval as evaluation

    paths = [evaluation.PUBLIC, *sorted(evaluation.UNSEEN.glob("*.yaml"))]
    return evaluation.own_bot(evaluation.case_sets([p for p in paths if p.exists()]), model=model)["rows"]


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--skip-eval", action="store_true", help="only the NLU scores (the eval takes longest)")
    args = ap.parse_args(argv)
    if not REVIEW.exists():
        print(f"improve: no {REVIEW.relative_to(ROOT)} yet: mark turns in the staff helper, then make review-export")
        return 2
    before_hash, after_hash = model_hash(REVIEW), model_hash(None)
    with tempfile.TemporaryDirectory(prefix="improve-") as tmp:
        before = ROOT / "models" / f"config-{before_hash}.tar.gz"
        if not before.exists():
            before = train(data_without_review(Path(tmp)), f"config-{before_hash}")
        after = train(ROOT / "data", f"config-{after_hash}")
    scores = {"before": nlu_scores(before, "before"), "after": nlu_scores(after, "after")}
    print()
    print(f"improve: before = {before.relative_to(ROOT)} (data/ without the review file)")
    print(f"improve: after  = {after.relative_to(ROOT)} (data/ with {REVIEW.relative_to(ROOT)})")
    print(report(scores, {}), flush=True)  # the NLU figures first: the eval takes longest
    if not args.skip_eval:
        rows = {"before": eval_rows(before), "after": eval_rows(after)}
        print(report(scores, rows).split("\n\n", 1)[1])
    return 0


def report(scores: dict, rows: dict) -> str:
    b, a = scores["before"], scores["after"]
    keys = ["intent macro-F1", "intent accuracy", "number-entity F1"]
    keys += sorted(k for k in set(a) | set(b) if k.startswith("entity F1"))
    lines = [f"{'held-out NLU (tests/nlu/)':44s} {'before':>8s} {'after':>8s}   delta"]
    for key in keys:
        x, y = b.get(key), a.get(key)
        delta = f"{y - x:+.3f}" if x is not None and y is not None else ""
        lines.append(
            f"{key:44s} {'-' if x is None else f'{x:.3f}':>8s} {'-' if y is None else f'{y:.3f}':>8s}   {delta}"
        )
    if rows:
        import eval as evaluation

        lines.append("")
        lines.append("public and unseen sets (as make eval): pass and dead ends (d)")
        lines.append(evaluation.side_by_side(rows))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
