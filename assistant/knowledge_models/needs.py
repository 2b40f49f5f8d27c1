"""needs.yml: the needs-analysis table of 3.3.2 ("Panduan memilih model intervensi yang
tepat"): need signals -> intervention model, example activities, considerations."""

from __future__ import annotations

from pydantic import Field, model_validator

from assistant.knowledge_models.base import Row, Strict, Table, unique


class NeedSignal(Row):
    """One example of the table's first column (DESIGN.md 4.1 signal ids)."""

    text: str
    models: list[str] = Field(min_length=1, description="intervention model ids it calls for")
    hints: list[str] = Field(default=[], description="words people use in chat (not the seed's)")


class Consideration(Strict):
    """A consideration of the row; ``recommends`` chains a follow-up model."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    text: str
    recommends: str | None = Field(default=None, description="intervention model id")
    focus: str | None = Field(default=None, description="what the follow-up model should cover")
    when_signals: list[str] = Field(
        default=[], description="only when one of these signals is present (empty: always)"
    )


class NeedsRow(Row):
    name: str = Field(description="the row's model, as the table names it")
    signals: list[NeedSignal] = Field(min_length=1)
    activities: list[str] = Field(min_length=1)
    considerations: list[Consideration] = Field(min_length=1)


class NeedsTable(Table):
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
