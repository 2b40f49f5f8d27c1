"""targeting.yml: target prioritisation and selection (3.3.2 "Sasaran Program")."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from assistant.knowledge.models.base import Row, Table


class PriorityAspect(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "indicators", "guidance"})

    name: str
    indicators: list[str] = Field(description="example indicators or factors")
    guidance: list[str] = Field(min_length=1, description="whom to prioritise")


class SelectionMethod(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "description"})

    name: str
    description: str


class TargetingTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"principle", "aspects", "selection_methods"})

    principle: str = Field(description="the basis of all targeting, in one sentence")
    aspects: list[PriorityAspect] = Field(min_length=1)
    selection_methods: list[SelectionMethod] = []
