"""Greeting, menu, goodbye, boundaries, fallback, "lanjut" and the numbered menu."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Guarded, deliver, lang_of
from assistant.texts import text
from assistant.understanding import parse_numbers

# menu number -> what it starts (forms ask their own questions)
MENU = [
    "approach_form",
    "needs_form",
    "graduation_form",
    "conflict_form",
    "program_form",
    "stage_form",
    "review_form",
    "action_my_tasks",
]


class _Say(Guarded, Action, ABC):
    """Utter one text of texts.yml in the conversation's language. Abstract, so that
    rasa_sdk registers only the concrete actions below."""

    action = ""

    @property
    @abstractmethod
    def key(self) -> str: ...

    def name(self) -> str:
        return self.action

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        dispatcher.utter_message(text=text(self.key, lang, menu=text("chat.menu", lang)))
        return [SlotSet("lang", lang)]


class Greet(_Say):
    action, key = "action_greet", "chat.greet"


class Help(_Say):
    action, key = "action_help", "chat.menu"


class Goodbye(_Say):
    action, key = "action_goodbye", "chat.goodbye"


class OutOfScope(_Say):
    action, key = "action_out_of_scope", "chat.out_of_scope"


class Fallback(_Say):
    action, key = "action_fallback", "chat.fallback"


class Cancelled(_Say):
    action, key = "action_cancelled", "chat.cancelled"


class More(Guarded, Action):
    def name(self) -> str:
        return "action_more"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        waiting: list[str] = tracker.get_slot("more") or []
        if not waiting:
            dispatcher.utter_message(text=text("chat.nothing_more", lang))
            return []
        return deliver(dispatcher, waiting, lang)


class MenuChoice(Guarded, Action):
    """A number typed after the menu starts that journey."""

    def name(self) -> str:
        return "action_menu_choice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        picked = parse_numbers(tracker.latest_message.get("text") or "", len(MENU))
        if not picked or len(picked) != 1:
            dispatcher.utter_message(text=text("chat.pick_menu", lang_of(tracker)))
            return []
        target: Any = MENU[picked[0] - 1]
        return [FollowupAction(target)]
