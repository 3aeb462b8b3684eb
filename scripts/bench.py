"""`make bench`: our pipeline against Rasa's stock default config, measured side by side in one run.

For each variant: cold and cached training, held-out NLU metrics (tests/nlu/), then one Rasa process and the
action server on temporary ports (temporary endpoints file and SQLite tracker store): time from start to first
answer, turn latency sequentially and with 16 concurrent senders over REST, throughput, CPU per message, peak
RSS. Variants: ours (config.yml, Rasa started by `python -m serving`), ours on stock `rasa run` (same model,
without serving/'s fixes) and the baseline (bench/baseline.py, stock `rasa run`). Then our model on the
scale-out stack (scripts/scale.sh): 16 concurrent senders to one Rasa process, then to two behind nginx.
Prints the table and writes results/bench-<date>.json and .md. Slow machines get slow figures, never a failure.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import baseline, load, report, scale, single, training  # noqa: E402
from bench.procs import ROOT  # noqa: E402

SENDERS = 16


def rasa_version() -> str:
    from importlib import metadata

    return metadata.version("rasa")


def serve(model: Path, name: str, workdir: Path, rasa_cmd, sizes: dict, not_answers) -> dict:
    """One Rasa process and the action server: first answer, latency, throughput, CPU per message, peak RSS."""
    print(f"[{name}] serving {model.name}", flush=True)
    s = single.start(model, workdir, name, not_answers, rasa_cmd=rasa_cmd)
    try:
        load.load(s.url, 2, 1, not_answers)  # warm-up, not counted
        seq = load.load(s.url, 1, sizes["seq"], not_answers)
        cpu = s.rasa.cpu_seconds(), s.actions.cpu_seconds()
        conc = load.load(s.url, SENDERS, sizes["conc"], not_answers)
        rasa_cpu, actions_cpu = s.rasa.cpu_seconds() - cpu[0], s.actions.cpu_seconds() - cpu[1]
        out = {"first_answer_s": round(s.first_answer_s, 1)}
        q, c = seq.summary(), conc.summary()
        out.update({f"seq_{k}": q[k] for k in ("p50_ms", "p95_ms", "p99_ms")})
        out.update({f"conc_{k}": c[k] for k in ("p50_ms", "p95_ms", "p99_ms")})
        out.update(
            throughput_msgs_s=c["throughput_msgs_s"],
            rasa_cpu_ms_per_msg=round(rasa_cpu * 1000 / max(conc.messages, 1), 1),
            actions_cpu_ms_per_msg=round(actions_cpu * 1000 / max(conc.messages, 1), 1),
            rasa_peak_rss_mb=round(s.rasa.peak_rss_mb()),
            actions_peak_rss_mb=round(s.actions.peak_rss_mb()),
            failures=len(seq.failures) + len(conc.failures),
            failure_examples=(seq.failures + conc.failures)[:5],
        )
        return out
    finally:
        s.stop()


def scale_out(model: Path, workdir: Path, sizes: dict, not_answers) -> dict:
    """Our model on PostgreSQL + Redis + nginx: 16 senders to one Rasa process directly, then to both via nginx."""
    print("[scale-out] starting PostgreSQL, Redis, action server, two Rasa processes, nginx", flush=True)
    stack = scale.stack(workdir / "scale", model)
    try:
        stack.up()
    except scale.StackUnavailable as why:
        return {"skipped": str(why)}
    except (RuntimeError, OSError) as error:  # a benchmark reports, it does not fail
        return {"skipped": f"the stack did not start: {str(error)[-600:]}"}
    try:
        load.load(stack.rasa_a, 2, 1, not_answers)
        load.load(stack.rasa_b, 2, 1, not_answers)
        one = load.load(stack.rasa_a, SENDERS, sizes["conc"], not_answers).summary()
        two = load.load(stack.nginx, SENDERS, sizes["conc"], not_answers).summary()
        ratio = round(two["throughput_msgs_s"] / one["throughput_msgs_s"], 2) if one["throughput_msgs_s"] else None
        return {"one": one, "two": two, "two_over_one": ratio}
    finally:
        stack.down()
        stack.remove(keep_logs=True)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer messages (a smoke run; figures are rough)")
    ap.add_argument("--no-scale", action="store_true", help="skip the scale-out measurement")
    ap.add_argument("--out", type=Path, default=ROOT / "results")
    ap.add_argument("--keep", action="store_true", help="keep the trained models and Rasa caches in var/bench/")
    args = ap.parse_args()
    sizes = {"seq": 4, "conc": 1} if args.quick else {"seq": 20, "conc": 4}  # conversations of 6 turns
    turns = len(load.CONVERSATION)
    stamp = datetime.now().strftime("%Y-%m-%dT%H%M")
    workdir = ROOT / "var" / "bench" / stamp  # under var/: the postgres user must reach the scale-out data
    shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True)
    not_answers = load.stand_ins()
    started = time.monotonic()
    results = {
        "date": stamp,
        "rasa": rasa_version(),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_before": [round(x, 2) for x in os.getloadavg()],
        },
        "messages": {"sequential": sizes["seq"] * turns, "concurrent": SENDERS * sizes["conc"] * turns},
        "baseline": {
            "description": "Rasa's default config (pipeline and policies) trained on our data; one "
            f"substitution: {baseline.SUBSTITUTION}. Served by stock `rasa run`.",
            "config": str(baseline.write_baseline(ROOT / "config.yml", workdir / "config-baseline.yml")),
        },
        "variants": {},
    }
    configs = {"ours": ROOT / "config.yml", "baseline": workdir / "config-baseline.yml"}
    for name, config in configs.items():
        print(f"[{name}] training {config.name} (cold, then cached)", flush=True)
        trained = training.cold_and_cached(config, name, workdir)
        results["variants"][name] = {**trained, **training.nlu_metrics(Path(trained["model"]), name, workdir)}
    ours_model = Path(results["variants"]["ours"]["model"])
    # the serving runs back to back, so they share the machine's conditions as far as possible
    results["variants"]["ours"].update(serve(ours_model, "ours", workdir, single.RASA_OURS, sizes, not_answers))
    results["variants"]["ours, stock rasa run"] = {
        "description": "our model served by stock `rasa run`, without serving/'s fixes (response validation, "
        "SQLite WAL)",
        **serve(ours_model, "ours-stock-run", workdir, single.RASA_STOCK, sizes, not_answers),
    }
    results["variants"]["baseline"].update(
        serve(
            Path(results["variants"]["baseline"]["model"]), "baseline", workdir, single.RASA_STOCK, sizes, not_answers
        )
    )
    results["ratios"] = report.ratios(results["variants"]["ours"], results["variants"]["baseline"])
    if not args.no_scale:
        results["scale_out"] = scale_out(ours_model, workdir, sizes, not_answers)
    results["machine"]["load_after"] = [round(x, 2) for x in os.getloadavg()]
    results["duration_s"] = round(time.monotonic() - started)
    if not args.keep:  # a few hundred MB per run; the logs stay
        for heavy in [workdir / "models", *workdir.glob("cache-*")]:
            shutil.rmtree(heavy, ignore_errors=True)
    results["workdir"] = str(workdir)
    js, md = report.write(results, args.out, stamp)
    print(report.markdown(results))
    print(f"written: {js}, {md} (logs and models in {workdir})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
