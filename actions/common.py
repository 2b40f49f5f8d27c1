"""What every action shares: one casework service per process (the sandbox for
trainers), the conversation's language, and replies cut to phone-sized pieces."""

from __future__ import annotations

import functools
import logging
import os
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable
from functools import lru_cache
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from assistant.casework import Casework
from assistant.paths import database_path, sandbox_path
from assistant.records import User
from assistant.service import Assistant
from assistant.store import Store
from assistant.texts import text
from assistant.understanding import detect_language, parse_yes_no

MESSAGES_PER_TURN = 3
logger = logging.getLogger(__name__)


def _guard(run: Callable[..., Awaitable[list[EventType]]]) -> Callable[..., Any]:
    @functools.wraps(run)
    async def guarded(
        self: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> list[EventType]:
        try:
            return await run(self, dispatcher, tracker, domain)
        except Exception:
            logger.exception("action %s failed for one conversation", self.name())
            dispatcher.utter_message(text=text("chat.error", lang_of(tracker)))
            return []

    guarded.__guarded__ = True  # type: ignore[attr-defined]
    return guarded


class Guarded:
    """Base of every action: an unexpected error becomes an apology to the user (and a
    logged traceback) instead of a silent conversation."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        run = cls.run  # type: ignore[attr-defined]
        if not getattr(run, "__guarded__", False):
            cls.run = _guard(run)  # type: ignore[attr-defined]


@lru_cache(maxsize=1)
def casework() -> Casework:
    return Casework(Store(database_path()))


@lru_cache(maxsize=1)
def sandbox() -> Casework:
    return Casework(Store(sandbox_path()), casework().knowledge)


def service() -> Assistant:
    return casework().assistant


class Ask(Guarded, Action, ABC):
    """A form's question for one slot (``action_ask_<slot>``), in the conversation's
    language. Abstract: rasa_sdk registers only the concrete questions."""

    @property
    @abstractmethod
    def slot(self) -> str: ...

    def name(self) -> str:
        return f"action_ask_{self.slot}"

    @abstractmethod
    def question(self, tracker: Tracker, lang: str) -> tuple[str, dict[str, Any]]:
        """The texts.yml key of the question and the values it is filled with."""

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: Any
    ) -> list[EventType]:
        lang = lang_of(tracker)
        key, values = self.question(tracker, lang)
        dispatcher.utter_message(text=text(key, lang, **values))
        return [SlotSet("lang", lang)]


def sender_of(tracker: Tracker) -> str:
    """Who is talking: the sender id (a WhatsApp number). `make chat AS=628...` talks as the
    user named by ASSISTANT_CHAT_USER, but only in the terminal's own conversation: the id
    that scripts/chat.sh draws at random for its `rasa shell` (ASSISTANT_CHAT_CONVERSATION).
    Any other sender - another conversation on the shell's port, a REST client naming its
    channel "cmdline" - speaks as itself."""
    user = os.environ.get("ASSISTANT_CHAT_USER")
    conversation = os.environ.get("ASSISTANT_CHAT_CONVERSATION")
    if (
        user
        and conversation
        and tracker.sender_id == conversation
        and tracker.get_latest_input_channel() == "cmdline"
    ):
        return user
    return tracker.sender_id


def workspace(tracker: Tracker) -> tuple[Casework, User | None]:
    """The casework for the sender (by phone number / id): trainers practise in the
    sandbox; unknown senders get no user and see no household."""
    main = casework()
    user = main.store.get_user(sender_of(tracker))
    if user is not None and user.role == "pelatih":
        practice = sandbox()
        practice.store.mirror_user(user)
        return practice, user
    return main, user


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rasa"


def lang_of(tracker: Tracker) -> str:
    detected = detect_language(tracker.latest_message.get("text") or "")
    return detected or tracker.get_slot("lang") or "id"


def deliver(dispatcher: CollectingDispatcher, messages: list[str], lang: str) -> list[EventType]:
    """Send a few messages now; keep the rest for "lanjut"."""
    now, later = messages[:MESSAGES_PER_TURN], messages[MESSAGES_PER_TURN:]
    for n, message in enumerate(now, start=1):
        if later and n == len(now):
            message += "\n\n" + text("chat.more_hint", lang, count=len(later))
        dispatcher.utter_message(text=message)
    return [SlotSet("more", later or None), SlotSet("lang", lang)]


def answer(
    dispatcher: CollectingDispatcher,
    messages: list[str],
    lang: str,
    decision_id: str,
    form_slots: Iterable[str],
) -> list[EventType]:
    """A journey's last step: send the answer, clear its form, remember the decision for
    "kenapa?"."""
    return (
        deliver(dispatcher, messages, lang)
        + [SlotSet(slot, None) for slot in form_slots]
        + [SlotSet("last_decision_id", decision_id)]
    )


def yes_no(value: Any, dispatcher: CollectingDispatcher, lang: str) -> bool | None:
    if isinstance(value, bool):
        return value
    answer = parse_yes_no(str(value))
    if answer is None:
        dispatcher.utter_message(text=text("form.yes_or_no", lang))
    return answer


def numbered(options: list[tuple[str, str]]) -> str:
    return "\n".join(f"{n}. {label}" for n, (_, label) in enumerate(options, start=1))


def latest_text_of_intent(tracker: Tracker, intent: str) -> str | None:
    """The text of the latest user message classified as ``intent``."""
    for event in reversed(tracker.events):
        if (
            event.get("event") == "user"
            and event.get("parse_data", {}).get("intent", {}).get("name") == intent
        ):
            return event.get("text")
    return None


def form_text(tracker: Tracker, intents: tuple[str, ...]) -> str:
    """At a form's start, the message that started it (its intent is one of ``intents``)."""
    if tracker.latest_message.get("intent", {}).get("name") in intents:
        return tracker.latest_message.get("text") or ""
    return ""


def ids(value: Any) -> list[str]:
    """A list slot kept as comma-separated text ("-" for an empty choice)."""
    if not value or value == "-":
        return []
    return [part for part in str(value).split(",") if part]


def joined(values: list[str]) -> str:
    return ",".join(values) if values else "-"
