"""Pydantic models of the knowledge files in ``knowledge/``.

Every row has an ``id`` and a ``source`` (seed section and heading). Each file is one
``Table``; cross-references inside a table are checked by its validators.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """A citation: a section number of the seed and the heading it is found under."""

    section: str = Field(pattern=r"^\d+(\.\d+)*$")
    title: str = Field(min_length=3)


class Row(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    source: Source


class Table(Strict):
    """One knowledge file. ``rows()`` walks every cited row it holds, however nested."""

    id: str

    def rows(self) -> Iterator[Row]:
        yield from _walk(self)


def _walk(value: object) -> Iterator[Row]:
    if isinstance(value, Row):
        yield value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name))
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _walk(item)


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for row_id in ids:
        if row_id in seen:
            raise ValueError(f"id '{row_id}' muncul dua kali di {what}")
        seen.add(row_id)


# --- sources.yml -------------------------------------------------------------------


class SourceSection(Strict):
    section: str = Field(pattern=r"^\d+(\.\d+)*$")
    title: str
    headings: list[str] = []


class SourcesTable(Table):
    document: str
    sections: list[SourceSection]

    def knows_dict(self, data: dict[str, str]) -> bool:
        return self.knows(Source.model_validate(data))

    def knows(self, source: Source) -> bool:
        for entry in self.sections:
            if entry.section == source.section:
                return source.title == entry.title or source.title in entry.headings
        return False


# --- conflicts.yml -----------------------------------------------------------------


class ConflictCategory(Row):
    rank: int = Field(ge=1)
    name: str
    meaning: str


class ConflictType(Row):
    name: str
    category: str
    example: str
    parties: list[str] = Field(min_length=1)
    options: list[str] = Field(min_length=1)
    hints: list[str] = []


class ConflictScope(Row):
    name: str


class Escalation(Row):
    """A fact of the report that raises the category, whatever the conflict type."""

    field: Literal["scope", "threatens_program"]
    equals: str | bool
    to: str
    reason: str


class ConflictStep(Row):
    order: int = Field(ge=1)
    name: str
    actions: list[str] = Field(min_length=1)


class ConflictTable(Table):
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
            _unique([row.id for row in group], what)
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


# --- safeguarding.yml --------------------------------------------------------------


class SafeguardingAspect(Row):
    name: str
    points: list[str] = Field(min_length=1)
    examples: list[str] = []


class ProtocolStep(Row):
    aspect: str
    text: str


class SafeguardingTable(Table):
    protected_groups: list[str]
    concerns: list[str]
    aspects: list[SafeguardingAspect] = Field(min_length=1)
    protocol: list[ProtocolStep] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> SafeguardingTable:
        aspects = {a.id for a in self.aspects}
        _unique([a.id for a in self.aspects], "aspects")
        _unique([p.id for p in self.protocol], "protocol")
        for step in self.protocol:
            if step.aspect not in aspects:
                raise ValueError(f"protokol '{step.id}': aspek '{step.aspect}' tidak ada")
        return self


# The files of knowledge/ and the model each one is read with.
TABLES: dict[str, type[Table]] = {
    "sources.yml": SourcesTable,
    "conflicts.yml": ConflictTable,
    "safeguarding.yml": SafeguardingTable,
}
