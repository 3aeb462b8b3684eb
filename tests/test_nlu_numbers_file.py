"""tests/nlu/numbers.yml (held-out number entities, scored by `make nlu-report`) is well-formed: a typo in it
must fail here, not silently skew the report. No model needed."""

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
_spec = importlib.util.spec_from_file_location("nlu_report", ROOT / "scripts" / "nlu_report.py")
nlu_report = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(nlu_report)


@pytest.fixture(scope="module")
def cases():
    return nlu_report.load_number_cases()


def test_loads_and_is_big_enough(cases):
    assert len(cases) >= 150
    assert sum(1 for _, pairs in cases if not pairs) >= 20  # sentences where nothing may be found


def test_every_entity_kind_is_covered(cases):
    kinds = {entity for _, pairs in cases for entity, _ in pairs}
    assert kinds == set(nlu_report.NUMBER_ENTITIES)


def test_entity_names_match_the_extractor():
    from components.number_extractor import ALL_ENTITIES

    assert set(nlu_report.NUMBER_ENTITIES) == set(ALL_ENTITIES)


def test_no_duplicate_sentences(cases):
    texts = [text for text, _ in cases]
    assert len(texts) == len(set(texts))


def test_held_out_from_training_data_and_unit_tests(cases):
    seen = "".join(p.read_text(encoding="utf-8") for p in sorted((ROOT / "data").rglob("*.yml")))
    seen += (ROOT / "tests" / "test_numbers.py").read_text(encoding="utf-8")
    assert [text for text, _ in cases if text in seen] == []


def test_rasa_does_not_read_it_as_nlu_data():
    # `rasa test nlu --nlu tests/nlu` loads only YAML files with an `nlu:` key
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    assert not RasaYAMLReader.is_yaml_nlu_file(nlu_report.NUMBER_CASES)


@pytest.mark.parametrize(
    "body, problem",
    [
        ("- text: 營收掉了兩成\n  entities: [{entity: revenue_chnage, value: -20}]\n", "unknown entity"),
        ("- text: 想借800萬\n  entities: [{entity: amount, value: 800萬}]\n", "not a number"),
        ("- text: 員工50人\n  entities: [{entity: employees, value: yes}]\n", "not a number"),
        ("- text: 想借800萬\n  entity: [{entity: amount, value: 800}]\n", "exactly the keys"),
        ("- text: 想借800萬\n  entities: {entity: amount, value: 800}\n", "must be a list"),
        ("- text: 想借800萬\n  entities: [{entity: amount, valeu: 800}]\n", "exactly entity and value"),
        ("- text: ''\n  entities: []\n", "non-empty string"),
        ("nlu: []\n", "YAML list"),
    ],
)
def test_loader_rejects_typos(tmp_path, body, problem):
    path = tmp_path / "numbers.yml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        nlu_report.load_number_cases(path)


# tests/nlu/intents_blind.yml: a second intent set, written by a helper who never saw data/ or tests/
@pytest.fixture(scope="module")
def blind():
    return nlu_report.load_blind_intents()


def test_the_blind_intent_set_covers_every_intent(blind):
    import yaml

    intents = set(yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))["intents"])
    assert {intent for _, intent in blind} == intents
    assert min(sum(1 for _, i in blind if i == intent) for intent in intents) >= 10


def test_the_blind_intent_set_is_not_in_the_training_data(blind):
    from tests.test_unseen_sets import STOCK_PHRASE, canonical, training_sentences

    seen = training_sentences()
    leaked = [text for text, _ in blind if len(canonical(text)) >= STOCK_PHRASE and canonical(text) in seen]
    assert leaked == []


def test_rasa_does_not_read_the_blind_set_as_nlu_data():
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLReader

    assert not RasaYAMLReader.is_yaml_nlu_file(nlu_report.BLIND_INTENTS)


@pytest.mark.parametrize(
    "body, problem",
    [("- {text: 你好}\n", "exactly a non-empty text and intent"), ("- {text: '', intent: greet}\n", "non-empty")],
)
def test_the_blind_loader_rejects_typos(tmp_path, body, problem):
    path = tmp_path / "intents_blind.yml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        nlu_report.load_blind_intents(path)
