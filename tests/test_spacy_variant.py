"""The spaCy variant (config-spacy.yml, issue 7) without zh_core_web_sm.

spaCy's Chinese model is not on the package registries this project installs from, so the loading path is proven
with a stand-in: a small Chinese spaCy pipeline built here (jieba segmenter, an untrained tok2vec for dense token
features as zh_core_web_sm's tok2vec gives them, an entity_ruler for PERCENT / MONEY) and saved with
``nlp.to_disk``. A temporary copy of config-spacy.yml points SpacyNLP's ``model:`` at it (DIET: 1 epoch), a tiny
NLU model is trained into the temp dir and loaded with ``Agent``. Rasa's training cache and telemetry are kept out
of the repository as in test_components_pipeline.py.
"""

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
import spacy  # pinned in requirements.txt: a missing spaCy is a failure, not a skip
import yaml

from tests.tiny_nlu import isolated_rasa, train_tiny_nlu

ROOT = Path(__file__).resolve().parent.parent
CHECK = ROOT / "scripts" / "check_spacy_model.py"
TEXT = "營業額掉了15%能貸多少"
INTENTS = {"ask_loan", "ask_hotline", "greet", "goodbye"}

NLU = """\
version: "3.1"
nlu:
- intent: ask_loan
  examples: |
    - 營業額掉了兩成能貸多少
    - 營收少了10%可以貸多少
    - 我想借800萬
    - 能貸多少錢
    - 週轉金貸款額度是多少
- intent: ask_hotline
  examples: |
    - 要打哪支電話
    - 專線號碼是多少
    - 請給我服務電話
    - 我要找誰問
    - 客服電話
- intent: greet
  examples: |
    - 你好
    - 哈囉
    - 早安
    - 嗨
    - 午安
- intent: goodbye
  examples: |
    - 再見
    - 謝謝,掰掰
    - 先這樣
    - 拜拜
    - 下次再聊
"""

PATTERNS = [
    {"label": "PERCENT", "pattern": [{"TEXT": {"REGEX": r"^\d+(\.\d+)?%$"}}]},  # jieba keeps 15% whole
    {"label": "PERCENT", "pattern": [{"LIKE_NUM": True}, {"TEXT": "%"}]},
    {"label": "MONEY", "pattern": [{"TEXT": {"REGEX": r"^\d+(\.\d+)?[萬億]元?$"}}]},
    {"label": "MONEY", "pattern": [{"LIKE_NUM": True}, {"TEXT": {"IN": ["萬", "億", "萬元", "億元", "元"]}}]},
]


def build_pipeline(path: Path) -> Path:
    """A Chinese spaCy pipeline on disk: jieba tokens, tok2vec tensors, rule-based PERCENT/MONEY entities."""
    spacy.util.fix_random_seed(0)
    nlp = spacy.blank("zh", config={"nlp": {"tokenizer": {"segmenter": "jieba"}}})
    nlp.add_pipe("tok2vec")  # Doc.tensor -> Token.vector: the dense features SpacyFeaturizer reads
    ruler = nlp.add_pipe("entity_ruler")
    nlp.initialize()  # initialises tok2vec's weights; clears the entity_ruler, so patterns come after
    ruler.add_patterns(PATTERNS)
    nlp.meta["name"] = "tariff_test_pipeline"
    nlp.to_disk(path)
    return path


def spacy_config(model: str, epochs: int = 1) -> dict:
    """config-spacy.yml with SpacyNLP's model and DIET's epochs replaced (Rasa does not expand env vars); DIET runs
    eagerly: tracing its tf.functions was most of the CPU of a 1-epoch model (tests/test_components_pipeline.py)."""
    config = yaml.safe_load((ROOT / "config-spacy.yml").read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == "SpacyNLP":
            component["model"] = model
        if component["name"] == "components.diet.TracedOnceDIETClassifier":
            component["epochs"] = epochs
            component["run_eagerly"] = True
    return config


def run_check(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"}
    return subprocess.run(
        [sys.executable, str(CHECK), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.fixture(scope="module")
def pipeline_path(tmp_path_factory) -> Path:
    return build_pipeline(tmp_path_factory.mktemp("spacy") / "zh_test_pipeline")


@pytest.fixture(scope="module")
def rasa_root(tmp_path_factory):
    """A temp dir for the model; Rasa's cache and telemetry stay away from the repository while the model is
    trained and loaded."""
    root = tmp_path_factory.mktemp("spacy_nlu_model")
    with isolated_rasa(root):
        yield root


@pytest.fixture(scope="module")
def model_path(rasa_root, pipeline_path):
    config = yaml.safe_dump(spacy_config(str(pipeline_path)), allow_unicode=True, sort_keys=False)
    return train_tiny_nlu(rasa_root, config, NLU, "nlu-spacy")


@pytest.fixture(scope="module")
def agent(rasa_root, model_path):
    from rasa.core.agent import Agent

    return Agent.load(model_path)


def parse(agent, text: str) -> dict:
    """Parse result with the internal properties too (tokens), as the processor produces it."""
    from rasa.core.channels.channel import UserMessage

    return asyncio.run(agent.processor.parse_message(UserMessage(text), only_output_properties=False))


def test_the_stand_in_pipeline_reads_like_the_model(pipeline_path):
    nlp = spacy.load(pipeline_path, disable=["parser"])  # as Rasa's SpacyNLP loads it
    doc = nlp(TEXT)
    tokens = [t.text for t in doc]
    # jieba's segmentation depends on the words loaded into its global dictionary by earlier tests
    # (JiebaTokenizer loads ours), so check the shape, not the exact cut
    assert "".join(tokens) == TEXT and len(tokens) >= 5 and "15%" in tokens and tokens[0] == "營業額"
    assert [(e.text, e.label_) for e in doc.ents] == [("15%", "PERCENT")]
    assert doc[0].vector.shape == (96,)


def test_parse_goes_through_spacy(agent, pipeline_path):
    result = parse(agent, TEXT)
    assert result["text"] == TEXT
    # the tokens are spaCy's (the stand-in pipeline's jieba segmenter): the same cut as the pipeline itself
    assert [t.text for t in result["text_tokens"]] == [t.text for t in spacy.load(pipeline_path)(TEXT)]
    by_extractor = {}
    for e in result["entities"]:
        by_extractor.setdefault(e["extractor"], []).append(e)
    spacy_entities = [
        (e["entity"], e["value"], e["start"], e["end"]) for e in by_extractor.get("SpacyEntityExtractor", [])
    ]
    assert ("PERCENT", "15%", 5, 8) in spacy_entities
    numbers = [(e["entity"], e["value"]) for e in by_extractor.get("NumberExtractor", [])]
    assert numbers == [("revenue_change", -15.0)]
    assert result["intent"]["name"] in INTENTS | {"nlu_fallback"}
    assert {r["name"] for r in result["intent_ranking"]} & INTENTS


def test_money_from_spacy_and_amount_from_number_extractor(agent):
    result = parse(agent, "我想借800萬")
    assert ("MONEY", "800萬") in [
        (e["entity"], e["value"]) for e in result["entities"] if e["extractor"] == "SpacyEntityExtractor"
    ]
    assert ("amount", 800.0) in [
        (e["entity"], e["value"]) for e in result["entities"] if e["extractor"] == "NumberExtractor"
    ]


def test_model_graph_uses_the_spacy_components(agent):
    nodes = {node.uses.__name__ for node in agent.processor.model_metadata.predict_schema.nodes.values()}
    assert {
        "SpacyNLP",
        "SpacyTokenizer",
        "SpacyFeaturizer",
        "SpacyEntityExtractor",
        "NumberExtractor",
        "TracedOnceDIETClassifier",
    } <= nodes
    assert "JiebaTokenizer" not in nodes


def test_variant_keeps_the_default_classifier_and_policies():
    default = yaml.safe_load((ROOT / "config.yml").read_text(encoding="utf-8"))
    variant = yaml.safe_load((ROOT / "config-spacy.yml").read_text(encoding="utf-8"))
    assert variant["language"] == default["language"] == "zh"
    assert variant["policies"] == default["policies"]

    def by_name(config, name):
        return [c for c in config["pipeline"] if c["name"] == name]

    for name in (
        "components.diet.TracedOnceDIETClassifier",
        "FallbackClassifier",
        "EntitySynonymMapper",
        "components.normalizer.TextNormalizer",
        "components.number_extractor.NumberExtractor",
    ):
        assert by_name(variant, name) == by_name(default, name), name
    assert by_name(variant, "SpacyNLP") == [{"name": "SpacyNLP", "model": "zh_core_web_sm"}]
    assert variant["pipeline"][0]["name"] == "components.normalizer.TextNormalizer"  # spaCy sees normalised text


def test_check_script_fails_clearly_for_a_missing_model():
    result = run_check("zh_core_web_sm_not_here")
    assert result.returncode == 1
    assert "spaCy model missing" in result.stderr
    assert "zh_core_web_sm" in result.stderr
    assert "pip install ./zh_core_web_sm-3.4.0-py3-none-any.whl" in result.stderr
    assert (
        "https://github.com/explosion/spacy-models/releases/download/zh_core_web_sm-3.4.0/"
        "zh_core_web_sm-3.4.0-py3-none-any.whl"
    ) in result.stderr
    assert "placeholder" in result.stderr


def test_check_script_passes_for_a_pipeline_on_disk(pipeline_path, tmp_path):
    result = run_check(str(pipeline_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("spaCy model OK")
    # and reads the model from a config file
    config = tmp_path / "config-spacy.yml"
    config.write_text(yaml.safe_dump(spacy_config(str(pipeline_path))), encoding="utf-8")
    assert run_check(str(config)).returncode == 0
