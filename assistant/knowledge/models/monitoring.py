"""monitoring.yml: the monitoring-and-evaluation stage of 3.3.6: the parts of a
management information system, the kinds of data to collect, the analysis methods and
the table for choosing one, and the report templates (progress, final, impact)."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from assistant.knowledge.models.base import Row, Strict, Table
from assistant.knowledge.models.entries import Entry

KIND = Literal["kuantitatif", "kualitatif"]


class DataKind(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"kind", "name", "text", "points"})

    kind: KIND
    name: str
    text: str
    points: list[str] = Field(min_length=1)


class AnalysisMethod(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"kind", "name", "text", "examples"})

    kind: KIND
    name: str
    text: str
    examples: list[str] = Field(min_length=1)


class MethodChoice(Row):
    """One row of the table for choosing an analysis method."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "data", "methods"})

    name: str = Field(description="the aim of the analysis")
    data: list[str] = Field(min_length=1)
    methods: list[str] = Field(min_length=1)


class ReportPart(Strict):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "points"})

    name: str
    points: list[str] = Field(min_length=1)


class Report(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "text", "by", "aims", "parts"})

    name: str
    text: str
    by: str | None = Field(default=None, description="who writes it")
    aims: list[str] = []
    parts: list[ReportPart] = []


class MonitoringTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {"mis", "data_kinds", "triangulation", "analysis_methods", "method_choice", "reports"}
    )

    mis: list[Entry] = Field(min_length=3, max_length=3)
    data_kinds: list[DataKind] = Field(min_length=1)
    triangulation: Entry
    analysis_methods: list[AnalysisMethod] = Field(min_length=6, max_length=6)
    method_choice: list[MethodChoice] = Field(min_length=5, max_length=5)
    reports: list[Report] = Field(min_length=1)
