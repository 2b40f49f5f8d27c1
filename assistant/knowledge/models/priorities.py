"""priorities.yml: the five government priority programs (1.3.2) and how an empowerment
program aligns with each (3.3.8: strategies and example intervention models)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from assistant.knowledge.models.base import Row, Strict, Table


class Strategy(Strict):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "text"})

    name: str
    text: str


class ExampleModel(Strict):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"text"})

    text: str
    models: list[str] = Field(min_length=1, description="intervention model ids")


class PriorityProgram(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {"name", "description", "strategies", "examples"}
    )

    name: str
    description: list[str] = Field(min_length=1, description="what it is (1.3.2)")
    strategies: list[Strategy] = Field(min_length=1)
    examples: list[ExampleModel] = Field(min_length=1)


class PrioritiesTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"priorities"})

    priorities: list[PriorityProgram] = Field(min_length=5, max_length=5)
