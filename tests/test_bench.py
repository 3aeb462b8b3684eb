"""The benchmark's own logic (bench/): the stock baseline config, answer detection, percentiles, the report.
The measurements themselves run in `make bench`, which prints figures and never fails on a slow machine."""

from __future__ import annotations

import pytest
import yaml

from bench import baseline, load, report
from tests.conftest import ROOT


def graph_validation_error(config: dict):
    """What Rasa says when asked to train `config` (its recipe and graph validation, before any training)."""
    from rasa.engine.recipes.recipe import Recipe
    from rasa.engine.validation import validate
    from rasa.shared.data import TrainingType

    recipe = Recipe.recipe_for_name(config.get("recipe"))
    try:
        validate(recipe.graph_config_for_recipe(config, {}, training_type=TrainingType.BOTH))
    except Exception as error:  # noqa: BLE001 - the message is what is checked
        return str(error)
    return None


def test_rasa_default_config_refuses_chinese():
    """Why the baseline needs its one substitution: the default pipeline starts with WhitespaceTokenizer."""
    stock = baseline.stock_default()
    assert stock["pipeline"][0]["name"] == baseline.STOCK_TOKENIZER
    error = graph_validation_error({**stock, "language": "zh"})
    assert error and "WhitespaceTokenizer" in error and "'zh'" in error


def test_baseline_is_the_default_with_jieba_only():
    ours = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    stock, base = baseline.stock_default(), baseline.baseline_config(ours)
    assert base["language"] == "zh" and base["policies"] == stock["policies"]
    changed = [(s, b) for s, b in zip(stock["pipeline"], base["pipeline"]) if s != b]
    assert changed == [({"name": "WhitespaceTokenizer"}, {"name": "JiebaTokenizer"})]
    assert len(base["pipeline"]) == len(stock["pipeline"])
    assert graph_validation_error(base) is None


def test_written_baseline_loads_back(tmp_path):
    path = baseline.write_baseline(ROOT / "config.yml", tmp_path / "config-baseline.yml")
    text = path.read_text(encoding="utf-8")
    assert "One substitution" in text
    assert yaml.safe_load(text) == baseline.baseline_config(yaml.safe_load((ROOT / "config.yml").read_text("utf-8")))


@pytest.mark.parametrize(
    "body, answer",
    [
        ([{"recipient_id": "a", "text": "📞 0800-280-280"}], True),
        ([], False),  # silence
        (None, False),  # no JSON / HTTP error
        ([{"recipient_id": "a", "image": "x.png"}], False),  # nothing to read
        ([{"recipient_id": "a", "text": "STAND-IN"}], False),  # the channel's apology, not an answer
    ],
)
def test_is_answer(body, answer):
    assert load.is_answer(body, frozenset({"STAND-IN"})) is answer


def test_stand_ins_are_the_channels_notices():
    from knowledge.kb import emergency_text

    texts = load.stand_ins()
    assert {emergency_text("busy"), emergency_text("rate_limited")} <= texts


def test_percentiles_and_throughput():
    run = load.Run(latencies_ms=[float(x) for x in range(1, 101)], wall_s=4.0)
    s = run.summary()
    assert (s["p50_ms"], s["p95_ms"], s["p99_ms"], s["max_ms"]) == (50.5, 95.0, 99.0, 100.0)
    assert s["throughput_msgs_s"] == 25.0 and s["failures"] == 0


def test_ratios_and_targets():
    ours = {"seq_p95_ms": 30.0, "throughput_msgs_s": 45.0, "cold_train_s": 150.0, "intent_macro_f1": 0.96}
    base = {"seq_p95_ms": 60.0, "throughput_msgs_s": 15.0, "cold_train_s": 300.0, "intent_macro_f1": 0.0}
    r = report.ratios(ours, base)
    assert r == {"seq_p95_ms": 0.5, "throughput_msgs_s": 3.0, "cold_train_s": 0.5}  # no division by zero
    targets = {key: target for key, _, _, target in report.METRICS}
    assert report.met(30.0, targets["seq_p95_ms"]).startswith("✅")
    assert report.met(45.0, targets["throughput_msgs_s"]).startswith("✅")
    assert report.met(150.0, targets["cold_train_s"]).startswith("❌")


def test_markdown_table(tmp_path):
    results = {
        "date": "2026-11-27T0000",
        "rasa": "3.6.21",
        "machine": {"cpus": 2, "load_before": [1, 1, 1], "load_after": [2, 2, 2]},
        "messages": {"sequential": 120, "concurrent": 384},
        "baseline": {"description": "stock"},
        "variants": {"ours": {"seq_p95_ms": 30.0}, "baseline": {"seq_p95_ms": 60.0}},
        "ratios": {"seq_p95_ms": 0.5},
        "scale_out": {
            "one": {"throughput_msgs_s": 30.0, "p50_ms": 400, "p95_ms": 600, "failures": 0},
            "two": {"throughput_msgs_s": 45.0, "p50_ms": 300, "p95_ms": 500, "failures": 0},
            "two_over_one": 1.5,
        },
    }
    js, md = report.write(results, tmp_path, results["date"])
    text = md.read_text(encoding="utf-8")
    assert "| turn latency p95, sequential (ms) | 30 | 60 | 0.5 | ✅ <= 60 |" in text
    assert "two / one: 1.5" in text and js.exists()


# -- make bench-quick (scripts/bench_quick.py): its baseline and its verdict -----------------------------------
def _bench_quick():
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_quick", ROOT / "scripts" / "bench_quick.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_quick_baseline_is_the_stock_default_with_fewer_epochs(tmp_path):
    quick = yaml.safe_load(_bench_quick().quick_baseline_config(tmp_path / "q.yml", 5).read_text(encoding="utf-8"))
    full = baseline.baseline_config(yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8")))
    strip = lambda parts: [{k: v for k, v in c.items() if k not in ("epochs", "random_seed")} for c in parts]  # noqa: E731
    assert strip(quick["pipeline"]) == strip(full["pipeline"]) and strip(quick["policies"]) == strip(full["policies"])
    trained = [c for c in [*quick["pipeline"], *quick["policies"]] if "epochs" in c]
    assert trained and all(c["epochs"] == 5 and c["random_seed"] == 42 for c in trained)


def test_bench_quick_fails_only_on_the_ratios():
    verdict = _bench_quick().verdict
    base = {"rasa_cpu_ms_per_msg": 90.0, "throughput_msgs_s": 10.0, "failures": 0}
    slow_machine = {"rasa_cpu_ms_per_msg": 27.0, "throughput_msgs_s": 30.0, "failures": 0}
    assert verdict(slow_machine, base, 0.36, 2.5)[1] == []
    # a machine ten times faster: every absolute figure changes, the ratios do not
    fast = {"rasa_cpu_ms_per_msg": 2.7, "throughput_msgs_s": 300.0, "failures": 0}
    fast_base = {"rasa_cpu_ms_per_msg": 9.0, "throughput_msgs_s": 100.0, "failures": 0}
    assert verdict(fast, fast_base, 0.36, 2.5)[1] == []
    regressed = {**slow_machine, "rasa_cpu_ms_per_msg": 38.0, "throughput_msgs_s": 23.0}
    ratios, problems = verdict(regressed, base, 0.36, 2.5)
    assert ratios == {"rasa_cpu": 0.422, "throughput": 2.3} and len(problems) == 2


def test_free_ports_are_outside_the_kernels_ephemeral_range():
    """Rasa binds its port only once the model is loaded; an ephemeral port could meanwhile go to a client."""
    from bench import procs

    low, high = procs._ephemeral_range()
    ports = {procs.free_port() for _ in range(20)}
    assert all(port < low and port not in procs.RESERVED_PORTS for port in ports), ports
    assert len(ports) > 10  # random: two workers rarely draw the same
