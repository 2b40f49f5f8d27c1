"""Validated inputs of each decision kind. Invalid input never reaches the rules engine:
it stops here with an Indonesian sentence naming the field (see ``assistant.errors``)."""

from __future__ import annotations

from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from assistant.knowledge import Knowledge
from assistant.knowledge_models.interventions import BUSINESS_STAGE, EMPLOYMENT


class DecisionInput(BaseModel):
    """Validate with ``Model.model_validate(data, context={"knowledge": kb})``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, frozen=True, strict=True)


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


def choices(values: list[str], allowed: list[str], label: str) -> list[str]:
    """Every value known; duplicates dropped, order kept."""
    for value in values:
        choice(value, allowed, label)
    return list(dict.fromkeys(values))


def _known_program(value: str | None, info: ValidationInfo) -> str | None:
    if value is None:
        return None
    return choice(value, _knowledge(info).programs.ids, "Program")


# an optional program id of knowledge/programs.yml
ProgramId = Annotated[str | None, AfterValidator(_known_program)]


def invalid(message: str) -> PydanticCustomError:
    return PydanticCustomError("invalid_value", message)


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


class ApproachInput(DecisionInput):
    conditions: list[str] = []
    groups: list[str] = Field(default=[], validate_default=True)

    @field_validator("conditions")
    @classmethod
    def _known_conditions(cls, value: list[str], info: ValidationInfo) -> list[str]:
        table = _knowledge(info).approaches
        return choices(value, [c.id for c in table.conditions], "Kondisi masyarakat")

    @field_validator("groups")
    @classmethod
    def _known_groups(cls, value: list[str], info: ValidationInfo) -> list[str]:
        table = _knowledge(info).approaches
        if not value and not info.data.get("conditions"):
            raise invalid(
                "Isi minimal satu kondisi masyarakat (conditions) atau kelompok sasaran (groups)."
            )
        return choices(value, [g.id for g in table.groups], "Kelompok sasaran")


class NeedsInput(DecisionInput):
    signals: list[str] = Field(min_length=1)
    employment: EMPLOYMENT | None = None
    business_stage: BUSINESS_STAGE | None = None

    @field_validator("signals")
    @classmethod
    def _known_signals(cls, value: list[str], info: ValidationInfo) -> list[str]:
        known = list(_knowledge(info).needs.signals())
        return choices(value, known, "Tanda kebutuhan")


class GraduationInput(DecisionInput):
    income_monthly: float = Field(ge=0)
    umk: float = Field(gt=0)
    mindset_changed: bool
    state: str | None = None
    significant_change: bool | None = None
    matrix: str | None = None
    program: ProgramId = None

    @field_validator("state")
    @classmethod
    def _known_state(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        return choice(value, _knowledge(info).graduation.state_ids, "Status kasus")

    @field_validator("matrix")
    @classmethod
    def _known_matrix(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        matrices = [m.id for m in _knowledge(info).graduation.matrices]
        return choice(value, matrices, "Matriks indikator")


class ProgramReviewInput(DecisionInput):
    checks: dict[str, bool]
    program: ProgramId = None

    @field_validator("checks")
    @classmethod
    def _all_checks(cls, value: dict[str, bool], info: ValidationInfo) -> dict[str, bool]:
        wanted = [c.id for c in _knowledge(info).review.checks]
        for key in value:
            choice(key, wanted, "Pemeriksaan")
        missing = [key for key in wanted if key not in value]
        if missing:
            raise invalid(
                f"Isi kesepuluh pemeriksaan dengan true/false; belum ada: {', '.join(missing)}."
            )
        return value


class SustainabilityInput(DecisionInput):
    parameters: dict[str, bool] = Field(min_length=1)

    @field_validator("parameters")
    @classmethod
    def _known(cls, value: dict[str, bool], info: ValidationInfo) -> dict[str, bool]:
        known = _knowledge(info).sustainability.parameter_ids()
        for key in value:
            choice(key, known, "Parameter keberlanjutan")
        return value


class SafeguardingInput(DecisionInput):
    concerns: list[str] = Field(min_length=1)
    description: str | None = Field(default=None, max_length=2000)

    @field_validator("concerns")
    @classmethod
    def _known(cls, value: list[str], info: ValidationInfo) -> list[str]:
        known = [c.id for c in _knowledge(info).safeguarding.concerns]
        return choices(value, known, "Jenis bahaya")


# decision kind -> its input model
INPUTS: dict[str, type[DecisionInput]] = {
    "approach": ApproachInput,
    "needs": NeedsInput,
    "conflict": ConflictInput,
    "graduation": GraduationInput,
    "program_review": ProgramReviewInput,
    "sustainability": SustainabilityInput,
    "safeguarding": SafeguardingInput,
}
