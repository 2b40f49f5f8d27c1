"""Pydantic models of the knowledge files in ``knowledge/``, one module per file.

Every row has an ``id`` and a ``source`` (seed section and heading); every value the
guideline does not state outright carries its ``basis`` (see ``base``). Each file is one
``Table``; references inside a file are checked by its validators, references between
files by ``assistant.knowledge.loader``.
"""

from __future__ import annotations

from assistant.knowledge.models.approaches import ApproachesTable
from assistant.knowledge.models.assessment import AssessmentTable
from assistant.knowledge.models.base import Basis, Cited, Row, Source, Strict, Table, unmarked
from assistant.knowledge.models.conflicts import (
    ConflictCategory,
    ConflictTable,
    ConflictType,
    Escalation,
)
from assistant.knowledge.models.facilitators import FacilitatorsTable
from assistant.knowledge.models.graduation import GraduationTable
from assistant.knowledge.models.implementation import ImplementationTable
from assistant.knowledge.models.indicators import IndicatorsTable
from assistant.knowledge.models.interventions import InterventionsTable
from assistant.knowledge.models.monitoring import MonitoringTable
from assistant.knowledge.models.needs import NeedsTable
from assistant.knowledge.models.planning import PlanningTable
from assistant.knowledge.models.preparation import PreparationTable
from assistant.knowledge.models.principles import PrinciplesTable
from assistant.knowledge.models.priorities import PrioritiesTable
from assistant.knowledge.models.programs import ProgramsTable
from assistant.knowledge.models.regions import RegionsTable
from assistant.knowledge.models.review import ReviewTable
from assistant.knowledge.models.safeguarding import SafeguardingTable
from assistant.knowledge.models.sources import SourcesTable
from assistant.knowledge.models.stages import StagesTable
from assistant.knowledge.models.sustainability import SustainabilityTable
from assistant.knowledge.models.targeting import TargetingTable

# The files of knowledge/ and the model each one is read with.
TABLES: dict[str, type[Table]] = {
    "sources.yml": SourcesTable,
    "regions.yml": RegionsTable,
    "programs.yml": ProgramsTable,
    "approaches.yml": ApproachesTable,
    "interventions.yml": InterventionsTable,
    "needs.yml": NeedsTable,
    "targeting.yml": TargetingTable,
    "conflicts.yml": ConflictTable,
    "safeguarding.yml": SafeguardingTable,
    "graduation.yml": GraduationTable,
    "sustainability.yml": SustainabilityTable,
    "priorities.yml": PrioritiesTable,
    "stages.yml": StagesTable,
    "program_review.yml": ReviewTable,
    "facilitators.yml": FacilitatorsTable,
    "indicators.yml": IndicatorsTable,
    "principles.yml": PrinciplesTable,
    "planning.yml": PlanningTable,
    "assessment.yml": AssessmentTable,
    "preparation.yml": PreparationTable,
    "implementation.yml": ImplementationTable,
    "monitoring.yml": MonitoringTable,
}

__all__ = [
    "TABLES",
    "ApproachesTable",
    "AssessmentTable",
    "Basis",
    "Cited",
    "ConflictCategory",
    "ConflictTable",
    "ConflictType",
    "Escalation",
    "FacilitatorsTable",
    "GraduationTable",
    "ImplementationTable",
    "IndicatorsTable",
    "InterventionsTable",
    "MonitoringTable",
    "NeedsTable",
    "PlanningTable",
    "PreparationTable",
    "PrinciplesTable",
    "PrioritiesTable",
    "ProgramsTable",
    "RegionsTable",
    "ReviewTable",
    "Row",
    "SafeguardingTable",
    "Source",
    "SourcesTable",
    "StagesTable",
    "Strict",
    "SustainabilityTable",
    "Table",
    "TargetingTable",
    "unmarked",
]
