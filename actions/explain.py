"""The "kenapa?" answer for the latest decision in this conversation."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import service
from assistant.render import explanation


class ExplainDecision(Action):
    def name(self) -> str:
        return "action_explain_decision"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        decision_id = tracker.get_slot("last_decision_id")
        decision = service().decision(decision_id) if decision_id else None
        dispatcher.utter_message(text=explanation(decision))
        return []
