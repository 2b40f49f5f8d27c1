"""conflicts.yml: the conflict framework of 3.3.5."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from assistant.knowledge.models.base import Row, Table, unique


class ConflictCategory(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"rank", "name", "meaning"})

    rank: int = Field(ge=1)
    name: str
    meaning: str


class ConflictType(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {"name", "category", "example", "parties", "options"}
    )

    name: str
    category: str
    example: str
    parties: list[str] = Field(min_length=1)
    options: list[str] = Field(min_length=1)
    hints: list[str] = []


class ConflictScope(Row):
    name: str
    hints: list[str] = Field(default=[], description="words people use in chat (not the seed's)")


class Escalation(Row):
    """A fact of the report that raises the category, whatever the conflict type."""

    field: Literal["scope", "threatens_program"]
    equals: str | bool
    to: str
    reason: str


class ConflictStep(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"order", "name", "actions"})

    order: int = Field(ge=1)
    name: str
    actions: list[str] = Field(min_length=1)


class ConflictTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"categories", "types", "steps"})

    categories: list[ConflictCategory] = Field(min_length=1)
    types: list[ConflictType] = Field(min_length=1)
    scopes: list[ConflictScope] = Field(min_length=1)
    escalations: list[Escalation] = []
    steps: list[ConflictStep] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> ConflictTable:
        categories = {c.id for c in self.categories}
        scopes = {s.id for s in self.scopes}
        for group, what in (
            (self.categories, "categories"),
            (self.types, "types"),
            (self.scopes, "scopes"),
            (self.escalations, "escalations"),
            (self.steps, "steps"),
        ):
            unique([row.id for row in group], what)
        for conflict_type in self.types:
            if conflict_type.category not in categories:
                raise ValueError(
                    f"tipe '{conflict_type.id}': kategori '{conflict_type.category}' tidak ada"
                )
        for escalation in self.escalations:
            if escalation.to not in categories:
                raise ValueError(
                    f"eskalasi '{escalation.id}': kategori '{escalation.to}' tidak ada"
                )
            if escalation.field == "scope" and escalation.equals not in scopes:
                raise ValueError(
                    f"eskalasi '{escalation.id}': cakupan '{escalation.equals}' tidak ada"
                )
        return self

    def category(self, category_id: str) -> ConflictCategory:
        return next(c for c in self.categories if c.id == category_id)

    def type(self, type_id: str) -> ConflictType:
        return next(t for t in self.types if t.id == type_id)

    def ordered_steps(self) -> list[ConflictStep]:
        return sorted(self.steps, key=lambda step: step.order)
