"""Errors a person sees: one sentence in their language, and the field it is about."""

from __future__ import annotations

from pydantic import ValidationError

from assistant.common.texts import text


class InputError(ValueError):
    """Input that cannot be decided on. ``message`` says what to fix; ``field`` names where."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field

    def to_json(self) -> dict[str, str | None]:
        return {"error": self.message, "field": self.field}


# Validation errors our own validators raise already carry an Indonesian sentence.
OWN_ERROR_TYPES = frozenset({"unknown_choice", "invalid_value"})


def from_validation(error: ValidationError, lang: str = "id") -> InputError:
    """Turn pydantic's first complaint into one sentence naming the field."""
    first = error.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    if first["type"] in OWN_ERROR_TYPES:
        return InputError(first["msg"], field)
    label = _label(field, lang)
    context = {key: _plain(value) for key, value in first.get("ctx", {}).items()}
    try:
        message = text(f"errors.{first['type']}", lang, **context, field=label)
    except KeyError:
        message = text("errors.invalid", lang, field=label)
    return InputError(message, field)


def _plain(value: object) -> object:
    """A bound as a person reads it: 1000000000000.0 -> 1.000.000.000.000."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10_000:
        return f"{value:,}".replace(",", ".")
    return value


def _label(field: str | None, lang: str) -> str:
    if not field:
        return text("fields.input", lang)
    head = field.split(".")[0]
    try:
        return text(f"fields.{head}", lang)
    except KeyError:
        return field
