"""A second person before aid ends (3.3.7, "Pertimbangan penghentian bantuan").

When an assessment puts a household on the last step of the not-graduated path, nothing
ends by the facilitator alone: the case waits for the koordinator of its district (or an
admin), who sees the evidence - the assessments, the latest evaluation and the rules that
fired, the intensive-mentoring record, the alternatives offered, earlier sign-offs - and

- approves (``disetujui``): the household moves to ``bantuan_dihentikan``, its open
  tasks are withdrawn;
- rejects, with a reason (``ditolak``): the aid goes on; the state stays, and a
  re-evaluation after another round of intensive mentoring is scheduled;
- asks for one more evaluation (``evaluasi_lagi``): the state stays, and a re-evaluation
  is scheduled soon.

The verdict, who gave it, why, through which channel and the evidence as it was shown are
stored with an audit row, in the transaction that makes the change."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from assistant.casework import access, audit
from assistant.casework.access import Forbidden, require
from assistant.casework.service import Casework
from assistant.common.errors import InputError
from assistant.common.limits import MAX_REPORT_TEXT
from assistant.common.texts import text
from assistant.store.records import AID_ENDED, Beneficiary, SignOff, Task, Transition, User

# the step of the path (3.3.7) whose outcome needs a second person (DESIGN.md 4.1)
CONSIDERATION = "pertimbangan_penghentian_bantuan"
VERDICTS = ("disetujui", "ditolak", "evaluasi_lagi")
# the steps whose done tasks make up the intensive-mentoring record
MENTORING_STEPS = ("evaluasi", "komunikasi", "pendampingan_intensif", "evaluasi_ulang")
# the re-evaluation scheduled after each verdict that keeps the aid (schedule keys of
# graduation.yml: one more round of intensive mentoring, or an evaluation soon)
AFTER = {"ditolak": "pendampingan_intensif", "evaluasi_lagi": "evaluasi"}
REEVALUATION = "evaluasi_ulang"


@dataclass
class Waiting:
    household: Beneficiary
    village: str
    evidence: dict[str, Any]


class SignOffs:
    def __init__(self, casework: Casework) -> None:
        self.casework = casework
        self.store = casework.store
        self.knowledge = casework.knowledge

    def waiting(self, actor: User) -> list[Waiting]:
        """The cases waiting for this supervisor: on the consideration step, in a village
        they may sign for, with no verdict since they reached it."""
        require(access.sees_sign_off_queue(actor), "sign_off")
        found = []
        for household in self.store.households_in_state(CONSIDERATION):
            village = self.casework.village(household.village_id)
            if access.can_sign_off(actor, village) and self._is_waiting(household):
                found.append(Waiting(household, village.name, self.evidence(household)))
        return found

    def _is_waiting(self, household: Beneficiary) -> bool:
        """No verdict yet on the evaluation that brought it here (each assessment is a new
        graduation decision; a verdict keeps the id of the one it was given on)."""
        latest = self.store.latest_graduation(household.id)
        latest_id = latest.id if latest else None
        return not any(
            s.evidence.get("evaluation", {}).get("decision_id") == latest_id
            for s in self.store.sign_offs_of(household.id)
        )

    def evidence(self, household: Beneficiary) -> dict[str, Any]:
        """What the supervisor decides on, as plain data (stored with the verdict)."""
        decision = self.store.latest_graduation(household.id)
        output = decision.output if decision else {}
        done = [
            t
            for t in self._tasks(household.id)
            if t["step"] in MENTORING_STEPS and t["status"] == "selesai"
        ]
        return {
            "assessments": [
                {
                    "on": a.assessed_on.isoformat(),
                    "income": a.income_monthly,
                    "umk": a.umk,
                    "mindset_changed": a.mindset_changed,
                    "significant_change": a.significant_change,
                    "notes": a.notes,
                    "by": a.recorded_by,
                }
                for a in self.store.assessments_of(household.id)
            ],
            "evaluation": {
                "decision_id": decision.id if decision else None,
                "fired": list(decision.fired) if decision else [],
                "next_step": output.get("next_step"),
            },
            "mentoring": [
                {"step": t["step"], "title": t["title"], "done_at": t["done_at"]} for t in done
            ],
            "alternatives": list(output.get("alternatives") or []),
            "earlier_sign_offs": [
                {"verdict": s.verdict, "by": s.decided_by, "at": s.decided_at.isoformat()}
                for s in self.store.sign_offs_of(household.id)
            ],
        }

    def _tasks(self, household_id: str) -> list[dict[str, Any]]:
        return self.store.task_rows_of(household_id)

    def decide(
        self,
        actor: User,
        household_id: str,
        verdict: str,
        reason: str = "",
        channel: str = "cli",
    ) -> SignOff:
        household = self.store.get_beneficiary(household_id)
        unknown = Forbidden(text("casework.unknown_household", household=household_id), "household")
        if household is None:
            raise unknown
        village = self.casework.village(household.village_id)
        if not access.can_sign_off(actor, village) and not access.can_read(actor, household):
            # someone who may not see the household is told what an unknown id is told:
            # the answer never reveals that it exists (issue 22, finding 9)
            raise unknown
        require(access.can_sign_off(actor, village), "sign_off")
        if verdict not in VERDICTS:
            raise InputError(text("followup.bad_verdict", options=", ".join(VERDICTS)), "verdict")
        reason = reason.strip()[:MAX_REPORT_TEXT]
        if verdict == "ditolak" and not reason:
            raise InputError(text("followup.reason_needed"), "reason")
        if household.state != CONSIDERATION or not self._is_waiting(household):
            raise InputError(text("followup.not_waiting", name=household.name), "household")
        now = datetime.now()
        sign_off = SignOff(
            beneficiary_id=household.id,
            verdict=verdict,  # type: ignore[arg-type]
            reason=reason,
            decided_by=actor.id,
            decided_at=now,
            channel=channel,
            from_state=household.state,
            evidence=self.evidence(household),
        )
        with self.store.transaction():
            sign_off.id = self.store.add_sign_off(sign_off)
            self.store.supersede_open_tasks(household.id)
            if verdict == "disetujui":
                self.store.add_transition(
                    Transition(
                        beneficiary_id=household.id,
                        from_state=household.state,
                        to_state=AID_ENDED,
                        decision_id=None,
                        at=now,
                        by=actor.id,
                        channel=channel,
                    )
                )
                self.store.move_case(household.id, AID_ENDED)
            else:
                self.store.add_tasks([self._reevaluation(household, verdict)])
            audit.note(
                self.store,
                actor=actor.id,
                channel=channel,
                kind=audit.SIGN_OFF,
                household=household.id,
                summary=text(f"followup.audit_sign_off_{verdict}", reason=reason or "-"),
                detail={"sign_off": sign_off.id, "verdict": verdict, "reason": reason},
                at=now,
            )
        return sign_off

    def _reevaluation(self, household: Beneficiary, verdict: str) -> Task:
        table = self.knowledge.graduation
        days = table.schedule.get(AFTER[verdict], 0)
        step = table.step(REEVALUATION)
        return Task(
            beneficiary_id=household.id,
            facilitator_id=household.facilitator_id,
            step=REEVALUATION,
            title=text("casework.task_title", step=step.name, name=household.name),
            due_on=date.today() + timedelta(days=days),
        )


def close_safeguarding(
    casework: Casework, actor: User, report_id: int, action: str, channel: str = "cli"
) -> bool:
    """Close a report of harm (admins only), saying what was done about it. False when
    the report was not open."""
    require(access.can_close_safeguarding(actor), "safeguarding")
    action = action.strip()[:MAX_REPORT_TEXT]
    if not action:
        raise InputError(text("followup.action_needed"), "action")
    store = casework.store
    with store.transaction():
        closed = store.close_safeguarding_report(report_id, actor.id, action)
        if closed:
            audit.note(
                store,
                actor=actor.id,
                channel=channel,
                kind=audit.SAFEGUARDING,
                summary=text("followup.audit_safeguarding", report=report_id, action=action),
                detail={"report": report_id, "action": action},
            )
    return closed
