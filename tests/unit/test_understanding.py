"""Reading short chat answers, and which conflict questions are still needed."""

from __future__ import annotations

import pytest

from assistant.chat.conflict_form import still_needed
from assistant.reading.words import guess_conflict_type, parse_choice, parse_yes_no

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


def test_only_questions_that_can_change_the_answer_are_asked(knowledge):
    everything = ["type", "scope", "threatens_program", "safeguarding"]
    assert still_needed(knowledge, {}) == everything
    assert still_needed(knowledge, {"type": "kepentingan"}) == everything[1:]
    # a raw answer not yet validated is not a type and raises nothing
    assert still_needed(knowledge, {"type": "1"}) == everything[1:]
    # already the highest category: escalation questions cannot change it
    assert still_needed(knowledge, {"type": "sosial_budaya"}) == ["safeguarding"]
    assert still_needed(knowledge, {"type": "komunikasi", "scope": "banyak_pihak"}) == [
        "safeguarding"
    ]
    assert (
        still_needed(
            knowledge,
            {
                "type": "komunikasi",
                "scope": "individu",
                "threatens_program": False,
                "safeguarding": True,
            },
        )
        == []
    )
