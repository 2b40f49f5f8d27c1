"""A report of violence, harassment, exploitation or child labour (3.3.5 "Kebijakan
Perlindungan"): the protection protocol at once, the report kept flagged for an admin,
and the reporter's identity repeated to no one."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType, FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Guarded, channel_of, deliver, lang_of, sender_of, workspace
from assistant.texts import text


class Safeguarding(Guarded, Action):
    def name(self) -> str:
        return "action_safeguarding"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        work, _ = workspace(tracker)
        message = tracker.latest_message.get("text") or ""
        result = work.report_safeguarding(sender_of(tracker), message, channel_of(tracker))
        if result is None:
            # no harm named in so many words: treat it as a conflict report, whose last
            # question asks about violence, harassment and exploitation explicitly
            return [FollowupAction("conflict_form")]
        decision, report = result
        protocol = "\n".join(f"- {step}" for step in decision.output["protocol"])
        messages = [
            text("safeguarding.header", lang) + "\n" + protocol,
            text("safeguarding.recorded", lang, report=report.id),
        ]
        return deliver(dispatcher, messages, lang) + [SlotSet("last_decision_id", decision.id)]
