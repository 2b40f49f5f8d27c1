"""A report of violence, harassment, exploitation or child labour (3.3.5 "Kebijakan
Perlindungan"): the protection protocol at once, the report kept flagged for an admin,
and the reporter's identity repeated to no one.

The NLU sends a message here when it reads a report of harm; the harm net of every action
(``actions.common.Guarded``) catches the ones it misreads. When the words name a harm the
knowledge knows, the protocol follows at once. When they name none (the NLU alone thought
so), one yes/no question confirms it first: a true report costs one "ya", and someone who
only asked about their village is not answered with a protection protocol."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    HARM_CHECKED,
    HARM_REPORTED,
    JOURNEY_START,
    Ask,
    Guarded,
    closes_a_report,
    lang_of,
    message_key,
    protect,
    said_in_full,
    workspace,
    yes_no,
)
from actions.followup import UpdateTask
from assistant.common.limits import MAX_REPORT_TEXT
from assistant.common.texts import text
from assistant.reading.words import detect_harm, signs_of_harm

UNCLEAR = "belum_jelas"
FORM = "harm_form"


class Safeguarding(Guarded, Action):
    # the net's protocol is this action's answer; a journey the message also asks for
    # ("..., ketua sampe mukul anggota": the conflict) goes on afterwards
    on_harm = "instead"

    def after_harm_events(self, tracker: Tracker) -> list[EventType]:
        journey = _next_likely(tracker)
        if journey in JOURNEYS:
            return [SlotSet(HARM_REPORTED, True), FollowupAction(journey)]
        return []

    def name(self) -> str:
        return "action_safeguarding"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        if closes_a_report(tracker):  # the NLU heard harm in an admin's closing words
            return await UpdateTask().run(dispatcher, tracker, domain)
        lang = lang_of(tracker)
        work, _ = workspace(tracker)
        message = said_in_full(tracker)
        concerns = detect_harm(message, work.knowledge)
        if not concerns:
            checked = SlotSet(HARM_CHECKED, message_key(tracker))
            if not signs_of_harm(message, work.knowledge):
                # nothing in the words points to harm: the next likely request instead
                return [checked, FollowupAction(_next_likely(tracker))]
            # confirm first (see the module's docstring)
            return [SlotSet("harm_text", message[:MAX_REPORT_TEXT]), checked, FollowupAction(FORM)]
        events = protect(dispatcher, tracker, message, concerns, lang)
        events += [SlotSet(HARM_CHECKED, message_key(tracker)), SlotSet("lang", lang)]
        return events + self.after_harm_events(tracker)


# the journeys a report of harm may also ask for (the protocol comes first)
JOURNEYS = {"conflict_form", "approach_form", "needs_form", "graduation_form", "review_form"}


def _next_likely(tracker: Tracker) -> str:
    """The journey of the NLU's second guess, or the fallback."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    second = ranking[1]["name"] if len(ranking) > 1 else None
    return JOURNEY_START.get(str(second), "action_fallback")


class ValidateHarmForm(Guarded, FormValidationAction):
    def name(self) -> str:
        return f"validate_{FORM}"

    def validate_harm_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return {"harm_confirm": yes_no(value, dispatcher, lang_of(tracker))}


class AskHarmConfirm(Ask):
    slot = "harm_confirm"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        return "safeguarding.confirm", {}


class HarmConfirmed(Guarded, Action):
    """The answer to the confirmation: the protocol and the stored report, or an apology
    for the misunderstanding."""

    on_harm = "answer"

    def name(self) -> str:
        return "action_harm_confirmed"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        reset = [SlotSet("harm_confirm", None), SlotSet("harm_text", None)]
        if tracker.get_slot("harm_confirm") is not True:
            dispatcher.utter_message(text=text("safeguarding.not_harm", lang))
            return reset
        said = str(tracker.get_slot("harm_text") or tracker.latest_message.get("text") or "")
        return [*protect(dispatcher, tracker, said, [UNCLEAR], lang), *reset]
