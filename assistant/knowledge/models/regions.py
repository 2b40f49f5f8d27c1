"""regions.yml: the provinces of Indonesia, so that a household's province can be matched
with a program's region. Not a table of the guideline (which names four provinces): the
whole table carries its basis."""

from __future__ import annotations

from typing import ClassVar, Literal

from pydantic import Field, model_validator

from assistant.knowledge.models.base import Row, Table, unique


class Province(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name"})

    name: str
    aliases: list[str] = Field(default=[], description="other ways people write it")
    # Indonesia's three time zones; the hours ahead of UTC are fixed (no summer time)
    time_zone: Literal["WIB", "WITA", "WIT"] = "WIB"

    UTC_OFFSET_HOURS: ClassVar[dict[str, int]] = {"WIB": 7, "WITA": 8, "WIT": 9}

    @property
    def utc_offset_hours(self) -> int:
        return self.UTC_OFFSET_HOURS[self.time_zone]


class RegionsTable(Table):
    provinces: list[Province] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique(self) -> RegionsTable:
        unique([p.id for p in self.provinces], "provinces")
        unique([n for p in self.provinces for n in set(self.names(p))], "province names")
        return self

    @staticmethod
    def names(province: Province) -> list[str]:
        return [_norm(n) for n in [province.id, province.name, *province.aliases]]

    def find(self, value: str) -> Province | None:
        """The province a name, id or alias means (case and spacing ignored)."""
        wanted = _norm(value)
        return next((p for p in self.provinces if wanted in self.names(p)), None)

    def province(self, province_id: str) -> Province:
        return next(p for p in self.provinces if p.id == province_id)


def _norm(value: str) -> str:
    return " ".join(value.lower().replace("_", " ").replace(".", " ").split())
