"""Intake of reports from the field: conflicts (3.3.5) and safeguarding (3.3.5), stored
with the decision taken on them; safeguarding reports are closed by an admin. Part of
:class:`assistant.casework.service.Casework`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from assistant.casework import access
from assistant.casework.access import require
from assistant.common.limits import MAX_REPORT_TEXT
from assistant.decisions.service import Assistant
from assistant.knowledge.loader import Knowledge
from assistant.reading.words import detect_harm
from assistant.store.db import Store
from assistant.store.decision import Decision
from assistant.store.records import (
    ConflictReport,
    SafeguardingReport,
    User,
)


@dataclass
class ReportGroup:
    """A report of harm and the later reports with the same words from the same sender."""

    first: Any
    repeats: list[int] = field(default_factory=list)


class Intake:
    """Conflict and safeguarding reports."""

    # set by Casework.__init__
    store: Store
    knowledge: Knowledge
    assistant: Assistant

    def report_conflict(
        self, reporter: str, payload: dict[str, Any], channel: str, harm_reported: bool = False
    ) -> tuple[Decision, ConflictReport]:
        """Decide a conflict report and keep it for follow-up (safeguarding ones flagged).
        The whole description is stored with the report; the decision keeps what the
        rules need of it."""
        user = self.store.get_user(reporter)
        said = str(payload.get("description") or "")[:MAX_REPORT_TEXT]
        with self.store.transaction():
            decision = self.assistant.decide("conflict", payload, actor=reporter, channel=channel)
            report = ConflictReport(
                decision_id=decision.id,
                reporter=reporter,
                village_id=user.village_id if user else None,
                type=decision.output["type"],
                category=decision.output["category"],
                safeguarding=bool(decision.output.get("safeguarding_protocol")),
                created_at=datetime.now(),
                description=said or None,
            )
            report.id = self.store.add_conflict(report)
            if report.safeguarding and not harm_reported:
                # the report of harm is kept for an admin too (3.3.5 "Kebijakan Perlindungan"),
                # unless this conversation's harm net stored it already
                named = detect_harm(said, self.knowledge)
                asked = ["kekerasan", "pelecehan", "eksploitasi"]  # what the question named
                self.report_safeguarding(reporter, said, channel, concerns=named or asked)
        return decision, report

    # --- safeguarding ---------------------------------------------------------------

    def report_safeguarding(
        self, reporter: str, message: str, channel: str, concerns: list[str] | None = None
    ) -> tuple[Decision, SafeguardingReport] | None:
        """A report of harm (3.3.5 "Kebijakan Perlindungan"): the protocol is decided and
        the report kept, flagged, for an admin. None when no harm is recognised."""
        found = concerns or detect_harm(message, self.knowledge)
        if not found:
            return None
        user = self.store.get_user(reporter)
        with self.store.transaction():
            decision = self.assistant.decide(
                "safeguarding",
                {"concerns": found, "description": message[:MAX_REPORT_TEXT] or None},
                actor=reporter,
                channel=channel,
            )
            report = SafeguardingReport(
                decision_id=decision.id,
                reporter=reporter,
                village_id=user.village_id if user else None,
                concerns=found,
                description=message[:MAX_REPORT_TEXT],
                created_at=datetime.now(),
            )
            report.id = self.store.add_safeguarding_report(report)
        return decision, report

    def safeguarding_reports(self, actor: User, status: str | None = "baru") -> list[Any]:
        require(access.can_handle_safeguarding(actor), "safeguarding")
        return self.store.safeguarding_reports(status)

    def safeguarding_report_groups(
        self, actor: User, status: str | None = "baru"
    ) -> list[ReportGroup]:
        """The reports, repeats grouped: the same words from the same sender are one line
        for the admin, with every report kept and numbered (issue 22, finding 11: a
        stranger repeating one message could flood the queue)."""
        groups: dict[tuple[str, str], ReportGroup] = {}
        for report in self.safeguarding_reports(actor, status):
            key = (report.reporter, " ".join(report.description.lower().split()))
            if key in groups:
                groups[key].repeats.append(report.id)
            else:
                groups[key] = ReportGroup(report, [])
        return list(groups.values())

    def close_safeguarding_report(self, actor: User, report_id: int) -> bool:
        require(access.can_handle_safeguarding(actor), "safeguarding")
        return self.store.close_safeguarding_report(report_id, actor.id)

    # --- explanations ---------------------------------------------------------------
