"""The harm net of every action (actions/common.py, ``Guarded``): a report of harm in the
middle of any journey gets the protocol at once and is stored once, and the journey asks
its question again; small talk gives way to the protocol; a form that asks "was anyone
harmed?" takes the report as its answer."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.chitchat import Fallback
from actions.conflict import ValidateConflictForm
from actions.graduation import ValidateGraduationForm
from assistant.store.db import Store
from assistant.store.records import User
from tests.support.chat_actions import DOMAIN, open_workplace
from tests.support.chat_actions import tracker as chat_tracker

HARM = "eh btw ada pendamping yg minta uang ke ibu2 penerima bantuan"


@pytest.fixture(autouse=True)
def workplace(tmp_path, monkeypatch, knowledge):
    work, admin = open_workplace(tmp_path, monkeypatch, knowledge, "harm.db")
    work.add_user(admin, User(id="628111", name="Rina", role="pendamping"))
    work.register(work.user("628111"), name="Siti Aminah", village_id="sukamaju", gender="P")
    work.store.close()
    yield work.store.path
    common.workspaces.cache_clear()


def tracker(text: str, slots: dict | None = None, requested: str | None = None,
            loop: str | None = None, intent: str = "inform") -> Tracker:
    return chat_tracker("628111", text, intent, slots, requested, loop, said_at=1764500000.5)


def run(action, current: Tracker) -> tuple[list[str], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = asyncio.run(action.run(dispatcher, current, DOMAIN))
    return [m["text"] for m in dispatcher.messages], events


def reports(db) -> list:
    store = Store(db)
    try:
        return store.safeguarding_reports("baru")
    finally:
        store.close()


def slot_events(events: list[dict]) -> dict:
    return {e["name"]: e["value"] for e in events if e.get("event") == "slot"}


def test_harm_in_the_middle_of_a_graduation_form_gets_the_protocol_and_the_form_goes_on(
    workplace,
):
    household = Store(workplace).list_beneficiaries()[0]
    messages, events = run(ValidateGraduationForm(), tracker(
        HARM, {"grad_household": household.id, "grad_income": HARM}, "grad_income",
        "graduation_form"))
    assert len(messages) == 1 and "PENTING" in messages[0]  # one message: protocol + record
    slots = slot_events(events)
    assert slots["grad_income"] is None  # not taken as an income: asked again
    assert slots.get("grad_household", household.id) == household.id
    [report] = reports(workplace)
    assert report.concerns == ["eksploitasi"] and report.description == HARM


def test_the_same_message_is_reported_once_per_turn(workplace):
    _, events = run(Fallback(), tracker(HARM, intent="nlu_fallback"))
    checked = slot_events(events)[common.HARM_CHECKED]
    again, _ = run(Fallback(), tracker(HARM, {common.HARM_CHECKED: checked},
                                       intent="nlu_fallback"))
    assert len(reports(workplace)) == 1
    assert "PENTING" not in "\n".join(again)


def test_the_fallback_gives_way_to_the_protocol_and_still_ends_the_turn(workplace):
    messages, events = run(Fallback(), tracker(HARM, intent="nlu_fallback"))
    assert "PENTING" in messages[0] and not any("belum paham" in m for m in messages)
    assert events[-1]["event"] == "rewind"  # UserUtteranceReverted: the turn ends listening


def test_the_conflict_forms_harm_question_takes_the_report_as_its_answer(workplace):
    messages, events = run(ValidateConflictForm(), tracker(
        "iya, ketuanya mukul salah satu anggota",
        {"conflict_type": "kepentingan", "conflict_scope": "individu",
         "conflict_threatens": False, "conflict_safeguarding": "iya, ketuanya mukul"},
        "conflict_safeguarding", "conflict_form", intent="report_conflict"))
    assert slot_events(events)["conflict_safeguarding"] is True
    assert len(reports(workplace)) == 1


def test_a_message_without_harm_changes_nothing(workplace):
    messages, _ = run(Fallback(), tracker("asdfgh", intent="nlu_fallback"))
    assert "belum paham" in messages[0]
    assert reports(workplace) == []


def test_a_report_the_nlu_alone_read_is_confirmed_or_passed_on(workplace):
    """The NLU reads report_abuse into ordinary requests too: with no harm in the words,
    the request goes to the NLU's next guess; with a sign of harm, one question first."""
    from actions.safeguarding import Safeguarding

    ordinary = tracker("mau lapor ada masalah di kelompok nih", intent="report_abuse")
    ordinary.latest_message["intent_ranking"] = [
        {"name": "report_abuse", "confidence": 1.0},
        {"name": "report_conflict", "confidence": 0.0},
    ]
    messages, events = run(Safeguarding(), ordinary)
    assert messages == [] and {"event": "followup", "name": "conflict_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events
    ]
    signs = tracker("anak tetangga kayaknya trauma, gak mau pulang", intent="report_abuse")
    _, events = run(Safeguarding(), signs)
    assert any(e.get("name") == "harm_form" for e in events)
    assert reports(workplace) == []  # nothing stored before the confirmation


def test_a_conflict_result_refers_to_a_protocol_already_sent(knowledge):
    """The protocol is sent once: when harm was already reported in the conversation, the
    conflict's result refers to it (the fuzzer found a turn with the protocol twice)."""
    from assistant.chat.render import conflict_reply
    from assistant.decisions.service import Assistant

    decision = Assistant(knowledge).evaluate(
        "conflict", {"type": "kepentingan", "safeguarding": True}, actor="x", channel="test"
    )
    first = conflict_reply(decision, knowledge)
    again = conflict_reply(decision, knowledge, protocol_sent=True)
    assert first[0].startswith("PENTING") and "\n- " in first[0]
    assert "sudah saya kirim" in again[0] and again[0].endswith(first[1])
    assert again[1:] == first[2:]
