"""sources.yml: the sections and headings of the seed that citations point to."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from assistant.knowledge.models.base import Source, Strict, Table


class SourceSection(Strict):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"section", "title", "headings"})

    section: str = Field(pattern=r"^\d+(\.\d+)*$")
    title: str
    headings: list[str] = []


class SourcesTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"document", "sections"})

    document: str
    sections: list[SourceSection]

    def knows_dict(self, data: dict[str, str]) -> bool:
        return self.knows(Source.model_validate(data))

    def knows(self, source: Source) -> bool:
        for entry in self.sections:
            if entry.section == source.section:
                return source.title == entry.title or source.title in entry.headings
        return False
