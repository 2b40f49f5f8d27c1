"""One chat turn looks each thing up once (issue 12): the sender, their household by id
(never by listing all of them), the village, and one run of the rules engine, however many
times rasa_sdk asks the form for its slots within the call. Counted on the real store."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest

from actions import common
from actions.chitchat import Greet
from actions.graduation import AskGradIncome, ValidateGraduationForm
from assistant.store.db import Store
from rules.engine import Engine
from tests.support.chat_actions import run, seed_workplace, tracker


@pytest.fixture
def calls(tmp_path, monkeypatch, knowledge) -> Counter:
    seed_workplace(tmp_path, monkeypatch, knowledge)
    counted: Counter = Counter()

    def counting(name: str, method: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            counted[name] += 1
            return method(*args, **kwargs)
        return wrapper

    for name, method in list(vars(Store).items()):
        if callable(method) and not name.startswith("_"):
            monkeypatch.setattr(Store, name, counting(name, method))
    monkeypatch.setattr(Engine, "run", counting("engine.run", Engine.run))
    yield counted
    common.workspaces.cache_clear()


def siti(calls: Counter) -> str:
    work = common.casework()  # the seeded file
    found = work.households(work.user("628111"), name="Siti")[0].id
    common.workspaces.cache_clear()
    calls.clear()
    return found


def test_an_income_answer_costs_one_lookup_of_each_and_one_engine_run(calls):
    household = siti(calls)
    said = "kira2 3,2 jt sebulan, pola pikirnya udh berubah jg"
    _, slots = run(ValidateGraduationForm(), tracker(  # Rasa maps the text to the slot
        "628111", said, "inform", {"grad_household": household, "grad_income": said},
        "grad_income", "graduation_form"))
    assert slots["grad_income"] == 3_200_000 and slots["grad_mindset"] is True
    assert calls["get_user"] == 1
    assert calls["get_beneficiary"] == 1
    assert calls["get_village"] <= 1
    assert calls["list_beneficiaries"] == 0 and calls["count_households"] == 0
    assert calls["engine.run"] == 1  # the form's two slot plans share one preview


def test_a_question_and_the_form_in_one_call_share_the_turn(calls):
    household = siti(calls)
    current = tracker("628111", "ya", "affirm", {"grad_household": household},
                      "grad_income", "graduation_form")
    run(ValidateGraduationForm(), current)
    run(AskGradIncome(), current)  # same tracker object: the same call
    assert calls["get_user"] == 1 and calls["get_beneficiary"] == 1


def test_each_call_starts_a_new_turn(calls):
    household = siti(calls)
    for _ in range(2):
        run(ValidateGraduationForm(), tracker(
            "628111", "3 juta", "inform", {"grad_household": household, "grad_income": "3 juta"},
            "grad_income", "graduation_form"))
    assert calls["get_user"] == 2  # nothing outlives a call: a user removed is seen at once


def test_a_whatsapp_message_opens_the_senders_24_hour_window(calls):
    sent_at = 1_790_000_000.5
    current = tracker("628111", "halo", "greet")
    current.events = [{"event": "user", "text": "halo", "timestamp": sent_at,
                       "input_channel": "whatsapp", "parse_data": {"intent": {"name": "greet"}}}]
    run(Greet(), current)
    run(Greet(), current)  # a second action of the same call notes nothing more
    assert calls["note_inbound"] == 1
    seen = common.casework().store.last_inbound("628111")
    assert seen is not None and abs(seen.timestamp() - sent_at) < 1
    run(Greet(), tracker("628222", "halo", "greet"))  # the REST channel opens no window
    assert common.casework().store.last_inbound("628222") is None
