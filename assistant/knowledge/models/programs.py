"""programs.yml: the 15 programs studied (2.1.1 government, 2.1.2 non-government; their
stage coverage in the table of 2.2) and the national programs the text names, each with
its scope and the eligibility the guideline gives (regions, age, target groups,
exclusions), every condition cited."""

from __future__ import annotations

from functools import cached_property
from typing import ClassVar, Literal

from pydantic import Field, model_validator

from assistant.knowledge.models.base import Cited, Row, Strict, Table, unique

LEVELS = Literal["miskin", "rentan", "menengah", "stabil"]
KINDS = Literal["pemerintah", "non_pemerintah", "nasional"]
GENDERS = Literal["L", "P"]
# The household facts a condition may need (GraduationInput fields); "catatan": none, the
# condition is shown as a note whenever the program is named.
FACTS = Literal[
    "head_age",
    "province",
    "gender",
    "disability",
    "elderly_member",
    "household_members",
    "other_programs",
    "catatan",
]
HOUSEHOLD_FLAGS = Literal["elderly_member", "disability"]


class StageChecks(Strict):
    """The ten columns of the table in 2.2 (True: the program covers it)."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {
            "perencanaan",
            "data_sekunder",
            "data_primer",
            "persiapan",
            "peningkatan_akses",
            "pengembangan_keterampilan",
            "pendampingan",
            "monev_digital",
            "monev_manual",
            "exit_strategy",
        }
    )

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


class Condition(Cited):
    """One eligibility condition of a program, on one household fact.

    - ``head_age``: ``min``/``max`` years (inclusive);
    - ``province``: ``regions``, province ids of regions.yml;
    - ``gender``: ``genders`` of the beneficiary;
    - ``disability`` / ``elderly_member``: ``value`` the fact must have;
    - ``household_members``: ``any_of`` these facts true qualifies; with ``others`` the
      program also takes households qualifying on facts not asked, so it is never ruled
      out on these, only noted;
    - ``other_programs``: ruled out when the household already receives a program of one
      of ``exclude_kinds`` (other than this one);
    - ``catatan``: no fact; a note shown whenever the program is named.

    ``effect: catatan`` turns a condition into a note shown when it holds (a priority,
    not a bar). ``text`` says in a few words who the program is for, for the notes."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {
            "fact",
            "effect",
            "text",
            "min",
            "max",
            "regions",
            "genders",
            "value",
            "any_of",
            "others",
            "exclude_kinds",
        }
    )

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    fact: FACTS
    effect: Literal["syarat", "catatan"] = "syarat"
    text: str
    min: int | None = Field(default=None, ge=0, le=130)
    max: int | None = Field(default=None, ge=0, le=130)
    regions: list[str] = []
    genders: list[GENDERS] = []
    value: bool | None = None
    any_of: list[HOUSEHOLD_FLAGS] = []
    others: bool = False
    exclude_kinds: list[KINDS] = []

    @model_validator(mode="after")
    def _complete(self) -> Condition:
        needs = {
            "head_age": self.min is not None or self.max is not None,
            "province": bool(self.regions),
            "gender": bool(self.genders),
            "disability": self.value is not None,
            "elderly_member": self.value is not None,
            "household_members": bool(self.any_of),
            "other_programs": bool(self.exclude_kinds),
            "catatan": True,
        }
        if self.fact == "catatan" and self.effect != "catatan":
            raise ValueError(f"syarat '{self.id}': fakta 'catatan' hanya untuk effect catatan")
        if not needs[self.fact]:
            raise ValueError(f"syarat '{self.id}': isian untuk fakta '{self.fact}' belum ada")
        if self.min is not None and self.max is not None and self.max < self.min:
            raise ValueError(f"syarat '{self.id}': max lebih kecil dari min")
        return self


class StudyNote(Cited):
    """A tick of the 2.2 table that the program's own text in 2.1 contradicts. The tick is
    kept as the guideline has it; the note is shown next to it."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"check", "text"})

    check: str
    text: str


class Program(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {
            "name",
            "full_name",
            "kind",
            "scope",
            "ministry",
            "agencies",
            "region",
            "aims",
            "targets",
            "models",
            "other_models",
            "eligibility",
            "checks",
            "assessed",
            "study_notes",
            "achievements",
            "good_practices",
            "challenges",
            "exit_strategy",
            "graduation",
        }
    )

    name: str = Field(description="short name, e.g. PENA")
    full_name: str
    kind: KINDS
    scope: Literal["nasional", "daerah", "lokal"] = Field(
        description="national, regional (a province) or local, as the profile card says"
    )
    ministry: str | None = Field(description="ministry or organisation that runs it")
    agencies: list[str] = Field(default=[], description="local agencies / partners involved")
    region: str | None = Field(default=None, description="region sampled in the study")
    aims: list[str] = Field(min_length=1)
    targets: list[str] = Field(min_length=1, description="who it serves")
    welfare_levels: list[LEVELS] = Field(
        min_length=1, description="welfare levels it serves (used for referrals)"
    )
    models: list[str] = Field(default=[], description="intervention model ids it delivers")
    other_models: list[str] = Field(
        default=[], description="models of 1.2 outside the 3.2 framework it uses"
    )
    eligibility: list[Condition] = Field(
        default=[], description="who may take part: conditions on household facts"
    )
    checks: StageChecks | None = Field(default=None, description="2.2 table; None if not studied")
    assessed: Literal["kurang", "cukup", "sangat"] | None = Field(
        default=None, description="the study's verdict in 2.2"
    )
    study_notes: list[StudyNote] = Field(
        default=[], description="ticks of 2.2 that the program's text contradicts"
    )
    achievements: list[str] = []
    good_practices: list[str] = []
    challenges: list[str] = []
    exit_strategy: list[str] = []
    graduation: str | None = Field(default=None, description="how participants graduate")


class ProgramsTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"programs"})

    programs: list[Program] = Field(min_length=1)

    @model_validator(mode="after")
    def _references(self) -> ProgramsTable:
        unique([p.id for p in self.programs], "programs")
        for program in self.programs:
            if program.kind != "nasional" and program.checks is None:
                raise ValueError(f"program '{program.id}': tabel 2.2 (checks) wajib diisi")
            unique([c.id for c in program.eligibility], f"eligibility of {program.id}")
            checks = set(StageChecks.model_fields)
            for note in program.study_notes:
                if program.checks is None or note.check not in checks:
                    raise ValueError(f"program '{program.id}': catatan kajian '{note.check}'")
        return self

    @cached_property
    def ids(self) -> list[str]:
        return [p.id for p in self.programs]

    def program(self, program_id: str) -> Program:
        return next(p for p in self.programs if p.id == program_id)
