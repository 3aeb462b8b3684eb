"""Training time (cold: an empty Rasa cache and --force; cached: the same cache again) and held-out NLU metrics
from `rasa test nlu` on tests/nlu/."""

from __future__ import annotations

import json
import shutil
import subprocess
import time
from pathlib import Path

from bench.procs import BIN, ROOT, child_env


def train(config: Path, name: str, workdir: Path, cache: Path, force: bool, extra=()) -> tuple[float, Path]:
    """Seconds to train with `config` on our domain and data, and the model's path. The model's name is fixed so
    the cached run writes a model of its own beside the cold one. `extra`: more `rasa train` options."""
    models = workdir / "models"
    cmd = [
        BIN / "rasa",
        "train",
        "--config",
        config,
        "--domain",
        ROOT / "domain.yml",
        "--data",
        ROOT / "data",
        "--out",
        models,
        "--fixed-model-name",
        name,
        "--quiet",
        *extra,
    ] + (["--force"] if force else [])
    log = workdir / f"train-{name}.log"
    start = time.monotonic()
    with log.open("wb") as out:
        done = subprocess.run(
            [str(c) for c in cmd],
            cwd=ROOT,
            env=child_env(RASA_CACHE_DIRECTORY=cache),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    seconds = time.monotonic() - start
    model = models / f"{name}.tar.gz"
    if done.returncode != 0 or not model.exists():
        tail = "\n".join(log.read_text(encoding="utf-8", errors="replace").splitlines()[-20:])
        raise RuntimeError(f"training {config} failed (exit {done.returncode}), see {log}:\n{tail}")
    return seconds, model


def cold_and_cached(config: Path, name: str, workdir: Path) -> dict:
    """Cold: Rasa's cache empty and training forced. Cached: again, with the cache the cold run filled."""
    cache = workdir / f"cache-{name}"
    shutil.rmtree(cache, ignore_errors=True)
    cold_s, model = train(config, f"{name}-cold", workdir, cache, force=True)
    cached_s, _ = train(config, f"{name}-cached", workdir, cache, force=False)
    return {"cold_train_s": round(cold_s, 1), "cached_train_s": round(cached_s, 1), "model": str(model)}


def nlu_metrics(model: Path, name: str, workdir: Path) -> dict:
    """Intent macro-F1 and accuracy on the held-out set (tests/nlu/), from `rasa test nlu`'s own report."""
    out = workdir / f"nlu-{name}"
    cmd = [BIN / "rasa", "test", "nlu", "--model", model, "--nlu", ROOT / "tests" / "nlu", "--out", out, "--no-plot"]
    log = workdir / f"nlu-{name}.log"
    with log.open("wb") as stream:
        done = subprocess.run([str(c) for c in cmd], cwd=ROOT, env=child_env(), stdout=stream, stderr=subprocess.STDOUT)
    report = out / "intent_report.json"
    if done.returncode != 0 or not report.exists():
        raise RuntimeError(f"rasa test nlu failed for {model} (exit {done.returncode}), see {log}")
    intents = json.loads(report.read_text(encoding="utf-8"))
    return {
        "intent_macro_f1": round(intents["macro avg"]["f1-score"], 3),
        "intent_accuracy": round(intents["accuracy"], 3),
    }
