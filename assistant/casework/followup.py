"""Follow-up by number, as chat commands name things (issue 14): a facilitator finishes or
postpones a task ("selesai 12", "tunda 12 3 hari ..."), a supervisor signs off a waiting
case ("setujui 12", where 12 is the number of the case's consideration task, the number the
queue shows), a referral is made ("rujuk 12 ke PKH", 12 a task of the household) or
changes status ("rujukan 5 diterima"). Each checks access here
(``access``) and leaves an audit row with the channel; the chat only reads the words."""

from __future__ import annotations

from dataclasses import dataclass

from assistant.casework import access, audit
from assistant.casework.access import Forbidden, require
from assistant.casework.referrals import Referrals
from assistant.casework.service import Casework
from assistant.casework.signoff import CONSIDERATION, SignOffs, Waiting
from assistant.common.errors import InputError
from assistant.common.texts import text
from assistant.store.records import Beneficiary, Referral, SignOff, Task, User

OPEN = "terbuka"


@dataclass
class Finished:
    task: Task
    household: Beneficiary


def finish_task(casework: Casework, actor: User, task_id: int, channel: str) -> Finished:
    """Mark one open task of the actor's own households done ("selesai 12"); the case moves
    on its path as with ``Casework.complete_task``."""
    task, household = casework.writable_task(actor, task_id)
    if task.status != OPEN:
        raise InputError(text("followup.task_not_open", task=task_id), "task")
    moved = casework.complete_task(actor, task_id)
    audit.note(
        casework.store,
        actor=actor.id,
        channel=channel,
        kind=audit.TASK,
        household=household.id,
        summary=text("followup.task_done", task=task_id, title=task.title),
        detail={"task": task_id, "step": task.step},
    )
    return Finished(task, moved)


def refer_by_task(
    casework: Casework, actor: User, task_id: int, program: str, channel: str
) -> Referral:
    """A new referral ("rujuk 12 ke PKH"): the household is the one of task 12 (the
    numbers the facilitator's schedule shows), the program one the guideline knows; the
    referral starts as submitted, with its own follow-up task (3.3.7)."""
    _, household = casework.writable_task(actor, task_id)
    return Referrals(casework).refer(actor, household.id, program, channel=channel)


def case_number(casework: Casework, household: Beneficiary) -> int | None:
    """The number a waiting case is shown and answered with: its latest consideration
    task (a task id, like the numbers of the reminders)."""
    rows = [r for r in casework.store.task_rows_of(household.id) if r["step"] == CONSIDERATION]
    return int(rows[-1]["id"]) if rows else None


def waiting_cases(casework: Casework, actor: User) -> list[tuple[int | None, Waiting]]:
    """The supervisor's queue, each case with its number."""
    return [
        (case_number(casework, item.household), item)
        for item in SignOffs(casework).waiting(actor)
    ]


def sign_off_case(
    casework: Casework, actor: User, number: int, verdict: str, reason: str, channel: str
) -> tuple[SignOff, Beneficiary]:
    """A verdict on the case numbered ``number`` (see ``case_number``)."""
    require(access.sees_sign_off_queue(actor), "sign_off")
    task = casework.store.get_task(number)
    if task is None or task.step != CONSIDERATION:
        raise Forbidden(text("followup.unknown_case", case=number), "case")
    try:
        signed = SignOffs(casework).decide(actor, task.beneficiary_id, verdict, reason, channel)
    except Forbidden as refused:  # another district's case: not named
        raise Forbidden(text("followup.unknown_case", case=number), "case") from refused
    household = casework.store.get_beneficiary(task.beneficiary_id)
    assert household is not None
    return signed, household
