"""Reading short chat answers, and which conflict questions are still needed."""

from __future__ import annotations

import pytest

from actions.conflict import still_needed
from assistant.reading.words import guess_conflict_type, parse_choice, parse_yes_no
from tests.support.chat_actions import seed_workplace, tracker

SCOPES = [
    ("individu", "Perorangan (satu-dua orang)"),
    ("kelompok_kecil", "Kelompok kecil"),
    ("banyak_pihak", "Banyak pihak (beberapa kelompok, dusun, atau lembaga)"),
]


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("2", "kelompok_kecil"),
        ("no 3", "banyak_pihak"),
        ("yg kedua", "kelompok_kecil"),
        ("kelompok kecil aja", "kelompok_kecil"),
        ("perorangan", "individu"),
        ("banyak", "banyak_pihak"),
        ("7", None),
        ("entahlah", None),
        ("", None),
    ],
)
def test_parse_choice(message, expected):
    assert parse_choice(message, SCOPES) == expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("ya", True),
        ("iya udah", True),
        ("Ada yg dipukul", True),
        ("gak", False),
        ("tidak ada", False),
        ("blm", False),
        ("gak ada yg luka", False),
        ("hmm", None),
    ],
)
def test_parse_yes_no(message, expected):
    assert parse_yes_no(message) is expected


@pytest.mark.parametrize(
    ("message", "expected"),
    [
        ("ada warga protes dana bantuan dibagi gak merata", "kepentingan"),
        ("peserta salah paham jadwal pelatihan", "komunikasi"),
        ("alat bantuan telat datang", "teknis_operasional"),
        ("tokoh adat menolak kegiatan", "sosial_budaya"),
        ("ada ribut ribut", None),
    ],
)
def test_guess_conflict_type_from_hint_words(knowledge, message, expected):
    assert guess_conflict_type(message, knowledge) == expected


def test_the_rules_say_which_questions_can_still_change_the_answer(service):
    def missing(**report):
        return service.evaluate("conflict", report, actor="uji", channel="test").output["missing"]

    after_type = ["scope", "threatens_program", "safeguarding"]
    assert missing(type="kepentingan") == after_type
    # already the highest category: escalation questions cannot change it
    assert missing(type="sosial_budaya") == ["safeguarding"]
    assert missing(type="komunikasi", scope="banyak_pihak") == ["safeguarding"]
    assert missing(type="komunikasi", scope="individu") == ["threatens_program", "safeguarding"]
    every = {"scope": "individu", "threatens_program": False, "safeguarding": True}
    assert missing(type="komunikasi", **every) == []


def test_the_conflict_form_asks_what_the_rules_miss(tmp_path, monkeypatch, knowledge):
    seed_workplace(tmp_path, monkeypatch, knowledge)
    fields = ["conflict_type", "conflict_scope", "conflict_threatens", "conflict_safeguarding"]

    def asked(slots):
        current = tracker("628111", "x", "inform", slots, loop="conflict_form")
        return still_needed(current)

    assert asked({}) == ["type", "scope", "threatens_program", "safeguarding"]
    # a raw answer waiting for its check is not asked again, and decides nothing yet
    assert asked({"conflict_type": "1"}) == ["scope", "threatens_program", "safeguarding"]
    assert asked({"conflict_type": "sosial_budaya"}) == ["safeguarding"]
    assert asked({"conflict_type": "komunikasi", "conflict_scope": "banyak_pihak"}) == [
        "safeguarding"
    ]
    assert asked(dict(zip(fields, ["komunikasi", "individu", False, True], strict=True))) == []
