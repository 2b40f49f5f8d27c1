"""graduation.yml: graduation (3.3.7) - the welfare ladder, the follow-up paths for
graduates and non-graduates with the facilitator's role in each step, the graduate's
choice of follow-up, the transitions between case states, and the indicator matrices
(default: PENA, 2.1.1).

The ladder has no thresholds in the guideline: a level is only ever shown when the input
carries one from data (recorded by a person, with its source), never inferred from the
graduation criteria."""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from assistant.knowledge.models.base import Cited, Row, Strict, Table, unique

PATHS = Literal["lulus", "tidak_lulus"]
# household facts (GraduationInput) that mark a household still needing social assistance
HOUSEHOLD_FLAGS = Literal["elderly_member", "disability"]


class WelfareLevel(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "rank", "description"})

    name: str
    rank: int = Field(ge=1, description="place on the ladder, from the bottom")
    description: str


class PathStep(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {"path", "order", "name", "summary", "roles", "conditional", "choice"}
    )

    path: PATHS
    order: int = Field(ge=1)
    name: str
    summary: str
    roles: list[str] = Field(min_length=1, description="what the facilitator does")
    conditional: bool = Field(
        default=False, description="only taken on a branch (not part of the usual path)"
    )
    choice: bool = Field(
        default=False, description="taken only when the graduate chooses it (follow_up)"
    )


class FollowUpOption(Row):
    """What a graduate may choose after the graduation is communicated (3.3.7)."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "steps"})

    name: str
    steps: list[str] = Field(min_length=1, description="path steps the choice leads to")


class Indicator(Strict):
    """One criterion: compare an assessment field with a value or with another field."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "field", "op", "ref", "value"})

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    name: str
    field: str
    op: Literal["gt", "gte", "eq"]
    ref: str | None = Field(default=None, description="another assessment field")
    value: float | bool | None = None

    @model_validator(mode="after")
    def _one_side(self) -> Indicator:
        if (self.ref is None) == (self.value is None):
            raise ValueError("isi salah satu: ref atau value")
        return self


class IndicatorMatrix(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "program", "indicators"})

    name: str
    program: str | None = Field(default=None, description="program id it belongs to")
    indicators: list[Indicator] = Field(min_length=1)


class Transition(Row):
    """Where an assessment moves a case: from these states, on this outcome, to a step."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {"from_states", "met", "significant_change", "to", "graduated", "summary"}
    )

    from_states: list[str] = Field(min_length=1)
    met: bool
    significant_change: bool | None = Field(
        default=None, description="only when the re-evaluation found (no) significant change"
    )
    to: str
    graduated: bool
    summary: str


class SocialAssistance(Cited):
    """Households the guideline says still need social assistance, and which programs
    are that assistance."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"when", "programs", "text"})

    when: list[HOUSEHOLD_FLAGS] = Field(min_length=1, description="any of these facts true")
    programs: list[str] = Field(min_length=1, description="program ids (programs.yml)")
    text: str


class GraduationTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {
            "default_matrix",
            "initial_state",
            "graduated_state",
            "levels",
            "steps",
            "follow_up_options",
            "matrices",
            "transitions",
            "social_assistance",
        }
    )

    default_matrix: str
    initial_state: str
    graduated_state: str
    levels: list[WelfareLevel] = Field(min_length=1)
    steps: list[PathStep] = Field(min_length=1)
    follow_up_options: list[FollowUpOption] = Field(min_length=1)
    matrices: list[IndicatorMatrix] = Field(min_length=1)
    transitions: list[Transition] = Field(min_length=1)
    reevaluation_states: list[str] = Field(
        min_length=1, description="states in which an assessment is a re-evaluation"
    )
    referral_levels: list[str] = Field(
        min_length=1, description="graduates are referred to programs serving these levels"
    )
    schedule: dict[str, int] = Field(
        description="days after the decision a step's task falls due (evaluasi_ulang: "
        "after the intensive-mentoring period instead)"
    )
    intensive_mentoring_models: list[str] = Field(
        min_length=1, description="mentoring models whose guides set the intensive period"
    )
    monitoring_step: str = Field(description="the step whose task repeats after graduating")
    alternative_levels: list[str] = Field(
        min_length=1,
        description="programs serving these levels are the alternatives named "
        "when ending aid is considered",
    )
    social_assistance: SocialAssistance

    @model_validator(mode="after")
    def _references(self) -> GraduationTable:
        unique([x.id for x in self.levels], "levels")
        unique([x.id for x in self.steps], "steps")
        unique([x.id for x in self.follow_up_options], "follow_up_options")
        unique([x.id for x in self.matrices], "matrices")
        unique([x.id for x in self.transitions], "transitions")
        states = self.states()
        if self.default_matrix not in {m.id for m in self.matrices}:
            raise ValueError(f"matriks bawaan '{self.default_matrix}' tidak ada")
        for transition in self.transitions:
            for state in [*transition.from_states, transition.to]:
                if state not in states:
                    raise ValueError(f"transisi '{transition.id}': status '{state}' tidak ada")
        for step_id in [*self.schedule, self.monitoring_step, *self.reevaluation_states]:
            if step_id not in states:
                raise ValueError(f"langkah '{step_id}' tidak ada")
        chosen = {s.id for s in self.steps if s.choice}
        for option in self.follow_up_options:
            for step_id in option.steps:
                if step_id not in chosen:
                    raise ValueError(
                        f"pilihan '{option.id}': langkah '{step_id}' bukan langkah pilihan"
                    )
        levels = {level.id for level in self.levels}
        for level_id in [*self.referral_levels, *self.alternative_levels]:
            if level_id not in levels:
                raise ValueError(f"tingkat '{level_id}' tidak ada")
        return self

    def states(self) -> set[str]:
        return {self.initial_state, self.graduated_state, *(s.id for s in self.steps)}

    @cached_property
    def state_ids(self) -> list[str]:
        """All case states, sorted (for validation messages)."""
        return sorted(self.states())

    def path(self, path: str) -> list[PathStep]:
        return sorted((s for s in self.steps if s.path == path), key=lambda s: s.order)

    def step(self, step_id: str) -> PathStep:
        return next(s for s in self.steps if s.id == step_id)

    def matrix(self, matrix_id: str) -> IndicatorMatrix:
        return next(m for m in self.matrices if m.id == matrix_id)

    def level(self, level_id: str) -> WelfareLevel:
        return next(x for x in self.levels if x.id == level_id)

    def option(self, option_id: str) -> FollowUpOption:
        return next(x for x in self.follow_up_options if x.id == option_id)
