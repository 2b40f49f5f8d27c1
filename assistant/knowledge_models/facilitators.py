"""facilitators.yml: the facilitator (pendamping) needs analysis of 3.3.4 - the aspects
to assess and how to build their capacity."""

from __future__ import annotations

from pydantic import Field

from assistant.knowledge_models.base import Row, Table


class FacilitatorAspect(Row):
    name: str
    points: list[str] = Field(min_length=1)


class CapacityMeasure(Row):
    name: str
    description: str


class FacilitatorsTable(Table):
    aspects: list[FacilitatorAspect] = Field(min_length=1)
    capacity_building: list[CapacityMeasure] = Field(min_length=1)
