"""The Rasa actions as thin adapters, run against tracker fixtures (as in RasaHQ demos)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.conflict import DecideConflict, ValidateConflictForm
from actions.explain import ExplainDecision
from assistant.store.db import Store
from tests.support.domain import load_domain

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
DOMAIN = load_domain()


@pytest.fixture(autouse=True)
def fresh_service(tmp_path, monkeypatch):
    monkeypatch.setenv("ASSISTANT_DB", str(tmp_path / "actions.db"))
    monkeypatch.setenv("ASSISTANT_SANDBOX_DB", str(tmp_path / "sandbox.db"))
    common.workspaces.cache_clear()
    yield
    common.workspaces.cache_clear()


def tracker(
    slots: dict | None = None,
    text: str = "",
    intent: str = "inform",
    requested: str | None = None,
    events: list | None = None,
    sender: str = "6281111",
    loop: str | None = "conflict_form",
) -> Tracker:
    all_slots = {name: None for name in DOMAIN["slots"]}
    all_slots.update(slots or {}, requested_slot=requested)
    return Tracker(
        sender_id=sender,
        slots=all_slots,
        latest_message={"text": text, "intent": {"name": intent}},
        events=events or [],
        paused=False,
        followup_action=None,
        active_loop={"name": loop} if loop else {},
        latest_action_name="action_listen",
    )


def fixture_tracker(name: str) -> Tracker:
    return Tracker.from_dict(json.loads((FIXTURES / name).read_text(encoding="utf-8")))


def run(action, current: Tracker) -> tuple[list[str], dict]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, current, DOMAIN))
    slots = {e["name"]: e["value"] for e in events if e.get("event") == "slot"}
    return [m["text"] for m in dispatcher.messages], slots


def test_the_report_itself_fills_the_type_and_the_form_asks_the_scope():
    messages, slots = run(
        ValidateConflictForm(),
        tracker(text="ada warga protes dana bantuan dibagi gak merata", intent="report_conflict"),
    )
    assert slots["conflict_type"] == "kepentingan"
    assert "requested_slot" not in slots  # all questions still count: Rasa asks the next
    assert "Konflik kepentingan" in messages[0]


def test_a_large_conflict_skips_the_escalation_questions():
    _, slots = run(
        ValidateConflictForm(),
        tracker(text="tokoh adat menolak kegiatan karena melanggar adat", intent="report_conflict"),
    )
    assert slots["conflict_type"] == "sosial_budaya"
    assert slots["requested_slot"] == "conflict_safeguarding"


def test_a_numbered_answer_is_read():
    current = tracker(
        {"conflict_type": "kepentingan", "conflict_scope": "2"},
        text="2",
        requested="conflict_scope",
        events=[{"event": "slot", "name": "conflict_scope", "value": "2"}],
    )
    _, slots = run(ValidateConflictForm(), current)
    assert slots["conflict_scope"] == "kelompok_kecil"


def test_an_unclear_yes_no_answer_is_asked_again():
    current = tracker(
        {
            "conflict_type": "kepentingan",
            "conflict_scope": "individu",
            "conflict_threatens": "entah",
        },
        text="entah",
        requested="conflict_threatens",
        events=[{"event": "slot", "name": "conflict_threatens", "value": "entah"}],
    )
    messages, slots = run(ValidateConflictForm(), current)
    assert slots["conflict_threatens"] is None
    assert "ya" in messages[0] and "tidak" in messages[0]


def test_the_completed_form_is_decided_stored_and_explained(tmp_path):
    messages, slots = run(DecideConflict(), fixture_tracker("tracker_conflict_complete.json"))
    reply = "\n".join(messages)
    assert "sedang" in reply
    assert "Musyawarah bersama sampai ada kesepakatan." in reply
    assert store_conflicts(tmp_path)[0].category == "sedang"
    assert all(slots[name] is None for name in ("conflict_type", "conflict_scope"))
    store = Store(tmp_path / "actions.db")
    decision = store.get_decision(slots["last_decision_id"])
    assert decision.actor == "6281234567890" and decision.channel == "rest"
    assert decision.input["description"] == "ada warga protes dana bantuan dibagi gak merata"
    why, _ = run(
        ExplainDecision(), tracker({"last_decision_id": decision.id}, sender=decision.actor)
    )
    assert "Bagian 3.3.5" in why[0]


def test_explain_is_refused_for_someone_elses_decision(tmp_path):
    """Finding 15: "kenapa?" shows a decision only to whoever may see it."""
    _, slots = run(DecideConflict(), fixture_tracker("tracker_conflict_complete.json"))
    stranger, _ = run(
        ExplainDecision(),
        tracker({"last_decision_id": slots["last_decision_id"]}, sender="628999", loop=None),
    )
    assert "Bagian 3.3.5" not in stranger[0]
    assert "Belum ada keputusan" in stranger[0]


def store_conflicts(tmp_path):
    store = Store(tmp_path / "actions.db")
    try:
        return store.conflicts()
    finally:
        store.close()


def test_why_without_a_decision_says_so():
    messages, _ = run(ExplainDecision(), tracker(loop=None))
    assert "Belum ada keputusan" in messages[0]
    assert "konflik dulu" not in messages[0]  # whatever the journey (issue: conversations)


def test_why_in_the_middle_of_a_journey_asks_to_answer_first():
    messages, _ = run(ExplainDecision(), tracker())
    assert "jawab dulu" in messages[0]
