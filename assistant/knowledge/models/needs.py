"""needs.yml: the needs-analysis table of 3.3.2 ("Panduan memilih model intervensi yang
tepat"): need signals -> intervention model, example activities, considerations."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, model_validator

from assistant.knowledge.models.base import Marked, Row, Table, unique


class NeedSignal(Row):
    """One example of the table's first column (DESIGN.md 4.1 signal ids)."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"text", "models"})

    text: str
    models: list[str] = Field(min_length=1, description="intervention model ids it calls for")
    hints: list[str] = Field(default=[], description="words people use in chat (not the seed's)")


class Consideration(Marked):
    """A consideration of the row; ``recommends`` chains a follow-up model (the project's
    reading of the consideration, so a consideration that recommends carries a basis)."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"text"})

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    text: str
    recommends: str | None = Field(default=None, description="intervention model id")
    focus: str | None = Field(default=None, description="what the follow-up model should cover")
    when_signals: list[str] = Field(
        default=[], description="only when one of these signals is present (empty: always)"
    )


class NeedsRow(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {"name", "signals", "activities", "considerations"}
    )

    name: str = Field(description="the row's model, as the table names it")
    signals: list[NeedSignal] = Field(min_length=1)
    activities: list[str] = Field(min_length=1)
    considerations: list[Consideration] = Field(min_length=1)


class NeedsTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"entries"})

    entries: list[NeedsRow] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> NeedsTable:
        unique([r.id for r in self.entries], "entries")
        unique([s.id for r in self.entries for s in r.signals], "signals")
        for row in self.entries:
            unique([c.id for c in row.considerations], f"considerations of {row.id}")
            own = {s.id for s in row.signals}
            for consideration in row.considerations:
                for signal in consideration.when_signals:
                    if signal not in own:
                        raise ValueError(f"pertimbangan '{consideration.id}': sinyal '{signal}'")
        return self

    def signals(self) -> dict[str, tuple[NeedsRow, NeedSignal]]:
        return {s.id: (row, s) for row in self.entries for s in row.signals}
