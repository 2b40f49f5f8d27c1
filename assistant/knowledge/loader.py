"""Load and validate the knowledge files; compute the knowledge version.

The version is a hash of the files' bytes: every decision is stamped with it, so that a
stored decision can always be traced to the exact tables that produced it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import ValidationError

from assistant.common.paths import knowledge_dir
from assistant.knowledge.models import (
    TABLES,
    ApproachesTable,
    AssessmentTable,
    Basis,
    Cited,
    ConflictTable,
    FacilitatorsTable,
    GraduationTable,
    ImplementationTable,
    IndicatorsTable,
    InterventionsTable,
    MonitoringTable,
    NeedsTable,
    PlanningTable,
    PreparationTable,
    PrinciplesTable,
    PrioritiesTable,
    ProgramsTable,
    RegionsTable,
    ReviewTable,
    Row,
    SafeguardingTable,
    SourcesTable,
    StagesTable,
    SustainabilityTable,
    Table,
    TargetingTable,
    unmarked,
)
from assistant.knowledge.models.coverage import CoverageList

# Not a knowledge table: the list of the guideline's sections and what carries each.
COVERAGE_FILE = "coverage.yml"

T = TypeVar("T", bound=Table)


class KnowledgeError(Exception):
    """A knowledge file is wrong. Names the file, the row id and the field."""

    def __init__(self, file: str, row: str | None, field: str | None, problem: str) -> None:
        self.file, self.row, self.field, self.problem = file, row, field, problem
        where = [f"berkas {file}"]
        if row:
            where.append(f"baris '{row}'")
        if field:
            where.append(f"kolom '{field}'")
        super().__init__(f"{', '.join(where)}: {problem}")


@dataclass(frozen=True)
class Knowledge:
    version: str
    tables: dict[str, Table]

    def table(self, model: type[T]) -> T:
        for table in self.tables.values():
            if isinstance(table, model):
                return table
        raise KeyError(model.__name__)

    @property
    def sources(self) -> SourcesTable:
        return self.table(SourcesTable)

    @property
    def conflicts(self) -> ConflictTable:
        return self.table(ConflictTable)

    @property
    def safeguarding(self) -> SafeguardingTable:
        return self.table(SafeguardingTable)

    @property
    def approaches(self) -> ApproachesTable:
        return self.table(ApproachesTable)

    @property
    def interventions(self) -> InterventionsTable:
        return self.table(InterventionsTable)

    @property
    def needs(self) -> NeedsTable:
        return self.table(NeedsTable)

    @property
    def targeting(self) -> TargetingTable:
        return self.table(TargetingTable)

    @property
    def graduation(self) -> GraduationTable:
        return self.table(GraduationTable)

    @property
    def sustainability(self) -> SustainabilityTable:
        return self.table(SustainabilityTable)

    @property
    def programs(self) -> ProgramsTable:
        return self.table(ProgramsTable)

    @property
    def priorities(self) -> PrioritiesTable:
        return self.table(PrioritiesTable)

    @property
    def stages(self) -> StagesTable:
        return self.table(StagesTable)

    @property
    def review(self) -> ReviewTable:
        return self.table(ReviewTable)

    @property
    def facilitators(self) -> FacilitatorsTable:
        return self.table(FacilitatorsTable)

    @property
    def indicators(self) -> IndicatorsTable:
        return self.table(IndicatorsTable)

    @property
    def regions(self) -> RegionsTable:
        return self.table(RegionsTable)

    @property
    def principles(self) -> PrinciplesTable:
        return self.table(PrinciplesTable)

    @property
    def planning(self) -> PlanningTable:
        return self.table(PlanningTable)

    @property
    def assessment(self) -> AssessmentTable:
        return self.table(AssessmentTable)

    @property
    def preparation(self) -> PreparationTable:
        return self.table(PreparationTable)

    @property
    def implementation(self) -> ImplementationTable:
        return self.table(ImplementationTable)

    @property
    def monitoring(self) -> MonitoringTable:
        return self.table(MonitoringTable)

    def rows(self) -> Iterator[tuple[str, Row]]:
        """Every cited row with the name of the file it comes from."""
        for file_name, table in self.tables.items():
            for row in table.rows():
                yield file_name, row

    def basis_of(self, item: Cited) -> dict[str, Basis]:
        """The basis of each field of a row (or cited part of one) that is the project's:
        its table's basis for fields the row has, overridden by the row's own."""
        table = self._owner(item)
        inherited = {
            key: value
            for key, value in (table.basis.items() if table else ())
            if key in type(item).model_fields
        }
        return inherited | dict(item.basis)

    def _owner(self, item: Cited) -> Table | None:
        owners = _owners(self)
        return owners.get(id(item))


_OWNERS: dict[int, dict[int, Table]] = {}


def _owners(knowledge: Knowledge) -> dict[int, Table]:
    """id(cited object) -> its table, computed once per knowledge object."""
    key = id(knowledge)
    if key not in _OWNERS:
        _OWNERS[key] = {
            id(item): table for table in knowledge.tables.values() for _, item in table.cited()
        }
    return _OWNERS[key]


def load_knowledge(directory: Path | None = None) -> Knowledge:
    directory = Path(directory) if directory else knowledge_dir()
    digest = hashlib.sha256()
    tables: dict[str, Table] = {}
    for file_name, model in TABLES.items():
        path = directory / file_name
        if not path.is_file():
            raise KnowledgeError(file_name, None, None, "berkas tidak ditemukan")
        raw = path.read_bytes()
        digest.update(file_name.encode() + b"\0" + raw + b"\0")
        tables[file_name] = _parse(file_name, raw, model)
    knowledge = Knowledge(version=digest.hexdigest()[:12], tables=tables)
    _check_citations(knowledge)
    _check_basis(knowledge)
    _check_references(knowledge)
    return knowledge


def load_coverage(directory: Path | None = None) -> CoverageList:
    """The coverage list (``knowledge/coverage.yml``), read through its model."""
    directory = Path(directory) if directory else knowledge_dir()
    path = directory / COVERAGE_FILE
    if not path.is_file():
        raise KnowledgeError(COVERAGE_FILE, None, None, "berkas tidak ditemukan")
    data = yaml.safe_load(path.read_bytes())
    try:
        return CoverageList.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        row, field = _locate(data, first["loc"])
        raise KnowledgeError(COVERAGE_FILE, row, field, first["msg"]) from error


def coverage_markdown(knowledge: Knowledge, coverage: CoverageList) -> str:
    """The reviewers' note: one line per section with a table or framework and how the
    knowledge carries it (files and row counts), or why it is left out."""
    lines = [
        "| bagian | tabel / kerangka | dibawa oleh (berkas: baris) |",
        "|---|---|---|",
    ]
    for item in coverage.items:
        if item.out_of_scope:
            carried = f"di luar cakupan: {item.out_of_scope}"
        else:
            carried = "; ".join(_carrier(c.file, c.rows) for c in item.carried_by)
        lines.append(f"| {item.source.section} {item.source.title} | {item.what} | {carried} |")
    return "\n".join(lines)


def validate_file(path: Path, sources_path: Path | None = None) -> Table:
    """Validate one knowledge file on its own (its model and its citations)."""
    path = Path(path)
    if path.name not in TABLES:
        raise KnowledgeError(path.name, None, None, f"bukan berkas pengetahuan: {sorted(TABLES)}")
    table = _parse(path.name, path.read_bytes(), TABLES[path.name])
    sources_path = sources_path or path.with_name("sources.yml")
    sources = _parse("sources.yml", sources_path.read_bytes(), SourcesTable)
    assert isinstance(sources, SourcesTable)
    for owner, item in table.cited():
        _check_citation(sources, path.name, item, owner)
    _check_table_basis(path.name, table)
    return table


@lru_cache(maxsize=1)
def default_knowledge() -> Knowledge:
    """The knowledge of this installation, loaded once per process."""
    return load_knowledge()


def _parse(file_name: str, raw: bytes, model: type[Table]) -> Table:
    try:
        data = yaml.safe_load(raw)
    except yaml.YAMLError as error:
        raise KnowledgeError(file_name, None, None, f"YAML tidak sah: {error}") from error
    if not isinstance(data, dict):
        raise KnowledgeError(file_name, None, None, "isi berkas harus berupa pemetaan (mapping)")
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        row, field = _locate(data, first["loc"])
        raise KnowledgeError(file_name, row, field, first["msg"]) from error


def _locate(data: Any, loc: tuple[int | str, ...]) -> tuple[str | None, str | None]:
    """The id of the innermost row on the error's path, and the field that is wrong."""
    row_id: str | None = None
    node = data
    for step in loc:
        try:
            node = node[step]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            row_id = node["id"]
    fields = [step for step in loc if isinstance(step, str)]
    return row_id, (fields[-1] if fields else None)


def _carrier(file_name: str, rows: list[str], shown: int = 4) -> str:
    more = f", +{len(rows) - shown}" if len(rows) > shown else ""
    return f"{file_name} ({len(rows)}: {', '.join(rows[:shown])}{more})"


def _check_citations(knowledge: Knowledge) -> None:
    for file_name, table in knowledge.tables.items():
        for owner, item in table.cited():
            _check_citation(knowledge.sources, file_name, item, owner)


def _check_citation(
    sources: SourcesTable, file_name: str, item: Cited, owner: str | None = None
) -> None:
    if not sources.knows(item.source):
        raise KnowledgeError(
            file_name,
            getattr(item, "id", owner),
            "source",
            f"bagian {item.source.section} '{item.source.title}' tidak ada di sources.yml",
        )


def _check_basis(knowledge: Knowledge) -> None:
    """Every filled field is the guideline's (its model says so) or carries a basis."""
    for file_name, table in knowledge.tables.items():
        _check_table_basis(file_name, table)


def _check_table_basis(file_name: str, table: Table) -> None:
    problems = unmarked(table)
    if problems:
        model, field, row_id = problems[0]
        raise KnowledgeError(
            file_name,
            row_id,
            field,
            f"kolom '{field}' ({model}) bukan isi pedoman dan belum punya basis "
            "(project_default atau interpretation, dengan alasan)",
        )


def _check_references(knowledge: Knowledge) -> None:
    """Ids one file uses that another file must define."""
    models = {m.id for m in knowledge.interventions.models}
    other_models = {m.id for m in knowledge.interventions.other_models}
    programs = {p.id for p in knowledge.programs.programs}
    steps = {s.id for s in knowledge.stages.steps}
    stages = {s.id for s in knowledge.stages.stages}
    provinces = {p.id for p in knowledge.regions.provinces}

    def need(file_name: str, row_id: str, field: str, wanted: str, known: set[str]) -> None:
        if wanted not in known:
            raise KnowledgeError(file_name, row_id, field, f"'{wanted}' tidak dikenal")

    for row in knowledge.needs.entries:
        for signal in row.signals:
            for model in signal.models:
                need("needs.yml", signal.id, "models", model, models)
        for consideration in row.considerations:
            if consideration.recommends:
                need("needs.yml", row.id, "recommends", consideration.recommends, models)
    for program in knowledge.programs.programs:
        for model in program.models:
            need("programs.yml", program.id, "models", model, models)
        for model in program.other_models:
            need("programs.yml", program.id, "other_models", model, other_models)
        for condition in program.eligibility:
            for region in condition.regions:
                need("programs.yml", program.id, "regions", region, provinces)
    for priority in knowledge.priorities.priorities:
        for example in priority.examples:
            for model in example.models:
                need("priorities.yml", priority.id, "models", model, models)
    for check in knowledge.review.checks:
        for step in check.steps:
            need("program_review.yml", check.id, "steps", step, steps)
    for model in knowledge.graduation.intensive_mentoring_models:
        need("graduation.yml", "intensive_mentoring_models", "models", model, models)
    for matrix in knowledge.graduation.matrices:
        if matrix.program:
            need("graduation.yml", matrix.id, "program", matrix.program, programs)
    for program_id in knowledge.graduation.social_assistance.programs:
        need("graduation.yml", "social_assistance", "programs", program_id, programs)
    for role in knowledge.planning.stage_roles:
        need("planning.yml", role.id, "stage", role.stage, stages)
