"""preparation.yml: the preparation stage of 3.3.4 beyond the facilitator needs analysis
(facilitators.yml): the monitoring-and-evaluation flow (logframe: data and sources, and
the guideline's example) and the socialisation plan (audiences, methods, the GEDSI
points, the week-by-week timeline)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from assistant.knowledge.models.base import Row, Table
from assistant.knowledge.models.entries import Entry, Span


class DataSource(Row):
    """One kind of monitoring data and where it comes from (logframe data table)."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"group", "name", "sources"})

    group: str
    name: str
    sources: list[str] = Field(min_length=1)


class LogframeLevel(Row):
    """One level of the guideline's example logframe."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {"order", "name", "description", "metrics", "data_sources"}
    )

    order: int = Field(ge=1)
    name: str
    description: str
    metrics: list[str] = []
    data_sources: list[str] = []


class Audience(Row):
    """Who the socialisation must reach and what for."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"group", "name", "aim"})

    group: str
    name: str
    aim: str


class TimelineStep(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"stage", "activity", "method", "weeks"})

    stage: str
    activity: str
    method: str
    weeks: Span


class PreparationTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {
            "logframe",
            "data_sources",
            "logframe_example",
            "audiences",
            "methods",
            "gedsi",
            "timeline",
        }
    )

    logframe: list[Entry] = Field(min_length=1)
    data_sources: list[DataSource] = Field(min_length=1)
    logframe_example: list[LogframeLevel] = Field(min_length=4, max_length=4)
    audiences: list[Audience] = Field(min_length=1)
    methods: list[Entry] = Field(min_length=4, max_length=4)
    gedsi: list[Entry] = Field(min_length=1)
    timeline: list[TimelineStep] = Field(min_length=1)
