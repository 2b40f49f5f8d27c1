"""Validated inputs of each decision kind. Invalid input never reaches the rules engine:
it stops here with an Indonesian sentence naming the field (see ``assistant.errors``)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from assistant.knowledge import Knowledge


class DecisionInput(BaseModel):
    """Validate with ``Model.model_validate(data, context={"knowledge": kb})``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True)


def _knowledge(info: ValidationInfo) -> Knowledge:
    if not info.context or "knowledge" not in info.context:
        raise RuntimeError("validate decision inputs with context={'knowledge': ...}")
    return info.context["knowledge"]


def choice(value: str, allowed: list[str], label: str) -> str:
    if value not in allowed:
        raise PydanticCustomError(
            "unknown_choice",
            "{label} '{value}' tidak dikenal. Pilih salah satu: {allowed}.",
            {"label": label, "value": value, "allowed": ", ".join(allowed)},
        )
    return value


class ConflictInput(DecisionInput):
    type: str
    scope: str | None = None
    threatens_program: bool = False
    safeguarding: bool = False
    description: str | None = Field(default=None, max_length=2000)

    @field_validator("type")
    @classmethod
    def _known_type(cls, value: str, info: ValidationInfo) -> str:
        table = _knowledge(info).conflicts
        return choice(value, [t.id for t in table.types], "Jenis konflik")

    @field_validator("scope")
    @classmethod
    def _known_scope(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        table = _knowledge(info).conflicts
        return choice(value, [s.id for s in table.scopes], "Cakupan konflik")


# decision kind -> its input model
INPUTS: dict[str, type[DecisionInput]] = {
    "conflict": ConflictInput,
}
