"""The conflict journey: the form's questions and validation, then the decision."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import channel_of, latest_text_of_intent, service
from assistant.conflict_form import still_needed
from assistant.render import conflict_reply
from assistant.texts import text
from assistant.understanding import guess_conflict_type, parse_choice, parse_yes_no

# form slot -> input field of the conflict decision
SLOTS = {
    "conflict_type": "type",
    "conflict_scope": "scope",
    "conflict_threatens": "threatens_program",
    "conflict_safeguarding": "safeguarding",
}
FIELDS = {field: slot for slot, field in SLOTS.items()}


def _known(tracker: Tracker) -> dict[str, Any]:
    return {field: tracker.get_slot(slot) for slot, field in SLOTS.items()}


def _type_options() -> list[tuple[str, str]]:
    return [(t.id, t.name) for t in service().knowledge.conflicts.types]


def _scope_options() -> list[tuple[str, str]]:
    return [(s.id, s.name) for s in service().knowledge.conflicts.scopes]


def _numbered(options: list[tuple[str, str]]) -> str:
    return "\n".join(f"{n}. {label}" for n, (_, label) in enumerate(options, start=1))


class ValidateConflictForm(FormValidationAction):
    def name(self) -> str:
        return "validate_conflict_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        needed = set(still_needed(service().knowledge, _known(tracker)))
        return [
            slot
            for slot in domain_slots
            if SLOTS[slot] in needed or tracker.get_slot(slot) is not None
        ]

    async def extract_conflict_type(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """At the start of the form, guess the type from the words of the report."""
        if tracker.get_slot("conflict_type") or tracker.get_slot("requested_slot"):
            return {}
        guess = guess_conflict_type(tracker.latest_message.get("text") or "", service().knowledge)
        if guess is None:
            return {}
        name = service().knowledge.conflicts.type(guess).name
        dispatcher.utter_message(text=text("form.type_guessed", name=name))
        return {"conflict_type": guess}

    def validate_conflict_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        options = _type_options()
        if value in dict(options):
            return {"conflict_type": value}
        picked = parse_choice(str(value), options) or guess_conflict_type(
            str(value), service().knowledge
        )
        if picked is None:
            dispatcher.utter_message(text=text("form.pick_number", count=len(options)))
        return {"conflict_type": picked}

    def validate_conflict_scope(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        options = _scope_options()
        picked = parse_choice(str(value), options)
        if picked is None:
            dispatcher.utter_message(text=text("form.pick_number", count=len(options)))
        return {"conflict_scope": picked}

    def validate_conflict_threatens(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"conflict_threatens": _yes_no(value, dispatcher)}

    def validate_conflict_safeguarding(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"conflict_safeguarding": _yes_no(value, dispatcher)}


def _yes_no(value: Any, dispatcher: CollectingDispatcher) -> bool | None:
    if isinstance(value, bool):
        return value
    answer = parse_yes_no(str(value))
    if answer is None:
        dispatcher.utter_message(text=text("form.yes_or_no"))
    return answer


class AskConflictType(Action):
    def name(self) -> str:
        return "action_ask_conflict_type"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=text("form.ask_type", options=_numbered(_type_options())))
        return []


class AskConflictScope(Action):
    def name(self) -> str:
        return "action_ask_conflict_scope"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        dispatcher.utter_message(text=text("form.ask_scope", options=_numbered(_scope_options())))
        return []


class DecideConflict(Action):
    def name(self) -> str:
        return "action_decide_conflict"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        known = {field: value for field, value in _known(tracker).items() if value is not None}
        description = latest_text_of_intent(tracker, "report_conflict")
        if description:
            known["description"] = description
        decision = service().decide(
            "conflict", known, actor=tracker.sender_id, channel=channel_of(tracker)
        )
        for message in conflict_reply(decision, service().knowledge):
            dispatcher.utter_message(text=message)
        return [SlotSet(slot, None) for slot in SLOTS] + [SlotSet("last_decision_id", decision.id)]
