"""Casework: households on the graduation path, shared by the chat and the CLI.

Register a household; record an assessment; the rules decide; the case moves along the
path (3.3.7) and follow-up tasks are scheduled - the decision, the assessment, the case's
transition and its tasks in one transaction. Who may do what is checked here (see
``assistant.casework.access``), whatever front end calls."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from assistant.casework import access
from assistant.casework.access import Forbidden, require, works_in_sandbox
from assistant.casework.nik import nik_hash, salt_for
from assistant.casework.reports import VillageSummary, village_summary
from assistant.common.errors import InputError
from assistant.common.limits import MAX_MATCH_TOKENS, MAX_NAME, MAX_REPORT_TEXT
from assistant.common.money import parse_rupiah
from assistant.common.texts import text
from assistant.decisions.service import Assistant
from assistant.knowledge.loader import Knowledge
from assistant.reading.words import detect_harm, find_person, normalise
from assistant.store.db import Store
from assistant.store.decision import Decision
from assistant.store.records import (
    Assessment,
    Beneficiary,
    ConflictReport,
    SafeguardingReport,
    Task,
    Transition,
    User,
    Village,
)

DAYS_PER_MONTH = 30
SAMPLES = Path(__file__).with_name("samples.yml")


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


class Casework:
    def __init__(self, store: Store, knowledge: Knowledge | None = None) -> None:
        self.store = store
        self.assistant = Assistant(store=store, knowledge=knowledge)
        self.knowledge = self.assistant.knowledge
        self._salt = salt_for(store.path, hashes_exist=store.has_nik_hashes())

    def hash_nik(self, nik: str) -> str:
        return nik_hash(nik, self._salt)

    # --- people and places ---------------------------------------------------------

    def user(self, user_id: str) -> User:
        found = self.store.get_user(user_id)
        if found is None:
            raise InputError(text("casework.unknown_user", user=user_id), "user")
        return found

    def add_user(self, actor: User | None, user: User) -> User:
        """Admins add users; the very first user of an empty database must be an admin."""
        if actor is None:
            require(self.store.count_users() == 0 and access.may_be_first_user(user), "users")
        else:
            require(access.can_manage_users(actor), "users")
        if user.village_id and self.store.get_village(user.village_id) is None:
            raise InputError(text("casework.unknown_village", village=user.village_id), "village")
        self.store.add_user(user)
        return user

    def users(self, actor: User) -> list[User]:
        require(access.can_manage_users(actor), "users")
        return self.store.list_users()

    def add_village(self, actor: User, village: Village) -> Village:
        require(access.can_add_village(actor), "villages")
        self.store.add_village(village, by=actor.id)
        return village

    def village(self, village_id: str) -> Village:
        found = self.store.get_village(village_id)
        if found is None:
            raise InputError(text("casework.unknown_village", village=village_id), "village")
        return found

    def set_umk(self, actor: User, village_id: str, umk: Any, year: int | None = None) -> Village:
        """Change a village's UMK (its admin or its district's koordinator only: the UMK is
        the graduation threshold of every household there). The change is kept with who
        made it, when, the old and new value and the year it applies to."""
        village = self.village(village_id)
        require(access.can_set_umk(actor, village), "umk")
        amount = parse_rupiah(umk, "umk")
        if amount <= 0:
            raise InputError(text("errors.greater_than", field="UMK", gt=0), "umk")
        if year is not None and not 1900 <= year <= date.today().year + 1:
            raise InputError(text("casework.bad_year", year=year), "tahun")
        self.store.set_umk(village_id, amount, year or date.today().year, by=actor.id)
        return self.village(village_id)

    def may_set_umk(self, actor: User, village: Village) -> bool:
        return access.can_set_umk(actor, village)

    def umk_history(self, actor: User, village_id: str) -> list[Any]:
        village = self.village(village_id)
        require(access.can_set_umk(actor, village), "umk")
        return self.store.umk_history(village_id)

    # --- households ----------------------------------------------------------------

    def register(
        self,
        actor: User,
        *,
        name: str,
        village_id: str,
        gender: str,
        enrolled_on: date | None = None,
        nik: str | None = None,
        disability: bool = False,
        household_head: bool = True,
        program: str | None = None,
        facilitator_id: str | None = None,
        head_age: int | None = None,
        elderly_member: bool | None = None,
        other_programs: list[str] | None = None,
    ) -> Beneficiary:
        require(access.can_register(actor), "register")
        facilitator_id = facilitator_id or actor.id
        if not access.is_admin(actor) and facilitator_id != actor.id:
            raise Forbidden(text("access.write"), "facilitator")
        facilitator = self.store.get_user(facilitator_id)
        if facilitator is None or not access.accompanies(facilitator):
            raise InputError(
                text("casework.unknown_facilitator", user=facilitator_id), "facilitator"
            )
        self.village(village_id)
        if not name.strip() or len(name.strip()) > MAX_NAME:
            raise InputError(text("casework.bad_name", chars=MAX_NAME), "name")
        if program is not None and program not in self.knowledge.programs.ids:
            raise InputError(text("errors.unknown_program", program=program), "program")
        for received in other_programs or []:
            if received not in self.knowledge.programs.ids:
                raise InputError(text("errors.unknown_program", program=received), "program")
        if head_age is not None and not 0 <= head_age <= 130:
            raise InputError(text("casework.bad_age"), "usia")
        hashed = self.hash_nik(nik) if nik else None
        if hashed:
            existing = self.store.find_beneficiary_by_nik(hashed)
            if existing is not None:
                # never an oracle: another facilitator's household is not named
                if access.can_read(actor, existing):
                    raise InputError(
                        text("casework.duplicate_nik_yours", household=existing.id), "nik"
                    )
                raise InputError(text("casework.duplicate_nik"), "nik")
        household = Beneficiary(
            id=f"rt-{uuid.uuid4().hex[:8]}",
            name=name.strip(),
            village_id=village_id,
            facilitator_id=facilitator_id,
            gender=gender,  # type: ignore[arg-type]
            disability=disability,
            household_head=household_head,
            nik_hash=hashed,
            enrolled_on=enrolled_on or date.today(),
            program=program,
            state=self.knowledge.graduation.initial_state,
            state_since=datetime.now(),
            head_age=head_age,
            elderly_member=elderly_member,
            other_programs=other_programs,
        )
        self.store.add_beneficiary(household)
        return household

    def find_by_nik(self, actor: User, nik: str) -> Beneficiary | None:
        household = self.store.find_beneficiary_by_nik(self.hash_nik(nik))
        if household is None or not access.can_read(actor, household):
            return None
        return household

    def household(self, actor: User, household_id: str) -> Beneficiary:
        """A household the actor may read; otherwise the same answer as "not found"."""
        found = self.store.get_beneficiary(household_id)
        if found is None or not access.can_read(actor, found):
            raise Forbidden(text("casework.unknown_household", household=household_id), "household")
        return found

    def households(
        self, actor: User, name: str | None = None, limit: int | None = None
    ) -> list[Beneficiary]:
        scope = self._scope(actor)
        if scope is None:
            return []
        return self.store.list_beneficiaries(name_like=name, limit=limit, **scope)

    def count_households(self, actor: User) -> int:
        scope = self._scope(actor)
        return 0 if scope is None else self.store.count_households(**scope)

    @staticmethod
    def _scope(actor: User) -> dict[str, str | None] | None:
        """The households an actor may read, as store filters (None: none at all)."""
        return access.household_scope(actor)

    def household_named(self, actor: User, message: str) -> Beneficiary | None:
        """The one household the actor may read that ``message`` names ("cek bu siti"),
        found without listing every household: a name search first, then the closest."""
        words = [w for w in normalise(message).split() if len(w) >= 3][:MAX_MATCH_TOKENS]
        scope = self._scope(actor)
        if scope is None:
            return None
        candidates = self.store.beneficiaries_named(words, **scope)
        if not candidates and access.accompanies(actor):
            # a misspelt name ("bu sity"): a facilitator's own caseload is small enough
            candidates = self.store.list_beneficiaries(facilitator=actor.id)[:500]
        found = find_person(message, [(h.id, h.name) for h in candidates])
        return next((h for h in candidates if h.id == found), None)

    def history(self, actor: User, household_id: str) -> dict[str, Any]:
        household = self.household(actor, household_id)
        return {
            "household": household,
            "assessments": self.store.assessments_of(household.id),
            "transitions": self.store.transitions_of(household.id),
            "tasks": self.store.open_tasks(beneficiary=household.id),
        }

    # --- the graduation path -------------------------------------------------------

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

    def complete_task(
        self, actor: User, task_id: int, follow_up: str | None = None
    ) -> Beneficiary:
        """Mark a task done; the case moves on to the next step of its path (the path its
        latest graduation decision gave, with the graduate's chosen follow-up). When the
        graduation is communicated and the graduate's follow-up (3.3.7) is not chosen yet,
        it is asked for (``NeedFollowUp``) and its steps are scheduled."""
        task = self.store.get_task(task_id)
        household = self.store.get_beneficiary(task.beneficiary_id) if task else None
        if task is None or household is None or not access.can_write(actor, household):
            raise Forbidden(text("casework.unknown_task", task=task_id), "task")
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

    def close_safeguarding_report(self, actor: User, report_id: int) -> bool:
        require(access.can_handle_safeguarding(actor), "safeguarding")
        return self.store.close_safeguarding_report(report_id, actor.id)

    # --- explanations ---------------------------------------------------------------

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

    def seed_samples(self, trainer: User) -> list[tuple[Beneficiary, str]]:
        """Load the sample villages and households (assistant/casework/samples.yml) into this
        (sandbox) database once, each brought to the point of the path it shows."""
        require(access.can_load_samples(trainer, trainer), "trainer")
        samples = yaml.safe_load(SAMPLES.read_text(encoding="utf-8"))
        with self.store.transaction():  # all the samples or none
            return self._seed(trainer, samples)

    def _seed(self, trainer: User, samples: dict[str, Any]) -> list[tuple[Beneficiary, str]]:
        for village in samples["villages"]:
            if self.store.get_village(village["id"]) is None:
                self.store.add_village(Village.model_validate(village))
        shown = []
        existing = {h.name: h for h in self.store.list_beneficiaries(facilitator=trainer.id)}
        for item in samples["households"]:
            household = existing.get(item["name"])
            if household is None:
                household = self.register(
                    trainer,
                    name=item["name"],
                    village_id=item["village"],
                    gender=item["gender"],
                    disability=item.get("disability", False),
                    program=item.get("program"),
                    facilitator_id=trainer.id,
                )
                for step in item["history"]:
                    self._replay(trainer, household.id, step)
            shown.append((self.store.get_beneficiary(household.id) or household, item["shows"]))
        return shown

    def _replay(self, actor: User, household_id: str, step: dict[str, Any]) -> None:
        if "assess" in step:
            facts = step["assess"]
            self.assess(
                actor,
                household_id,
                income=facts["income"],
                mindset_changed=facts["mindset"],
                significant_change=facts.get("change"),
                assessed_on=date.today() - timedelta(days=facts["days_ago"]),
                channel="contoh",
            )
        else:
            task = next(
                t for t in self.store.open_tasks(beneficiary=household_id) if t.step == step["done"]
            )
            self.complete_task(actor, task.id, follow_up=step.get("follow_up"))


class Workspaces:
    """The one router between the real database and the trainers' sandbox, for the CLI
    and the chat alike: trainers always work in the sandbox, everyone else in the real
    database; practice material (the sample households) is only ever written to the
    sandbox, whoever loads it. A user's record is copied into the sandbox when they
    enter it."""

    def __init__(self, database: Path, sandbox: Path) -> None:
        self.main = Casework(Store(database))
        self._sandbox_path = sandbox
        self._sandbox: Casework | None = None

    def sandbox(self) -> Casework:
        if self._sandbox is None:
            self._sandbox = Casework(Store(self._sandbox_path), self.main.knowledge)
        return self._sandbox

    def user(self, user_id: str | None) -> User | None:
        """A user of the real database; a trainer studio persona (``studio.<nonce>.<id>``,
        see ``access.studio_persona``) is its owner's practice persona, a sandbox trainer."""
        if not user_id:
            return None
        owner_id = access.studio_persona_owner(user_id)
        if owner_id is not None:
            owner = self.main.store.get_user(owner_id)
            if owner is None or not access.can_use_studio(owner):
                return None
            nonce = user_id[len(access.STUDIO_PERSONA) :].partition(".")[0]
            return access.studio_persona(owner, nonce)
        return self.main.store.get_user(user_id)

    def for_user(self, user: User | None) -> Casework:
        """Where this user's work is read and written."""
        if user is not None and works_in_sandbox(user):
            return self.practice(user)
        return self.main

    def practice(self, user: User) -> Casework:
        """The sandbox, with the user's record copied in (trainers; admins loading the
        samples)."""
        practice = self.sandbox()
        practice.store.mirror_user(user)
        return practice

    def seed_samples(
        self, actor: User, trainer: User | None = None
    ) -> list[tuple[Beneficiary, str]]:
        """Load a trainer's sample households into the sandbox, never the real database:
        the trainer's own, or, by an admin preparing a training, those of ``trainer``."""
        owner = trainer or actor
        if not access.can_load_samples(actor, owner):
            if access.is_admin(actor) and trainer is None:
                raise Forbidden(text("access.trainer_for_whom"), "untuk")
            require(False, "trainer")
        return self.practice(owner).seed_samples(owner)

    def close(self) -> None:
        self.main.store.close()
        if self._sandbox is not None:
            self._sandbox.store.close()


def open_casework(
    database: Path, sandbox: Path, actor_id: str | None
) -> tuple[Casework, User | None]:
    """The casework for an actor (see :class:`Workspaces`)."""
    rooms = Workspaces(database, sandbox)
    actor = rooms.user(actor_id)
    work = rooms.for_user(actor)
    if work is not rooms.main:
        rooms.main.store.close()
    return work, actor
