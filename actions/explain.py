"""The "kenapa?" answer for the latest decision in this conversation."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Guarded, as_answer, deliver, lang_of, room, sender_of, workspace
from assistant.chat.render import explanation
from assistant.common.errors import InputError
from assistant.common.texts import text
from assistant.reading.words import asks_why


class ExplainDecision(Guarded, Action):
    def name(self) -> str:
        return "action_explain_decision"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        said = tracker.latest_message.get("text") or ""
        in_form = (tracker.active_loop or {}).get("name") and tracker.get_slot("requested_slot")
        if in_form and not asks_why(said):  # "iya, kurang lebih gitu": an answer, not a why
            return await as_answer(dispatcher, tracker, domain)
        decision_id = tracker.get_slot("last_decision_id")
        work, _ = workspace(tracker)
        decision = None
        if decision_id:
            try:
                decision = work.decision_for(sender_of(tracker), str(decision_id))
            except InputError:
                decision = None  # not theirs to see: as if there were none
        if decision is None and (tracker.active_loop or {}).get("name"):
            dispatcher.utter_message(text=text("explain.in_form", lang))
            return []
        lines = explanation(decision, lang).split("\n")
        # long traces go out in pieces of eight lines (cut again when one is too long)
        pieces = ["\n".join(lines[i : i + 8]) for i in range(0, len(lines), 8)]
        return deliver(dispatcher, pieces, lang, room(tracker))
