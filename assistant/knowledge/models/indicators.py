"""indicators.yml: criteria of good success indicators (SMART, 3.3.2), the APKM
dimensions (access, participation, control, benefit; 3.3.2 and 3.3.6), the example
indicators per domain of 3.3.2 (economic, social, environmental) and the activity /
output / outcome indicators of 3.3.6."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field

from assistant.knowledge.models.base import Row, Table

DOMAINS = Literal["ekonomi", "sosial", "lingkungan"]
APKM = Literal["akses", "partisipasi", "kontrol", "manfaat"]


class Criterion(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "meaning"})

    name: str
    meaning: str


class Dimension(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "meaning", "example"})

    name: str
    meaning: str
    example: str


class ExampleIndicator(Row):
    """One example indicator of 3.3.2, in a domain, tagged with its APKM dimension when
    the guideline tags it (the untagged ones are listed after the four)."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"domain", "dimension", "text"})

    domain: DOMAINS
    dimension: APKM | None = None
    text: str


class IndicatorLevel(Row):
    """A level of the results chain in 3.3.6 (activity, output, outcome) with the
    guideline's example indicators."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "meaning", "examples"})

    name: str
    meaning: str
    examples: list[str] = Field(min_length=1)


class IndicatorsTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {"criteria", "dimensions", "examples", "levels"}
    )

    criteria: list[Criterion] = Field(min_length=5, max_length=5)
    dimensions: list[Dimension] = Field(min_length=4, max_length=4)
    examples: list[ExampleIndicator] = Field(min_length=1)
    levels: list[IndicatorLevel] = Field(min_length=3, max_length=3)
