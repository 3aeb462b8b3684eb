"""Rasa's DIETClassifier with a cheaper training graph: its train step is traced once, without the CRF's decoding.

Most of a cold `rasa train` of our data went into tracing DIET's Keras train step, not into running it (cProfile,
issue 20: 92 s of 180 s in DIET's fit), for two reasons:
- **the step was traced twice.** Rasa's model builds its layers' weights and the optimizer its slots inside the
  first call of the train step; a `tf.function` whose first trace creates variables is traced again without them
  (`Function._call` → `_no_variable_creation_fn`). `_build_variables` runs the loss once eagerly on the first batch
  (no gradient, no dropout) and builds the optimizer on the weights, so Keras' trace creates nothing and is kept;
- **the CRF decoded every training batch for a progress-bar figure.** `_calculate_entity_loss` ran the Viterbi
  decode (`crf_decode`: a scan, a backtrack and a `tf.cond`, about 45% of the trace) only to report the entity F1
  of the batch. The loss is the CRF's log-likelihood and is unchanged; the batch's F1 now reads each token's best
  tag from the logits. Predictions (`batch_predict`) still decode with the CRF, so what the bot reads is as before.
Both change only how the training graph is built: the loss, the gradients and the optimizer are Rasa's.
"""

from __future__ import annotations

from typing import Any

import tensorflow as tf
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers import diet_classifier
from rasa.utils.tensorflow.models import RasaModel


class TracedOnceDIET(diet_classifier.DIET):
    """DIET's model whose training graph is traced once and does not decode (see the module's docstring)."""

    def fit(self, x: Any = None, *args: Any, **kwargs: Any) -> Any:
        if not self.run_eagerly and isinstance(x, tf.keras.utils.Sequence) and len(x):
            self._build_variables(x[0])
        return super().fit(x, *args, **kwargs)

    def _build_variables(self, batch: Any) -> None:
        """Creates every variable the train step uses, so that Keras' `tf.function` traces it once."""
        self._training = None  # the learning phase's default: no dropout, the weights' values untouched
        self.batch_loss(batch)
        self.optimizer.build(self.trainable_variables)

    def _calculate_entity_loss(
        self,
        inputs: tf.Tensor,
        tag_ids: tf.Tensor,
        mask: tf.Tensor,
        sequence_lengths: tf.Tensor,
        tag_name: str,
        entity_tags: tf.Tensor | None = None,
    ) -> tuple[tf.Tensor, tf.Tensor, tf.Tensor]:
        tag_ids = tf.cast(tag_ids[:, :, 0], tf.int32)
        if entity_tags is not None:
            inputs = tf.concat([inputs, self._tf_layers[f"embed.{tag_name}.tags"](entity_tags)], axis=-1)
        logits = self._tf_layers[f"embed.{tag_name}.logits"](inputs)
        crf = self._tf_layers[f"crf.{tag_name}"]
        if not crf.built:  # Rasa's way of creating the CRF's weights: call it once (in `_build_variables`)
            crf(logits, sequence_lengths)
        loss = crf.loss(logits, tag_ids, sequence_lengths)
        best_tags = tf.argmax(logits, axis=-1, output_type=tf.int32)
        return loss, crf.f1_score(tag_ids, best_tags, mask), logits


@DefaultV1Recipe.register(
    [DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR],
    is_trainable=True,
)
class TracedOnceDIETClassifier(diet_classifier.DIETClassifier):
    """DIETClassifier training `TracedOnceDIET`; its config, predictions and saved model are DIETClassifier's."""

    @staticmethod
    def model_class() -> type[RasaModel]:
        return TracedOnceDIET
