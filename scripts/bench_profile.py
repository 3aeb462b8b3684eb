"""Where Rasa's CPU per message goes at 16 concurrent senders, and what the tracker cache is worth, in one run.

Variants served one after the other as `make bench` serves them (temporary ports, SQLite tracker store, the action
server in the loop): ours (`python -m serving`), ours without serving/tracker_cache.py, and optionally a baseline
model (stock `rasa run`). For each: a warm-up, then 16 senders x --conversations conversations measured (Rasa and
action server CPU per message, throughput), then, for ours, one more round of 16 senders under cProfile
(bench/profiled.py), whose top functions are printed and written to results/profile-<date>-<variant>.txt.
The profile's round is not counted in the CPU figures (cProfile slows what it measures)."""

from __future__ import annotations

import argparse
import io
import json
import os
import pstats
import signal
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load, single  # noqa: E402
from bench.procs import BIN, ROOT  # noqa: E402

SENDERS = 16
OURS = ROOT / "models" / "current-config.tar.gz"
PROFILED = [str(BIN / "python"), "-m", "bench.profiled"]
# The environment of each variant of ours (ACTION_TIMEOUT is raised for all: cProfile slows Rasa's event loop so
# much that an action call's answer can wait past the 10 s default, and a failed turn is not the turn we profile)
VARIANTS = {
    "ours": {},
    "ours-no-cache": {"BENCH_NO_TRACKER_CACHE": "1"},  # serving/ without tracker_cache.py
    # TensorFlow's pools at one thread each (Rasa reads these): tried 2026-12-01, no change (69.5 against 68.8 ms)
    "ours-tf-one-thread": {"TF_INTER_OP_PARALLELISM_THREADS": "1", "TF_INTRA_OP_PARALLELISM_THREADS": "1"},
}


def measure(s, conversations: int, not_answers) -> dict:
    cpu = s.rasa.cpu_seconds(), s.actions.cpu_seconds()
    run = load.load(s.url, SENDERS, conversations, not_answers)
    rasa_cpu, actions_cpu = s.rasa.cpu_seconds() - cpu[0], s.actions.cpu_seconds() - cpu[1]
    n = max(run.messages, 1)
    return {
        "messages": run.messages,
        "failures": len(run.failures),
        "failure_examples": run.failures[:3],
        "throughput_msgs_s": run.summary()["throughput_msgs_s"],
        "rasa_cpu_ms_per_msg": round(rasa_cpu * 1000 / n, 1),
        "actions_cpu_ms_per_msg": round(actions_cpu * 1000 / n, 1),
        "load": [round(x, 2) for x in os.getloadavg()],
    }


def profiled_round(s, out: Path, not_answers, top: int) -> str:
    os.kill(s.rasa.pid, signal.SIGUSR1)
    time.sleep(0.5)
    load.load(s.url, SENDERS, 1, not_answers)
    os.kill(s.rasa.pid, signal.SIGUSR2)
    for _ in range(50):
        if out.exists() and out.stat().st_size:
            break
        time.sleep(0.2)
    time.sleep(1)
    text = io.StringIO()
    stats = pstats.Stats(str(out), stream=text)
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return text.getvalue()


def variant(name, model, cmd, env, workdir, args, not_answers, profile: bool) -> dict:
    print(f"[{name}] serving {model.name}", flush=True)
    saved = dict(os.environ)
    os.environ.update(env)
    try:
        s = single.start(model, workdir, name, not_answers, rasa_cmd=cmd, timeout=900)
    finally:
        os.environ.clear()
        os.environ.update(saved)
    try:
        load.load(s.url, 2, 1, not_answers)  # warm-up
        out = measure(s, args.conversations, not_answers)
        print(f"[{name}] {json.dumps(out, ensure_ascii=False)}", flush=True)
        if profile:
            text = profiled_round(s, Path(env["PROFILE_OUT"]), not_answers, args.top)
            report = args.out / f"profile-{args.stamp}-{name}.txt"
            report.write_text(text, encoding="utf-8")
            out["profile"] = str(report.relative_to(ROOT))
        return out
    finally:
        s.stop()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--conversations", type=int, default=2, help="conversations per sender, measured round")
    ap.add_argument("--baseline", type=Path, help="a baseline model to serve with stock rasa run (the ratio)")
    ap.add_argument("--variants", default="ours,ours-no-cache", help=f"comma-separated, of {', '.join(VARIANTS)}")
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--top", type=int, default=45)
    ap.add_argument("--out", type=Path, default=ROOT / "results")
    args = ap.parse_args()
    args.stamp = datetime.now().strftime("%Y-%m-%dT%H%M%S")
    workdir = ROOT / "var" / "bench-profile" / args.stamp
    workdir.mkdir(parents=True)
    args.out.mkdir(parents=True, exist_ok=True)
    not_answers = load.stand_ins()
    results = {"date": args.stamp, "load_before": [round(x, 2) for x in os.getloadavg()], "variants": {}}
    for i, name in enumerate(args.variants.split(",")):
        key = name if name not in results["variants"] else f"{name} ({i + 1})"  # a variant again: interleaved
        env = {"PROFILE_OUT": str(workdir / f"{i}-{name}.pstats"), "ACTION_TIMEOUT": "120", **VARIANTS[name]}
        results["variants"][key] = variant(
            f"{i}-{name}", OURS.resolve(), PROFILED, env, workdir, args, not_answers, not args.no_profile
        )
    if args.baseline:
        results["variants"]["baseline"] = variant(
            "baseline", args.baseline.resolve(), single.RASA_STOCK, {}, workdir, args, not_answers, False
        )
        base = results["variants"]["baseline"]
        results["ratios"] = {
            name: {
                "rasa_cpu": round(v["rasa_cpu_ms_per_msg"] / base["rasa_cpu_ms_per_msg"], 3),
                "throughput": round(v["throughput_msgs_s"] / base["throughput_msgs_s"], 2),
            }
            for name, v in results["variants"].items()
            if name != "baseline"
        }
    results["load_after"] = [round(x, 2) for x in os.getloadavg()]
    path = args.out / f"profile-{args.stamp}.json"
    path.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    print(json.dumps({k: v for k, v in results.items() if k != "variants"}, ensure_ascii=False))
    print(f"written: {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
