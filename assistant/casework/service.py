"""Casework: one database's households, shared by the chat, the CLI and the importer.

The class is assembled from one module per job: ``registry`` (users, villages, households),
``path`` (assessments and the graduation path, 3.3.7), ``intake`` (conflict and
safeguarding reports) and ``practice`` (the trainers' sample material). Who may do what is
checked in each of them through ``assistant.casework.access``, whatever front end calls;
which database a person works in is ``assistant.casework.workspaces``."""

from __future__ import annotations

from datetime import date
from typing import Any

from assistant.casework import access
from assistant.casework.access import Forbidden, require
from assistant.casework.intake import Intake
from assistant.casework.nik import salt_for
from assistant.casework.path import GraduationPath
from assistant.casework.practice import Practice
from assistant.casework.registry import Registry
from assistant.casework.reports import VillageSummary, village_summary
from assistant.common.texts import text
from assistant.decisions.service import Assistant
from assistant.knowledge.loader import Knowledge
from assistant.store.db import Store
from assistant.store.decision import Decision
from assistant.store.records import User


class Casework(Registry, GraduationPath, Intake, Practice):
    """One database's casework: the registry, the graduation path, intake and practice
    material (each in its own module), plus decisions, reports and exports read back."""

    def __init__(self, store: Store, knowledge: Knowledge | None = None) -> None:
        self.store = store
        self.assistant = Assistant(store=store, knowledge=knowledge)
        self.knowledge = self.assistant.knowledge
        self._salt = salt_for(store.path, hashes_exist=store.has_nik_hashes())

    def decision_for(self, asker_id: str, decision_id: str) -> Decision:
        """A stored decision, for someone who may see it: whoever asked for it, an admin,
        or anyone who may read the household it concerns. Otherwise the same answer as
        "not found", so that a decision id reveals nothing."""
        decision = self.store.get_decision(decision_id)
        if decision is not None:
            asker = self.store.get_user(asker_id)
            subject_id = self.store.decision_subject(decision_id)
            subject = self.store.get_beneficiary(subject_id) if subject_id else None
            if access.can_read_decision(asker_id, asker, decision.actor, subject):
                return decision
        raise Forbidden(text("errors.no_decision", decision_id=decision_id), "decision_id")

    # --- reports and exports --------------------------------------------------------

    def report_rows(self, actor: User, village: str | None = None) -> list[dict[str, Any]]:
        """Rows for the graduation report, limited to what the actor may count."""
        if access.can_count_all(actor):
            return self.store.case_rows(village=village)
        scope = access.household_scope(actor)
        require(scope is not None, "report")
        if scope and "village" in scope:
            require(village in (None, scope["village"]), "report")
            return self.store.case_rows(village=scope["village"])
        own = {h.id for h in self.store.list_beneficiaries(facilitator=actor.id)}
        return [r for r in self.store.case_rows(village=village) if r["id"] in own]

    def village_summary(self, actor: User) -> VillageSummary:
        """A village official's own village: households by path step, graduated,
        re-evaluations due, by gender and disability. Counts only; nothing is changed."""
        own = access.official_village(actor)
        require(own is not None, "village_summary")
        village = self.village(str(own))
        rows = self.report_rows(actor)
        due = self.store.count_due_tasks(village.id, "evaluasi_ulang", date.today())
        return village_summary(village.name, rows, self.knowledge, due)

    def export_rows(
        self, actor: User, what: str, since: str | None, village: str | None
    ) -> list[dict[str, Any]]:
        require(access.can_count_all(actor), "export")
        if what == "decisions":
            return list(self.store.decision_rows(since=since, village=village))
        return self.store.case_rows(village=village, since=since)

    # --- trainer mode ---------------------------------------------------------------
