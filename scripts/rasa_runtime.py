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
- Rasa turns each stored event back into an object by walking the whole tree of ``Event``
  subclasses (``Event.resolve_by_type``) once per event: the SQL tracker store does it for
  every event of the conversation on every turn, about a tenth of a turn's CPU. The class
  found for a type name is remembered; an unknown name is still looked up every time.
- Rasa opens a new HTTP client session, so a new TCP connection, for every call to the
  action server (``EndpointConfig.session`` inside ``request``). Each endpoint now keeps one
  aiohttp session for the server's event loop, with the same headers, auth and timeout,
  and its connections are reused (aiohttp drops a connection the other side closed, and
  idle ones after 15 s, before the action server's 120 s keep-alive ends).

``ASSISTANT_RASA_FIXES=0`` in the environment leaves Rasa as it is, and a comma-separated
list of names from ``FIXES`` installs only those (for measurements).
"""

from __future__ import annotations

import logging
import os
from functools import lru_cache
from typing import Any

logger = logging.getLogger(__name__)
FIXES = ("action-response-schema-once", "event-class-by-name-remembered", "endpoint-session-kept")
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


def _cached_event_resolver(all_subclasses: Any, event_class: Any) -> Any:
    found: dict[str, Any] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        """Event.resolve_by_type of Rasa 3.6, remembering what it found."""
        known = found.get(type_name)
        if known is not None:
            return known
        for cls in all_subclasses(event_class):
            if cls.type_name == type_name:
                found[type_name] = cls
                return cls
        if type_name == "topic":
            return None  # as Rasa: old TopicSet events
        if default is not None:
            return default
        raise ValueError(f"Unknown event name '{type_name}'.")

    return resolve_by_type


class _KeptSession:
    """``async with`` on an endpoint's kept session: enters it, never closes it."""

    def __init__(self, session: Any) -> None:
        self._session = session

    async def __aenter__(self) -> Any:
        return self._session

    async def __aexit__(self, *exc_info: object) -> None:
        return None


def _kept_session(original: Any) -> Any:
    def session(self: Any) -> Any:
        """EndpointConfig.session of Rasa 3.6, one session per endpoint and event loop."""
        import asyncio

        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return original(self)  # outside a loop: Rasa's own, closed after use
        kept = getattr(self, "_assistant_session", None)
        if kept is None or kept.closed or getattr(kept, "_loop", None) is not loop:
            kept = original(self)
            self._assistant_session = kept
        return _KeptSession(kept)

    return session


def apply() -> list[str]:
    """Install the fixes (once); the names of those installed. A Rasa without the
    patched method keeps its own code; ASSISTANT_RASA_FIXES=0 installs none (to measure)."""
    chosen = os.environ.get("ASSISTANT_RASA_FIXES", "").strip()
    wanted = set(chosen.split(",")) if chosen not in ("", "1") else set(FIXES)
    if _applied:
        return list(_applied)
    from rasa.core.actions.action import RemoteAction

    if "action-response-schema-once" in wanted and callable(
        getattr(RemoteAction, "_validate_action_result", None)
    ):
        RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
        _applied.append("action-response-schema-once")

    import rasa.shared.utils.common
    from rasa.shared.core.events import Event

    if "event-class-by-name-remembered" in wanted and callable(
        getattr(Event, "resolve_by_type", None)
    ):
        resolver = _cached_event_resolver(rasa.shared.utils.common.all_subclasses, Event)
        Event.resolve_by_type = staticmethod(resolver)  # type: ignore[method-assign]
        _applied.append("event-class-by-name-remembered")

    from rasa.utils.endpoints import EndpointConfig

    if "endpoint-session-kept" in wanted and callable(getattr(EndpointConfig, "session", None)):
        EndpointConfig.session = _kept_session(EndpointConfig.session)  # type: ignore[method-assign]
        _applied.append("endpoint-session-kept")
    logger.debug("Rasa run-time fixes: %s", ", ".join(_applied) or "none")
    return list(_applied)
