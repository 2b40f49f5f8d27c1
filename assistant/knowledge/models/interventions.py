"""interventions.yml: the intervention model tree (3.2, 3.3.2) with the implementation
guide of 3.3.5 ("Panduan Pelaksanaan Kegiatan Inti") for each model that has one."""

from __future__ import annotations

from typing import ClassVar, Literal, get_args

from pydantic import Field, model_validator

from assistant.knowledge.models.base import Row, Strict, Table, unique

# The two profile vocabularies of DESIGN.md 4.1, defined here once; code that lists the
# values takes them from EMPLOYMENT_STATUSES / BUSINESS_STAGES.
EMPLOYMENT = Literal["menganggur", "bekerja", "kena_phk"]
BUSINESS_STAGE = Literal["belum_ada", "pemula", "berjalan"]
EMPLOYMENT_STATUSES: tuple[str, ...] = get_args(EMPLOYMENT)
BUSINESS_STAGES: tuple[str, ...] = get_args(BUSINESS_STAGE)


class Range(Strict):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"min", "max", "unit"})

    min: float = Field(ge=0)
    max: float = Field(ge=0)
    unit: str

    @model_validator(mode="after")
    def _ordered(self) -> Range:
        if self.max < self.min:
            raise ValueError("max lebih kecil dari min")
        return self


class Share(Strict):
    """One part of the delivery, e.g. theory 30%."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "percent", "what"})

    name: str
    percent: int = Field(ge=0, le=100)
    what: str


class ImplementationGuide(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {
            "name",
            "aims",
            "duration",
            "sessions",
            "hours_per_session",
            "total_hours",
            "delivery",
            "tasks",
            "methods",
        }
    )

    name: str = Field(description="the guide's heading in 3.3.5, e.g. Pelatihan Vokasi")
    aims: list[str] = Field(min_length=1)
    duration: Range
    sessions: Range
    hours_per_session: Range
    total_hours: Range | None = None
    delivery: list[Share] = Field(min_length=1)
    tasks: list[str] = Field(min_length=1, description="tasks and evaluation")
    methods: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _whole(self) -> ImplementationGuide:
        if sum(share.percent for share in self.delivery) != 100:
            raise ValueError("persentase pelaksanaan harus berjumlah 100")
        return self


class InterventionGroup(Row):
    """pengembangan_keterampilan, pendampingan, peningkatan_akses."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "description"})

    name: str
    description: str


class InterventionForm(Row):
    """A form an intervention model takes (the sub-models of mentoring and access in
    3.3.2, the forms of 1.2), e.g. crowdfunding under akses_modal."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"name", "description", "examples"})

    name: str
    description: str | None = None
    examples: list[str] = []


class InterventionModel(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {"group", "name", "description", "activities", "guide", "forms"}
    )

    group: str
    name: str
    description: str
    activities: list[str] = Field(min_length=1, description="example activities")
    guide: ImplementationGuide | None = None
    forms: list[InterventionForm] = Field(default=[], description="its forms (1.2, 3.3.2)")


class OtherModel(Row):
    """A model the literature review (1.2) names that the framework of 3.2 does not carry
    (Pendidikan Kritis); programs of 2.1 use it."""

    GUIDELINE: ClassVar[frozenset[str]] = frozenset({"group", "name", "description", "forms"})

    group: str
    name: str
    description: str
    forms: list[InterventionForm] = Field(min_length=1)


class SubModel(Row):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {"model", "name", "description", "targets", "examples"}
    )

    model: str = Field(description="id of the parent InterventionModel")
    name: str
    description: str
    targets: list[str] = Field(min_length=1)
    examples: list[str] = []
    for_employment: list[EMPLOYMENT] = []
    for_business_stage: list[BUSINESS_STAGE] = []


class InterventionsTable(Table):
    GUIDELINE: ClassVar[frozenset[str]] = frozenset(
        {"groups", "models", "sub_models", "other_models"}
    )

    groups: list[InterventionGroup] = Field(min_length=1)
    models: list[InterventionModel] = Field(min_length=1)
    sub_models: list[SubModel] = Field(min_length=1)
    other_models: list[OtherModel] = []

    @model_validator(mode="after")
    def _references(self) -> InterventionsTable:
        unique([g.id for g in self.groups], "groups")
        unique(
            [m.id for m in self.models]
            + [s.id for s in self.sub_models]
            + [o.id for o in self.other_models]
            + [f.id for m in [*self.models, *self.other_models] for f in m.forms],
            "models/sub_models/other_models/forms",
        )
        groups = {g.id for g in self.groups}
        models = {m.id for m in self.models}
        for model in [*self.models, *self.other_models]:
            if model.group not in groups:
                raise ValueError(f"model '{model.id}': kelompok '{model.group}' tidak ada")
        for sub in self.sub_models:
            if sub.model not in models:
                raise ValueError(f"sub-model '{sub.id}': model '{sub.model}' tidak ada")
        return self

    def model(self, model_id: str) -> InterventionModel:
        return next(m for m in self.models if m.id == model_id)

    def subs_of(self, model_id: str) -> list[SubModel]:
        return [s for s in self.sub_models if s.model == model_id]
