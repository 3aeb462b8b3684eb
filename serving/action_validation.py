"""Validate action server responses without re-checking Rasa's schema on every call.

Rasa 3.6 checks each action server response with `jsonschema.validate(result, schema)`, which first validates
Rasa's own constant response schema against the JSON Schema 2020-12 meta-schema. With jsonschema 4.17 (the newest
rasa 3.6.21 allows) that costs about 25 ms of CPU per action call — half of one of our turns and the cap on
messages per second (profiled with py-spy; the slowdown is RasaHQ/rasa#11717). Here the schema is checked once
and its validator reused: the responses accepted and the error raised for a bad one are the same as Rasa's.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def response_validator():
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result with the validator built once (same checks, same message)."""
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(response_validator().iter_errors(result))
    if error is not None:
        error.message += (
            f". Failed to validate Action server response from API, "
            f"make sure your response from the Action endpoint is valid. "
            f"For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error
    return True


def install() -> None:
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = validate_action_result
