""" "jadwal saya": the facilitator's due follow-up tasks."""

from __future__ import annotations

from datetime import date

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Guarded, deliver, lang_of, workspace
from actions.village import village_summary_or_none
from assistant.casework import access
from assistant.common.texts import text

TASKS_PER_MESSAGE = 8


class MyTasks(Guarded, Action):
    def name(self) -> str:
        return "action_my_tasks"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        work, user = workspace(tracker)
        if user is None or not access.can_assess(user):
            summary = village_summary_or_none(work, user, lang)
            dispatcher.utter_message(text=summary or text("chat.facilitators_only", lang))
            return []
        due = work.tasks_due(user)
        if not due:
            dispatcher.utter_message(text=text("cli.no_tasks", lang))
            return []
        today = date.today()
        lines = [
            f"- {t.due_on:%d/%m}{' ' + text('chat.late', lang) if t.due_on < today else ''}: "
            f"{t.title}"
            for t in due
        ]
        pieces = [
            "\n".join(lines[i : i + TASKS_PER_MESSAGE])
            for i in range(0, len(lines), TASKS_PER_MESSAGE)
        ]
        pieces[0] = text("chat.tasks_header", lang, count=len(due)) + "\n" + pieces[0]
        return deliver(dispatcher, pieces, lang)
