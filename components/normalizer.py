"""``TextNormalizer``: Rasa 3.6 graph component that normalises the message text.

Put it first in the pipeline (before ``JiebaTokenizer``)::

    pipeline:
      - name: components.normalizer.TextNormalizer
      - name: JiebaTokenizer
      ...

It rewrites ``text`` with :func:`components.normalize.normalize_text` at training time
(``process_training_data``; entity annotations are re-aligned to the new text) and at
prediction time (``process``), and stores the text it received under
``original_text`` (also in the parse result).

The user's original text stays in the tracker: ``MessageProcessor``
(rasa/core/processor.py, ``_handle_message_with_tracker``) builds the event as
``UserUttered(message.text, ..., parse_data)`` from the incoming ``UserMessage``, not
from the pipeline output.  So ``tracker.latest_message.text`` is what the user typed,
while ``parse_data["text"]`` (which entity ``start``/``end`` refer to) is the normalised
text and ``parse_data["original_text"]`` the typed one.

Messages starting with ``/`` (intent shortcuts such as ``/inform{"amount": 800}``,
handled by ``RegexMessageHandler``) are left untouched.

Registered as a ``MESSAGE_TOKENIZER``-type node so that Rasa runs it on the training
data as well; it is not a ``Tokenizer`` subclass, so the one-tokenizer check does not
count it.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.normalize import normalize_text, normalize_with_spans

ORIGINAL_TEXT = "original_text"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class TextNormalizer(GraphComponent):
    """NFKC + Simplified->Traditional + whitespace clean-up of the user text."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """No options."""
        return {}

    @staticmethod
    def supported_languages() -> list[str] | None:
        """Meant for Chinese pipelines."""
        return ["zh"]

    @staticmethod
    def required_packages() -> list[str]:
        """OpenCC does the Simplified -> Traditional conversion."""
        return ["opencc"]

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> TextNormalizer:
        """Creates the component (nothing to train or persist)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Normalises the text of incoming user messages."""
        for message in messages:
            self._normalize_message(message)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Normalises training examples and moves their entity spans along."""
        for example in training_data.training_examples:
            self._normalize_message(example)
        return training_data

    @staticmethod
    def _normalize_message(message: Message) -> None:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text:
            return
        if text.lstrip().startswith(INTENT_MESSAGE_PREFIX):
            return
        if message.get(ORIGINAL_TEXT) is not None:
            return  # already done (the same Message object seen twice)
        entities = message.get(ENTITIES) or []
        if entities:
            normalized, entities = _realign(text, entities)
            message.set(ENTITIES, entities)
        else:
            normalized = normalize_text(text)
        message.set(ORIGINAL_TEXT, text, add_to_output=True)
        if normalized != text:
            message.set(TEXT, normalized)


def _realign(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Normalises ``text`` and returns copies of ``entities`` with updated offsets."""
    spans = []
    for entity in entities:
        start = entity.get(ENTITY_ATTRIBUTE_START)
        end = entity.get(ENTITY_ATTRIBUTE_END)
        if isinstance(start, int) and isinstance(end, int):
            spans.append((start, end))
    normalized, new_spans = normalize_with_spans(text, spans)
    updated = []
    span_iter = iter(new_spans)
    for entity in entities:
        start = entity.get(ENTITY_ATTRIBUTE_START)
        end = entity.get(ENTITY_ATTRIBUTE_END)
        if not (isinstance(start, int) and isinstance(end, int)):
            updated.append(entity)
            continue
        new_start, new_end = next(span_iter)
        new_entity = dict(entity)
        new_entity[ENTITY_ATTRIBUTE_START] = new_start
        new_entity[ENTITY_ATTRIBUTE_END] = new_end
        # a value that was just the annotated text follows the text; a synonym
        # target (value differs from the text) is kept
        if entity.get(ENTITY_ATTRIBUTE_VALUE) == text[start:end]:
            new_entity[ENTITY_ATTRIBUTE_VALUE] = normalized[new_start:new_end]
        updated.append(new_entity)
    return normalized, updated
