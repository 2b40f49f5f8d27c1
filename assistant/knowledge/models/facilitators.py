"""facilitators.yml: the facilitator (pendamping) needs analysis of 3.3.4 - the aspects
to assess and how to build their capacity."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from assistant.knowledge.models.base import Row, Table


class FacilitatorAspect(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "points"})

    name: str
    points: list[str] = Field(min_length=1)


class CapacityMeasure(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "description"})

    name: str
    description: str


class FacilitatorsTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"aspects", "capacity_building"})

    aspects: list[FacilitatorAspect] = Field(min_length=1)
    capacity_building: list[CapacityMeasure] = Field(min_length=1)
