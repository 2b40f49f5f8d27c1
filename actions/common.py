"""What every action shares: one service per process, and who is talking through what."""

from __future__ import annotations

from functools import lru_cache

from rasa_sdk import Tracker

from assistant.service import Assistant


@lru_cache(maxsize=1)
def service() -> Assistant:
    return Assistant()


def channel_of(tracker: Tracker) -> str:
    return tracker.get_latest_input_channel() or "rasa"


def latest_text_of_intent(tracker: Tracker, intent: str) -> str | None:
    """The text of the latest user message classified as ``intent``."""
    for event in reversed(tracker.events):
        if (
            event.get("event") == "user"
            and event.get("parse_data", {}).get("intent", {}).get("name") == intent
        ):
            return event.get("text")
    return None
