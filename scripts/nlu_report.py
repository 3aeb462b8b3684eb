"""Held-out NLU evaluation: trains if needed, runs `rasa test nlu` on tests/nlu/, prints intent macro-F1,
entity F1 (number entities from NumberExtractor and DIET's entities) and the ten worst confusions.
With a config other than the baseline (config.yml), e.g. the spaCy variant config-spacy.yml, the baseline is
evaluated too and the two are printed side by side. A config whose SpacyNLP model is not installed stops before
training with scripts/check_spacy_model.py's message and exit code 2 (no report was made).
Number entities: tests/nlu/test_nlu.yml carries no number annotations (so rasa's NumberExtractor rows count every
number as a false positive); they are scored on tests/nlu/numbers.yml instead, a plain YAML list of sentences with
their exact (entity, value) pairs, parsed with the trained model. Printed: per-entity precision/recall/F1, the
mismatches and `number-entity F1: 0.xx`, just before the last line.
The last line is `intent macro-F1: 0.xx` (of --config)."""

import argparse
import asyncio
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODEL_MISSING = 2
NUMBER_CASES = ROOT / "tests" / "nlu" / "numbers.yml"
# a second intent set, written by someone who never saw data/ or tests/ (intent labels only): a plain YAML list of
# {text, intent}, so `rasa test nlu --nlu tests/nlu` skips it; scored here with the same model
BLIND_INTENTS = ROOT / "tests" / "nlu" / "intents_blind.yml"
NUMBER_ENTITIES = ("percent", "revenue_change", "amount", "employees", "capital")
MAX_MISMATCHES = 15


def _yaml_list(path: Path) -> list:
    """A held-out file's items: a non-empty plain YAML list (not Rasa NLU data), else ValueError."""
    import yaml

    items = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(items, list) or not items:
        raise ValueError(f"{path.name}: expected a non-empty YAML list")
    return items


def load_number_cases(path: Path = NUMBER_CASES) -> list:
    """The held-out number sentences as [(text, [(entity, value), ...])]; ValueError names the bad item."""
    items = _yaml_list(path)
    cases = []
    for i, item in enumerate(items, 1):
        where = f"{path.name} item {i}"
        if not isinstance(item, dict) or set(item) != {"text", "entities"}:
            raise ValueError(f"{where}: needs exactly the keys text and entities, got {item!r}")
        text, entities = item["text"], item["entities"]
        if not isinstance(text, str) or not text.strip():
            raise ValueError(f"{where}: text must be a non-empty string")
        if not isinstance(entities, list):
            raise ValueError(f"{where} ({text}): entities must be a list ([] for none)")
        pairs = []
        for e in entities:
            if not isinstance(e, dict) or set(e) != {"entity", "value"}:
                raise ValueError(f"{where} ({text}): each entity needs exactly entity and value, got {e!r}")
            if e["entity"] not in NUMBER_ENTITIES:
                raise ValueError(f"{where} ({text}): unknown entity {e['entity']!r}")
            # bool is an int subclass: `value: yes` must not pass as 1
            if isinstance(e["value"], bool) or not isinstance(e["value"], (int, float)):
                raise ValueError(f"{where} ({text}): value {e['value']!r} is not a number")
            pairs.append((e["entity"], float(e["value"])))
        cases.append((text, pairs))
    return cases


def _key(entity: str, value: float) -> tuple:
    return entity, round(float(value), 4)  # 12.5 and 12.500000001 are the same figure


def load_blind_intents(path: Path = BLIND_INTENTS) -> list:
    """[(text, intent)] of the blind intent set; ValueError names the bad item."""
    items = _yaml_list(path)
    out = []
    for i, item in enumerate(items, 1):
        if (
            not isinstance(item, dict)
            or set(item) != {"text", "intent"}
            or not all(isinstance(item[k], str) and item[k].strip() for k in ("text", "intent"))
        ):
            raise ValueError(f"{path.name} item {i}: needs exactly a non-empty text and intent, got {item!r}")
        out.append((item["text"], item["intent"]))
    return out


def _load_agent(model: str):
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # rasa's configure_structlog would add a root handler on stdout (jieba's debug lines would land in the report)
    handler = logging.StreamHandler(sys.stderr)
    handler.setLevel(logging.WARNING)
    logging.basicConfig(handlers=[handler], level=logging.ERROR)
    configure_structlog(logging.ERROR)  # else structlog prints a debug line per parsed message on stdout
    if str(ROOT) not in sys.path:  # the model's custom components live in components/
        sys.path.insert(0, str(ROOT))
    return Agent.load(str(ROOT / model))


def _parse_all(agent, texts: list) -> list:
    async def parse_all():  # Agent.parse_message is a coroutine in rasa 3.6
        return [await agent.parse_message(text) for text in texts]

    return asyncio.run(parse_all())


def blind_intent_scores(agent, cases: list) -> dict:
    """Intent macro-F1 and accuracy on the blind set (nlu_fallback counts as wrong), and its worst confusions."""
    from sklearn.metrics import f1_score

    gold = [intent for _, intent in cases]
    pred = [parsed["intent"]["name"] for parsed in _parse_all(agent, [text for text, _ in cases])]
    labels = sorted(set(gold))
    macro = f1_score(gold, pred, labels=labels, average="macro", zero_division=0)
    accuracy = sum(g == p for g, p in zip(gold, pred)) / len(gold)
    print(f"[blind intents] {len(cases)} sentences ({BLIND_INTENTS.relative_to(ROOT)}), worst confusions:")
    for (g, p), n in Counter((g, p) for g, p in zip(gold, pred) if g != p).most_common(10):
        print(f"  {g} -> {p}: {n}")
    return {"blind intent macro-F1": macro, "blind intent accuracy": accuracy}


def number_entity_scores(model: str, cases: list) -> dict:
    """Parses each held-out sentence with the trained model and scores NumberExtractor's (entity, value) pairs
    against the expected ones (as multisets: order and spans are not judged); prints the table and mismatches."""
    agent = _load_agent(model)
    tp, fp, fn = Counter(), Counter(), Counter()
    mismatches = []
    for (text, expected), parsed in zip(cases, _parse_all(agent, [text for text, _ in cases])):
        got = [
            (e["entity"], float(e["value"]))
            for e in parsed.get("entities", [])
            if e.get("extractor") == "NumberExtractor"
        ]
        want_c, got_c = Counter(_key(*p) for p in expected), Counter(_key(*p) for p in got)
        for (entity, _), n in (want_c & got_c).items():
            tp[entity] += n
        for (entity, _), n in (got_c - want_c).items():
            fp[entity] += n
        for (entity, _), n in (want_c - got_c).items():
            fn[entity] += n
        if want_c != got_c:
            mismatches.append((text, expected, got))

    def prf(t, p, n):
        precision = t / (t + p) if t + p else 1.0
        recall = t / (t + n) if t + n else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return precision, recall, f1

    print(
        f"[number entities] {len(cases)} held-out sentences ({NUMBER_CASES.relative_to(ROOT)}), "
        f"{sum(1 for _, e in cases if not e)} with none:"
    )
    print(f"  {'entity':16s} {'precision':>9s} {'recall':>7s} {'F1':>6s} {'support':>8s}")
    scores = {}
    for entity in NUMBER_ENTITIES:
        p, r, f = prf(tp[entity], fp[entity], fn[entity])
        print(f"  {entity:16s} {p:9.3f} {r:7.3f} {f:6.3f} {tp[entity] + fn[entity]:8d}")
        scores[f"number F1 {entity}"] = f
    p, r, f = prf(sum(tp.values()), sum(fp.values()), sum(fn.values()))
    print(f"  {'all (micro)':16s} {p:9.3f} {r:7.3f} {f:6.3f} {sum(tp.values()) + sum(fn.values()):8d}")
    scores["number-entity F1"] = f
    print(
        f"[number entities] {len(mismatches)} mismatched sentences"
        + (f" (first {MAX_MISMATCHES})" if len(mismatches) > MAX_MISMATCHES else "")
        + ":"
    )

    def show(pairs):
        return ", ".join(f"{e} {v:g}" for e, v in pairs) or "none"

    for text, expected, got in mismatches[:MAX_MISMATCHES]:
        print(f"  {text}\n      expected: {show(expected)}\n      got:      {show(got)}")
    scores.update(blind_intent_scores(agent, load_blind_intents()))
    return scores


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
    model = (
        subprocess.run(["scripts/train.sh", config], cwd=ROOT, check=True, capture_output=True, text=True)
        .stdout.strip()
        .splitlines()[-1]
    )
    return score(model, out, config)


def score(model: str, out: Path, label: str) -> dict:
    """Tests a trained model on tests/nlu/ (scripts/improve.py calls this for its before and after models)."""
    subprocess.run(
        [
            str(ROOT / ".venv/bin/rasa"),
            "test",
            "nlu",
            "--model",
            model,
            "--nlu",
            "tests/nlu",
            "--out",
            str(out),
            "--no-plot",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )
    intents = json.loads((out / "intent_report.json").read_text(encoding="utf-8"))
    errors = (
        json.loads((out / "intent_errors.json").read_text(encoding="utf-8"))
        if (out / "intent_errors.json").exists()
        else []
    )
    confusions = Counter((e["intent"], e["intent_prediction"]["name"]) for e in errors)
    print(f"[{label}] ten worst confusions (gold -> predicted: count):")
    for (gold, pred), n in confusions.most_common(10):
        print(f"  {gold} -> {pred}: {n}")
    scores = {"intent accuracy": intents["accuracy"], "intent macro-F1": intents["macro avg"]["f1-score"]}
    for name in sorted(p.name for p in out.glob("*_report.json") if p.name != "intent_report.json"):
        rep = json.loads((out / name).read_text(encoding="utf-8"))
        extractor = name.replace("_report.json", "")
        if extractor == "NumberExtractor":  # every number counts as a false positive there: scored below instead
            print(
                "entity F1 NumberExtractor: not scored by rasa (tests/nlu/test_nlu.yml has no number "
                "annotations), see [number entities]"
            )
            continue
        for label, row in sorted(rep.items()):
            if isinstance(row, dict) and "f1-score" in row and label not in ("accuracy",):
                print(f"entity F1 {extractor:18s} {label:14s} {row['f1-score']:.3f} (support {row.get('support')})")
                scores[f"entity F1 {extractor} {label}"] = row["f1-score"]
    scores.update(number_entity_scores(model, load_number_cases()))
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
    load_number_cases()  # a malformed held-out file stops here, before any training
    load_blind_intents()
    scores = evaluate(args.config, ROOT / args.out)
    if args.baseline != args.config:
        base = evaluate(args.baseline, ROOT / f"{args.out}-{Path(args.baseline).stem}")
        print(f"{'':40s} {args.baseline:>16s} {args.config:>16s}   delta")
        for key in sorted(set(base) | set(scores), key=lambda k: (not k.startswith("intent"), k)):
            b, s = base.get(key), scores.get(key)
            delta = f"{s - b:+.3f}" if b is not None and s is not None else ""
            print(
                f"{key:40s} {'-' if b is None else f'{b:.3f}':>16s} {'-' if s is None else f'{s:.3f}':>16s}   {delta}"
            )
    print(f"number-entity F1: {scores['number-entity F1']:.2f}")
    print(
        f"blind intent macro-F1: {scores['blind intent macro-F1']:.3f} (accuracy {scores['blind intent accuracy']:.3f})"
    )
    print(f"intent accuracy: {scores['intent accuracy']:.3f}")
    print(f"intent macro-F1: {scores['intent macro-F1']:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
