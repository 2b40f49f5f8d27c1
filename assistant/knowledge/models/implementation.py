"""implementation.yml: the implementation stage of 3.3.5 beyond the guides, conflicts
and safeguarding carried elsewhere: documenting activities, the communication flow, and
the inclusive-policy framework."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from assistant.knowledge.models.base import Row, Table
from assistant.knowledge.models.entries import Entry


class CommunicationLine(Row):
    """One row of the guideline's example communication table."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {"name", "media", "frequency", "information", "responsible"}
    )

    name: str = Field(description="who talks to whom")
    media: str
    frequency: str
    information: str
    responsible: str


class ImplementationTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {"documentation", "communication", "inclusive_policy"}
    )

    documentation: list[Entry] = Field(min_length=1)
    communication: list[CommunicationLine] = Field(min_length=1)
    inclusive_policy: list[Entry] = Field(min_length=6, max_length=6)
