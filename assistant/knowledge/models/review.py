"""program_review.yml: the ten checks of the table in 2.2 and its three categories, with
the stage-guide steps (3.4) that say what to do when a check is missing, and the caveats
the guideline gives about the study behind the verdicts (1.4, 2.1, 2.2)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator

from assistant.knowledge.models.base import Row, Table, unique


class ReviewCheck(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name"})

    name: str
    hints: list[str] = Field(default=[], description="words people use in chat (not the seed's)")
    question: str = Field(description="a yes/no question a program manager can answer")
    steps: list[str] = Field(min_length=1, description="stage-guide step ids (stages.yml)")


class ReviewCategory(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "min", "max", "meaning"})

    name: str
    min: int = Field(ge=0)
    max: int = Field(ge=0)
    meaning: str


class Caveat(Row):
    """What the study behind the 2.2 verdicts is and is not; shown with every verdict."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "text"})

    name: str
    text: str


class ReviewTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"checks", "categories", "caveats"})

    checks: list[ReviewCheck] = Field(min_length=10, max_length=10)
    categories: list[ReviewCategory] = Field(min_length=1)
    caveats: list[Caveat] = Field(min_length=1)

    @model_validator(mode="after")
    def _ranges(self) -> ReviewTable:
        unique([c.id for c in self.checks], "checks")
        unique([c.id for c in self.categories], "categories")
        unique([c.id for c in self.caveats], "caveats")
        covered = sorted(n for c in self.categories for n in range(c.min, c.max + 1))
        if covered != list(range(covered[0], covered[0] + len(covered))):
            raise ValueError("rentang kategori tumpang tindih atau berlubang")
        return self
