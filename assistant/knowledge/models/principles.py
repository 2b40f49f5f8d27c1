"""principles.yml: the six principles of empowering poor and vulnerable communities
(3.1), and why the guideline puts them first."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from assistant.knowledge.models.base import Table
from assistant.knowledge.models.entries import Entry


class PrinciplesTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"principles"})

    principles: list[Entry] = Field(min_length=6, max_length=6)
