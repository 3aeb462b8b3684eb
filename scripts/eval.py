"""Grades the bot on the public acceptance cases and every unseen set in tests/unseen/, per category:
pass rate and dead ends (a reply to the last turn that carries no known hotline at all).

Starts a bot of its own (models/current-config.tar.gz, fresh tracker store) unless --url is given. The grading
itself is ../shared/acceptance/grade.py's, imported, so a case passes here exactly when it passes there.
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import json
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
GRADER = ROOT.parent / "shared" / "acceptance" / "grade.py"
PUBLIC = ROOT.parent / "shared" / "acceptance" / "cases.yaml"
UNSEEN = ROOT / "tests" / "unseen"
# Cases whose last turn is small talk: a reply without a hotline is no dead end there.
SMALL_TALK = {"chitchat", "greeting"}


@functools.cache
def load_grader():
    """The shared grader, imported once: case loading and grading both use it."""
    spec = importlib.util.spec_from_file_location("grade", GRADER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def case_sets(paths: list[Path]) -> dict[str, list[dict]]:
    grade = load_grader()
    return {path.stem if path != PUBLIC else "public": grade.load_cases(str(path)) for path in paths}


def category(set_name: str, case: dict) -> str:
    if set_name == "public":
        return "public"
    return f"{set_name}/{case.get('category') or 'other'}"


def evaluate(url: str, sets: dict[str, list[dict]], timeout: float = 30) -> dict:
    grade = load_grader()
    # the grader keeps the first 600 characters of a reply; a dead end is judged on all of it (a long answer's
    # hotlines come last)
    whole = {}
    reply_text = grade.reply_text
    grade.reply_text = lambda replies: whole.setdefault("text", reply_text(replies))
    rows = []
    for set_name, cases in sets.items():
        for case in cases:
            whole.clear()
            try:
                result = grade.grade_case(case, url, timeout)
            except Exception as e:  # a crash or a time-out is a failed case, not a failed run
                result = {"id": case["id"], "ok": False, "problems": [f"error: {e!r}"], "reply": ""}
            dead_end = (
                not grade.hotlines_in(whole.get("text") or result.get("reply") or "")
                and case.get("category") not in SMALL_TALK
                and not case["id"].startswith("p-chitchat")
            )
            rows.append(
                {
                    "set": set_name,
                    "category": category(set_name, case),
                    "id": case["id"],
                    "turns": case["turns"],
                    "ok": result["ok"],
                    "dead_end": dead_end,
                    "problems": result["problems"],
                    "reply": result.get("reply", ""),
                }
            )
    return {"rows": rows}


def summarise(rows: list[dict]) -> list[tuple[str, int, int, int]]:
    by = defaultdict(lambda: [0, 0, 0])
    for row in rows:
        for key in (row["category"], row["set"] + " (all)"):
            by[key][0] += row["ok"]
            by[key][1] += 1
            by[key][2] += row["dead_end"]
    return [(key, *by[key]) for key in sorted(by)]


def report(rows: list[dict], verbose: bool = False) -> str:
    lines = [f"{'category':<34} {'pass':>9} {'rate':>7} {'dead ends':>10}"]
    for key, ok, total, dead in summarise(rows):
        lines.append(f"{key:<34} {ok:>4}/{total:<4} {100 * ok / total:>6.1f}% {dead:>10}")
    ok = sum(r["ok"] for r in rows)
    dead = sum(r["dead_end"] for r in rows)
    if verbose:
        lines += [f"FAIL {r['id']} {' | '.join(r['turns'])} :: {'; '.join(r['problems'])}" for r in rows if not r["ok"]]
    lines.append(f"eval: {ok}/{len(rows)} = {100 * ok / len(rows):.1f}%  dead ends {dead}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sets", nargs="*", type=Path, help="case files (default: public + tests/unseen/*.yaml)")
    parser.add_argument("--url", help="a running bot (default: start one with a fresh tracker store)")
    parser.add_argument("--json", type=Path, help="write every row (id, ok, problems, reply) here")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the failed cases")
    parser.add_argument(
        "--compare",
        action="store_true",
        help="also grade without the second reader (ADVISOR_SECOND_READER=off) and with Rasa's stock config "
        "(bench/baseline.py, trained on our data), and print the three side by side",
    )
    args = parser.parse_args(argv)
    paths = args.sets or [PUBLIC, *sorted(UNSEEN.glob("*.yaml"))]
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise SystemExit(f"no such case file: {', '.join(map(str, missing))}")
    sets = case_sets(paths)
    result = evaluate(args.url, sets) if args.url else own_bot(sets)
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(report(result["rows"], args.verbose))
    if args.compare:
        without = own_bot(sets, {"ADVISOR_SECOND_READER": "off"})
        stock = own_bot(sets, model=baseline_model())
        print(side_by_side({"ours": result["rows"], "no 2nd reader": without["rows"], "stock config": stock["rows"]}))
    return 0


def own_bot(sets: dict, env: dict | None = None, model: Path | None = None) -> dict:
    from scripts.soak import local_bot

    with tempfile.TemporaryDirectory(prefix="eval-") as tmp:
        print("starting the action server and Rasa (about half a minute)…", file=sys.stderr)
        with local_bot(Path(tmp), {"RATE_LIMIT_PER_MINUTE": "0", **(env or {})}, timeout=900, model=model) as (url, _):
            return evaluate(url, sets)


def baseline_model() -> Path:
    """Rasa's stock default config (bench/baseline.py) trained on our data, kept under results/eval-baseline/."""
    from bench import baseline, training

    work = ROOT / "results" / "eval-baseline"
    work.mkdir(parents=True, exist_ok=True)
    config = baseline.write_baseline(ROOT / "config.yml", work / "config-baseline.yml")
    print("training the stock baseline (a few minutes)…", file=sys.stderr)
    return training.train(config, "baseline", work, work / "cache", force=False)[1]


def side_by_side(runs: dict) -> str:
    """Pass rate and dead ends per set, one column pair per run."""
    names = list(runs)
    tables = {n: {key: (ok, total, dead) for key, ok, total, dead in summarise(rows)} for n, rows in runs.items()}
    keys = [k for k in tables[names[0]] if k.endswith("(all)")]
    lines = [f"{'set':<22}" + "".join(f"{n:>24}" for n in names)]
    for key in keys:
        cells = []
        for n in names:
            ok, total, dead = tables[n].get(key, (0, 0, 0))
            cells.append(f"{ok:>4}/{total:<4} {100 * ok / max(total, 1):5.1f}% d{dead:<3}")
        lines.append(f"{key.replace(' (all)', ''):<22}" + "".join(f"{c:>24}" for c in cells))
    totals = []
    for n in names:
        rows = runs[n]
        totals.append(
            f"{sum(r['ok'] for r in rows):>4}/{len(rows):<4} {100 * sum(r['ok'] for r in rows) / len(rows):5.1f}% "
            f"d{sum(r['dead_end'] for r in rows):<3}"
        )
    lines.append(f"{'all':<22}" + "".join(f"{c:>24}" for c in totals))
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
