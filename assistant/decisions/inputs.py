"""Validated inputs of each decision kind. Invalid input never reaches the rules engine:
it stops here with an Indonesian sentence naming the field (see ``assistant.common.errors``)."""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
)
from pydantic_core import PydanticCustomError

from assistant.common.limits import MAX_DESCRIPTION_FOR_RULES, MAX_RUPIAH
from assistant.knowledge.loader import Knowledge
from assistant.knowledge.models.interventions import BUSINESS_STAGE, EMPLOYMENT


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


def _whole_rupiah(value: Any, minimum_exclusive: bool) -> Any:
    """An amount as whole rupiah (an integer) when it is a finite number from 0 (or above
    0) to Rp 1 trillion; the matching validation error otherwise."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return value  # the int type reports it
    if isinstance(value, float) and not math.isfinite(value):
        raise PydanticCustomError("finite_number", "not a finite number")
    if value > MAX_RUPIAH:
        raise PydanticCustomError("less_than_equal", "too large", {"le": MAX_RUPIAH})
    whole = int(math.floor(value + 0.5))
    if minimum_exclusive and whole <= 0:
        raise PydanticCustomError("greater_than", "not above 0", {"gt": 0})
    if value < 0:
        raise PydanticCustomError("greater_than_equal", "negative", {"ge": 0})
    return whole


# An amount of money: a finite number from 0 to Rp 1 trillion, kept as whole rupiah.
Rupiah = Annotated[int, BeforeValidator(lambda value: _whole_rupiah(value, False))]
# The same, above 0 (a minimum wage).
PositiveRupiah = Annotated[int, BeforeValidator(lambda value: _whole_rupiah(value, True))]


def _for_rules(value: Any) -> Any:
    """A description longer than the rules need is cut for them; the whole text is stored
    with the report (see the casework), so nothing a person wrote is lost."""
    if isinstance(value, str) and len(value) > MAX_DESCRIPTION_FOR_RULES:
        return value[: MAX_DESCRIPTION_FOR_RULES - 1] + "…"
    return value


# Free text a decision keeps in its input (the rules never match on it).
Description = Annotated[str | None, BeforeValidator(_for_rules)]


class ConflictInput(DecisionInput):
    type: str
    scope: str | None = None
    # None: not asked yet. The rules treat it as "no" and list it under ``missing`` while
    # the answer could still change the decision.
    threatens_program: bool | None = None
    safeguarding: bool | None = None
    description: Description = None

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
    """An assessment of a household, and the household facts the follow-up needs.

    Beyond PENA's two criteria, every field is optional: ``follow_up`` is the graduate's
    choice (asked when missing); the household facts (``province``, ``head_age``,
    ``gender``, ``disability``, ``elderly_member``, ``other_programs``) filter referrals
    and alternatives by each program's eligibility, and an unknown one is noted as a
    check; ``welfare_level`` (with ``welfare_level_source``) and ``dtsen_decile`` are
    reported as recorded, never inferred."""

    income_monthly: Rupiah
    umk: PositiveRupiah
    mindset_changed: bool
    state: str | None = None
    significant_change: bool | None = None
    matrix: str | None = None
    program: ProgramId = None
    follow_up: str | None = None
    welfare_level: str | None = None
    welfare_level_source: Description = Field(default=None, validate_default=True)
    dtsen_decile: int | None = Field(default=None, ge=1, le=10)
    province: str | None = None
    head_age: int | None = Field(default=None, ge=0, le=130)
    gender: Literal["L", "P"] | None = None
    disability: bool | None = None
    elderly_member: bool | None = None
    other_programs: list[str] | None = None

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

    @field_validator("follow_up")
    @classmethod
    def _known_follow_up(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        options = [o.id for o in _knowledge(info).graduation.follow_up_options]
        return choice(value, options, "Pilihan tindak lanjut")

    @field_validator("welfare_level")
    @classmethod
    def _known_level(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        levels = [x.id for x in _knowledge(info).graduation.levels]
        return choice(value, levels, "Tingkat kesejahteraan")

    @field_validator("welfare_level_source")
    @classmethod
    def _level_has_source(cls, value: str | None, info: ValidationInfo) -> str | None:
        if info.data.get("welfare_level") and not value:
            raise invalid(
                "Tingkat kesejahteraan hanya dicatat bersama sumber datanya "
                "(welfare_level_source), misalnya nama dan tahun data atau asesmen."
            )
        return value or None

    @field_validator("province")
    @classmethod
    def _known_province(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None or not value.strip():
            return None
        found = _knowledge(info).regions.find(value)
        if found is None:
            raise invalid(
                f"Provinsi '{value}' tidak dikenal. Tulis nama provinsinya, "
                "misalnya Jawa Barat atau NTB."
            )
        return found.id

    @field_validator("other_programs")
    @classmethod
    def _known_programs(cls, value: list[str] | None, info: ValidationInfo) -> list[str] | None:
        if value is None:
            return None
        return choices(value, _knowledge(info).programs.ids, "Program yang sudah diterima")


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
    description: Description = None

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


# assessment fields that hold rupiah (shown as "Rp 2.700.000" wherever they are compared)
RUPIAH_FIELDS = frozenset(
    name
    for name, annotation in GraduationInput.__annotations__.items()
    if annotation in ("Rupiah", "PositiveRupiah")
)
