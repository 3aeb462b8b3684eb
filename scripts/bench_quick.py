"""`make bench-quick`: a few minutes' guard on the ratios `make bench` measures, never on absolute times.

Ours (models/current-config.tar.gz, `python -m serving`) and the baseline (Rasa's default config, bench/baseline.py,
stock `rasa run` with only its model load sped up: serving/stock.py) are loaded at once, each with its action
server, temporary ports and SQLite tracker store; after a warm-up and sequential conversations each, they are
measured in alternating rounds of 16 concurrent senders (ours, baseline, ours, baseline), so a machine that gets
busier or quieter meanwhile weighs on both. It fails only when ours / baseline Rasa CPU per message is above
--max-cpu-ratio or ours / baseline throughput is below --min-throughput-ratio: a slow or busy machine slows both, a
regression in our path moves the ratio. `make test` trains the baseline beside our model, and runs this last, after
the tests.

The baseline is trained with --baseline-epochs epochs (default 1) for its neural components (DIET, TED, UnexpecTED,
ResponseSelector; Rasa's default is 100) and without story augmentation: the cost of a prediction depends on the
architecture, not on how long it was trained (and every turn of the conversations is predicted by RulePolicy's rules
either way: the other policies run, and lose), while 100 epochs take 18 minutes on these machines. Its model is kept
in models/ under a content hash of the data, domain and config, like `make train`'s. `make bench` trains it in full
and measures everything else.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import baseline, load, single, training  # noqa: E402
from bench.procs import BIN, ROOT, STOCK_FAST_LOAD  # noqa: E402

SENDERS = 16
OURS = ROOT / "models" / "current-config.tar.gz"


def quick_baseline_config(out: Path, epochs: int) -> Path:
    """Rasa's default config as `make bench` trains it, with fewer epochs for every component that has them."""
    config = baseline.baseline_config(yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8")))
    for component in [*config["pipeline"], *config["policies"]]:
        if "epochs" in component:
            component["epochs"] = epochs
            component["random_seed"] = 42  # a 1-epoch model is far from converged: the same one at every training
    out.write_text(
        f"# bench-quick: bench/baseline.py's config, epochs: {epochs}, random_seed: 42, trained with --augmentation 0\n"
        + yaml.safe_dump(config, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    return out


def baseline_model(workdir: Path, epochs: int) -> tuple[Path, float | None]:
    """The quick baseline's model, trained only when its content hash changed; seconds spent training or None."""
    config = quick_baseline_config(workdir / "config-baseline-quick.yml", epochs)
    local = ROOT / "var" / "bench-quick-config.yml"  # model_hash.py reads configs relative to the project
    local.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(config, local)
    key = subprocess.run(
        [str(BIN / "python"), str(ROOT / "scripts" / "model_hash.py"), str(local.relative_to(ROOT))],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    model = ROOT / "models" / f"baseline-quick-{key}.tar.gz"
    if model.exists():
        return model, None
    # no story augmentation either: TED's and the memoization's predictions cost the same without it
    seconds, trained = training.train(
        config, "baseline-quick", workdir, workdir / "cache-baseline", force=True, extra=("--augmentation", "0")
    )
    model.parent.mkdir(exist_ok=True)
    for old in model.parent.glob("baseline-quick-*.tar.gz"):
        old.unlink()
    shutil.move(trained, model)
    return model, round(seconds, 1)


def measure(s, conversations: int, not_answers) -> dict:
    """One round at 16 senders: messages, seconds, and the CPU seconds Rasa and the action server spent."""
    cpu = s.rasa.cpu_seconds(), s.actions.cpu_seconds()
    run = load.load(s.url, SENDERS, conversations, not_answers)
    return {
        "messages": run.messages,
        "wall_s": run.wall_s,
        "rasa_cpu_s": s.rasa.cpu_seconds() - cpu[0],
        "actions_cpu_s": s.actions.cpu_seconds() - cpu[1],
        "p95_ms": run.summary()["p95_ms"],
        "failures": run.failures,
    }


def serve_both(models: dict, workdir: Path, rounds: int, conversations: int, not_answers) -> dict:
    """Ours and the baseline loaded at once (the two loads overlap), then measured in alternating rounds (ours,
    baseline, ours, baseline …): a machine that gets busier or quieter meanwhile weighs on both alike."""
    print(f"[bench-quick] serving {', '.join(f'{k}: {m.name}' for k, (m, _) in models.items())}", flush=True)
    with ThreadPoolExecutor(len(models)) as pool:
        futures = {
            name: pool.submit(single.start, model, workdir, name, not_answers, rasa_cmd=cmd, timeout=900)
            for name, (model, cmd) in models.items()
        }
        servers, errors = {}, []
        for name, future in futures.items():
            try:
                servers[name] = future.result()
            except RuntimeError as e:
                errors.append(str(e))
    try:
        if errors:
            raise RuntimeError("\n".join(errors))
        results = {}
        for name, s in servers.items():
            load.load(s.url, 2, 1, not_answers)  # warm-up, not counted
            seq = load.load(s.url, 1, 2, not_answers)
            results[name] = {"seq_p50_ms": seq.summary()["p50_ms"], "rounds": [], "failures": list(seq.failures)}
        for _ in range(rounds):
            for name, s in servers.items():
                results[name]["rounds"].append(measure(s, conversations, not_answers))
        return {name: _summary(r, servers[name]) for name, r in results.items()}
    finally:
        for s in servers.values():
            s.stop()


def _summary(r: dict, s) -> dict:
    rounds = r.pop("rounds")
    messages = sum(x["messages"] for x in rounds)
    failures = r.pop("failures") + [f for x in rounds for f in x["failures"]]
    return {
        **r,
        "first_answer_s": round(s.first_answer_s, 1),
        "conc_p95_ms": max(x["p95_ms"] for x in rounds),
        "throughput_msgs_s": round(messages / sum(x["wall_s"] for x in rounds), 2),
        "rasa_cpu_ms_per_msg": round(sum(x["rasa_cpu_s"] for x in rounds) * 1000 / max(messages, 1), 1),
        "actions_cpu_ms_per_msg": round(sum(x["actions_cpu_s"] for x in rounds) * 1000 / max(messages, 1), 1),
        "messages": messages,
        "failures": len(failures),
        "failure_examples": failures[:3],
    }


def verdict(ours: dict, base: dict, max_cpu: float, min_throughput: float) -> tuple[dict, list]:
    ratios = {
        "rasa_cpu": round(ours["rasa_cpu_ms_per_msg"] / base["rasa_cpu_ms_per_msg"], 3),
        "throughput": round(ours["throughput_msgs_s"] / base["throughput_msgs_s"], 2),
    }
    problems = []
    if ratios["rasa_cpu"] > max_cpu:
        problems.append(f"Rasa CPU per message ours / baseline {ratios['rasa_cpu']} > {max_cpu}")
    if ratios["throughput"] < min_throughput:
        problems.append(f"throughput ours / baseline {ratios['throughput']} < {min_throughput}")
    if ours["failures"]:
        problems.append(f"ours: {ours['failures']} turns without a real answer: {ours['failure_examples']}")
    return ratios, problems


# The limits (README, "make bench-quick: first run and limits"), for the 1-epoch baseline: measured 0.311 and 3.21
# (2026-12-01 16:33, in make test) and 0.297 and 3.03 (16:59, in make test beside another training, load 3.4).
# Issue 20's regression was ours +50% per message, which would put the ratio near 0.47 and the throughput near
# 2.2: the limits sit between, with about 25% of room for a busy machine.
MAX_CPU_RATIO = 0.40
MIN_THROUGHPUT_RATIO = 2.6


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--max-cpu-ratio", type=float, default=float(os.environ.get("BENCH_MAX_CPU_RATIO", MAX_CPU_RATIO)))
    ap.add_argument(
        "--min-throughput-ratio",
        type=float,
        default=float(os.environ.get("BENCH_MIN_THROUGHPUT_RATIO", MIN_THROUGHPUT_RATIO)),
    )
    ap.add_argument("--conversations", type=int, default=1, help="conversations per sender in a round at 16 senders")
    ap.add_argument("--rounds", type=int, default=2, help="alternating rounds per model")
    ap.add_argument("--train-only", action="store_true", help="only train the baseline (make test does it first)")
    ap.add_argument("--baseline-epochs", type=int, default=1)
    ap.add_argument("--out", type=Path, default=ROOT / "results")
    args = ap.parse_args()
    stamp = datetime.now().strftime("%Y-%m-%dT%H%M%S")
    workdir = ROOT / "var" / "bench-quick" / stamp
    workdir.mkdir(parents=True)
    started = time.monotonic()
    load_before = [round(x, 2) for x in os.getloadavg()]
    base_model, trained_s = baseline_model(workdir, args.baseline_epochs)
    if args.train_only:
        how = f"trained in {trained_s} s" if trained_s else "cached"
        print(f"bench-quick: baseline {base_model.relative_to(ROOT)} ({how})")
        return 0
    if not OURS.exists():
        print(f"{OURS.relative_to(ROOT)} is missing: run `make train` first", file=sys.stderr)
        return 2
    not_answers = load.stand_ins()
    # the baseline is served by stock Rasa with only its load sped up (serving/stock.py): same work per message
    models = {"ours": (OURS.resolve(), single.RASA_OURS), "baseline": (base_model, STOCK_FAST_LOAD)}
    measured = serve_both(models, workdir, args.rounds, args.conversations, not_answers)
    ours, base = measured["ours"], measured["baseline"]
    ratios, problems = verdict(ours, base, args.max_cpu_ratio, args.min_throughput_ratio)
    results = {
        "date": stamp,
        "load_before": load_before,
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "baseline_trained_s": trained_s,
        "baseline_epochs": args.baseline_epochs,
        "rounds": args.rounds,
        "ours": ours,
        "baseline": base,
        "ours_over_baseline": ratios,
        "limits": {"max_cpu_ratio": args.max_cpu_ratio, "min_throughput_ratio": args.min_throughput_ratio},
        "duration_s": round(time.monotonic() - started),
        "problems": problems,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"bench-quick-{stamp}.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), "utf-8")
    shutil.rmtree(workdir / "cache-baseline", ignore_errors=True)
    print(
        f"bench-quick ({results['duration_s']} s, load {load_before} → {results['load_after']}): "
        f"Rasa CPU/msg ours {ours['rasa_cpu_ms_per_msg']} ms, baseline {base['rasa_cpu_ms_per_msg']} ms "
        f"(ratio {ratios['rasa_cpu']}, limit {args.max_cpu_ratio}); throughput ours {ours['throughput_msgs_s']}, "
        f"baseline {base['throughput_msgs_s']} msgs/s (ratio {ratios['throughput']}, limit "
        f"{args.min_throughput_ratio}); action server CPU/msg ours {ours['actions_cpu_ms_per_msg']} ms"
    )
    for problem in problems:
        print(f"bench-quick FAILED: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
