"""Questions about the rest of the guideline ("prinsip pemberdayaan apa saja?", "berapa orang
perlu diwawancara?", "contoh indikator sosial?"): answered from the cited knowledge rows
that match the question best, with where each comes from."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Guarded, deliver, lang_of, room, service
from assistant.common.texts import text
from assistant.knowledge.browse import Hit, render, search

SHOWN = 3  # rows named in the answer; the best one is shown whole


class AnswerGuideline(Guarded, Action):
    def name(self) -> str:
        return "action_answer_guideline"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        knowledge = service().knowledge
        hits = search(knowledge, tracker.latest_message.get("text") or "", limit=SHOWN)
        if not hits:
            dispatcher.utter_message(text=text("guideline.none", lang))
            return []
        messages = [render(hits[0].row, lang, knowledge)]
        if len(hits) > 1:
            related = "\n".join(_line(hit) for hit in hits[1:])
            messages.append(text("guideline.related", lang, rows=related))
        return deliver(dispatcher, messages, lang, room(tracker))


def _line(hit: Hit) -> str:
    """A related row: its title, id (to ask for it by name) and section."""
    source = getattr(hit.row, "source", None)
    section = getattr(source, "section", None)
    where = f", {section}" if section else ""
    return f"- {hit.title} ({hit.row.id}{where})"
