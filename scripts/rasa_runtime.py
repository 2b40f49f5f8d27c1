"""Run-time fixes for the Rasa server (Rasa 3.6), applied before it starts.

scripts/servers.sh runs this file in its ``RASA_CLI`` wrapper (``make serve``,
``make chat``, scale-out mode) and calls :func:`apply`. Loaded inside the Rasa
environment: the standard library, rasa and its dependencies only. It lives in scripts/,
not in the ``assistant`` package, whose core must not import rasa.

- Rasa checks every answer of the action server against a JSON schema with
  ``jsonschema.validate``, which first checks the schema itself against the Draft 2020-12
  meta-schema: about 35 ms of CPU for each action-server call on this machine, a third to
  a half of a chat turn. The schema never changes, so it is checked once and its validator
  kept; each answer is still validated, and an invalid one raises the same
  ``ValidationError`` with the same message as before (bench/turn_cost.py measures it).

``ASSISTANT_RASA_FIXES=0`` in the environment leaves Rasa as it is (for measurements).
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from typing import Any

logger = logging.getLogger(__name__)
_applied: list[str] = []


@lru_cache(maxsize=1)
def _action_response_validator() -> Any:
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = validators.validator_for(schema)
    validator_class.check_schema(schema)  # once, as jsonschema.validate does every time
    return validator_class(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """RemoteAction._validate_action_result of Rasa 3.6 with the validator built once."""
    from jsonschema.exceptions import best_match
    from rasa.shared.constants import DOCS_BASE_URL

    error = best_match(_action_response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def apply() -> list[str]:
    """Install the fixes (once); the names of those installed. A Rasa without the
    patched method keeps its own code; ASSISTANT_RASA_FIXES=0 installs none (to measure)."""
    if os.environ.get("ASSISTANT_RASA_FIXES", "1") == "0":
        return []
    if _applied:
        return list(_applied)
    from rasa.core.actions.action import RemoteAction

    if callable(getattr(RemoteAction, "_validate_action_result", None)):
        RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
        _applied.append("action-response-schema-once")
    logger.debug("Rasa run-time fixes: %s", ", ".join(_applied) or "none")
    return list(_applied)
