"""The benchmark's results as JSON and as a Markdown table: our figures, the baseline's, ours / baseline, and the
issue's targets (checked for ours only)."""

from __future__ import annotations

import json
from pathlib import Path

# (key, label, unit, target as (op, value) or None); lower is better unless the label says otherwise
METRICS = [
    ("intent_macro_f1", "held-out intent macro-F1 (higher is better)", "", None),
    ("intent_accuracy", "held-out intent accuracy (higher is better)", "", None),
    ("seq_p50_ms", "turn latency p50, sequential", "ms", None),
    ("seq_p95_ms", "turn latency p95, sequential", "ms", ("<=", 60)),
    ("seq_p99_ms", "turn latency p99, sequential", "ms", None),
    ("conc_p50_ms", "turn latency p50, 16 concurrent senders", "ms", None),
    ("conc_p95_ms", "turn latency p95, 16 concurrent senders", "ms", None),
    ("conc_p99_ms", "turn latency p99, 16 concurrent senders", "ms", None),
    ("throughput_msgs_s", "throughput, 16 concurrent senders (higher is better)", "msgs/s", (">=", 40)),
    ("rasa_cpu_ms_per_msg", "Rasa CPU per message", "ms", None),
    ("actions_cpu_ms_per_msg", "action server CPU per message", "ms", None),
    ("cold_train_s", "training, cold (empty cache, --force)", "s", ("<=", 120)),
    ("cached_train_s", "training, cached", "s", None),
    ("rasa_peak_rss_mb", "Rasa peak RSS", "MiB", ("<=", 1536)),
    ("actions_peak_rss_mb", "action server peak RSS", "MiB", None),
    ("first_answer_s", "start to first answer", "s", None),
]


def ratios(ours: dict, base: dict) -> dict:
    return {
        key: round(ours[key] / base[key], 2)
        for key, *_ in METRICS
        if isinstance(ours.get(key), (int, float)) and isinstance(base.get(key), (int, float)) and base[key]
    }


def met(value, target) -> str:
    if target is None or not isinstance(value, (int, float)):
        return ""
    op, limit = target
    ok = value <= limit if op == "<=" else value >= limit
    return f"{'✅' if ok else '❌'} {op} {limit}"


def _fmt(value) -> str:
    if value is None:
        return "–"
    return f"{value:g}" if isinstance(value, (int, float)) else str(value)


def markdown(results: dict) -> str:
    variants = results["variants"]
    ours, base = variants.get("ours", {}), variants.get("baseline", {})
    extra = [name for name in variants if name not in ("ours", "baseline")]
    ratio = results.get("ratios", {})
    head = ["metric", "ours", *extra, "baseline", "ours / baseline", "target (ours)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, label, unit, target in METRICS:
        cells = [
            f"{label}{f' ({unit})' if unit else ''}",
            _fmt(ours.get(key)),
            *(_fmt(variants[name].get(key)) for name in extra),
            _fmt(base.get(key)),
            _fmt(ratio.get(key)),
            met(ours.get(key), target),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    out = [
        f"## Benchmark {results['date']}",
        "",
        f"Machine: {results['machine']['cpus']} cores, load average {results['machine']['load_before']} before, "
        f"{results['machine']['load_after']} after. rasa {results['rasa']}. "
        f"{results['messages']['sequential']} sequential turns, {results['messages']['concurrent']} at 16 "
        f"concurrent senders, per variant.",
        "",
        f"Baseline: {results['baseline']['description']}",
        "",
    ]
    for name in extra:
        out.append(f"{name}: {variants[name].get('description', '')}")
    out += ["", *lines, ""]
    scale = results.get("scale_out")
    if scale:
        out += ["### Scale-out (PostgreSQL tracker store, Redis lock store, nginx), ours", ""]
        if scale.get("skipped"):
            out.append(f"Not measured: {scale['skipped']}")
        else:
            out += [
                "| 16 concurrent senders | throughput (msgs/s) | p50 (ms) | p95 (ms) | failures |",
                "|---|---|---|---|---|",
            ]
            for key, label in (("one", "one Rasa process (direct)"), ("two", "two Rasa processes behind nginx")):
                r = scale[key]
                out.append(
                    f"| {label} | {_fmt(r['throughput_msgs_s'])} | {_fmt(r['p50_ms'])} | {_fmt(r['p95_ms'])}"
                    f" | {r['failures']} |"
                )
            out += ["", f"two / one: {_fmt(scale.get('two_over_one'))}"]
        out.append("")
    failures = {name: v.get("failures") for name, v in variants.items() if v.get("failures")}
    if failures:
        out += ["Failed turns (no real answer): " + ", ".join(f"{k}: {v}" for k, v in failures.items()), ""]
    return "\n".join(out)


def write(results: dict, out_dir: Path, stamp: str) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    js, md = out_dir / f"bench-{stamp}.json", out_dir / f"bench-{stamp}.md"
    js.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    md.write_text(markdown(results), encoding="utf-8")
    return js, md
