"""The conflict journey (3.3.5): the form's questions and validation, then the decision."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    HARM_REPORTED,
    Ask,
    Guarded,
    answer,
    channel_of,
    lang_of,
    latest_text_of_intent,
    numbered,
    sender_of,
    service,
    turn,
    workspace,
    yes_no,
)
from assistant.chat.render import conflict_reply
from assistant.common.texts import text
from assistant.reading.answers import Option, read_choice, read_yes_no
from assistant.reading.words import (
    denies_harm,
    detect_harm,
    guess_conflict_type,
    match_hints,
)

# form slot -> input field of the conflict decision
SLOTS = {
    "conflict_type": "type",
    "conflict_scope": "scope",
    "conflict_threatens": "threatens_program",
    "conflict_safeguarding": "safeguarding",
}


def _known(tracker: Tracker) -> dict[str, Any]:
    return {field: tracker.get_slot(slot) for slot, field in SLOTS.items()}


def _answers(known: dict[str, Any]) -> dict[str, Any]:
    """The answers already validated; a raw answer waiting for its check ("2") is none."""
    table = service().knowledge.conflicts
    valid = {
        "type": lambda v: v in {t.id for t in table.types},
        "scope": lambda v: v in {s.id for s in table.scopes},
        "threatens_program": lambda v: isinstance(v, bool),
        "safeguarding": lambda v: isinstance(v, bool),
    }
    return {name: value for name, value in known.items() if valid[name](value)}


def still_needed(tracker: Tracker) -> list[str]:
    """The report's facts to ask for, in order. The type comes first (the rules cannot run
    without it); then the rules themselves say what is ``missing`` (questions whose answer
    could still change the decision), previewed once per call and never stored."""
    known = _known(tracker)
    answers = _answers(known)
    if "type" not in answers:
        return [name for name in SLOTS.values() if known[name] is None]
    current = turn(tracker)
    facts = ("conflict", *sorted(answers.items()))
    preview = current.previews.get(facts)
    if preview is None:
        preview = current.previews[facts] = service().evaluate(
            "conflict", answers, actor=sender_of(tracker), channel=channel_of(tracker)
        )
    return [name for name in preview.output["missing"] if known[name] is None]


def _type_options() -> list[Option]:
    return [Option(t.id, t.name, tuple(t.hints)) for t in service().knowledge.conflicts.types]


def _scope_options() -> list[Option]:
    return [Option(s.id, s.name, tuple(s.hints)) for s in service().knowledge.conflicts.scopes]


def _listed(options: list[Option]) -> str:
    return numbered([(option.id, option.label) for option in options])


class ValidateConflictForm(Guarded, FormValidationAction):
    # a report of harm answers "was anyone harmed?" (the decision then has the protocol)
    harm_answers = {"conflict_safeguarding": True}

    def name(self) -> str:
        return "validate_conflict_form"

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        needed = set(still_needed(tracker))
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
        dispatcher.utter_message(text=text("form.type_guessed", lang_of(tracker), name=name))
        return {"conflict_type": guess}

    async def extract_conflict_scope(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """At the start of the form: "ribut antar dusun" already says how wide it is."""
        if tracker.get_slot("conflict_scope") or tracker.get_slot("requested_slot"):
            return {}
        said = tracker.latest_message.get("text") or ""
        found = match_hints(said, service().knowledge.conflicts.scopes)
        return {"conflict_scope": found[-1]} if len(found) >= 1 else {}

    async def extract_conflict_safeguarding(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        """A report that already names violence, harassment or exploitation is not asked."""
        if tracker.get_slot("conflict_safeguarding") is not None or tracker.get_slot(
            "requested_slot"
        ):
            return {}
        said = tracker.latest_message.get("text") or ""
        if detect_harm(said, service().knowledge):
            return {"conflict_safeguarding": True}
        return {}

    def validate_conflict_type(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        options = _type_options()
        if value in {option.id for option in options}:
            return {"conflict_type": value}
        picked = read_choice(str(value), options) or guess_conflict_type(
            str(value), service().knowledge
        )
        if picked is None:
            dispatcher.utter_message(
                text=text("form.pick_number", lang_of(tracker), count=len(options))
            )
        return {"conflict_type": picked}

    def validate_conflict_scope(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        options = _scope_options()
        said = str(value)
        picked = read_choice(said, options)
        if picked is None:
            found = match_hints(said, service().knowledge.conflicts.scopes)
            picked = found[-1] if found else None
        if picked is not None and tracker.get_slot("conflict_safeguarding") is None and (
            denies_harm(said, service().knowledge)
        ):  # "cuma 2 orang yg ribut, gak ada kekerasan kok": the harm question is answered
            return {"conflict_scope": picked, "conflict_safeguarding": False}
        if picked is None:
            dispatcher.utter_message(
                text=text("form.pick_number", lang_of(tracker), count=len(options))
            )
        return {"conflict_scope": picked}

    def validate_conflict_threatens(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"conflict_threatens": yes_no(value, dispatcher, lang_of(tracker))}

    def validate_conflict_safeguarding(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        said = str(value)
        if read_yes_no(said) is None:
            # "klompok kecil": a correction of the scope, not an answer to this question
            scope = read_choice(said, _scope_options())
            if scope is not None:
                return {"conflict_scope": scope, "conflict_safeguarding": None}
        return {"conflict_safeguarding": yes_no(value, dispatcher, lang_of(tracker))}


class AskConflictType(Ask):
    slot = "conflict_type"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        return "form.ask_type", {"options": _listed(_type_options())}


class AskConflictScope(Ask):
    slot = "conflict_scope"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        return "form.ask_scope", {"options": _listed(_scope_options())}


class AskConflictThreatens(Ask):
    slot = "conflict_threatens"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        return "form.ask_threatens", {}


class AskConflictSafeguarding(Ask):
    slot = "conflict_safeguarding"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        return "form.ask_safeguarding", {}


class DecideConflict(Guarded, Action):
    def name(self) -> str:
        return "action_decide_conflict"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        known = {field: value for field, value in _known(tracker).items() if value is not None}
        description = latest_text_of_intent(tracker, "report_conflict")
        if description:
            known["description"] = description
        work, _ = workspace(tracker)
        decision, _ = work.report_conflict(
            sender_of(tracker),
            known,
            channel_of(tracker),
            harm_reported=bool(tracker.get_slot(HARM_REPORTED)),
        )
        harmed = bool(tracker.get_slot(HARM_REPORTED))
        messages = conflict_reply(decision, service().knowledge, lang, protocol_sent=harmed)
        # the protocol may have gone out in this same turn: two messages now, the rest on
        # "lanjut", so that the turn stays within three
        limit = {"limit": 2} if harmed else {}
        return answer(dispatcher, messages, lang, decision.id, (*SLOTS, HARM_REPORTED), **limit)
