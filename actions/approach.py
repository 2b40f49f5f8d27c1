"""Choosing an approach (1.2, 3.2): conditions and target groups -> approach with reason.

The words of the first message are read first; the user confirms what was understood,
or answers two numbered questions when nothing was recognised."""

from __future__ import annotations

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
    form_text,
    ids,
    joined,
    lang_of,
    numbered,
    sender_of,
    workspace,
    yes_no,
)
from assistant.chat.render import approach_reply
from assistant.common.texts import text
from assistant.reading.answers import Option, read_choices
from assistant.reading.words import guess_approach_facts

SLOTS = ("approach_conditions", "approach_groups", "approach_confirm")


def _rows(tracker: Tracker, table: str) -> list[Any]:
    work, _ = workspace(tracker)
    return list(getattr(work.knowledge.approaches, table))


def _options(tracker: Tracker, table: str) -> list[tuple[str, str]]:
    return [(row.id, row.name) for row in _rows(tracker, table)]


def _ours(value: Any, options: list[tuple[str, str]]) -> bool:
    """Already our own comma-separated ids (set from the first message), not user text."""
    known = dict(options)
    return value == "-" or all(part in known for part in str(value).split(","))


def _pick(value: Any, rows: list[Any]) -> list[str] | None:
    """The rows a person picked, by number, name or their own words ("1 dan 3", "ibu2
    sama lansia"); [] for none ("0", "gak ada"); None when nothing is recognised."""
    options = [Option(row.id, row.name, tuple(row.hints)) for row in rows]
    return read_choices(str(value), options)


class ValidateApproachForm(Guarded, FormValidationAction):
    def name(self) -> str:
        return "validate_approach_form"

    async def extract_approach_conditions(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") or tracker.get_slot("approach_conditions"):
            return {}
        work, _ = workspace(tracker)
        said = form_text(tracker, ("choose_approach",))
        conditions, groups = guess_approach_facts(said, work.knowledge)
        if not conditions and not groups:
            # nothing recognised: the two numbered questions, and no confirmation
            return {"approach_confirm": "tidak_perlu"}
        return {"approach_conditions": joined(conditions), "approach_groups": joined(groups)}

    def validate_approach_conditions(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _ours(value, _options(tracker, "conditions")):
            return {"approach_conditions": value}
        picked = _pick(value, _rows(tracker, "conditions"))
        if picked is None:
            dispatcher.utter_message(text=text("form.pick_numbers", lang_of(tracker)))
            return {"approach_conditions": None}
        return {"approach_conditions": joined(picked)}

    def validate_approach_groups(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if _ours(value, _options(tracker, "groups")):
            picked_value = value
        else:
            picked = _pick(value, _rows(tracker, "groups"))
            if picked is None:
                dispatcher.utter_message(text=text("form.pick_numbers", lang_of(tracker)))
                return {"approach_groups": None}
            picked_value = joined(picked)
        if picked_value == "-" and tracker.get_slot("approach_conditions") == "-":
            dispatcher.utter_message(text=text("approach.need_one", lang_of(tracker)))
            return {"approach_groups": None, "approach_conditions": None}
        return {"approach_groups": picked_value}

    def validate_approach_confirm(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value == "tidak_perlu":
            return {"approach_confirm": value}
        answer = yes_no(value, dispatcher, lang_of(tracker))
        if answer is None:
            return {"approach_confirm": None}
        if answer:
            return {"approach_confirm": "ya"}
        # not what they meant: ask the two numbered questions instead
        return {
            "approach_confirm": "tidak_perlu",
            "approach_conditions": None,
            "approach_groups": None,
        }


class AskApproachConditions(Ask):
    slot = "approach_conditions"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        return "approach.ask_conditions", {"options": numbered(_options(tracker, "conditions"))}


class AskApproachGroups(Ask):
    slot = "approach_groups"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        return "approach.ask_groups", {"options": numbered(_options(tracker, "groups"))}


class AskApproachConfirm(Ask):
    slot = "approach_confirm"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        names = dict(_options(tracker, "conditions") + _options(tracker, "groups"))
        picked = ids(tracker.get_slot("approach_conditions")) + ids(
            tracker.get_slot("approach_groups")
        )
        return "approach.confirm", {"facts": "\n".join(f"- {names[i]}" for i in picked)}


class DecideApproach(Guarded, Action):
    def name(self) -> str:
        return "action_decide_approach"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        work, _ = workspace(tracker)
        payload = {
            "conditions": ids(tracker.get_slot("approach_conditions")),
            "groups": ids(tracker.get_slot("approach_groups")),
        }
        decision = work.assistant.decide(
            "approach", payload, actor=sender_of(tracker), channel=channel_of(tracker)
        )
        messages = approach_reply(decision, work.knowledge, lang)
        return answer(dispatcher, messages, lang, decision.id, SLOTS)
