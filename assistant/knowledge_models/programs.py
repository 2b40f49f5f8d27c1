"""programs.yml: the 15 programs studied (2.1.1 government, 2.1.2 non-government; their
stage coverage in the table of 2.2) and the national programs the text names."""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import Field, model_validator

from assistant.knowledge_models.base import Row, Strict, Table, unique

LEVELS = Literal["miskin", "rentan", "menengah", "stabil"]


class StageChecks(Strict):
    """The ten columns of the table in 2.2 (True: the program covers it)."""

    perencanaan: bool
    data_sekunder: bool
    data_primer: bool
    persiapan: bool
    peningkatan_akses: bool
    pengembangan_keterampilan: bool
    pendampingan: bool
    monev_digital: bool
    monev_manual: bool
    exit_strategy: bool


class Program(Row):
    name: str = Field(description="short name, e.g. PENA")
    full_name: str
    kind: Literal["pemerintah", "non_pemerintah", "nasional"]
    ministry: str | None = Field(description="ministry or organisation that runs it")
    agencies: list[str] = Field(default=[], description="local agencies / partners involved")
    region: str | None = Field(default=None, description="region sampled in the study")
    aims: list[str] = Field(min_length=1)
    targets: list[str] = Field(min_length=1, description="who it serves")
    welfare_levels: list[LEVELS] = Field(
        min_length=1, description="welfare levels it serves (used for referrals)"
    )
    models: list[str] = Field(default=[], description="intervention model ids it delivers")
    checks: StageChecks | None = Field(default=None, description="2.2 table; None if not studied")
    assessed: Literal["kurang", "cukup", "sangat"] | None = Field(
        default=None, description="the study's verdict in 2.2"
    )
    achievements: list[str] = []
    good_practices: list[str] = []
    challenges: list[str] = []
    exit_strategy: list[str] = []
    graduation: str | None = Field(default=None, description="how participants graduate")


class ProgramsTable(Table):
    programs: list[Program] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> ProgramsTable:
        unique([p.id for p in self.programs], "programs")
        for program in self.programs:
            if program.kind != "nasional" and program.checks is None:
                raise ValueError(f"program '{program.id}': tabel 2.2 (checks) wajib diisi")
        return self

    @cached_property
    def ids(self) -> list[str]:
        return [p.id for p in self.programs]

    def program(self, program_id: str) -> Program:
        return next(p for p in self.programs if p.id == program_id)
