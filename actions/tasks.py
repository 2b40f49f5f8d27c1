""" "jadwal saya": the facilitator's due follow-up tasks, each with its number (the one
"selesai 12" or "tunda 12 ..." answers); for a koordinator, the cases waiting for their
sign-off. A follow-up command the NLU took for this intent ("tgs 12 beres") is answered as
one (actions/followup.py)."""

from __future__ import annotations

from datetime import date

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Guarded, channel_of, deliver, lang_of, workspace
from actions.followup import answer, sign_off_queue
from actions.village import village_summary_or_none
from assistant.casework import access
from assistant.common.dates import day_month
from assistant.common.errors import InputError
from assistant.common.texts import text
from assistant.reading.commands import read_command

TASKS_PER_MESSAGE = 8


class MyTasks(Guarded, Action):
    def name(self) -> str:
        return "action_my_tasks"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        work, user = workspace(tracker)
        command = read_command(tracker.latest_message.get("text") or "")
        if user is not None and command is not None and command.number is not None:
            try:
                replies = answer(work, user, command, channel_of(tracker), lang)
            except InputError as error:
                replies = [error.message]
            return deliver(dispatcher, replies, lang)
        if user is not None and not access.can_assess(user) and access.sees_sign_off_queue(user):
            return deliver(dispatcher, sign_off_queue(work, user, lang), lang)
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
            f"[{t.id}] {day_month(t.due_on, today)}"
            f"{' ' + text('chat.late', lang) if t.due_on < today else ''}: {t.title}"
            for t in due
        ]
        pieces = [
            "\n".join(lines[i : i + TASKS_PER_MESSAGE])
            for i in range(0, len(lines), TASKS_PER_MESSAGE)
        ]
        pieces[0] = text("chat.tasks_header", lang, count=len(due)) + "\n" + pieces[0]
        pieces[-1] += "\n\n" + text("followup.reminder_footer", lang)
        return deliver(dispatcher, pieces, lang)
