"""Reviewing a program with the ten checks of the table in 2.2, asked in three short
numbered questions (planning and assessment; delivery; monitoring and exit)."""

from __future__ import annotations

from abc import ABC
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    Ask,
    Guarded,
    answer,
    channel_of,
    ids,
    joined,
    lang_of,
    latest_text_of_intent,
    numbered,
    sender_of,
    workspace,
)
from assistant.render import review_reply
from assistant.texts import text
from assistant.understanding import find_program, parse_numbers

# form slot -> the checks (ids of program_review.yml) it asks about, in order
PARTS = {
    "review_planning": ("perencanaan", "data_sekunder", "data_primer", "persiapan"),
    "review_delivery": ("peningkatan_akses", "pengembangan_keterampilan", "pendampingan"),
    "review_followup": ("monev_digital", "monev_manual", "exit_strategy"),
}


def _options(tracker: Tracker, slot: str) -> list[tuple[str, str]]:
    work, _ = workspace(tracker)
    names = {c.id: c.question for c in work.knowledge.review.checks}
    return [(check, names[check]) for check in PARTS[slot]]


class ValidateReviewForm(Guarded, FormValidationAction):
    def name(self) -> str:
        return "validate_review_form"

    def _part(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        options = _options(tracker, slot)
        if value == "-" or all(part in dict(options) for part in str(value).split(",")):
            return {slot: value}
        numbers = parse_numbers(str(value), len(options))
        if numbers is None:
            dispatcher.utter_message(text=text("review.pick", lang_of(tracker)))
            return {slot: None}
        return {slot: joined([options[n - 1][0] for n in numbers])}

    def validate_review_planning(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._part("review_planning", value, dispatcher, tracker)

    def validate_review_delivery(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._part("review_delivery", value, dispatcher, tracker)

    def validate_review_followup(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        return self._part("review_followup", value, dispatcher, tracker)


class _AskPart(Ask, ABC):
    """One of the review's three questions (abstract: only subclasses are actions)."""

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        return f"review.ask_{self.slot}", {"options": numbered(_options(tracker, self.slot))}


class AskReviewPlanning(_AskPart):
    slot = "review_planning"


class AskReviewDelivery(_AskPart):
    slot = "review_delivery"


class AskReviewFollowup(_AskPart):
    slot = "review_followup"


class DecideReview(Guarded, Action):
    def name(self) -> str:
        return "action_decide_review"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        work, _ = workspace(tracker)
        done = {check for slot in PARTS for check in ids(tracker.get_slot(slot))}
        checks = {check: check in done for part in PARTS.values() for check in part}
        payload: dict[str, Any] = {"checks": checks}
        program = find_program(
            latest_text_of_intent(tracker, "review_program") or "", work.knowledge
        )
        if program and work.knowledge.programs.program(program).checks is not None:
            payload["program"] = program
        decision = work.assistant.decide(
            "program_review", payload, actor=sender_of(tracker), channel=channel_of(tracker)
        )
        messages = review_reply(decision, work.knowledge, lang)
        return answer(dispatcher, messages, lang, decision.id, PARTS)
