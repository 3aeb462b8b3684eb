"""``NumberExtractor``: rule-based entity extractor for numbers (Rasa 3.6 component).

Appends :func:`components.numbers.extract_numbers` results to the message entities::

    {"entity": "revenue_change", "value": -15.0, "start": 5, "end": 8,
     "confidence_entity": 1.0, "extractor": "NumberExtractor",
     "additional_info": {"approx": False, "text": "15%"}}

``start``/``end`` refer to the (normalised) ``text`` the component sees, so put it after
``components.normalizer.TextNormalizer``.  It is registered with ``is_trainable=False``:
it never sees the training data, DIET is not trained on its output, and it only appends
to ``entities`` -- entities from other extractors are never modified or removed.

Config: ``entities`` -- optional list of entity types to emit (default: all of
percent, revenue_change, amount, employees, capital).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import ENTITY_ATTRIBUTE_CONFIDENCE_TYPE
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message

from components.numbers import extract_numbers

ALL_ENTITIES = ["percent", "revenue_change", "amount", "employees", "capital"]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=False)
class NumberExtractor(GraphComponent, EntityExtractorMixin):
    """Percentages, signed revenue changes, NTD amounts (萬), employees, capital."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Which entity types to emit (``None``: all)."""
        return {"entities": None}

    @staticmethod
    def supported_languages() -> list[str] | None:
        """Chinese (Traditional, normalised) text."""
        return ["zh"]

    @staticmethod
    def required_packages() -> list[str]:
        """cn2an parses Chinese numerals."""
        return ["cn2an"]

    def __init__(self, config: dict[str, Any]) -> None:
        self._config = config
        wanted = config.get("entities")
        self._wanted = set(wanted) if wanted else set(ALL_ENTITIES)

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> NumberExtractor:
        """Creates the component (nothing to train or persist)."""
        return cls(config)

    def process(self, messages: list[Message]) -> list[Message]:
        """Appends the number entities of each message."""
        for message in messages:
            entities = self._extract(message)
            if entities:
                message.set(ENTITIES, (message.get(ENTITIES) or []) + entities, add_to_output=True)
        return messages

    def _extract(self, message: Message) -> list[dict[str, Any]]:
        text = message.get(TEXT)
        if not isinstance(text, str) or not text:
            return []
        if text.lstrip().startswith(INTENT_MESSAGE_PREFIX):
            return []
        entities = []
        for found in extract_numbers(text):
            if found["entity"] not in self._wanted:
                continue
            entities.append(
                {
                    ENTITY_ATTRIBUTE_TYPE: found["entity"],
                    ENTITY_ATTRIBUTE_VALUE: found["value"],
                    ENTITY_ATTRIBUTE_START: found["start"],
                    ENTITY_ATTRIBUTE_END: found["end"],
                    ENTITY_ATTRIBUTE_CONFIDENCE_TYPE: 1.0,
                    "additional_info": {
                        "approx": found["approx"],
                        "text": found["text"],
                    },
                }
            )
        return self.add_extractor_name(entities)
