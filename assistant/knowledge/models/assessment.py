"""assessment.yml: the assessment stage of 3.3.3 - secondary data and the integrated
database, stakeholder identification and mapping, the primary data to collect, and the
collection methods with their sampling guidance (interview counts, FGD sizes, Slovin)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from assistant.knowledge.models.base import Row, Strict, Table
from assistant.knowledge.models.entries import Entry, Span


class SampleSize(Strict):
    """One sampling figure the guideline gives, and when it applies."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"size", "when"})

    size: Span | None = Field(default=None, description="None: no number (e.g. saturation)")
    when: str


class CollectionMethod(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {"name", "purpose", "design", "conduct", "sampling", "sample_sizes"}
    )

    name: str
    purpose: str
    design: list[str] = Field(min_length=1)
    conduct: list[str] = Field(min_length=1)
    sampling: str
    sample_sizes: list[SampleSize] = []


class AssessmentTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {
            "secondary_data",
            "stakeholder_reasons",
            "stakeholder_mapping",
            "primary_data",
            "needs_questions",
            "methods",
        }
    )

    secondary_data: list[Entry] = Field(min_length=1)
    stakeholder_reasons: list[Entry] = Field(min_length=1)
    stakeholder_mapping: list[Entry] = Field(min_length=4, max_length=4)
    primary_data: list[Entry] = Field(min_length=6, max_length=6)
    needs_questions: list[Entry] = Field(min_length=1)
    methods: list[CollectionMethod] = Field(min_length=4, max_length=4)
