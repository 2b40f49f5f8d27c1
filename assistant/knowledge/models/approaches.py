"""approaches.yml: the four approaches of 1.2 and the two the framework of 3.2 centres on."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator

from assistant.knowledge.models.base import Row, Table, unique


class CommunityCondition(Row):
    """A condition of a community that points to an approach (DESIGN.md 4.1 ids)."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "description"})

    name: str
    description: str
    hints: list[str] = Field(default=[], description="words people use in chat (not the seed's)")


class TargetGroup(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name"})

    name: str
    hints: list[str] = Field(default=[], description="words people use in chat (not the seed's)")


class Approach(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {
            "name",
            "english_name",
            "core",
            "summary",
            "target",
            "target_groups",
            "conditions",
            "aims",
            "strengths",
            "weaknesses",
            "opportunities",
            "threats",
        }
    )

    name: str
    english_name: str
    core: bool = Field(description="one of the two approaches the 3.2 framework centres on")
    summary: str
    target: str = Field(description="who the approach is for, in one sentence")
    target_groups: list[str] = Field(description="ids of TargetGroup rows")
    conditions: list[str] = Field(min_length=1, description="ids of CommunityCondition rows")
    aims: list[str] = Field(min_length=1)
    strengths: list[str] = Field(min_length=1)
    weaknesses: list[str] = Field(min_length=1)
    opportunities: list[str] = Field(min_length=1)
    threats: list[str] = Field(min_length=1)


class ApproachesTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"conditions", "groups", "approaches"})

    conditions: list[CommunityCondition] = Field(min_length=1)
    groups: list[TargetGroup] = Field(min_length=1)
    approaches: list[Approach] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> ApproachesTable:
        unique([c.id for c in self.conditions], "conditions")
        unique([g.id for g in self.groups], "groups")
        unique([a.id for a in self.approaches], "approaches")
        conditions = {c.id for c in self.conditions}
        groups = {g.id for g in self.groups}
        for approach in self.approaches:
            for condition in approach.conditions:
                if condition not in conditions:
                    raise ValueError(f"pendekatan '{approach.id}': kondisi '{condition}' tidak ada")
            for group in approach.target_groups:
                if group not in groups:
                    raise ValueError(f"pendekatan '{approach.id}': kelompok '{group}' tidak ada")
        return self
