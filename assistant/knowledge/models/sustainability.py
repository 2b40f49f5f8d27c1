"""sustainability.yml: the five sustainability / exit-strategy models and the decision
table of 3.3.7 (achievement hypothesis, deciding parameters, fitting strategy)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator

from assistant.knowledge.models.base import Row, Strict, Table, unique


class SustainabilityModel(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "description"})

    name: str
    description: str


class Parameter(Strict):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"text"})

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    text: str


class StrategyRow(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {"model", "hypothesis", "parameters", "strategy"}
    )

    model: str
    hypothesis: str
    parameters: list[Parameter] = Field(min_length=1)
    strategy: str


class SustainabilityTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"models", "strategies"})

    models: list[SustainabilityModel] = Field(min_length=1)
    strategies: list[StrategyRow] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> SustainabilityTable:
        unique([m.id for m in self.models], "models")
        unique([s.id for s in self.strategies], "strategies")
        unique([p.id for s in self.strategies for p in s.parameters], "parameters")
        models = {m.id for m in self.models}
        for row in self.strategies:
            if row.model not in models:
                raise ValueError(f"strategi '{row.id}': model '{row.model}' tidak ada")
        return self

    def parameter_ids(self) -> list[str]:
        return [p.id for s in self.strategies for p in s.parameters]
