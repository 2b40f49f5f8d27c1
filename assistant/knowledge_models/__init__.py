"""Pydantic models of the knowledge files in ``knowledge/``, one module per file.

Every row has an ``id`` and a ``source`` (seed section and heading); every value the
guideline does not state outright carries its ``basis`` (see ``base``). Each file is one
``Table``; references inside a file are checked by its validators, references between
files by ``assistant.knowledge``.
"""

from __future__ import annotations

from assistant.knowledge_models.approaches import ApproachesTable
from assistant.knowledge_models.assessment import AssessmentTable
from assistant.knowledge_models.base import Basis, Cited, Row, Source, Strict, Table, unmarked
from assistant.knowledge_models.conflicts import (
    ConflictCategory,
    ConflictTable,
    ConflictType,
    Escalation,
)
from assistant.knowledge_models.facilitators import FacilitatorsTable
from assistant.knowledge_models.graduation import GraduationTable
from assistant.knowledge_models.implementation import ImplementationTable
from assistant.knowledge_models.indicators import IndicatorsTable
from assistant.knowledge_models.interventions import InterventionsTable
from assistant.knowledge_models.monitoring import MonitoringTable
from assistant.knowledge_models.needs import NeedsTable
from assistant.knowledge_models.planning import PlanningTable
from assistant.knowledge_models.preparation import PreparationTable
from assistant.knowledge_models.principles import PrinciplesTable
from assistant.knowledge_models.priorities import PrioritiesTable
from assistant.knowledge_models.programs import ProgramsTable
from assistant.knowledge_models.regions import RegionsTable
from assistant.knowledge_models.review import ReviewTable
from assistant.knowledge_models.safeguarding import SafeguardingTable
from assistant.knowledge_models.sources import SourcesTable
from assistant.knowledge_models.stages import StagesTable
from assistant.knowledge_models.sustainability import SustainabilityTable
from assistant.knowledge_models.targeting import TargetingTable

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
