"""indicators.yml: criteria of good success indicators (SMART, 3.3.2) and the APKM
dimensions (access, participation, control, benefit; 3.3.2 and 3.3.6)."""

from __future__ import annotations

from pydantic import Field

from assistant.knowledge_models.base import Row, Table


class Criterion(Row):
    name: str
    meaning: str


class Dimension(Row):
    name: str
    meaning: str
    example: str


class IndicatorsTable(Table):
    criteria: list[Criterion] = Field(min_length=5, max_length=5)
    dimensions: list[Dimension] = Field(min_length=4, max_length=4)
