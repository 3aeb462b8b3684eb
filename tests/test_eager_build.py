"""serving/eager_build.py: a model loaded with the one-step weight build run eagerly predicts exactly as Rasa's
load (the build traced as a graph), and predicts in graph mode afterwards."""

import asyncio

import pytest

from tests.test_components_pipeline import NLU
from tests.tiny_nlu import isolated_rasa, train_tiny_nlu

CONFIG = """\
recipe: default.v1
assistant_id: eager_build_test
language: zh
pipeline:
  - name: JiebaTokenizer
  - name: CountVectorsFeaturizer
  - name: DIETClassifier
    epochs: 2
    number_of_transformer_layers: 0
    hidden_layers_sizes: {text: []}
    embedding_dimension: 8
"""
TEXTS = ["营业额掉了两成能贷多少", "你好", "可以借多少錢", "早安啊"]


@pytest.fixture(scope="module")
def model_path(tmp_path_factory):
    """Trained eagerly (no tf.function tracing: most of a tiny model's training time), while the model keeps the
    config's run_eagerly: false, which is what decides how it is loaded."""
    from rasa.utils.tensorflow.models import RasaModel

    compile_ = RasaModel.compile
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(RasaModel, "compile", lambda self, *a, **kw: compile_(self, *a, **{**kw, "run_eagerly": True}))
        return train_tiny_nlu(tmp_path_factory.mktemp("eager_model"), CONFIG, NLU, "eager")


def parse_all(model_path, root):
    from rasa.core.agent import Agent

    with isolated_rasa(root):
        agent = Agent.load(model_path)
        return [asyncio.run(agent.parse_message(t)) for t in TEXTS]


def test_eager_build_predicts_as_rasas_load(model_path, tmp_path, monkeypatch):
    from rasa.utils.tensorflow.models import RasaModel

    from serving import eager_build

    fits = []
    rasa_fit = RasaModel.fit

    def fit(self, *args, **kwargs):
        fits.append(self.run_eagerly)
        return rasa_fit(self, *args, **kwargs)

    monkeypatch.setattr(RasaModel, "fit", fit)
    stock = parse_all(model_path, tmp_path / "a")
    monkeypatch.setattr(RasaModel, "load", RasaModel.load)  # undone after the test
    monkeypatch.delattr(RasaModel, "_eager_build_installed", raising=False)
    eager_build.install()
    ours = parse_all(model_path, tmp_path / "b")
    assert fits == [False, True]  # Rasa's load traced the build; ours ran it eagerly
    for a, b in zip(stock, ours):
        assert a["intent"]["name"] == b["intent"]["name"]
        assert [r["name"] for r in a["intent_ranking"]] == [r["name"] for r in b["intent_ranking"]]
        for x, y in zip(a["intent_ranking"], b["intent_ranking"]):
            assert x["confidence"] == pytest.approx(y["confidence"], abs=1e-6)
