"""Checking graduation (3.3.7; PENA's criterion, 2.1.1), for facilitators: which of their
households, the assessment facts still needed (the village's UMK only once, the
"significant change" only at a re-evaluation that misses the criteria), the decision,
the next step on the path and what was stored."""

from __future__ import annotations

import re
from abc import ABC
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    Ask,
    Guarded,
    answer,
    channel_of,
    form_text,
    lang_of,
    numbered,
    workspace,
    yes_no,
)
from assistant.errors import InputError
from assistant.money import parse_rupiah
from assistant.records import Beneficiary, User
from assistant.render import graduation_reply
from assistant.texts import text
from assistant.understanding import find_person, parse_numbers

SLOTS = ("grad_household", "grad_umk", "grad_income", "grad_mindset", "grad_change")
LISTED = 8
ROLES = ("pendamping", "pelatih", "admin")
_AMOUNT = re.compile(
    r"(rp\.?\s*\d[\d.,]*|\d[\d.,]*\s*(?:jt|juta|rb|ribu)\b|\d{1,3}(?:\.\d{3}){2,})", re.I
)


def _user(tracker: Tracker) -> tuple[Any, User | None]:
    work, user = workspace(tracker)
    if user is None or user.role not in ROLES:
        return work, None
    return work, user


def _households(tracker: Tracker) -> list[Beneficiary]:
    work, user = _user(tracker)
    return work.households(user) if user else []


def _household(tracker: Tracker) -> Beneficiary | None:
    household_id = tracker.get_slot("grad_household")
    if not household_id:
        return None
    return next((h for h in _households(tracker) if h.id == household_id), None)


class ValidateGraduationForm(Guarded, FormValidationAction):
    def name(self) -> str:
        return "validate_graduation_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        work, user = _user(tracker)
        if user is None:
            return []  # not a facilitator: the form ends and the reply says why
        household = _household(tracker)
        if household is None:
            return ["grad_household"]
        needed = ["grad_household"]
        village = work.village(household.village_id)
        if village.umk is None and not work.may_set_umk(user, village):
            return needed  # nothing to assess against: the decision step says who records it
        if village.umk is None or tracker.get_slot("grad_umk") is not None:
            needed.append("grad_umk")
        needed += ["grad_income", "grad_mindset"]
        income, mindset = tracker.get_slot("grad_income"), tracker.get_slot("grad_mindset")
        if isinstance(income, float | int) and isinstance(mindset, bool) and village.umk:
            preview = work.preview(
                user,
                household.id,
                income=income,
                mindset_changed=mindset,
                significant_change=tracker.get_slot("grad_change"),
            )
            if preview.output["missing"] or tracker.get_slot("grad_change") is not None:
                needed.append("grad_change")
        return needed

    async def extract_grad_household(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") or tracker.get_slot("grad_household"):
            return {}
        said = form_text(tracker, ("check_graduation",))
        found: dict[str, Any] = {}
        named = find_person(said, [(h.id, h.name) for h in _households(tracker)])
        if named:
            found["grad_household"] = named
        amount = _AMOUNT.search(said)
        if amount:
            try:
                found["grad_income"] = parse_rupiah(amount.group(0))
            except InputError:
                pass
        return found

    def validate_grad_household(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        households = _households(tracker)
        if value in {h.id for h in households}:
            return {"grad_household": value}
        listed = households[:LISTED]
        numbers = parse_numbers(str(value), len(listed))
        if numbers and len(numbers) == 1:
            return {"grad_household": listed[numbers[0] - 1].id}
        named = find_person(str(value), [(h.id, h.name) for h in households])
        if named is None:
            dispatcher.utter_message(text=text("grad.unknown_household", lang_of(tracker)))
        return {"grad_household": named}

    def validate_grad_umk(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        work, user = _user(tracker)
        household = _household(tracker)
        if user is None or household is None:
            return {"grad_umk": None}
        try:
            village = work.set_umk(user, household.village_id, value)
        except InputError as error:
            dispatcher.utter_message(text=error.message)
            return {"grad_umk": None}
        dispatcher.utter_message(
            text=text("grad.umk_saved", lang_of(tracker), village=village.name)
        )
        return {"grad_umk": village.umk}

    def validate_grad_income(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if isinstance(value, float | int) and not isinstance(value, bool):
            return {"grad_income": float(value)}
        try:
            return {"grad_income": parse_rupiah(str(value))}
        except InputError as error:
            dispatcher.utter_message(text=error.message)
            return {"grad_income": None}

    def validate_grad_mindset(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"grad_mindset": yes_no(value, dispatcher, lang_of(tracker))}

    def validate_grad_change(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"grad_change": yes_no(value, dispatcher, lang_of(tracker))}


class AskGradHousehold(Ask):
    slot = "grad_household"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        households = _households(tracker)
        if not households:
            return "grad.no_households", {}
        listed = numbered([(h.id, f"{h.name} ({h.village_id})") for h in households[:LISTED]])
        key = "grad.ask_household_more" if len(households) > LISTED else "grad.ask_household"
        return key, {"options": listed, "count": len(households)}


class AskGradUmk(Ask):
    slot = "grad_umk"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        household = _household(tracker)
        return "grad.ask_umk", {"village": household.village_id if household else "-"}


class _AskAboutHousehold(Ask, ABC):
    """A question naming the household (abstract: only subclasses are actions)."""

    key = ""

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        household = _household(tracker)
        return self.key, {"name": household.name if household else ""}


class AskGradIncome(_AskAboutHousehold):
    key, slot = "grad.ask_income", "grad_income"


class AskGradMindset(_AskAboutHousehold):
    key, slot = "grad.ask_mindset", "grad_mindset"


class AskGradChange(_AskAboutHousehold):
    key, slot = "grad.ask_change", "grad_change"


class DecideGraduation(Guarded, Action):
    def name(self) -> str:
        return "action_decide_graduation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        reset = [SlotSet(slot, None) for slot in SLOTS]
        work, user = _user(tracker)
        household = _household(tracker)
        if user is None or household is None:
            dispatcher.utter_message(text=text("chat.facilitators_only", lang))
            return reset
        try:
            result = work.assess(
                user,
                household.id,
                income=tracker.get_slot("grad_income"),
                mindset_changed=bool(tracker.get_slot("grad_mindset")),
                significant_change=tracker.get_slot("grad_change"),
                channel=channel_of(tracker),
            )
        except InputError as error:
            dispatcher.utter_message(text=error.message)
            return reset
        messages = graduation_reply(result.decision, work.knowledge, lang)
        first_task = min(result.tasks, key=lambda t: t.due_on, default=None)
        stored = text(
            "grad.stored",
            lang,
            name=result.household.name,
            date=f"{result.decision.created_at:%d/%m/%Y}",
            tasks=len(result.tasks),
        )
        if first_task:
            stored += " " + text(
                "grad.first_task", lang, task=first_task.title, date=f"{first_task.due_on:%d/%m/%Y}"
            )
        messages.insert(1, stored)
        return answer(dispatcher, messages, lang, result.decision.id, SLOTS)
