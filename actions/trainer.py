""" "mode pelatih": trainers get the sandbox with sample households covering every branch of
the graduation path; real households are never touched."""

from __future__ import annotations

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import Guarded, deliver, lang_of, workspace
from assistant.casework.access import works_in_sandbox
from assistant.common.texts import text


class TrainerMode(Guarded, Action):
    def name(self) -> str:
        return "action_trainer_mode"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        work, user = workspace(tracker)
        if user is None or not works_in_sandbox(user):
            dispatcher.utter_message(text=text("trainer.only", lang))
            return []
        samples = work.seed_samples(user)
        listed = "\n".join(
            text("trainer.item", lang, name=h.name, shows=shows) for h, shows in samples
        )
        return deliver(
            dispatcher,
            [text("trainer.intro", lang) + "\n" + listed, text("trainer.outro", lang)],
            lang,
        )


class TrainerExit(Guarded, Action):
    """ "cukup dulu latihannya": practice ends, saying plainly where the trainer's work is."""

    def name(self) -> str:
        return "action_trainer_exit"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[EventType]:
        lang = lang_of(tracker)
        _, user = workspace(tracker)
        key = "trainer.exit" if user is not None and works_in_sandbox(user) else (
            "trainer.not_in_practice"
        )
        dispatcher.utter_message(text=text(key, lang))
        return []
