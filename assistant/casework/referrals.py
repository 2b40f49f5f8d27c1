"""Referrals as records (3.3.7: a graduate, with their facilitator, may choose to be
referred to a further program). Each has a program, a date and a status - ``diajukan``
(submitted), ``diterima`` (accepted), ``ditolak`` (refused), ``selesai`` (finished) - and
who changed it last. Recording one schedules a follow-up task asking for its outcome;
any later status closes that task. Every change writes an audit row."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timedelta
from typing import Any

from assistant.casework import access, audit
from assistant.casework.access import Forbidden
from assistant.casework.service import Casework
from assistant.common.errors import InputError
from assistant.common.limits import MAX_REPORT_TEXT
from assistant.common.texts import text
from assistant.store.records import REFERRAL_STATUSES, Referral, Task, User

# the path step a referral belongs to (DESIGN.md 4.1); its schedule (graduation.yml) is
# when the facilitator is asked for the outcome
REFERRAL_STEP = "rujukan_program_lanjutan"
SUBMITTED = "diajukan"


class Referrals:
    def __init__(self, casework: Casework) -> None:
        self.casework = casework
        self.store = casework.store
        self.knowledge = casework.knowledge

    def refer(
        self,
        actor: User,
        household_id: str,
        program: str,
        referred_on: date | None = None,
        note: str = "",
        channel: str = "cli",
    ) -> Referral:
        household = self.casework.household(actor, household_id)
        if not access.can_update_referral(actor, household):
            raise Forbidden(text("access.write"), "household")
        program = program.strip().lower()
        if program not in self.knowledge.programs.ids:
            raise InputError(text("errors.unknown_program", program=program), "program")
        referred_on = referred_on or date.today()
        if referred_on > date.today():
            raise InputError(text("casework.future_date", date=referred_on.isoformat()), "date")
        name = self.knowledge.programs.program(program).name
        days = self.knowledge.graduation.schedule.get(REFERRAL_STEP, 0)
        task = Task(
            beneficiary_id=household.id,
            facilitator_id=household.facilitator_id,
            step=REFERRAL_STEP,
            title=text("followup.referral_task", program=name, name=household.name),
            due_on=referred_on + timedelta(days=days),
        )
        now = datetime.now()
        with self.store.transaction():
            self.store.add_tasks([task])
            task_id = self.store.last_task_id(household.id)
            referral = Referral(
                beneficiary_id=household.id,
                program=program,
                referred_on=referred_on,
                status=SUBMITTED,
                note=note.strip()[:MAX_REPORT_TEXT],
                created_by=actor.id,
                updated_by=actor.id,
                updated_at=now,
                task_id=task_id,
            )
            referral.id = self.store.add_referral(referral)
            audit.note(
                self.store,
                actor=actor.id,
                channel=channel,
                kind=audit.REFERRAL,
                household=household.id,
                summary=text("followup.audit_referral", program=name, status=SUBMITTED),
                detail={"referral": referral.id, "program": program, "status": SUBMITTED},
                at=now,
            )
        return referral

    def update(
        self, actor: User, referral_id: int, status: str, note: str = "", channel: str = "cli"
    ) -> Referral:
        referral = self.store.get_referral(referral_id)
        household = self.store.get_beneficiary(referral.beneficiary_id) if referral else None
        if (
            referral is None
            or household is None
            or not access.can_update_referral(actor, household)
        ):
            raise Forbidden(text("followup.unknown_referral", referral=referral_id), "referral")
        status = status.strip().lower()
        if status not in REFERRAL_STATUSES:
            raise InputError(
                text("followup.bad_referral_status", options=", ".join(REFERRAL_STATUSES)),
                "status",
            )
        name = self.knowledge.programs.program(referral.program).name
        with self.store.transaction():
            self.store.set_referral_status(
                referral_id, status, actor.id, note.strip()[:MAX_REPORT_TEXT]
            )
            if status != SUBMITTED and referral.task_id is not None:
                task = self.store.get_task(referral.task_id)
                if task is not None and task.status == "terbuka":
                    self.store.finish_task(referral.task_id)
            audit.note(
                self.store,
                actor=actor.id,
                channel=channel,
                kind=audit.REFERRAL,
                household=household.id,
                summary=text("followup.audit_referral", program=name, status=status),
                detail={"referral": referral_id, "from": referral.status, "status": status},
            )
        updated = self.store.get_referral(referral_id)
        assert updated is not None
        return updated

    def of(self, actor: User, household_id: str) -> list[Referral]:
        household = self.casework.household(actor, household_id)
        return self.store.referrals_of(household.id)

    def counts_for(self, rows: list[dict[str, Any]]) -> dict[str, Counter[str]]:
        """Referrals by program and status, for the households of ``rows`` (the rows of
        a report: only what the reader may count)."""
        counted = {r["id"] for r in rows}
        counts: dict[str, Counter[str]] = {}
        for referral in self.store.referral_rows():
            if referral["beneficiary_id"] in counted:
                counts.setdefault(referral["program"], Counter())[referral["status"]] += 1
        return counts


MAX_POSTPONE_DAYS = 60  # a project default: longer than two months is a new plan, not a delay


def postpone_task(
    casework: Casework, actor: User, task_id: int, days: int, reason: str, channel: str = "cli"
) -> Task:
    """Postpone one open task of a household the actor may write ("tunda 2 3 hari ..."),
    with a reason; the change is in the audit trail."""
    task, household = casework.writable_task(actor, task_id)
    if task.status != "terbuka":
        raise InputError(text("casework.unknown_task", task=task_id), "task")
    if not 1 <= days <= MAX_POSTPONE_DAYS:
        raise InputError(text("followup.postpone_days", max=MAX_POSTPONE_DAYS), "days")
    reason = reason.strip()[:MAX_REPORT_TEXT]
    if not reason:
        raise InputError(text("followup.postpone_reason"), "reason")
    due = max(task.due_on, date.today()) + timedelta(days=days)
    with casework.store.transaction():
        casework.store.postpone_task(task_id, due)
        audit.note(
            casework.store,
            actor=actor.id,
            channel=channel,
            kind=audit.TASK,
            household=household.id,
            summary=text("followup.task_postponed", task=task_id, due=due.isoformat())
            + f" ({reason})",
            detail={"task": task_id, "from": task.due_on.isoformat(), "to": due.isoformat()},
        )
    moved = casework.store.get_task(task_id)
    assert moved is not None
    return moved
