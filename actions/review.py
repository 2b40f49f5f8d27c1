"""Reviewing a program with the ten checks of the table in 2.2, asked in three short
numbered questions (planning and assessment; delivery; monitoring and exit)."""

from __future__ import annotations

import re
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
from assistant.chat.render import review_reply
from assistant.common.texts import text
from assistant.reading.answers import Option, read_choices
from assistant.reading.words import find_program

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


def _choosable(tracker: Tracker, slot: str) -> list[Option]:
    work, _ = workspace(tracker)
    checks = {c.id: c for c in work.knowledge.review.checks}
    return [Option(c, checks[c].name, tuple(checks[c].hints)) for c in PARTS[slot]]


# "sudah ada perencanaan, tapi belum survei": the clauses that say what is NOT done yet
_CLAUSES = re.compile(r"[,.;]|\b(?:tapi|tp|namun|tetapi|sedangkan|cuma|hanya)\b")
_NOT_YET = re.compile(r"\b(?:belum|blm|blum|tidak|tdk|gak|ga|gk|nggak|enggak|bukan)\b")


def _done_part(said: str) -> str:
    """The message without its "belum ..." clauses (what the program has done)."""
    parts = [p for p in _CLAUSES.split(said.lower()) if p and not _NOT_YET.search(p)]
    return " , ".join(parts)


class ValidateReviewForm(Guarded, FormValidationAction):
    def name(self) -> str:
        return "validate_review_form"

    def _part(
        self, slot: str, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker
    ) -> dict[str, Any]:
        options = _options(tracker, slot)
        if value == "-" or all(part in dict(options) for part in str(value).split(",")):
            return {slot: value}
        said = str(value)
        if len(said.split()) > 2:  # a sentence: "udah ada X, tapi Y belum"
            picked = read_choices(_done_part(said), _choosable(tracker, slot)) or None
        else:
            picked = read_choices(said, [Option(check, label) for check, label in options])
        if picked is None:
            dispatcher.utter_message(text=text("review.pick", lang_of(tracker)))
            return {slot: None}
        return {slot: joined(picked)}

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
