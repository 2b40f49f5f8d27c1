"""The turn invariants every channel we own enforces (assistant/channels/turns.py): one to
three messages, none repeated, never silence; content is joined, never dropped; and every
repair is logged, so that tests can treat one as a bug at its source."""

from __future__ import annotations

import logging

from assistant.channels.turns import MAX_MESSAGES, shape_turn


def texts(messages):
    return [m.get("text") for m in messages]


def test_a_normal_turn_passes_unchanged(caplog):
    turn = [{"recipient_id": "a", "text": "Halo"}, {"recipient_id": "a", "text": "Menu"}]
    with caplog.at_level(logging.WARNING):
        assert shape_turn(turn, "a") == turn
    assert "turn guard" not in caplog.text


def test_ten_copies_of_the_fallback_become_one(caplog):
    turn = [{"recipient_id": "a", "text": "Maaf, saya belum paham."}] * 10
    with caplog.at_level(logging.WARNING):
        shaped = shape_turn(turn, "a")
    assert texts(shaped) == ["Maaf, saya belum paham."]
    assert "turn guard: 9 repeated" in caplog.text


def test_more_than_three_messages_are_joined_not_dropped(caplog):
    turn = [{"recipient_id": "a", "text": f"pesan {n}"} for n in range(1, 6)]
    with caplog.at_level(logging.WARNING):
        shaped = shape_turn(turn, "a")
    assert len(shaped) == MAX_MESSAGES
    assert texts(shaped)[:2] == ["pesan 1", "pesan 2"]
    assert all(f"pesan {n}" in shaped[-1]["text"] for n in (3, 4, 5))
    assert "joined" in caplog.text


def test_an_empty_turn_gets_an_answer_in_the_conversations_language(caplog):
    with caplog.at_level(logging.WARNING):
        assert "menu" in shape_turn([], "a")[0]["text"]
        assert "menu" in shape_turn([{"text": "  "}], "a", "en")[0]["text"]
    assert "empty turn" in caplog.text


def test_the_same_text_with_different_buttons_is_not_a_repeat():
    turn = [
        {"text": "Pilih:", "buttons": [{"title": "ya"}]},
        {"text": "Pilih:", "buttons": [{"title": "tidak"}]},
    ]
    assert len(shape_turn(turn)) == 2


def test_an_image_without_text_is_kept():
    assert shape_turn([{"image": "https://x/y.png"}]) == [{"image": "https://x/y.png"}]
