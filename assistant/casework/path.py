"""The graduation path (3.3.7): an assessment, the decision the rules take on it, the
case's move along the path, its scheduled tasks and the graduate's follow-up choice - all
recorded in one transaction. Part of :class:`assistant.casework.service.Casework`."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from assistant.casework import access
from assistant.casework.access import Forbidden, require
from assistant.common.errors import InputError
from assistant.common.money import parse_rupiah
from assistant.common.texts import text
from assistant.decisions.service import Assistant
from assistant.knowledge.loader import Knowledge
from assistant.store.db import Store
from assistant.store.decision import Decision
from assistant.store.records import (
    Assessment,
    Beneficiary,
    Task,
    Transition,
    User,
    Village,
)

DAYS_PER_MONTH = 30


FOLLOW_UP = "follow_up"


class NeedFollowUp(InputError):
    """A graduate's follow-up (continued mentoring, a referral or both, 3.3.7) is chosen
    when the graduation is communicated: the message lists the options."""

    def __init__(self, knowledge: Knowledge) -> None:
        options = ", ".join(
            f"{o.id} ({o.name})" for o in knowledge.graduation.follow_up_options
        )
        super().__init__(text("casework.need_follow_up", options=options), "follow_up")


class AlreadyAssessed(InputError):
    """The household already has an assessment on that day (one per day)."""


class NeedUMK(InputError):
    """The household's village has no UMK yet. Someone who may record it is asked for it
    (once: then it is remembered); anyone else is told who records it."""

    def __init__(self, village: Village, may_set: bool = True) -> None:
        if may_set:
            message = text("casework.need_umk", village=village.name)
        else:
            message = text("casework.umk_missing", village=village.name, village_id=village.id)
        super().__init__(message, "umk")
        self.village = village
        self.may_set = may_set


@dataclass
class AssessmentResult:
    household: Beneficiary
    decision: Decision
    assessment_id: int | None = None
    tasks: list[Task] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    @property
    def output(self) -> dict[str, Any]:
        return self.decision.output


@dataclass
class AssessmentPlan:
    """An assessment decided but not yet written (see ``Casework.record``)."""

    household: Beneficiary
    decision: Decision
    assessment: Assessment | None = None
    tasks: list[Task] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def moved(self) -> Beneficiary:
        """The household as the plan leaves it."""
        if self.assessment is None:
            return self.household
        return self.household.model_copy(update={"state": self.decision.output["next_step"]})




class GraduationPath:
    """Assessing households and walking them along the path."""

    # set by Casework.__init__
    store: Store
    knowledge: Knowledge
    assistant: Assistant

    def assess(
        self,
        actor: User,
        household_id: str,
        *,
        income: Any,
        mindset_changed: bool,
        assessed_on: date | None = None,
        significant_change: bool | None = None,
        business_status: str | None = None,
        assets: str = "",
        notes: str = "",
        channel: str = "cli",
        follow_up: str | None = None,
    ) -> AssessmentResult:
        """Record an assessment and move the case along the path, in one transaction.
        A graduate's follow-up choice (3.3.7) may come now or when the graduation is
        communicated (``complete_task``)."""
        household = self.household(actor, household_id)
        assessed_on = assessed_on or date.today()
        if assessed_on > date.today():
            raise InputError(
                text("casework.future_date", date=assessed_on.isoformat()), "assessed_on"
            )
        if self.store.has_assessment(household.id, assessed_on):
            raise AlreadyAssessed(
                text(
                    "casework.already_assessed",
                    household=household.name,
                    date=assessed_on.isoformat(),
                ),
                "assessed_on",
            )
        plan = self.plan_assessment(
            actor,
            household,
            income=income,
            mindset_changed=mindset_changed,
            assessed_on=assessed_on,
            significant_change=significant_change,
            business_status=business_status,
            assets=assets,
            notes=notes,
            channel=channel,
            follow_up=follow_up,
        )
        return self.record(actor, plan)

    def plan_assessment(
        self,
        actor: User,
        household: Beneficiary,
        *,
        income: Any,
        mindset_changed: bool,
        assessed_on: date,
        significant_change: bool | None = None,
        business_status: str | None = None,
        assets: str = "",
        notes: str = "",
        channel: str = "cli",
        follow_up: str | None = None,
    ) -> AssessmentPlan:
        """Decide an assessment without writing anything (no lock is held while the rules
        work); ``record`` writes the plan. A graduate whose follow-up is not chosen yet is
        recorded with the first step only (communicating the graduation); every other
        missing answer holds the assessment back."""
        require(access.can_write(actor, household), "write")
        village = self.village(household.village_id)
        if village.umk is None:
            raise NeedUMK(village, may_set=access.can_set_umk(actor, village))
        income_monthly = parse_rupiah(income)
        decision = self._graduation(
            actor,
            household,
            village,
            income_monthly,
            mindset_changed,
            significant_change,
            channel,
            follow_up,
        )
        missing = decision.output["missing"]
        if [answer for answer in missing if answer != FOLLOW_UP]:
            return AssessmentPlan(household, decision, missing=missing)
        assessment = Assessment(
            beneficiary_id=household.id,
            assessed_on=assessed_on,
            income_monthly=income_monthly,
            umk=village.umk,
            assets=assets,
            business_status=business_status,  # type: ignore[arg-type]
            mindset_changed=mindset_changed,
            significant_change=significant_change,
            notes=notes,
            recorded_by=actor.id,
            decision_id=decision.id,
            follow_up=decision.output.get("follow_up"),
        )
        tasks = self.schedule(household, decision.output["path"], assessed_on, decision.id)
        return AssessmentPlan(household, decision, assessment, tasks, missing=missing)

    def record(self, actor: User, plan: AssessmentPlan) -> AssessmentResult:
        """Write a planned assessment: the decision, the assessment, the case's transition and
        its tasks in one transaction. A plan still missing an answer stores its decision only."""
        household, decision = plan.household, plan.decision
        if plan.assessment is None:
            self.store.save_decision(decision, subject=household.id)
            return AssessmentResult(household, decision, missing=plan.missing)
        to_state = decision.output["next_step"]
        with self.store.transaction():
            self.store.save_decision(decision, subject=household.id)
            assessment_id = self.store.add_assessment(plan.assessment)
            self.store.add_transition(
                Transition(
                    beneficiary_id=household.id,
                    from_state=household.state,
                    to_state=to_state,
                    decision_id=decision.id,
                    at=datetime.now(),
                    by=actor.id,
                )
            )
            self.store.move_case(household.id, to_state)
            self.store.supersede_open_tasks(household.id)
            self.store.add_tasks(plan.tasks)
        return AssessmentResult(plan.moved(), decision, assessment_id, plan.tasks, plan.missing)

    def preview(
        self,
        actor: User,
        household_id: str,
        *,
        income: Any,
        mindset_changed: bool,
        significant_change: bool | None = None,
        follow_up: str | None = None,
        household: Beneficiary | None = None,
        village: Village | None = None,
    ) -> Decision:
        """What an assessment would decide, without recording anything. A caller that has
        the household and its village already read passes them in."""
        household = household or self.household(actor, household_id)
        if village is None or village.id != household.village_id:
            village = self.village(household.village_id)
        return self._graduation(
            actor,
            household,
            village,
            parse_rupiah(income),
            mindset_changed,
            significant_change,
            "pratinjau",
            follow_up,
        )

    def _graduation(
        self,
        actor: User,
        household: Beneficiary,
        village: Village,
        income_monthly: float,
        mindset_changed: bool,
        significant_change: bool | None,
        channel: str,
        follow_up: str | None = None,
    ) -> Decision:
        if village.umk is None:
            raise NeedUMK(village, may_set=access.can_set_umk(actor, village))
        province = self.knowledge.regions.find(village.province) if village.province else None
        payload = {
            "income_monthly": income_monthly,
            "umk": village.umk,
            "mindset_changed": mindset_changed,
            "state": household.state,
            "significant_change": significant_change,
            "program": household.program,
            "follow_up": follow_up,
            # what decides the referrals a household can use (unknown facts are left out:
            # the decision then says what to check)
            "province": province.id if province else None,
            "head_age": household.head_age,
            "gender": household.gender,
            "disability": household.disability,
            "elderly_member": household.elderly_member,
            "other_programs": household.other_programs,
            "welfare_level": household.welfare_level if household.welfare_level_source else None,
            "welfare_level_source": household.welfare_level_source,
            "dtsen_decile": household.dtsen_decile,
        }
        return self.assistant.evaluate(
            "graduation",
            {k: v for k, v in payload.items() if v is not None},
            actor=actor.id,
            channel=channel,
        )

    def schedule(
        self, household: Beneficiary, path: list[str], start: date, decision_id: str | None
    ) -> list[Task]:
        """A task for each step ahead on the path, due per graduation.yml's schedule."""
        table = self.knowledge.graduation
        tasks = []
        for step_id in path:
            if step_id == "evaluasi_ulang":
                days = table.schedule.get("pendampingan_intensif", 0) + self.mentoring_days(
                    household
                )
            else:
                days = table.schedule.get(step_id, 0)
            step = table.step(step_id)
            tasks.append(
                Task(
                    beneficiary_id=household.id,
                    facilitator_id=household.facilitator_id,
                    step=step_id,
                    title=text("casework.task_title", step=step.name, name=household.name),
                    due_on=start + timedelta(days=days),
                    decision_id=decision_id,
                )
            )
        return tasks

    def mentoring_days(self, household: Beneficiary) -> int:
        """The intensive-mentoring period: the longest guide among the mentoring models the
        household's program delivers (all mentoring models if it delivers none)."""
        table = self.knowledge.graduation
        interventions = self.knowledge.interventions
        candidates = list(table.intensive_mentoring_models)
        if household.program:
            delivered = set(self.knowledge.programs.program(household.program).models)
            candidates = [m for m in candidates if m in delivered] or candidates
        months = [
            interventions.model(m).guide.duration.max  # type: ignore[union-attr]
            for m in candidates
            if interventions.model(m).guide is not None
        ]
        return math.ceil(max(months, default=3) * DAYS_PER_MONTH)

    def tasks_due(self, actor: User, until: date | None = None) -> list[Task]:
        scope = access.household_scope(actor)
        if scope == {}:
            return self.store.open_tasks(until=until)
        if scope is not None and "facilitator" in scope:
            return self.store.open_tasks(facilitator=actor.id, until=until)
        return []

    def writable_task(self, actor: User, task_id: int) -> tuple[Task, Beneficiary]:
        """A task of a household the actor may write, and that household; otherwise the same
        answer as "not found", so that a task number reveals nothing."""
        task = self.store.get_task(task_id)
        household = self.store.get_beneficiary(task.beneficiary_id) if task else None
        if task is None or household is None or not access.can_write(actor, household):
            raise Forbidden(text("casework.unknown_task", task=task_id), "task")
        return task, household

    def complete_task(
        self, actor: User, task_id: int, follow_up: str | None = None
    ) -> Beneficiary:
        """Mark a task done; the case moves on to the next step of its path (the path its
        latest graduation decision gave, with the graduate's chosen follow-up). When the
        graduation is communicated and the graduate's follow-up (3.3.7) is not chosen yet,
        it is asked for (``NeedFollowUp``) and its steps are scheduled."""
        task, household = self.writable_task(actor, task_id)
        table = self.knowledge.graduation
        graduated_path = {s.id for s in table.path("lulus")} | {table.graduated_state}
        path, chosen = self._path_of(household)
        extra: list[Task] = []
        if task.step == table.path("lulus")[0].id and path and chosen is None:
            option = self._follow_up_option(follow_up)
            chosen = option.id
            path = [task.step, *option.steps]
            extra = self.schedule(household, list(option.steps), date.today(), None)
        with self.store.transaction():
            self.store.finish_task(task_id)
            if extra:
                self.store.record_follow_up(household.id, str(chosen))
                self.store.add_tasks(extra)
            if task.step == table.monitoring_step and household.state in graduated_path:
                # monitoring after graduation repeats for as long as the case is followed
                self.store.add_tasks(self.schedule(household, [task.step], date.today(), None))
            if household.state == task.step:
                to_state = self._next_state(task.step, path)
                if to_state != household.state:
                    self.store.add_transition(
                        Transition(
                            beneficiary_id=household.id,
                            from_state=household.state,
                            to_state=to_state,
                            decision_id=None,
                            at=datetime.now(),
                            by=actor.id,
                        )
                    )
                    self.store.move_case(household.id, to_state)
        moved = self.store.get_beneficiary(household.id)
        assert moved is not None
        return moved

    def choose_follow_up(
        self, actor: User, household_id: str, follow_up: str
    ) -> tuple[Beneficiary, list[Task]]:
        """A graduate's follow-up choice (3.3.7: continued mentoring, a referral, or both),
        given after the graduation was decided: stored with the assessment that graduated
        them, and its steps scheduled."""
        household = self.household(actor, household_id)
        require(access.can_write(actor, household), "write")
        path, chosen = self._path_of(household)
        first = self.knowledge.graduation.path("lulus")[0].id
        if not path or path[0] != first or chosen is not None:
            raise InputError(text("casework.no_follow_up_due", name=household.name), "follow_up")
        option = self._follow_up_option(follow_up)
        tasks = self.schedule(household, list(option.steps), date.today(), None)
        with self.store.transaction():
            self.store.record_follow_up(household.id, option.id)
            self.store.add_tasks(tasks)
        return household, tasks

    def _follow_up_option(self, follow_up: str | None) -> Any:
        option = next(
            (o for o in self.knowledge.graduation.follow_up_options if o.id == follow_up), None
        )
        if option is None:
            raise NeedFollowUp(self.knowledge)
        return option

    def _path_of(self, household: Beneficiary) -> tuple[list[str], str | None]:
        """The path the latest graduation decision set a household on, and the graduate's
        follow-up choice (made at the assessment or afterwards; None when not yet)."""
        decision = self.store.latest_graduation(household.id)
        if decision is None:
            return [], None
        path = list(decision.output.get("path") or [])
        chosen = decision.output.get("follow_up") or self.store.latest_follow_up(household.id)
        first = self.knowledge.graduation.path("lulus")[0].id
        if chosen and path[:1] == [first] and len(path) == 1:
            option = self._follow_up_option(chosen)
            path = [first, *option.steps]
        return path, chosen

    def _next_state(self, step_id: str, path: list[str]) -> str:
        """Where a case goes when ``step_id`` is done: the next step of its decision's path;
        after the last step of the graduate's path, graduated; after the last step of the
        other path, it waits there for the next assessment."""
        table = self.knowledge.graduation
        if step_id in path and path.index(step_id) + 1 < len(path):
            return path[path.index(step_id) + 1]
        step = table.step(step_id)
        if step.path == "lulus":
            return table.graduated_state
        following = [
            s.id
            for s in table.path(step.path)
            if s.order > step.order and not s.conditional and not s.choice
        ]
        return following[0] if following and step_id not in path else step_id

    # --- conflicts ------------------------------------------------------------------
