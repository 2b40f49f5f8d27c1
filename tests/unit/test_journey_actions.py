"""The new journeys' actions against tracker fixtures: what each form asks next, and
that a facilitator's form never shows someone else's household."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.approach import ValidateApproachForm
from actions.graduation import AskGradHousehold, DecideGraduation, ValidateGraduationForm
from actions.needs import ValidateNeedsForm
from assistant.store.db import Store
from tests.support.chat_actions import DOMAIN, run, seed_workplace, tracker


@pytest.fixture(autouse=True)
def workplace(tmp_path, monkeypatch, knowledge):
    seed_workplace(tmp_path, monkeypatch, knowledge)
    yield
    common.workspaces.cache_clear()


def test_approach_facts_are_read_from_the_first_message():
    _, slots = run(ValidateApproachForm(), tracker(
        "x", "banyak ibu-ibu dan lansia, warga tergantung bansos", "choose_approach",
        loop="approach_form"))
    assert slots["approach_conditions"] == "bergantung_bantuan"
    assert slots["approach_groups"] == "perempuan,lansia"


def test_approach_without_recognisable_facts_skips_the_confirmation():
    _, slots = run(ValidateApproachForm(), tracker(
        "x", "mau pilih pendekatan", "choose_approach", loop="approach_form"))
    assert slots["approach_confirm"] == "tidak_perlu"
    assert "approach_conditions" not in slots


def test_needs_asks_employment_only_for_job_skills():
    validate = ValidateNeedsForm()
    confirmed = {"needs_signals": "tidak_punya_keterampilan_kerja", "needs_confirm": "ya"}
    asked = asyncio.run(validate.required_slots(
        list(DOMAIN["forms"]["needs_form"]["required_slots"]), CollectingDispatcher(),
        tracker("x", "ya", "affirm", confirmed, "needs_confirm", "needs_form"), DOMAIN))
    assert "needs_employment" in asked and "needs_business_stage" not in asked
    capital = {"needs_signals": "tidak_punya_modal", "needs_confirm": "ya"}
    asked = asyncio.run(validate.required_slots(
        [], CollectingDispatcher(),
        tracker("x", "ya", "affirm", capital, "needs_confirm", "needs_form"), DOMAIN))
    assert asked == ["needs_signals", "needs_confirm"]


def test_graduation_form_lists_only_the_facilitators_own_households():
    messages, _ = run(AskGradHousehold(), tracker("628222", "cek graduasi", "check_graduation"))
    assert "Joko Wibowo" in messages[0] and "Siti" not in messages[0]
    _, slots = run(ValidateGraduationForm(), tracker(
        "628222", "siti aminah", "inform", {"grad_household": "siti aminah"}, "grad_household",
        "graduation_form"))
    assert slots["grad_household"] is None


def test_graduation_asks_the_umk_only_when_the_village_lacks_it():
    validate = ValidateGraduationForm()
    joko = Store(common.casework().store.path).list_beneficiaries(facilitator="628222")[0]
    asked = asyncio.run(validate.required_slots(
        [], CollectingDispatcher(),
        tracker("admin", "1", "inform", {"grad_household": joko.id}, "grad_household",
                "graduation_form"), DOMAIN))
    assert asked == ["grad_household", "grad_umk", "grad_income", "grad_mindset"]


def test_a_facilitator_is_not_asked_for_a_umk_they_may_not_record():
    """Hardening finding 4: a facilitator may not set the village's UMK, so the form
    stops at the household and the decision step says who records the UMK."""
    joko = Store(common.casework().store.path).list_beneficiaries(facilitator="628222")[0]
    asked = asyncio.run(ValidateGraduationForm().required_slots(
        [], CollectingDispatcher(),
        tracker("628222", "1", "inform", {"grad_household": joko.id}, "grad_household",
                "graduation_form"), DOMAIN))
    assert asked == ["grad_household"]
    messages, _ = run(DecideGraduation(), tracker(
        "628222", "1", "inform", {"grad_household": joko.id}, None, "graduation_form"))
    assert "koordinator" in messages[0] and "mekarsari" in messages[0]
    assert Store(common.casework().store.path).get_village("mekarsari").umk is None


def test_strangers_have_no_graduation_questions():
    asked = asyncio.run(ValidateGraduationForm().required_slots(
        [], CollectingDispatcher(), tracker("62899", "cek graduasi", "check_graduation"), DOMAIN))
    assert asked == []


def test_raw_answers_do_not_break_the_needs_form():
    validate = ValidateNeedsForm()
    raw = {"needs_signals": "tidak_punya_keterampilan_kerja", "needs_confirm": "ya",
           "needs_employment": "1"}
    asked = asyncio.run(validate.required_slots(
        [], CollectingDispatcher(),
        tracker("x", "1", "inform", raw, "needs_employment", "needs_form"), DOMAIN))
    assert "needs_employment" in asked
    pending = {"needs_signals": "gak punya modal", "needs_confirm": "tidak_perlu"}
    assert asyncio.run(validate.required_slots(
        [], CollectingDispatcher(),
        tracker("x", "gak punya modal", "inform", pending, "needs_signals", "needs_form"),
        DOMAIN)) == ["needs_signals", "needs_confirm"]


def test_an_unexpected_error_becomes_an_apology(monkeypatch):
    from actions import needs

    def broken(*args, **kwargs):
        raise RuntimeError("disk penuh")

    monkeypatch.setattr(needs, "needs_reply", broken)
    messages, _ = run(needs.DecideNeeds(), tracker(
        "x", "ya", "affirm", {"needs_signals": "tidak_punya_modal", "needs_confirm": "ya"}))
    assert "ada gangguan di sistem" in messages[0]


def test_the_terminal_chat_speaks_as_the_user_named_for_it(monkeypatch):
    from actions.common import sender_of

    terminal = tracker("3f2a-uuid", "cek graduasi", "check_graduation")
    terminal.events.append({"event": "user", "input_channel": "cmdline", "text": "x"})
    assert sender_of(terminal) == "3f2a-uuid"
    monkeypatch.setenv("ASSISTANT_CHAT_USER", "628111")
    monkeypatch.setenv("ASSISTANT_CHAT_CONVERSATION", "3f2a-uuid")
    assert sender_of(terminal) == "628111"
    whatsapp = tracker("6289999", "cek graduasi", "check_graduation")
    whatsapp.events.append({"event": "user", "input_channel": "whatsapp", "text": "x"})
    assert sender_of(whatsapp) == "6289999"  # never for a real channel
