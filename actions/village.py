""" "desa saya": a village official's own village in numbers (read-only), through the same
access rules as the CLI report."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Guarded, deliver, lang_of, workspace
from assistant.chat.render import village_reply
from assistant.common.errors import InputError
from assistant.common.texts import text


def village_summary_or_none(work: Any, user: Any, lang: str) -> str | None:
    """The summary for a village official (who asks "berapa yang sudah lulus?" in whatever
    words); None for anyone else."""
    if user is None:
        return None
    try:
        return village_reply(work.village_summary(user), work.knowledge, lang)
    except InputError:
        return None


class MyVillage(Guarded, Action):
    def name(self) -> str:
        return "action_my_village"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        work, user = workspace(tracker)
        if user is None:
            dispatcher.utter_message(text=text("access.village_summary", lang))
            return []
        try:
            summary = work.village_summary(user)
        except InputError as error:
            dispatcher.utter_message(text=error.message)
            return []
        return deliver(dispatcher, [village_reply(summary, work.knowledge, lang)], lang)
