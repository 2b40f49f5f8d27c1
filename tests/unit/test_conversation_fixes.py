"""What the conversations issue found, at the level of one action call each: answers read
from whole sentences, facts taken from the first message, corrections, the next stage,
the village summary, leaving practice mode, trainers' own sample households."""

from __future__ import annotations

import asyncio

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions import common
from actions.approach import DecideApproach, ValidateApproachForm
from actions.chitchat import Fallback
from actions.conflict import ValidateConflictForm
from actions.graduation import AskGradIncome, ValidateGraduationForm
from actions.knowledge_answers import AnswerStage
from actions.needs import ValidateNeedsForm
from actions.trainer import TrainerExit
from actions.village import MyVillage
from assistant.common.texts import text
from assistant.store.db import Store
from assistant.store.records import User
from tests.support.chat_actions import DOMAIN, open_workplace, run
from tests.support.chat_actions import tracker as chat_tracker


@pytest.fixture(autouse=True)
def workplace(tmp_path, monkeypatch, knowledge):
    work, admin = open_workplace(tmp_path, monkeypatch, knowledge, "talk.db")
    work.add_user(admin, User(id="628111", name="Rina", role="pendamping"))
    work.add_user(admin, User(id="628333", name="Kades", role="pejabat_desa",
                              village_id="sukamaju"))
    work.add_user(admin, User(id="628555", name="Pelatih A", role="pelatih"))
    work.add_user(admin, User(id="628556", name="Pelatih B", role="pelatih"))
    rina = work.user("628111")
    for name in ("Siti Aminah", "Atin Suryani"):
        work.register(rina, name=name, village_id="sukamaju", gender="P")
    work.store.close()
    yield work.store.path
    common.workspaces.cache_clear()


def tracker(sender: str, text: str, slots: dict | None = None, requested: str | None = None,
            loop: str | None = None, intent: str = "inform") -> Tracker:
    return chat_tracker(sender, text, intent, slots, requested, loop, said_at=1764500000.0)


def household(workplace, name: str) -> str:
    return next(h.id for h in Store(workplace).list_beneficiaries() if h.name == name)


# --- graduation: the household and the income from whole sentences -------------------


def test_the_first_message_names_the_household_and_the_income(workplace):
    _, slots = run(ValidateGraduationForm(), tracker(
        "628111", "cek graduasi bu siti ya, pendapatannya skrg 2,8 juta sebulan",
        intent="check_graduation", loop="graduation_form"))
    assert slots["grad_household"] == household(workplace, "Siti Aminah")
    assert slots["grad_income"] == 2_800_000


def test_an_income_in_a_sentence_is_read(workplace):
    siti = household(workplace, "Siti Aminah")
    _, slots = run(ValidateGraduationForm(), tracker(
        "628111", "pendapatannya 2,8 juta sebulan", {"grad_household": siti,
                                                    "grad_income": "pendapatannya 2,8 juta"},
        "grad_income", "graduation_form"))
    assert slots["grad_income"] == 2_800_000


def test_an_income_read_with_doubt_is_confirmed_first(workplace):
    siti = household(workplace, "Siti Aminah")
    validate = ValidateGraduationForm()
    _, slots = run(validate, tracker(
        "628111", "2jt lebih lah", {"grad_household": siti, "grad_income": "2jt lebih lah"},
        "grad_income", "graduation_form"))
    assert slots["grad_income"] is None and slots["grad_income_guess"] == 2_000_000
    asked, _ = run(AskGradIncome(), tracker("628111", "2jt lebih lah", {
        "grad_household": siti, "grad_income_guess": 2_000_000}, "grad_income",
        "graduation_form"))
    assert "Rp 2.000.000" in asked[0] and "betul" in asked[0]
    _, slots = run(validate, tracker("628111", "iya bener", {
        "grad_household": siti, "grad_income_guess": 2_000_000, "grad_income": "iya bener"},
        "grad_income", "graduation_form"))
    assert slots["grad_income"] == 2_000_000 and slots["grad_income_guess"] is None


def test_an_absurd_income_is_refused_as_too_large(workplace):
    siti = household(workplace, "Siti Aminah")
    messages, slots = run(ValidateGraduationForm(), tracker(
        "628111", "10000000000 jt", {"grad_household": siti, "grad_income": "10000000000 jt"},
        "grad_income", "graduation_form"))
    assert slots["grad_income"] is None and "terlalu besar" in messages[0]


def test_a_yes_inside_a_sentence_is_read(workplace):
    siti = household(workplace, "Siti Aminah")
    _, slots = run(ValidateGraduationForm(), tracker(
        "628111", "iya udah berubah kok", {"grad_household": siti, "grad_income": 3_000_000,
                                           "grad_mindset": "iya udah berubah kok"},
        "grad_mindset", "graduation_form"))
    assert slots["grad_mindset"] is True


def test_a_corrected_income_replaces_the_first(workplace):
    siti = household(workplace, "Siti Aminah")
    messages, slots = run(ValidateGraduationForm(), tracker(
        "628111", "eh salah, maksudnya 3 jt", {"grad_household": siti, "grad_income": 2_300_000,
                                               "grad_mindset": "eh salah, maksudnya 3 jt"},
        "grad_mindset", "graduation_form"))
    assert slots["grad_income"] == 3_000_000 and slots["grad_mindset"] is None
    assert "Rp 3.000.000" in messages[0]


def test_a_corrected_household_starts_over_for_her(workplace):
    siti = household(workplace, "Siti Aminah")
    _, slots = run(ValidateGraduationForm(), tracker(
        "628111", "eh salah orang, maksudnya bu atin",
        {"grad_household": siti, "grad_income": "eh salah orang, maksudnya bu atin"},
        "grad_income", "graduation_form"))
    assert slots["grad_household"] == household(workplace, "Atin Suryani")


# --- facts from the first message -----------------------------------------------------


def test_the_conflict_scope_is_read_from_the_report():
    _, slots = run(ValidateConflictForm(), tracker(
        "x", "ribut antar dusun soal pembagian air irigasi", intent="report_conflict",
        loop="conflict_form"))
    assert slots["conflict_scope"] == "banyak_pihak"


def test_the_employment_status_is_read_from_the_description():
    _, slots = run(ValidateNeedsForm(), tracker(
        "x", "bapak2 disini banyak yg kena PHK, gak punya keterampilan lain",
        intent="describe_needs", loop="needs_form"))
    assert slots["needs_employment"] == "kena_phk"


def test_approach_answers_with_commas_are_read_not_taken_as_ids():
    """Fuzzer: "1, 2 dan 3" used to pass as internal ids and crash the decision."""
    _, slots = run(ValidateApproachForm(), tracker(
        "x", "1, 2 dan 3", {"approach_conditions": "1, 2 dan 3"}, "approach_conditions",
        "approach_form"))
    assert slots["approach_conditions"] == (
        "kebutuhan_dasar_tidak_terpenuhi,bergantung_bantuan,pelanggaran_hak"
    )
    messages, _ = run(DecideApproach(), tracker("x", "0", {
        "approach_conditions": slots["approach_conditions"], "approach_groups": "-"}))
    assert messages and "gangguan" not in messages[0]


# --- stages, the village, practice mode ------------------------------------------------


@pytest.mark.parametrize(
    ("question", "stage"),
    [
        ("tahap apa setelah asesmen?", "Persiapan"),
        ("abis perencanaan trs ngapain lg?", "Asesmen"),
        ("sebelum monev tahapnya apa", "Pelaksanaan"),
        ("tahap ke-4 itu apa", "Pelaksanaan"),
    ],
)
def test_the_next_or_named_stage_is_answered(question, stage):
    messages, _ = run(AnswerStage(), tracker("x", question, intent="ask_stage"))
    assert stage in messages[0]


def test_a_village_official_gets_their_village_in_numbers():
    messages, _ = run(MyVillage(), tracker("628333", "desa saya gimana", intent="my_village"))
    assert "Sukamaju" in messages[0] and "2 rumah tangga" in messages[0]
    assert "Siti" not in messages[0]


def test_others_are_told_who_the_village_summary_is_for():
    messages, _ = run(MyVillage(), tracker("628111", "desa saya", intent="my_village"))
    assert "pejabat desa" in messages[0]


def test_leaving_practice_says_practice_is_over():
    messages, _ = run(TrainerExit(), tracker("628555", "cukup dulu latihannya"))
    assert "latihan selesai" in messages[0].lower()
    messages, _ = run(TrainerExit(), tracker("628111", "cukup dulu latihannya"))
    assert "tidak sedang" in messages[0]


def test_each_trainer_sees_only_their_own_sample_households():
    practice = common.sandbox()
    a, b = practice.store.get_user("628555"), None
    common.workspace(tracker("628556", "x"))  # mirrors trainer B into the sandbox
    b = practice.store.get_user("628556")
    common.workspace(tracker("628555", "x"))
    a = practice.store.get_user("628555")
    practice.seed_samples(a)
    practice.seed_samples(b)
    assert {h.facilitator_id for h in practice.households(a)} == {"628555"}
    assert len(practice.households(a)) == len(practice.households(b)) > 0


# --- a message the NLU misplaced: read by the words it uses --------------------------


def test_an_answer_taken_for_a_request_for_help_answers_the_question():
    """ "janda sama lansia" to the target-groups question: the NLU read "help"; the menu
    would have lost the answer."""
    from actions.chitchat import Help

    asked = tracker("628111", "janda sama lansia", {"approach_conditions": "bergantung_bantuan"},
                    "approach_groups", "approach_form", intent="help")
    messages, slots = run(Help(), asked)
    assert messages == []  # no menu
    assert set(slots["approach_groups"].split(",")) == {"perempuan", "lansia"}


def test_a_real_request_for_help_in_a_form_still_gets_the_menu():
    from actions.chitchat import Help

    messages, slots = run(Help(), tracker("628111", "bingung nih, bisa bantu apa aja?", {},
                                          "approach_groups", "approach_form", intent="help"))
    assert "1." in messages[0] and "approach_groups" not in slots


def test_an_unreadable_answer_taken_for_help_is_asked_again_not_stored():
    from actions.chitchat import Help

    messages, slots = run(Help(), tracker("628111", "yang itu tuh", {}, "approach_groups",
                                          "approach_form", intent="help"))
    assert slots.get("approach_groups") is None and len(messages) == 1


def test_the_fallback_answers_a_village_question_from_its_words():
    from actions.chitchat import Fallback

    messages, _ = run(Fallback(), tracker("628333", "brp kpm di desa kami yg sdh lulus",
                                          intent="nlu_fallback"))
    assert "Sukamaju" in messages[0] and len(messages) == 1


@pytest.mark.parametrize(
    ("said", "journey"),
    [("mau tau soal tahapan program dong", "ask_stage"),
     ("ibu2 udh punya warung tp gak ngerti bisnis, bingung mulainya", "describe_needs"),
     ("di kelompok lagi ada ribut soal giliran", "report_conflict"),
     ("halo apa kabar", None),
     ("menu dong", None)],
)
def test_what_a_sentence_asks_for_by_its_words(knowledge, said, journey):
    from assistant.reading.words import guess_journey

    assert guess_journey(said, knowledge) == journey


def test_a_report_of_harm_inside_a_conflict_goes_on_to_the_conflict():
    """The harm net answers with the protocol; the conflict the message also describes
    (the NLU's second guess) is asked about next, without asking about harm again."""
    from actions.safeguarding import Safeguarding

    said = "rapat kelompok ricuh, ketua kelompok sampe mukul anggota"
    current = tracker("628333", said, intent="report_abuse")
    current.latest_message["intent_ranking"] = [
        {"name": "report_abuse", "confidence": 0.97},
        {"name": "report_conflict", "confidence": 0.03},
    ]
    dispatcher = CollectingDispatcher()
    events = asyncio.run(Safeguarding().run(dispatcher, current, DOMAIN))
    assert "PENTING" in dispatcher.messages[0]["text"]
    assert {"event": "followup", "name": "conflict_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in events]
    assert any(e.get("name") == common.HARM_REPORTED and e.get("value") for e in events)


def test_kok_at_the_end_is_emphasis_not_why():
    from assistant.reading.words import asks_why

    assert not asks_why("udah berubah kok")
    assert asks_why("kok bisa lulus?") and asks_why("kenapa lulus")


def test_the_fallback_answers_from_the_guideline_when_the_nlu_leaned_that_way():
    from actions.chitchat import Fallback

    current = tracker("628333", "kasih contoh indikator sosial dong", intent="nlu_fallback")
    current.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "ask_guideline", "confidence": 0.35},
    ]
    messages, _ = run(Fallback(), current)
    assert "indikator" in messages[0].lower() and "3.3.2" in messages[0]
    assert "Perhutanan" not in " ".join(messages)  # "sosial" alone names no program


def test_a_question_taken_for_a_program_one_without_a_program_is_answered_from_the_guideline():
    from actions.chitchat import Fallback

    current = tracker("628333", "buat asesmen, brp org yg mesti diwawancarai biar cukup?",
                      intent="nlu_fallback")
    current.latest_message["intent_ranking"] = [
        {"name": "nlu_fallback", "confidence": 0.45},
        {"name": "ask_program", "confidence": 0.33},
        {"name": "ask_guideline", "confidence": 0.30},
    ]
    messages, _ = run(Fallback(), current)
    said = "\n".join(messages)  # a long row comes in pieces, its source at the end
    assert "3.3.3" in said and "responden" in messages[0]


def test_a_why_the_nlu_did_not_place_is_answered_with_the_explanation(workplace, knowledge):
    """ "kok kurang" after a review: the NLU may give it to the fallback (seen on the model
    trained with fixed numerics); the fallback then explains the latest decision instead
    of saying it did not understand."""
    from assistant.casework.service import Casework

    work = Casework(Store(workplace), knowledge)
    checks = {check.id: check.id == "perencanaan" for check in knowledge.review.checks}
    decision = work.assistant.decide(
        "program_review", {"checks": checks}, actor="628111", channel="rest"
    )
    work.store.close()
    dispatcher = CollectingDispatcher()
    current = chat_tracker("628111", "kok kurang", "nlu_fallback",
                           {"last_decision_id": decision.id}, said_at=1764500001.5)
    asyncio.run(Fallback().run(dispatcher, current, DOMAIN))
    said = " ".join(m["text"] for m in dispatcher.messages)
    assert text("explain.header").split("{")[0].strip()[:15] in said
    assert "2.2" in said


# --- answers that no longer ride on a borderline classification (issue 21) -------------


def _with_bot_before(current, bot_text: str):
    """The tracker with a bot message and the user's message after it."""
    user = current.events[0] if current.events else {"event": "user", "text": "x"}
    current.events[:] = [{"event": "bot", "text": bot_text}, user, *current.events[1:]]
    return current


def test_a_number_after_the_menu_starts_that_journey_whoever_showed_the_menu():
    from actions.chitchat import AnswerWithoutQuestion

    menu = text("chat.menu")
    current = _with_bot_before(
        chat_tracker("628333", "1", "inform", said_at=1764500010.0), f"Maaf ...\n{menu}"
    )
    dispatcher = CollectingDispatcher()
    events = asyncio.run(AnswerWithoutQuestion().run(dispatcher, current, DOMAIN))
    assert {"event": "followup", "name": "approach_form"} in [
        {"event": e.get("event"), "name": e.get("name")} for e in events
    ]
    bare = chat_tracker("628333", "1", "inform", said_at=1764500011.0)
    replies, _ = run(AnswerWithoutQuestion(), bare)
    assert replies and "Tidak ada pertanyaan" in replies[0]


def test_the_fallback_shows_the_menu_to_a_message_asking_for_it():
    replies, _ = run(
        Fallback(),
        chat_tracker("628333", "assalamualaikum, sy sekdes. bisa tampilkan menu?",
                     "nlu_fallback", said_at=1764500012.0),
    )
    assert text("chat.menu").splitlines()[0][:30] in " ".join(replies)


@pytest.mark.parametrize("said", ["udahan dulu deh, dipanggil pak camat", "gak jadi deh",
                                  "never mind, later"])
def test_leaving_words_end_a_form_whatever_the_nlu_read(said):
    replies, slots = run(
        ValidateConflictForm(),
        chat_tracker("628333", said, "describe_needs", requested="conflict_scope",
                     loop="conflict_form", said_at=1764500013.0),
    )
    assert slots.get("requested_slot", "x") is None
    assert replies == [text("chat.cancelled")]


def test_a_graduation_result_shows_the_amounts_it_compared(workplace, knowledge):
    """Issue 25: "Rp 2.700.000 against the village UMK" in the result, not only a cross."""
    from assistant.casework.service import Casework
    from assistant.chat.render import graduation_reply

    work = Casework(Store(workplace), knowledge)
    decision = work.assistant.decide(
        "graduation",
        {"income_monthly": 2_700_000, "umk": 3_000_000, "mindset_changed": True},
        actor="628111",
        channel="rest",
    )
    work.store.close()
    first = graduation_reply(decision, knowledge)[0]
    assert "✗ Pendapatan per bulan di atas UMK (Rp 2.700.000; UMK Rp 3.000.000)" in first
    assert "✓ Pola pikir sudah berubah\n" in first + "\n"
    english = graduation_reply(decision, knowledge, "en")[0]
    assert "(Rp 2.700.000; UMK Rp 3.000.000)" in english
