"""Validate action server responses without re-checking Rasa's schema on every call, one event type at a time.

Rasa 3.6 checks each action server response with `jsonschema.validate(result, schema)`, which first validates
Rasa's own constant response schema against the JSON Schema 2020-12 meta-schema. With jsonschema 4.17 (the newest
rasa 3.6.21 allows) that costs about 25 ms of CPU per action call (profiled with py-spy; RasaHQ/rasa#11717). Here
the schema is checked once and its validators reused.

The schema itself is costly too: every event must match exactly one of 23 alternatives (`oneOf`), so jsonschema
validates each event against all 23, and our action returns a dozen slot events per turn (most of what was left of
the validation's cost: cProfile, 2026-12-01). Each alternative pins `event` to a different constant, so an event
whose `event` is a string can only match the alternative with that constant: checking the schema without the
`oneOf` and then that one alternative accepts exactly what the full schema accepts. A response that fails is
checked again with the full schema, so the error raised is Rasa's, word for word.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def response_validator():
    """The full schema's validator (Rasa's checks and error messages), the schema checked once."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@lru_cache(maxsize=1)
def event_dispatch():
    """(validator of the response without the events' oneOf, {event name: validator of its alternative})."""
    import copy

    full = response_validator()
    cls, schema = type(full), copy.deepcopy(full.schema)
    event_schema = schema["properties"]["events"]["items"]
    alternatives = event_schema.pop("oneOf")
    by_name = {alt["properties"]["event"]["const"]: cls(alt) for alt in alternatives}
    assert len(by_name) == len(alternatives), "two alternatives for one event name: dispatch would be wrong"
    return cls(schema), by_name


def is_valid(result: Any) -> bool:
    """Whether the full schema accepts `result`: the schema without the oneOf, then each event's alternative."""
    without_one_of, by_name = event_dispatch()
    if not without_one_of.is_valid(result):
        return False
    for event in result.get("events") or () if isinstance(result, dict) else ():
        # the schema without the oneOf already required a dict with a string `event`
        alternative = by_name.get(event["event"])
        if alternative is None or not alternative.is_valid(event):
            return False
    return True


def validate_action_result(self, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result: same responses accepted, same error (message) raised."""
    if is_valid(result):
        return True
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(response_validator().iter_errors(result))
    if error is None:  # cannot happen (see is_valid); if it did, Rasa's own answer is that it is valid
        return True
    error.message += (
        f". Failed to validate Action server response from API, "
        f"make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit "
        f"{DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    from rasa.core.actions.action import RemoteAction

    RemoteAction._validate_action_result = validate_action_result
