"""safeguarding.yml: the safeguarding policy of 3.3.5 ("Kebijakan Perlindungan")."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator

from assistant.knowledge.models.base import Row, Table, unique


class SafeguardingAspect(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "points", "examples"})

    name: str
    points: list[str] = Field(min_length=1)
    examples: list[str] = []


class Concern(Row):
    """A harm the safeguarding policy names (violence, harassment, exploitation, ...)."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name"})

    name: str


class ProtocolStep(Row):
    aspect: str
    text: str


class SafeguardingTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"protected_groups", "concerns", "aspects"})

    protected_groups: list[str]
    # word stems that may point to harm (a report the NLU alone read is then confirmed)
    signs: list[str] = []
    concerns: list[Concern] = Field(min_length=1)
    aspects: list[SafeguardingAspect] = Field(min_length=1)
    protocol: list[ProtocolStep] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> SafeguardingTable:
        aspects = {a.id for a in self.aspects}
        unique([a.id for a in self.aspects], "aspects")
        unique([p.id for p in self.protocol], "protocol")
        unique([c.id for c in self.concerns], "concerns")
        for step in self.protocol:
            if step.aspect not in aspects:
                raise ValueError(f"protokol '{step.id}': aspek '{step.aspect}' tidak ada")
        return self
