"""coverage.yml (not a knowledge table): every section of the guideline with a table or
framework, and the knowledge rows that carry it, or why it is out of scope. Checked by
tests/unit/test_guideline_coverage.py against sources.yml and the knowledge rows; the
reviewers' note is generated from it (``assistant.knowledge.loader.coverage_markdown``)."""

from __future__ import annotations

from pydantic import Field, model_validator

from assistant.knowledge.models.base import Source, Strict, unique


class Carrier(Strict):
    file: str = Field(pattern=r"^[a-z_]+\.yml$")
    rows: list[str] = Field(min_length=1, description="row ids of that file")


class CoverageItem(Strict):
    id: str = Field(pattern=r"^[a-z0-9_]+$")
    source: Source
    what: str = Field(description="the table or framework, in a few words")
    carried_by: list[Carrier] = []
    out_of_scope: str | None = Field(default=None, description="why it is not carried")

    @model_validator(mode="after")
    def _one(self) -> CoverageItem:
        if bool(self.carried_by) == bool(self.out_of_scope):
            raise ValueError(f"cakupan '{self.id}': isi carried_by atau out_of_scope")
        return self


class CoverageList(Strict):
    id: str
    items: list[CoverageItem] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> CoverageList:
        unique([item.id for item in self.items], "coverage")
        return self
