"""TextNormalizer + NumberExtractor inside a real (tiny) Rasa 3.6 NLU pipeline.

Trains a throw-away model in a temp dir (DIET, 1 epoch), loads it with ``Agent`` and
checks the parse result and the tracker.  Rasa's training cache and telemetry are
pointed away from the repository.
"""

import asyncio

import pytest
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader
from rasa.shared.nlu.training_data.message import Message

from components.normalizer import ORIGINAL_TEXT, TextNormalizer
from components.number_extractor import NumberExtractor
from tests.tiny_nlu import train_tiny_nlu

RAW = "营业额掉了１５％，能贷多少"
NORMALIZED = "營業額掉了15%,能貸多少"

CONFIG = """\
recipe: default.v1
assistant_id: components_pipeline_test
language: zh
pipeline:
  - name: components.normalizer.TextNormalizer
  - name: JiebaTokenizer
  - name: CountVectorsFeaturizer
  - name: components.number_extractor.NumberExtractor
  - name: DIETClassifier
    epochs: 1
    constrain_similarities: true
    number_of_transformer_layers: 0   # the smallest DIET: this test is about the components
    hidden_layers_sizes: {text: []}
    embedding_dimension: 8
    run_eagerly: true                 # no tf.function tracing: most of the CPU of a 1-epoch model on 9 examples
"""

# Simplified / full-width examples and an annotation whose offsets move when the text
# is normalised (U盘 -> 隨身碟 adds a character).
NLU = """\
version: "3.1"
nlu:
- intent: ask_loan
  examples: |
    - 营业额掉了两成能贷多少
    - 營業額掉了15%可以貸多少
    - 我想借[800萬](loan_size)
    - U盘坏了想借[８００万](loan_size)
    - 能贷多少钱
- intent: greet
  examples: |
    - 你好
    - 哈囉
    - 早安
    - 嗨
    - 午安
"""


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    return train_tiny_nlu(tmp_path_factory.mktemp("nlu_model"), CONFIG, NLU, "nlu")


@pytest.fixture(scope="module")
def agent(model_path):
    from rasa.core.agent import Agent

    return Agent.load(model_path)


def test_parse_normalises_and_extracts(agent):
    result = asyncio.run(agent.parse_message(RAW))
    assert result["text"] == NORMALIZED
    assert result[ORIGINAL_TEXT] == RAW
    numbers = [e for e in result["entities"] if e["extractor"] == "NumberExtractor"]
    assert numbers == [
        {
            "entity": "revenue_change",
            "value": -15.0,
            "start": 5,
            "end": 8,
            "confidence_entity": 1.0,
            "additional_info": {"approx": False, "text": "15%"},
            "extractor": "NumberExtractor",
        }
    ]
    assert result["intent"]["name"] in {"ask_loan", "greet"}


def test_amount_from_simplified_input(agent):
    result = asyncio.run(agent.parse_message("我想借一千万"))
    assert result["text"] == "我想借一千萬"
    amounts = [(e["entity"], e["value"]) for e in result["entities"] if e["extractor"] == "NumberExtractor"]
    assert amounts == [("amount", 1000.0)]


def test_tracker_keeps_the_original_text(agent):
    from rasa.core.channels.channel import UserMessage
    from rasa.shared.core.events import UserUttered

    async def log_and_fetch():
        await agent.processor.log_message(UserMessage(RAW, sender_id="tariff-user"))
        return await agent.tracker_store.retrieve("tariff-user")

    tracker = asyncio.run(log_and_fetch())
    event = tracker.latest_message
    assert event.text == RAW  # what the user typed
    assert event.parse_data["text"] == NORMALIZED  # what the NLU saw (entity offsets)
    assert event.parse_data[ORIGINAL_TEXT] == RAW
    assert any(e["entity"] == "revenue_change" and e["value"] == -15.0 for e in event.entities)
    # and it survives serialisation (tracker stores persist events as dicts)
    restored = UserUttered.from_parameters(event.as_dict())
    assert restored.text == RAW


def test_intent_shortcut_is_untouched(agent):
    result = asyncio.run(agent.parse_message('/ask_loan{"loan_size": "８００万"}'))
    assert result["intent"]["name"] == "ask_loan"
    assert result["text"] == '/ask_loan{"loan_size": "８００万"}'
    assert all(e.get("extractor") != "NumberExtractor" for e in result["entities"])


def test_training_examples_are_normalised_and_realigned():
    data = RasaYAMLReader().reads(NLU)
    TextNormalizer.create({}, None, None, None).process_training_data(data)
    by_original = {m.get(ORIGINAL_TEXT): m for m in data.training_examples}
    moved = by_original["U盘坏了想借８００万"]
    assert moved.get(TEXT) == "隨身碟壞了想借800萬"
    (entity,) = moved.get(ENTITIES)
    assert moved.get(TEXT)[entity["start"] : entity["end"]] == "800萬"
    assert entity["value"] == "800萬"
    assert by_original["营业额掉了两成能贷多少"].get(TEXT) == "營業額掉了兩成能貸多少"


def test_number_extractor_appends_and_keeps_other_entities():
    diet_entity = {
        "entity": "loan_size",
        "start": 0,
        "end": 4,
        "value": "800萬",
        "extractor": "DIETClassifier",
    }
    message = Message(data={TEXT: "800萬,營業額掉了兩成", ENTITIES: [diet_entity]})
    NumberExtractor.create({}, None, None, None).process([message])
    entities = message.get(ENTITIES)
    assert entities[0] == diet_entity
    assert [(e["entity"], e["value"]) for e in entities[1:]] == [
        ("amount", 800.0),
        ("revenue_change", -20.0),
    ]


def test_number_extractor_entity_filter():
    message = Message(data={TEXT: "員工80人,想借800萬"})
    NumberExtractor.create({"entities": ["employees"]}, None, None, None).process([message])
    assert [(e["entity"], e["value"]) for e in message.get(ENTITIES)] == [("employees", 80.0)]


def test_normalizer_is_idempotent_on_the_same_message():
    message = Message(data={TEXT: RAW})
    normalizer = TextNormalizer.create({}, None, None, None)
    normalizer.process([message])
    normalizer.process([message])
    assert message.get(TEXT) == NORMALIZED
    assert message.get(ORIGINAL_TEXT) == RAW
