"""Greeting, menu, goodbye, boundaries, fallback, "lanjut" and the numbered menu."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    HARM_REPORTED,
    JOURNEY_START,
    Guarded,
    as_answer,
    deliver,
    lang_of,
    room,
    service,
    start_journey,
)
from actions.explain import ExplainDecision
from assistant.common.texts import text
from assistant.reading.words import asks_for_help, asks_why, guess_journey, parse_numbers

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
    on_harm = "instead"  # a report of harm gets the protocol, not small talk

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
    """The menu. Inside a question sequence, a message the NLU took for a request for help
    that asks for none in so many words ("janda sama lansia") is the person's answer: it
    is handed back to the form as one."""

    action, key = "action_help", "chat.menu"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        said = tracker.latest_message.get("text") or ""
        in_form = (tracker.active_loop or {}).get("name") and tracker.get_slot("requested_slot")
        if in_form and said.strip() and not asks_for_help(said):
            return await as_answer(dispatcher, tracker, domain)
        journey = None if in_form else _journey_in(said)
        if journey is not None:  # "... gak ngerti bisnis, bingung mulainya": the needs
            return await start_journey(journey, dispatcher, tracker, domain)
        return await super().run(dispatcher, tracker, domain)


class Goodbye(_Say):
    action, key = "action_goodbye", "chat.goodbye"


class OutOfScope(_Say):
    action, key = "action_out_of_scope", "chat.out_of_scope"


class Fallback(_Say):
    """Core and NLU fallback: one apology, then the turn ends listening. The user's message
    is reverted (as Rasa's own default fallback does), so that no policy sees the state
    that led here again and predicts the fallback a second time."""

    action, key = "action_fallback", "chat.fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        in_form = (tracker.active_loop or {}).get("name")
        said = tracker.latest_message.get("text") or ""
        if not in_form and asks_for_help(said):  # "bisa tampilkan menu?" under the threshold
            return await Help().run(dispatcher, tracker, domain)
        if not in_form and asks_why(said) and tracker.get_slot("last_decision_id"):
            # "kok kurang", "apa dasarnya": a why after an answer, whatever the NLU made of it
            return await ExplainDecision().run(dispatcher, tracker, domain)
        journey = None if in_form else _journey_in(said)
        if journey is None and not in_form and _asks_guideline(tracker):
            journey = JOURNEY_START["ask_guideline"]  # "kasih contoh indikator sosial dong"
        if journey is not None:  # the words say what is asked for, the NLU could not tell
            events = await start_journey(journey, dispatcher, tracker, domain)
            if journey.endswith("_form"):
                return events
            return [*events, *self.after_harm_events(tracker)]
        events = await super().run(dispatcher, tracker, domain)
        return [*events, *self.after_harm_events(tracker)]

    def after_harm_events(self, tracker: Tracker) -> list[EventType]:
        return [UserUtteranceReverted()]


class Acknowledge(_Say):
    """A bare "ya", "oke", "gak" or an emoji when no question is open: a short
    acknowledgement, never a "did not understand"."""

    action, key = "action_acknowledge", "chat.acknowledge"


class Cancelled(_Say):
    action, key = "action_cancelled", "chat.cancelled"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        events = await super().run(dispatcher, tracker, domain)
        return [*events, SlotSet(HARM_REPORTED, None)]


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
        return deliver(dispatcher, waiting, lang, room(tracker))


class MenuChoice(Guarded, Action):
    """A number typed after the menu starts that journey."""

    after_menu = True

    def name(self) -> str:
        return "action_menu_choice"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        said = tracker.latest_message.get("text") or ""
        picked = parse_numbers(said, len(MENU))
        after_menu = self.after_menu or menu_was_shown(tracker)
        if not picked or len(picked) != 1 or not after_menu:
            journey = _journey_in(said)
            if journey is not None:  # words the NLU took for a bare answer
                return await start_journey(journey, dispatcher, tracker, domain)
            key = "chat.pick_menu" if after_menu else "chat.number_without_menu"
            lang = lang_of(tracker)
            dispatcher.utter_message(text=text(key, lang, menu=text("chat.menu", lang)))
            return []
        target: Any = MENU[picked[0] - 1]
        return [FollowupAction(target)]


class AnswerWithoutQuestion(MenuChoice):
    """An answer-like message when no question is open: a sentence that names needs or a
    conflict starts that journey; a bare number gets the menu to choose from (nothing is
    started on a number the person did not see a menu for)."""

    after_menu = False

    def name(self) -> str:
        return "action_answer_without_question"


def menu_was_shown(tracker: Tracker) -> bool:
    """Whether the bot's last message before this one showed the menu (by the menu's own
    first line, in either language), whichever action showed it."""
    heads = {text("chat.menu", lang).splitlines()[0][:40] for lang in ("id", "en")}
    seen_user = False
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            if seen_user:
                return False
            seen_user = True
        elif event.get("event") == "bot" and seen_user:
            said = str(event.get("text") or "")
            return any(head in said for head in heads)
    return False


def _journey_in(said: str) -> str | None:
    """A sentence that says what it asks for in its own words (needs, a conflict, a stage,
    a program, the village's figures), whatever the NLU read: that journey's first action
    (the menu number path is for bare numbers)."""
    if len(said.split()) < 3:
        return None
    intent = guess_journey(said, service().knowledge)
    return JOURNEY_START.get(intent) if intent else None


GUESS_FLOOR = 0.3  # the NLU's best real intent under the fallback threshold, still usable


def _asks_guideline(tracker: Tracker) -> bool:
    """Under the threshold, a question the NLU takes for one about the guideline, or for
    one about a program without naming any ("brp org yg mesti diwawancarai?"): the
    guideline's best rows answer it better than an apology."""
    guess = _best_guess(tracker)
    if guess == "ask_guideline":
        return True
    entities = tracker.latest_message.get("entities") or []
    return guess == "ask_program" and not any(e.get("entity") == "program" for e in entities)


def _best_guess(tracker: Tracker) -> str | None:
    """The NLU's best intent other than the fallback, when it is not far below the
    threshold."""
    ranking = tracker.latest_message.get("intent_ranking") or []
    real = [r for r in ranking if r.get("name") != "nlu_fallback"]
    if real and float(real[0].get("confidence") or 0) >= GUESS_FLOOR:
        return str(real[0]["name"])
    return None
