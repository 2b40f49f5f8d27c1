"""safeguarding.yml: the safeguarding policy of 3.3.5 ("Kebijakan Perlindungan")."""

from __future__ import annotations

from pydantic import Field, model_validator

from assistant.knowledge_models.base import Row, Table, unique


class SafeguardingAspect(Row):
    name: str
    points: list[str] = Field(min_length=1)
    examples: list[str] = []


class Concern(Row):
    """A harm the safeguarding policy names (violence, harassment, exploitation, ...)."""

    name: str
    hints: list[str] = Field(default=[], description="words people use in chat (not the seed's)")


class ProtocolStep(Row):
    aspect: str
    text: str


class SafeguardingTable(Table):
    protected_groups: list[str]
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
