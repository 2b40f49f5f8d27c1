"""Describing needs (3.3.2): the signals found in the user's words are confirmed ("benar?"),
the person's employment status or business stage is asked only when the chosen model
needs it, then the models, sub-models, activities, programs and guides are answered."""

from __future__ import annotations

from abc import ABC
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import ActiveLoop, EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    JOURNEY_START,
    Ask,
    Guarded,
    answer,
    channel_of,
    form_text,
    ids,
    joined,
    lang_of,
    numbered,
    sender_of,
    workspace,
    yes_no,
)
from assistant.chat.render import needs_reply
from assistant.common.texts import text
from assistant.knowledge.models.interventions import BUSINESS_STAGES, EMPLOYMENT_STATUSES
from assistant.reading.answers import Option, needs_synonyms, read_choice, read_choices, read_yes_no
from assistant.reading.words import asks_why, guess_journey, guess_signals

SLOTS = ("needs_signals", "needs_confirm", "needs_employment", "needs_business_stage")
CHOICES = {
    "needs_employment": EMPLOYMENT_STATUSES,
    "needs_business_stage": BUSINESS_STAGES,
}


def _rows(tracker: Tracker) -> list[Any]:
    work, _ = workspace(tracker)
    return list(work.knowledge.needs.entries)


def _signal_names(tracker: Tracker) -> dict[str, str]:
    work, _ = workspace(tracker)
    return {sid: signal.text for sid, (_, signal) in work.knowledge.needs.signals().items()}


def _choice_options(slot: str, lang: str) -> list[Option]:
    synonyms = needs_synonyms()
    return [
        Option(value, text(f"needs.choice_{value}", lang), synonyms.get(value, ()))
        for value in CHOICES[slot]
    ]


def _payload(tracker: Tracker) -> dict[str, Any]:
    """The needs input from the slots; raw answers not yet validated (e.g. "1") are left out."""
    payload: dict[str, Any] = {"signals": ids(tracker.get_slot("needs_signals"))}
    for slot, field in (
        ("needs_employment", "employment"),
        ("needs_business_stage", "business_stage"),
    ):
        if tracker.get_slot(slot) in CHOICES[slot]:
            payload[field] = tracker.get_slot(slot)
    return payload


class ValidateNeedsForm(Guarded, FormValidationAction):
    def name(self) -> str:
        return "validate_needs_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        """A first message the NLU took for needs that names none ("kok kurang" after a
        review, "yakkum itu lembaga apa"): the form stops and what it asks for follows."""
        said = form_text(tracker, ("describe_needs",))
        starting = not tracker.get_slot("requested_slot") and not tracker.get_slot("needs_signals")
        if starting and said:
            work, _ = workspace(tracker)
            target = None
            if not guess_signals(said, work.knowledge):
                intent = guess_journey(said, work.knowledge)
                if asks_why(said) and tracker.get_slot("last_decision_id"):
                    target = "action_explain_decision"
                elif intent not in (None, "describe_needs"):
                    target = JOURNEY_START.get(str(intent))
            if target is not None:
                return [ActiveLoop(None), SlotSet("requested_slot", None), FollowupAction(target)]
        return list(await super().run(dispatcher, tracker, domain))

    async def required_slots(
        self,
        domain_slots: list[str],
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: DomainDict,
    ) -> list[str]:
        needed = ["needs_signals", "needs_confirm"]
        # what the person already said (e.g. in the first message) is kept and validated
        given = [s for s in ("needs_employment", "needs_business_stage") if tracker.get_slot(s)]
        signals = ids(tracker.get_slot("needs_signals"))
        known = _signal_names(tracker)
        confirmed = tracker.get_slot("needs_confirm") in ("ya", "tidak_perlu")
        if not signals or not confirmed or any(s not in known for s in signals):
            return needed + given  # raw answers are validated first
        work, _ = workspace(tracker)
        preview = work.assistant.evaluate("needs", _payload(tracker), actor="-", channel="-")
        for field in preview.output["missing"]:
            needed.append(f"needs_{field}")
        return needed + [slot for slot in given if slot not in needed]

    async def extract_needs_signals(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") or tracker.get_slot("needs_signals"):
            return {}
        work, _ = workspace(tracker)
        said = form_text(tracker, ("describe_needs",))
        found = guess_signals(said, work.knowledge)
        for entity in tracker.latest_message.get("entities", []) or []:
            if entity.get("entity") == "kebutuhan" and entity.get("value") in _signal_names(
                tracker
            ):
                found.append(entity["value"])
        found = list(dict.fromkeys(found))
        # "bapak2 yg kena PHK ...": the employment status or business stage, when said
        said_too = {
            **self._from_first_message("needs_employment", tracker),
            **self._from_first_message("needs_business_stage", tracker),
        }
        if not found:
            return {"needs_confirm": "tidak_perlu", **said_too}
        return {"needs_signals": joined(found), **said_too}

    def _from_first_message(self, slot: str, tracker: Tracker) -> dict[str, Any]:
        """ "bapak2 yg kena PHK ..." already says the employment status: not asked again."""
        if tracker.get_slot(slot) or tracker.get_slot("requested_slot"):
            return {}
        said = form_text(tracker, ("describe_needs",))
        # by the people's words only (the options' labels share words such as "punya")
        words = [Option(o.id, "", o.synonyms) for o in _choice_options(slot, lang_of(tracker))]
        picked = read_choice(said, words) if said else None
        return {slot: picked} if picked else {}

    def validate_needs_signals(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        names = _signal_names(tracker)
        if all(part in names for part in str(value).split(",")):
            return {"needs_signals": value}
        rows = _rows(tracker)
        picked_rows = read_choices(str(value), [Option(row.id, row.name) for row in rows])
        if picked_rows:
            chosen = [s.id for row in rows if row.id in picked_rows for s in row.signals]
            return {"needs_signals": joined(chosen)}
        work, _ = workspace(tracker)
        found = guess_signals(str(value), work.knowledge)
        if not found:
            dispatcher.utter_message(text=text("needs.not_understood", lang_of(tracker)))
            return {"needs_signals": None}
        return {"needs_signals": joined(found)}

    def validate_needs_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value in ("ya", "tidak_perlu"):
            return {"needs_confirm": value}
        said = str(value)
        work, _ = workspace(tracker)
        named = guess_signals(said, work.knowledge)
        answer = read_yes_no(said)
        if answer is False and named:  # "bukan, maksud sy mereka gak bisa baca tulis"
            return {"needs_confirm": None, "needs_signals": joined(named)}
        answer = yes_no(value, dispatcher, lang_of(tracker))
        if answer is None:
            return {"needs_confirm": None}
        if answer:
            return {"needs_confirm": "ya"}
        return {"needs_confirm": "tidak_perlu", "needs_signals": None}

    def _choice(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        if value in CHOICES[slot]:
            return {slot: value}
        lang = lang_of(tracker)
        picked = read_choice(str(value), _choice_options(slot, lang))
        if picked is None:
            dispatcher.utter_message(text=text("form.pick_number", lang, count=len(CHOICES[slot])))
        return {slot: picked}

    def validate_needs_employment(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._choice("needs_employment", value, dispatcher, tracker)

    def validate_needs_business_stage(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._choice("needs_business_stage", value, dispatcher, tracker)


class AskNeedsSignals(Ask):
    slot = "needs_signals"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        options = numbered([(row.id, row.name) for row in _rows(tracker)])
        return "needs.ask_signals", {"options": options}


class AskNeedsConfirm(Ask):
    slot = "needs_confirm"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        names = _signal_names(tracker)
        listed = "\n".join(
            f"{n}. {names[s]}" for n, s in enumerate(ids(tracker.get_slot("needs_signals")), 1)
        )
        return "needs.confirm", {"signals": listed}


class _AskChoice(Ask, ABC):
    """Ask for one of a slot's fixed choices (abstract: only subclasses are actions)."""

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        options = [(option.id, option.label) for option in _choice_options(self.slot, lang)]
        return f"needs.ask_{self.slot}", {"options": numbered(options)}


class AskNeedsEmployment(_AskChoice):
    slot = "needs_employment"


class AskNeedsBusinessStage(_AskChoice):
    slot = "needs_business_stage"


class DecideNeeds(Guarded, Action):
    def name(self) -> str:
        return "action_decide_needs"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        work, _ = workspace(tracker)
        decision = work.assistant.decide(
            "needs", _payload(tracker), actor=sender_of(tracker), channel=channel_of(tracker)
        )
        messages = needs_reply(decision, work.knowledge, lang)
        return answer(dispatcher, messages, lang, decision.id, SLOTS)
