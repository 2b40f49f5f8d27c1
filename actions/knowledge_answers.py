"""Questions about a program (2.1) or a stage (3.3.1, 3.4), answered from the knowledge.
Outside a form they run as tiny forms, so that a numbered answer works; inside another
form they answer directly and the form goes on."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Ask, Guarded, deliver, lang_of, numbered, room, service
from assistant.chat.render import program_card, stage_card
from assistant.common.texts import text
from assistant.reading.answers import Option, read_choice
from assistant.reading.words import (
    find_program,
    find_stage,
    find_stage_asked,
    neighbour_stage,
    parse_numbers,
)

ALL = "semua"  # every stage, in order
# programs offered when the user did not name one (the most asked about, at most eight)
OFFERED = ("pena", "pkh", "kur", "kartu_prakerja", "yess", "dana_desa", "bumdes", "plut")


def _program_in(tracker: Tracker) -> str | None:
    entity = tracker.get_slot("program")
    known = service().knowledge.programs.ids
    if isinstance(entity, list):
        entity = entity[0] if entity else None
    if entity in known:
        return entity
    return find_program(tracker.latest_message.get("text") or "", service().knowledge)


def _offered() -> list[tuple[str, str]]:
    programs = service().knowledge.programs
    return [(p, programs.program(p).name) for p in OFFERED]


def _stages() -> list[tuple[str, str]]:
    stages = sorted(service().knowledge.stages.stages, key=lambda s: s.order)
    return [(s.id, s.name) for s in stages]


class ValidateProgramForm(Guarded, FormValidationAction):
    def name(self) -> str:
        return "validate_program_form"

    async def extract_program_choice(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") or tracker.get_slot("program_choice"):
            return {}
        found = _program_in(tracker)
        return {"program_choice": found} if found else {}

    def validate_program_choice(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if value in service().knowledge.programs.ids:
            return {"program_choice": value}
        offered = _offered()
        numbers = parse_numbers(str(value), len(offered))
        if numbers and len(numbers) == 1:
            return {"program_choice": offered[numbers[0] - 1][0]}
        found = find_program(str(value), service().knowledge)
        if found is None:
            dispatcher.utter_message(text=text("program.unknown", lang_of(tracker)))
        return {"program_choice": found}


class AskProgramChoice(Ask):
    slot = "program_choice"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        return "program.ask", {"options": numbered(_offered())}


class AnswerProgram(Guarded, Action):
    def name(self) -> str:
        return "action_answer_program"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        program = tracker.get_slot("program_choice") or _program_in(tracker)
        reset = [SlotSet("program_choice", None), SlotSet("program", None)]
        if program is None:
            dispatcher.utter_message(text=text("program.ask", lang, options=numbered(_offered())))
            return reset
        card = program_card(program, service().knowledge, lang)
        return deliver(dispatcher, card, lang, room(tracker)) + reset


def _stage_asked(tracker: Tracker) -> tuple[str | None, str]:
    """The stage the latest message asks about, and a lead sentence when it asks for the
    stage after or before another ("tahap apa setelah asesmen?" -> Persiapan)."""
    knowledge = service().knowledge
    lang = lang_of(tracker)
    named, relation = find_stage_asked(tracker.latest_message.get("text") or "", knowledge)
    if relation == "all":
        return ALL, ""
    if named is None or relation == "itself":
        return named, ""
    stage = neighbour_stage(named, relation, knowledge)
    names = dict(_stages())
    if stage is None:
        return None, text(f"stage.none_{relation}", lang, stage=names[named])
    return stage, text(f"stage.{relation}", lang, named=names[named], stage=names[stage])


class ValidateStageForm(Guarded, FormValidationAction):
    def name(self) -> str:
        return "validate_stage_form"

    async def extract_stage_choice(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        if tracker.get_slot("requested_slot") or tracker.get_slot("stage_choice"):
            return {}
        found, _ = _stage_asked(tracker)
        return {"stage_choice": found} if found else {}

    def validate_stage_choice(
        self, value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> dict[str, Any]:
        stages = _stages()
        if value in dict(stages) or value == ALL:
            return {"stage_choice": value}
        picked = read_choice(str(value), [Option(sid, name) for sid, name in stages])
        if picked is not None:
            return {"stage_choice": picked}
        found = find_stage(str(value), service().knowledge)
        if found is None:
            dispatcher.utter_message(
                text=text("form.pick_number", lang_of(tracker), count=len(stages))
            )
        return {"stage_choice": found}


class AskStageChoice(Ask):
    slot = "stage_choice"

    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        return "stage.ask", {"options": numbered(_stages())}


class AnswerStage(Guarded, Action):
    def name(self) -> str:
        return "action_answer_stage"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        asked, lead = _stage_asked(tracker)
        stage = tracker.get_slot("stage_choice") or asked
        reset = [SlotSet("stage_choice", None)]
        if stage is None:
            if lead:  # "setelah graduasi apa?": there is no stage after the last one
                dispatcher.utter_message(text=lead)
                return reset
            dispatcher.utter_message(text=text("stage.ask", lang, options=numbered(_stages())))
            return reset
        if stage == ALL:  # "urutan tahapan program apa aja": the six in order
            ordered = sorted(service().knowledge.stages.stages, key=lambda s: s.order)
            listed = "\n".join(f"{n}. *{s.name}*: {s.aim}" for n, s in enumerate(ordered, 1))
            dispatcher.utter_message(text=text("stage.all", lang, stages=listed))
            return reset
        card = stage_card(stage, service().knowledge, lang)
        if lead and stage == asked:
            card[0] = lead + "\n\n" + card[0]
        return deliver(dispatcher, card, lang, room(tracker)) + reset
