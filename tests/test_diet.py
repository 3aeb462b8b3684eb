"""components/diet.py: DIET's training step traced once and without the CRF's decode; the loss is Rasa's, and the
trained model still decodes entities with the CRF."""

import asyncio

import numpy as np
import pytest
import tensorflow as tf
from rasa.utils.tensorflow import crf as rasa_crf
from rasa.utils.tensorflow import layers
from rasa.utils.tensorflow.models import TransformerRasaModel

from components.diet import TracedOnceDIET
from tests.test_components_pipeline import NLU
from tests.tiny_nlu import isolated_rasa, train_tiny_nlu

CONFIG = """\
recipe: default.v1
assistant_id: traced_once_diet_test
language: zh
pipeline:
  - name: JiebaTokenizer
  - name: CountVectorsFeaturizer
  - name: components.diet.TracedOnceDIETClassifier
    epochs: 3
    number_of_transformer_layers: 0
    hidden_layers_sizes: {text: []}
    embedding_dimension: 8
    constrain_similarities: true
    batch_size: [2, 4]                # several batches of several shapes, as in a real training
"""


class Decodes:
    """Counts the CRF's Viterbi decodes, eager and traced."""

    def __init__(self, monkeypatch):
        self.eager, self.traced = 0, 0
        decode = rasa_crf.crf_decode

        def counting(*args, **kwargs):
            if tf.executing_eagerly():
                self.eager += 1
            else:
                self.traced += 1
            return decode(*args, **kwargs)

        monkeypatch.setattr(rasa_crf, "crf_decode", counting)


class Layers:
    """The part of a DIET model `_calculate_entity_loss` reads: its layers, built as Rasa builds them."""

    def __init__(self, num_tags=5):
        self._tf_layers = {
            "embed.entity.logits": layers.Embed(num_tags, 0.002, "logits.entity"),
            "crf.entity": layers.CRF(num_tags, 0.002, True),
            "embed.entity.tags": layers.Embed(8, 0.002, "tags.entity"),
        }


def entity_batch(seed=0, batch=3, length=6, num_tags=5):
    rng = np.random.default_rng(seed)
    inputs = tf.constant(rng.normal(size=(batch, length, 16)), tf.float32)
    lengths = tf.constant([length, length - 2, 1], tf.int32)
    mask = tf.sequence_mask(lengths, length, tf.float32)[:, :, None]
    tags = tf.constant(rng.integers(0, num_tags, size=(batch, length, 1)), tf.float32) * mask
    return inputs, tags, mask, lengths


def test_entity_loss_is_rasas_and_skips_the_decode_once_the_crf_is_built(monkeypatch):
    decodes = Decodes(monkeypatch)
    model = Layers()
    inputs, tags, mask, lengths = entity_batch()
    # first call: the CRF has no weights yet, so it is called (and decodes) once to create them, as in Rasa
    TracedOnceDIET._calculate_entity_loss(model, inputs, tags, mask, lengths, "entity")
    assert (decodes.eager, model._tf_layers["crf.entity"].built) == (1, True)

    ours = TracedOnceDIET._calculate_entity_loss(model, inputs, tags, mask, lengths, "entity")
    assert decodes.eager == 1  # no decode for the training figure
    rasas = TransformerRasaModel._calculate_entity_loss(model, inputs, tags, mask, lengths, "entity")
    assert decodes.eager == 2
    np.testing.assert_allclose(ours[0].numpy(), rasas[0].numpy(), rtol=1e-6)  # the loss
    np.testing.assert_allclose(ours[2].numpy(), rasas[2].numpy())  # the logits
    assert 0.0 <= float(ours[1]) <= 1.0  # a batch F1 from each token's best tag


def test_training_traces_the_step_once_and_predictions_decode(tmp_path, monkeypatch):
    from rasa.core.agent import Agent

    decodes = Decodes(monkeypatch)
    traces = []
    batch_loss = TracedOnceDIET.batch_loss

    def counting(self, batch_in):
        traces.append(tf.executing_eagerly())
        return batch_loss(self, batch_in)

    monkeypatch.setattr(TracedOnceDIET, "batch_loss", counting)
    model_path = train_tiny_nlu(tmp_path, CONFIG, NLU, "traced_once")
    # one eager call creates the variables, then Keras traces the step once (Rasa's DIET: twice, both decoding)
    assert traces == [True, False]
    assert decodes.traced == 0

    from rasa.utils.tensorflow.models import RasaModel

    from serving import eager_build

    monkeypatch.setattr(RasaModel, "load", RasaModel.load)  # the served load (weights built eagerly), undone after
    monkeypatch.delattr(RasaModel, "_eager_build_installed", raising=False)
    eager_build.install()
    with isolated_rasa(tmp_path):
        agent = Agent.load(model_path)  # traces the prediction, as Rasa's load does
        assert decodes.traced == 1  # whose entities are still read with the CRF's decode
        parsed = asyncio.run(agent.parse_message("我想借800萬"))
    assert parsed["intent"]["name"] in {"ask_loan", "greet"}


class Batches(tf.keras.utils.Sequence):
    def __len__(self):
        return 2

    def __getitem__(self, index):
        return f"batch {index}", None


@pytest.mark.parametrize("run_eagerly, built", [(False, [("batch 0", None)]), (True, [])])
def test_only_a_traced_fit_builds_ahead(run_eagerly, built, monkeypatch):
    """Eager training (and serving/eager_build's load) traces nothing, so it needs no build ahead of the fit."""
    model = TracedOnceDIET.__new__(TracedOnceDIET)
    calls = []
    monkeypatch.setattr(TracedOnceDIET, "_build_variables", lambda self, batch: calls.append(batch))
    monkeypatch.setattr(tf.keras.Model, "fit", lambda self, x=None, *a, **kw: "fitted")
    monkeypatch.setattr(TracedOnceDIET, "run_eagerly", property(lambda self: run_eagerly))
    assert TracedOnceDIET.fit(model, Batches()) == "fitted"
    assert calls == built
