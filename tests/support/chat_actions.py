"""Running rasa_sdk actions in-process on hand-made trackers, against real SQLite files:
the workplace (an admin, two villages, two facilitators, two households), a tracker as
Rasa would send it, and one action call."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from assistant.casework.service import Casework
from assistant.knowledge.loader import Knowledge
from assistant.store.db import Store
from assistant.store.records import User, Village
from tests.support.domain import load_domain

DOMAIN = load_domain()


def open_workplace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, knowledge: Knowledge, name: str = "chat.db"
) -> tuple[Casework, User]:
    """The actions' databases in ``tmp_path`` (the real one and the sandbox), with an admin
    and Sukamaju (UMK Rp2.500.000); the caller adds its people and closes the store."""
    db = tmp_path / name
    monkeypatch.setenv("ASSISTANT_DB", str(db))
    monkeypatch.setenv("ASSISTANT_SANDBOX_DB", str(tmp_path / "sandbox.db"))
    work = Casework(Store(db), knowledge)
    admin = User(id="admin", name="Admin", role="admin")
    work.add_user(None, admin)
    work.add_village(admin, Village(id="sukamaju", name="Sukamaju", umk=2_500_000))
    common.workspaces.cache_clear()
    return work, admin


def seed_workplace(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, knowledge: Knowledge) -> Path:
    """Sukamaju with Rina (628111) and Siti Aminah; Mekarsari (no UMK yet) with Dedi
    (628222) and Joko Wibowo."""
    work, admin = open_workplace(tmp_path, monkeypatch, knowledge, "journeys.db")
    work.add_village(admin, Village(id="mekarsari", name="Mekarsari"))
    work.add_user(admin, User(id="628111", name="Rina", role="pendamping"))
    work.add_user(admin, User(id="628222", name="Dedi", role="pendamping"))
    work.register(work.user("628111"), name="Siti Aminah", village_id="sukamaju", gender="P",
                  program="pena")
    work.register(work.user("628222"), name="Joko Wibowo", village_id="mekarsari", gender="L")
    work.store.close()
    common.workspaces.cache_clear()
    return work.store.path


def tracker(sender: str, text: str, intent: str, slots: dict[str, Any] | None = None,
            requested: str | None = None, loop: str | None = "",
            said_at: float | None = None) -> Tracker:
    """A tracker as Rasa sends it to an action: the slots set by events, the latest message
    (with its user event when ``said_at`` is given), the form under way if any."""
    all_slots: dict[str, Any] = {name: None for name in DOMAIN["slots"]}
    all_slots.update(slots or {}, requested_slot=requested)
    events: list[dict[str, Any]] = []
    if said_at is not None:
        events.append({"event": "user", "text": text, "timestamp": said_at})
    events += [{"event": "slot", "name": k, "value": v} for k, v in (slots or {}).items()]
    return Tracker(
        sender_id=sender, slots=all_slots,
        latest_message={"text": text, "intent": {"name": intent}, "entities": []},
        events=events, paused=False, followup_action=None,
        active_loop={"name": loop} if loop else {}, latest_action_name="action_listen",
    )


def run(action: Any, current: Tracker) -> tuple[list[str], dict[str, Any]]:
    """One call: the messages sent and the slots set."""
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, current, DOMAIN))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return [m["text"] for m in dispatcher.messages], slots
