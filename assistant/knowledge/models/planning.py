"""planning.yml: the planning stage of 3.3.2 beyond its tables carried elsewhere: setting
the policy, vision and mission, the action plan and how often to review it, the
institutional framework, funding sources and strategies, and the program guideline."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from assistant.knowledge.models.base import Row, Table
from assistant.knowledge.models.entries import Entry


class StageRole(Row):
    """What one actor does in one stage (3.3.2, "Peranan Kementerian/Lembaga ...")."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"stage", "actor", "role"})

    stage: str = Field(description="stage id of stages.yml")
    actor: str
    role: str


class PlanningTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {
            "policy_steps",
            "vision_mission",
            "action_plan",
            "review_frequency",
            "institutions",
            "stage_roles",
            "funding_sources",
            "funding_strategies",
            "guideline_aspects",
            "guideline_standards",
        }
    )

    policy_steps: list[Entry] = Field(min_length=4, max_length=4)
    vision_mission: list[Entry] = Field(min_length=4, max_length=4)
    action_plan: list[Entry] = Field(min_length=6, max_length=6)
    review_frequency: list[Entry] = Field(min_length=4, max_length=4)
    institutions: list[Entry] = Field(min_length=1)
    stage_roles: list[StageRole] = Field(min_length=1)
    funding_sources: list[Entry] = Field(min_length=5, max_length=5)
    funding_strategies: list[Entry] = Field(min_length=5, max_length=5)
    guideline_aspects: list[Entry] = Field(min_length=10, max_length=10)
    guideline_standards: list[Entry] = Field(min_length=5, max_length=5)
