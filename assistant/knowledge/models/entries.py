"""A plain cited entry, shared by the tables that carry the guideline's frameworks as
lists (principles, planning, assessment, preparation, implementation, monitoring)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from assistant.knowledge.models.base import Row, Strict


class Entry(Row):
    """One item of a framework: its name, what it says, its points and examples."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "text", "points", "examples"})

    name: str
    text: str | None = None
    points: list[str] = []
    examples: list[str] = []


class Span(Strict):
    """A number or a range the guideline gives (e.g. 10-30 respondents, weeks 3-4)."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"min", "max", "unit"})

    min: int = Field(ge=0)
    max: int | None = Field(default=None, ge=0)
    unit: str
