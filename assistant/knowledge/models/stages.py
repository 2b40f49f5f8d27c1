"""stages.yml: the six stages of a program (3.3.1) and the stage guide of 3.4 (steps,
standard practice, output documents)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator

from assistant.knowledge.models.base import Row, Table, unique


class Stage(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "order", "aim", "activities"})

    name: str
    order: int = Field(ge=1)
    aim: str
    activities: list[str] = Field(min_length=1)


class StageStep(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"stage", "name", "practice", "outputs"})

    stage: str
    name: str
    practice: list[str] = Field(min_length=1, description="standard practice")
    outputs: list[str] = Field(min_length=1, description="output documents")


class StagesTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"stages", "steps"})

    stages: list[Stage] = Field(min_length=6, max_length=6)
    steps: list[StageStep] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> StagesTable:
        unique([s.id for s in self.stages], "stages")
        unique([s.id for s in self.steps], "steps")
        stages = {s.id for s in self.stages}
        for step in self.steps:
            if step.stage not in stages:
                raise ValueError(f"langkah '{step.id}': tahap '{step.stage}' tidak ada")
        return self

    def step(self, step_id: str) -> StageStep:
        return next(s for s in self.steps if s.id == step_id)
